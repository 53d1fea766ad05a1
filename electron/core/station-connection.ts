/**
 * Which API the station talks to, and switching to another without a restart: the built-in
 * sandbox on loopback when no API key is configured, or a Spirii connection, never moving while
 * tokens queued for the one in use are still unsent.
 */
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ApiConnection, SpiriiClient } from './api/client';
import type { ResolvedConnection } from './connections';
import type { Logger } from './logger';
import type { ConnectionMode } from './station-events';
import { startSandbox, type Sandbox, type SandboxOptions } from '../sandbox/server';

export const SANDBOX_NOTICE = 'Built-in sandbox: nothing you enroll here reaches Spirii.';

/** Where the built-in sandbox keeps its tokens, and the options tests give it (latency, faults). */
export interface BuiltinSandboxOptions {
  dataDir: string;
  sandbox?: Partial<SandboxOptions>;
}

/** Start the built-in sandbox on loopback, with a key of its own. */
export async function startBuiltinSandbox(options: BuiltinSandboxOptions): Promise<{ sandbox: Sandbox; connection: ApiConnection }> {
  const apiKey = `sandbox-${randomBytes(16).toString('hex')}`;
  const sandbox = await startSandbox({ statePath: path.join(options.dataDir, 'sandbox-tokens.json'), ...options.sandbox, apiKey, host: '127.0.0.1' });
  return { sandbox, connection: { baseUrl: sandbox.url, apiKey } };
}

/** An API on this machine: the built-in sandbox, or one a developer or a test started. */
function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

/** What a switch of API must stop, clear and tell: the parts that follow the client. */
export interface SwitchParts {
  sandbox: BuiltinSandboxOptions;
  /** Tokens and changes queued for the API in use that have not reached it. */
  unsent: () => number;
  sync: { stop(): Promise<void>; start(): void; retryNow(): void };
  /** Start the sync again after the switch (off when the station's sync does not start by itself). */
  autoSync: boolean;
  /** Forget what was learnt from the API left (its customers). */
  forget: () => void;
  noteInUse: (apiUrl: string, mode: ConnectionMode) => void;
  announce: (connection: { mode: ConnectionMode; apiUrl: string }) => void;
  logger: Logger;
}

export class StationConnection {
  constructor(
    private readonly client: SpiriiClient,
    private currentMode: ConnectionMode,
    private currentSandbox: Sandbox | null,
    private readonly parts: SwitchParts,
  ) {}

  get mode(): ConnectionMode {
    return this.currentMode;
  }

  /** The built-in sandbox, while it is the connection in use. */
  get sandbox(): Sandbox | null {
    return this.currentSandbox;
  }

  get apiUrl(): string {
    return this.client.connection.baseUrl;
  }

  /** The API is a sandbox: the built-in one, or another server on this machine (never Spirii). */
  get isSandbox(): boolean {
    return this.currentMode === 'sandbox' || isLoopbackUrl(this.apiUrl);
  }

  /**
   * Switch to another API: the client, the customer directory and the sync worker follow. Refused
   * while tokens queued for the current API are still unsent, so that no token enrolled against one
   * (say, the sandbox) is ever sent to another (production).
   */
  async switchTo(target: ResolvedConnection): Promise<void> {
    const { parts } = this;
    const next = target.kind === 'builtin' ? null : target.api;
    const moves = next === null ? this.currentMode !== 'sandbox' : this.currentMode === 'sandbox' || next.baseUrl !== this.apiUrl;
    if (moves) {
      const open = parts.unsent();
      if (open > 0) throw new Error(`${open} token(s) have not reached ${this.apiUrl} yet: sync or discard them before switching to another connection.`);
    }
    await parts.sync.stop();
    try {
      let connection = next;
      let sandbox = this.currentSandbox;
      if (connection === null) {
        if (!sandbox) ({ sandbox, connection } = await startBuiltinSandbox(parts.sandbox));
        else connection = this.client.connection;
      }
      this.client.use(connection);
      if (next !== null && this.currentSandbox) await this.currentSandbox.close();
      this.currentSandbox = next === null ? sandbox : null;
      this.currentMode = next === null ? 'sandbox' : 'spirii';
      if (moves) parts.forget();
      parts.noteInUse(this.apiUrl, this.currentMode);
      parts.logger.info('Connection switched', { mode: this.currentMode, apiUrl: this.apiUrl });
      parts.announce({ mode: this.currentMode, apiUrl: this.apiUrl });
    } finally {
      if (parts.autoSync) {
        parts.sync.start();
        parts.sync.retryNow();
      }
    }
  }

  async close(): Promise<void> {
    await this.currentSandbox?.close();
  }
}
