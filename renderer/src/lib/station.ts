/**
 * The one module that talks to the core. Everything else calls `station.call(...)`, which
 * resolves with the value or throws a StationError, and `station.on(...)` for pushed events.
 *
 * The transport is the Electron preload's `window.station` when present; otherwise a WebSocket
 * bridge given as `?bridge=ws://127.0.0.1:PORT/...` (the renderer tests); otherwise none, and the
 * app shows why.
 */
import { BridgeTransport, parseBridgeUrl } from './bridge-transport';
import { defineMessages } from './i18n.svelte';
import { describeCallProblem } from './problem-wording';
import type { CallError, CallInput, CallName, CallOutput, EventName, EventPayload, StationTransport } from './types';

export class StationError extends Error {
  readonly code: CallError['code'];
  /** What the core said next to its English message, for the window to word (see problem-wording.ts). */
  readonly detail: CallError['detail'];

  constructor(
    readonly call: CallName,
    error: CallError,
  ) {
    super(error.message);
    this.name = 'StationError';
    this.code = error.code;
    this.detail = error.detail;
  }
}

export type Connection =
  | { kind: 'electron' | 'bridge'; transport: StationTransport; problem: null }
  | { kind: 'none'; transport: null; problem: string };

function connect(): { connection: Connection; bridge: BridgeTransport | null } {
  if (window.station) return { connection: { kind: 'electron', transport: window.station, problem: null }, bridge: null };
  const address = new URLSearchParams(window.location.search).get('bridge');
  if (address === null) {
    return {
      connection: { kind: 'none', transport: null, problem: 'This page was opened outside the Token Station app, so there is no station to talk to.' },
      bridge: null,
    };
  }
  const parsed = parseBridgeUrl(address);
  if (!parsed.ok) return { connection: { kind: 'none', transport: null, problem: parsed.reason }, bridge: null };
  const bridge = new BridgeTransport(parsed.url);
  return { connection: { kind: 'bridge', transport: bridge, problem: null }, bridge };
}

class StationClient {
  readonly connection: Connection;
  private readonly bridge: BridgeTransport | null;

  constructor() {
    const { connection, bridge } = connect();
    this.connection = connection;
    this.bridge = bridge;
  }

  get connected(): boolean {
    return this.connection.transport !== null;
  }

  /** Make a call; resolves with its value, or throws a StationError saying what went wrong. */
  async call<K extends CallName>(name: K, input: CallInput<K>): Promise<CallOutput<K>> {
    const transport = this.connection.transport;
    if (!transport) throw new StationError(name, { code: 'transport', message: this.connection.problem ?? 'Not connected' });
    let envelope;
    try {
      envelope = await transport.call(name, input);
    } catch (error) {
      throw new StationError(name, { code: 'transport', message: error instanceof Error ? error.message : String(error) });
    }
    if (!envelope.ok) throw new StationError(name, envelope.error);
    return envelope.value;
  }

  /** Listen to a pushed event; returns the function that stops listening. */
  on<K extends EventName>(event: K, listener: (payload: EventPayload<K>) => void): () => void {
    return this.connection.transport?.on(event, listener) ?? (() => {});
  }

  /** Called if the transport goes away (only the bridge can; Electron's IPC lives as long as the window). */
  onDisconnect(listener: (reason: string) => void): () => void {
    return this.bridge?.onClose(listener) ?? (() => {});
  }
}

export const station = new StationClient();

const t = defineMessages({
  en: { noConnection: 'No connection to the station: {message}' },
  da: { noConnection: 'Ingen forbindelse til stationen: {message}' },
});

/** A message for a person: what failed, in the desk's words. */
export function describeError(error: unknown): string {
  if (error instanceof StationError) {
    if (error.code === 'transport') return t('noConnection', { message: error.message });
    return error.detail ? describeCallProblem(error.detail) : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
