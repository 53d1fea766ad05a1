/**
 * The sandbox's injected faults: which misbehaviour (a dropped connection, a 5xx, a 429, a slow or
 * late commit) a request gets, by probability or queued one-shot, and the answers they give.
 */
import { message, reply, type Outcome } from './outcome';
import type { Bucket } from './rate-limit';

export interface SandboxFaults {
  /** Delay before handling each request (default 0). */
  latencyMs: number;
  /** Probability 0..1: destroy the socket without storing or answering (POST/PATCH). */
  dropBeforeStore: number;
  /** Probability: store the tokens, then destroy the socket without answering (POST/PATCH). */
  dropAfterStore: number;
  /** Probability: answer 500/502/503 without storing (POST/PATCH). */
  error5xxBefore: number;
  /** Probability: store, then answer 500 (POST/PATCH). */
  error5xxAfter: number;
  /** Probability: store, then hold the answer back for slowAnswerMs (past a client's timeout) (POST/PATCH). */
  slowAfterStore: number;
  /** How long a slowAfterStore answer is held back (default 30,000 ms). */
  slowAnswerMs: number;
  /** Probability: store only lateCommitMs after the request arrived, then answer (POST/PATCH). */
  lateCommit: number;
  /** Probability: cut the connection at once, then store lateCommitMs after the request arrived (POST/PATCH). */
  lateCommitDrop: number;
  /** When a late commit takes effect, counted from the request's arrival (default 12,000 ms). */
  lateCommitMs: number;
  /** Probability: answer 429 with Retry-After (any request). */
  tooManyRequests: number;
  /** The Retry-After value used for injected 429s (default 1). */
  retryAfterSeconds: number;
}

export type SandboxFault =
  | 'dropBeforeStore'
  | 'dropAfterStore'
  | 'error5xxBefore'
  | 'error5xxAfter'
  | 'slowAfterStore'
  | 'lateCommit'
  | 'lateCommitDrop'
  | 'tooManyRequests'
  | 'badGateway';

const DEFAULT_FAULTS: SandboxFaults = {
  latencyMs: 0,
  dropBeforeStore: 0,
  dropAfterStore: 0,
  error5xxBefore: 0,
  error5xxAfter: 0,
  slowAfterStore: 0,
  slowAnswerMs: 30_000,
  lateCommit: 0,
  lateCommitDrop: 0,
  lateCommitMs: 12_000,
  tooManyRequests: 0,
  retryAfterSeconds: 1,
};

const WRITE_FAULTS = ['dropBeforeStore', 'dropAfterStore', 'error5xxBefore', 'error5xxAfter', 'slowAfterStore', 'lateCommit', 'lateCommitDrop'] as const;
const BEFORE_STORE = new Set<SandboxFault>(['dropBeforeStore', 'error5xxBefore', 'badGateway']);
const AFTER_STORE = new Set<SandboxFault>(['dropAfterStore', 'error5xxAfter']);

export class FaultInjector {
  private faults: SandboxFaults;
  private readonly queue: { fault: SandboxFault; remaining: number }[] = [];

  constructor(
    initial: Partial<SandboxFaults>,
    private readonly random: () => number,
  ) {
    this.faults = checkedFaults({ ...DEFAULT_FAULTS, ...initial });
  }

  get latencyMs(): number {
    return this.faults.latencyMs;
  }

  get slowAnswerMs(): number {
    return this.faults.slowAnswerMs;
  }

  get lateCommitMs(): number {
    return this.faults.lateCommitMs;
  }

  get retryAfterSeconds(): number {
    return this.faults.retryAfterSeconds;
  }

  set(changes: Partial<SandboxFaults>): void {
    this.faults = checkedFaults({ ...this.faults, ...changes });
  }

  queueNext(fault: SandboxFault, count: number): void {
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`failNext count must be an integer >= 1 (got ${count})`);
    this.queue.push({ fault, remaining: count });
  }

  /**
   * The fault for this request, if any. Queued faults go first and in order; only 429s apply to
   * reads, because the rest simulate the one question that matters: did a write take effect?
   */
  pick(bucket: Bucket): SandboxFault | undefined {
    return this.takeQueued(bucket) ?? this.roll(bucket);
  }

  /** Which 5xx an error5xxBefore answers with: a real outage shows all three. */
  serverErrorStatus(): number {
    return [500, 502, 503][Math.min(2, Math.floor(this.random() * 3))];
  }

  private takeQueued(bucket: Bucket): SandboxFault | undefined {
    const index = this.queue.findIndex((entry) => appliesTo(entry.fault, bucket));
    if (index < 0) return undefined;
    const entry = this.queue[index];
    entry.remaining -= 1;
    if (entry.remaining === 0) this.queue.splice(index, 1);
    return entry.fault;
  }

  /** Draws only for faults that are switched on, so a seeded run's sequence does not depend on unused ones. */
  private roll(bucket: Bucket): SandboxFault | undefined {
    if (this.faults.tooManyRequests > 0 && this.random() < this.faults.tooManyRequests) return 'tooManyRequests';
    if (bucket !== 'write') return undefined;
    const total = WRITE_FAULTS.reduce((sum, fault) => sum + this.faults[fault], 0);
    if (total === 0) return undefined;
    // One draw over the faults' consecutive intervals: they are exclusive outcomes of one request.
    let roll = this.random();
    for (const fault of WRITE_FAULTS) {
      if (roll < this.faults[fault]) return fault;
      roll -= this.faults[fault];
    }
    return undefined;
  }
}

function appliesTo(fault: SandboxFault, bucket: Bucket): boolean {
  return fault === 'tooManyRequests' || bucket === 'write';
}

function checkedFaults(faults: SandboxFaults): SandboxFaults {
  for (const fault of [...WRITE_FAULTS, 'tooManyRequests'] as const) {
    const p = faults[fault];
    if (!(p >= 0 && p <= 1)) throw new RangeError(`fault ${fault} must be a probability from 0 to 1 (got ${p})`);
  }
  if (!(faults.latencyMs >= 0)) throw new RangeError(`latencyMs must be >= 0 (got ${faults.latencyMs})`);
  if (!(faults.slowAnswerMs >= 0)) throw new RangeError(`slowAnswerMs must be >= 0 (got ${faults.slowAnswerMs})`);
  if (!(faults.lateCommitMs >= 0)) throw new RangeError(`lateCommitMs must be >= 0 (got ${faults.lateCommitMs})`);
  if (!(Number.isInteger(faults.retryAfterSeconds) && faults.retryAfterSeconds >= 0)) {
    throw new RangeError(`retryAfterSeconds must be a whole number >= 0 (got ${faults.retryAfterSeconds})`);
  }
  return faults;
}

/** A 502 comes from a proxy in real life, so it is HTML: the client must fall back to the status text. */
const BAD_GATEWAY_HTML = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n';

function serverError(status: number, text: string): Outcome {
  if (status === 502) return { kind: 'reply', status, body: undefined, html: BAD_GATEWAY_HTML };
  return message(status, text);
}

/** The answer of a fault that strikes before anything is stored, or undefined for any other fault. */
export function beforeStore(fault: SandboxFault | undefined, faults: FaultInjector): Outcome | undefined {
  if (fault === undefined || !BEFORE_STORE.has(fault)) return undefined;
  switch (fault) {
    case 'dropBeforeStore':
      return { kind: 'drop' };
    case 'error5xxBefore':
      return serverError(faults.serverErrorStatus(), 'Injected fault: server error before storing');
    case 'badGateway':
      return serverError(502, 'Injected fault: bad gateway');
    default:
      return undefined;
  }
}

/**
 * What the client gets once the request was handled (and perhaps stored): for an "after store"
 * fault, nothing it can learn from; otherwise the handler's own answer.
 */
export function afterStore(fault: SandboxFault | undefined, outcome: Outcome): Outcome {
  if (fault === undefined || !AFTER_STORE.has(fault)) return outcome;
  return fault === 'dropAfterStore' ? { kind: 'drop' } : message(500, 'Injected fault: server error after storing');
}

export function injectedTooManyRequests(retryAfterSeconds: number): Outcome {
  return reply(
    429,
    { code: 'rate_limited', message: `Too many requests (injected); retry after ${retryAfterSeconds} s` },
    { 'Retry-After': String(retryAfterSeconds) },
  );
}
