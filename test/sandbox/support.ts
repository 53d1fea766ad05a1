/** Shared helpers for the sandbox tests: start/stop per test, a controllable clock, and a small HTTP client. */
import { afterEach } from 'vitest';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../electron/sandbox/server';
import type { TokenCreate } from '../../electron/core/token';

export const API_KEY = 'sbx_test_4f1c2a9e';

/** Registers an afterEach that closes whatever the test started; returns the starter. */
export function useSandbox(): (options?: Partial<SandboxOptions>) => Promise<Sandbox> {
  let running: Sandbox | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });
  return async (options = {}) => {
    running = await startSandbox({ apiKey: API_KEY, ...options });
    return running;
  };
}

/** A clock that only moves when told to, so createdAt/updatedAt and rate-limit windows are predictable. */
export function manualClock(start = '2025-06-03T12:00:10.000Z'): { now: () => Date; advance: (ms: number) => void; set: (iso: string) => void } {
  let time = Date.parse(start);
  return {
    now: () => new Date(time),
    advance: (ms) => {
      time += ms;
    },
    set: (iso) => {
      time = Date.parse(iso);
    },
  };
}

/**
 * A clock that runs with real time from one second past the start of a minute. The sandbox's
 * rate-limit windows are aligned to the clock, so a test on real time that crossed a minute's end
 * got a fresh budget halfway (it did, once in CI); on this clock the window has 59 s left when the
 * test starts. Give the same clock to the sandbox and to whatever reads its X-RateLimit-Reset.
 */
export function windowStartClock(): { now: () => Date; ms: () => number } {
  const base = Math.ceil(Date.now() / 60_000) * 60_000 + 1_000;
  const started = performance.now();
  const ms = () => base + (performance.now() - started);
  return { ms, now: () => new Date(ms()) };
}

/** mulberry32: tiny, seedable, good enough to make probabilistic faults repeatable. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

export interface CallOptions {
  method?: string;
  /** Serialised as JSON unless it is already a string. */
  body?: unknown;
  /** Replaces the Bearer key; null sends no Authorization header at all. */
  authorization?: string | null;
  headers?: Record<string, string>;
}

/** One request as a client would make it; JSON bodies are parsed, anything else is returned as text. */
export async function call<T = unknown>(sandbox: Sandbox, path: string, options: CallOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  const authorization = options.authorization === undefined ? `Bearer ${API_KEY}` : options.authorization;
  if (authorization !== null) headers.authorization = authorization;
  const body = options.body === undefined || typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  const response = await fetch(sandbox.url + path, { method: options.method ?? 'GET', headers, body });
  const isJson = (response.headers.get('content-type') ?? '').includes('application/json');
  return { status: response.status, headers: response.headers, body: (isJson ? await response.json() : await response.text()) as T };
}

/** A valid rfid token for customer 1001 (Acme Fleet ApS, a demo customer). */
export function rfid(uid: string, extra: Partial<TokenCreate> = {}): TokenCreate {
  return { customerId: 1001, identifier: { type: 'rfid', uid }, ...extra };
}

/** `count` distinct canonical 7-byte UIDs. */
export function uids(count: number, prefix = '04A1B2'): string[] {
  return Array.from({ length: count }, (_, index) => prefix + index.toString(16).toUpperCase().padStart(8, '0'));
}

export function post<T = unknown>(sandbox: Sandbox, body: unknown): Promise<ApiResponse<T>> {
  return call<T>(sandbox, '/v2/tokens', { method: 'POST', body });
}
