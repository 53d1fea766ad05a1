/**
 * The contract over a WebSocket, for running the renderer in a plain browser against a real core
 * (the renderer tests' bridge, test/support/bridge.ts). Messages are JSON:
 *   page -> core: { id, name, input }      core -> page: { id, envelope } | { event, payload }
 */
import type { CallError, CallInput, CallName, CallOutput, Envelope, EventName, EventPayload, StationTransport } from './types';

type Listener = (payload: unknown) => void;

/** Only a socket on this computer: the bridge is a test and development aid, never a network service. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The bridge address from a `?bridge=` parameter, or why it cannot be used. */
export function parseBridgeUrl(value: string): { ok: true; url: string } | { ok: false; reason: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { ok: false, reason: `"${value.slice(0, 80)}" is not an address.` };
  }
  if (url.protocol !== 'ws:' || !LOOPBACK_HOSTS.has(url.hostname)) {
    return { ok: false, reason: 'The bridge must be a ws:// address on this computer (127.0.0.1 or localhost).' };
  }
  return { ok: true, url: url.href };
}

export class BridgeTransport implements StationTransport {
  private readonly socket: WebSocket;
  private readonly pending = new Map<number, (envelope: Envelope<unknown>) => void>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly closeListeners = new Set<(reason: string) => void>();
  private readonly opened: Promise<boolean>;
  private nextId = 1;
  private closedReason: string | null = null;

  constructor(url: string) {
    this.socket = new WebSocket(url);
    this.opened = new Promise((resolve) => {
      this.socket.addEventListener('open', () => resolve(true), { once: true });
      this.socket.addEventListener('close', () => resolve(false), { once: true });
    });
    this.socket.addEventListener('message', (event) => this.receive(event.data));
    this.socket.addEventListener('close', () => {
      const reason = 'The connection to the station closed.';
      this.closedReason = reason;
      for (const resolve of this.pending.values()) resolve(transportError(reason));
      this.pending.clear();
      for (const listener of this.closeListeners) listener(reason);
    });
  }

  call<K extends CallName>(name: K, input: CallInput<K>): Promise<Envelope<CallOutput<K>>> {
    return this.opened.then((open) => {
      if (!open || this.closedReason) return transportError(this.closedReason ?? 'Could not connect to the station.');
      const id = this.nextId++;
      return new Promise<Envelope<CallOutput<K>>>((resolve) => {
        this.pending.set(id, resolve as (envelope: Envelope<unknown>) => void);
        this.socket.send(JSON.stringify({ id, name, input }));
      });
    });
  }

  on<K extends EventName>(event: K, listener: (payload: EventPayload<K>) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as Listener);
    return () => set.delete(listener as Listener);
  }

  /** Called once when the socket closes (or never opens). */
  onClose(listener: (reason: string) => void): () => void {
    if (this.closedReason) listener(this.closedReason);
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let message: unknown;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    if ('id' in message && typeof message.id === 'number' && 'envelope' in message) {
      const resolve = this.pending.get(message.id);
      this.pending.delete(message.id);
      resolve?.(message.envelope as Envelope<unknown>);
    } else if ('event' in message && typeof message.event === 'string' && 'payload' in message) {
      for (const listener of this.listeners.get(message.event) ?? []) listener(message.payload);
    }
  }
}

function transportError(message: string): { ok: false; error: CallError } {
  return { ok: false, error: { code: 'transport', message } };
}
