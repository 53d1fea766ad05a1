/**
 * Identify a card: everything this desk knows about it, from a tap, a typed or scanned UID, or a
 * label. Spirii's token when Spirii answers (remembered with the time), otherwise what this desk
 * last saw and how old that is; this desk's queue row and its history; the audit entries.
 * Nothing here writes a token or queues anything.
 */
import type { SpiriiClient } from './api/client';
import { ApiError, NetworkError } from './api/errors';
import type { AuditEntry, AuditLog } from './audit';
import type { RequestProblem } from './problem-detail';
import type { CustomerDirectory } from './customers';
import type { QueuedToken, TokenQueue } from './queue';
import type { SeenTokens } from './spirii-seen';
import type { SpiriiToken } from './token';
import { parseUid } from './uid';

/**
 * Why Spirii's answer is not live, for the window to word in its language: offline (unreachable),
 * timeout (no answer in time), refused (the key: 401/403), error (any other failure). `cause` is
 * the request's own problem (Spirii's or the OS's words kept inside); the English is the report's
 * `problem`.
 */
export type CardLookupProblem =
  | { key: 'offline'; params: { cause: RequestProblem | null } }
  | { key: 'timeout' | 'refused' | 'error'; params: { cause: RequestProblem } };

/** A lookup that failed: the English (the CLI's, the log's) and its detail. */
interface LookupFailure {
  message: string;
  detail: CardLookupProblem;
}

export interface CardReport {
  /** What was asked, as given (a UID in any separator and case, or a label). */
  query: string;
  /** How it was read. */
  by: 'uid' | 'label';
  /** The card's UID (stored form), when one is known. */
  uid: string | null;
  /** Where the question came from: a reader ("pcsc:ACR122U", "simulated:…"), "search" or "cli". */
  source: string;
  /** When this report was made. */
  checkedAt: string;
  /**
   * live: Spirii answered now; seen: what this desk last saw of it (Spirii not asked or not
   * answering); never: this desk has never asked Spirii about the card; pending: this is the
   * desk's own answer while Spirii is being asked (a second report follows).
   */
  spiriiSource: 'live' | 'seen' | 'never' | 'pending';
  /** The token in Spirii (null: Spirii has none, or nothing is known: see spiriiSource). */
  spirii: SpiriiToken | null;
  /** The token's customer's name, when this desk knows it. */
  customerName: string | null;
  /** When the Spirii part was seen, and how old it is at checkedAt (0 when live). */
  seenAt: string | null;
  ageMs: number | null;
  /** Why Spirii's answer is not live, in English (null: it is, or Spirii was not asked). */
  problem: string | null;
  /** The same, machine-readable. */
  problemDetail: CardLookupProblem | null;
  /** This desk's live row for the card (any state but discarded). */
  queue: QueuedToken | null;
  /** Every row this desk has had for the card, discarded ones included, newest first. */
  history: QueuedToken[];
  /** The audit trail's entries about the card, newest first. */
  audit: AuditEntry[];
  /** Nothing anywhere knows the card: the desk can offer to enroll it. */
  known: boolean;
  /** Other cards carrying the same label (a label lookup that matched more than one UID). */
  otherUids: string[];
}

export interface CardIdentifierOptions {
  now?: () => Date;
  /** How long Spirii is given before the answer comes from what the desk last saw. */
  timeoutMs?: number;
}

export interface IdentifyOptions {
  source?: string;
  /** Ask Spirii (default). false: answer from this desk alone (the CLI's --offline, tests). */
  live?: boolean;
  /** A reader's tap: the UID is a UID, never tried as a label. */
  uidOnly?: boolean;
  /** Told of the desk's own answer at once, before Spirii is asked. */
  onLocal?: (report: CardReport) => void;
}

const DEFAULT_TIMEOUT_MS = 5000;

class LookupTimeout extends Error {}

function failureOf(error: unknown, host: string): LookupFailure {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof LookupTimeout) return { message, detail: { key: 'timeout', params: { cause: { key: 'no-answer-in-time', params: { host } } } } };
  if (error instanceof NetworkError) return { message, detail: { key: 'offline', params: { cause: error.detail ?? null } } };
  if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
    return { message, detail: { key: 'refused', params: { cause: { key: 'key-refused', params: { status: error.status, spirii: message } } } } };
  }
  if (error instanceof ApiError) return { message, detail: { key: 'error', params: { cause: { key: 'spirii-answered', params: { status: error.status, spirii: message } } } } };
  return { message, detail: { key: 'error', params: { cause: { key: 'unexpected', params: { error: message } } } } };
}

/** The report's two fields for a failed lookup (or none). */
function problemFields(failure: LookupFailure | null): Pick<CardReport, 'problem' | 'problemDetail'> {
  return { problem: failure?.message ?? null, problemDetail: failure?.detail ?? null };
}

export class CardIdentifier {
  private readonly now: () => Date;
  private readonly timeoutMs: number;

  constructor(
    private readonly deps: { queue: TokenQueue; seen: SeenTokens; audit: AuditLog; client: SpiriiClient; customers: CustomerDirectory },
    options: CardIdentifierOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /**
   * Everything known about the card. A query that reads as a UID is looked up as one; when
   * nothing anywhere knows that UID, it is tried as a label too (a label may be all hex digits).
   */
  async identify(query: string, options: IdentifyOptions = {}): Promise<CardReport> {
    const text = query.trim();
    const source = options.source ?? 'search';
    const live = options.live !== false;
    const parsed = parseUid(text);
    if (parsed.ok) {
      const report = await this.byUid(text, parsed.uid, source, live, options.onLocal);
      if (report.known || options.uidOnly) return report;
      return (await this.byLabel(text, source, live)).report ?? report;
    }
    const { report, failure } = await this.byLabel(text, source, live, options.onLocal);
    return report ?? { ...this.unknown(text, 'label', null, source, live && failure === null), ...problemFields(failure) };
  }

  private async byUid(query: string, uid: string, source: string, live: boolean, onLocal?: (report: CardReport) => void, by: 'uid' | 'label' = 'uid'): Promise<CardReport> {
    if (live && onLocal) onLocal(this.local(query, by, uid, source, 'pending'));
    if (!live) return this.local(query, by, uid, source, 'seen');
    try {
      const tokens = await this.withTimeout(this.deps.client.findTokensByUid(uid));
      const at = this.now();
      this.deps.seen.remember(tokens, tokens.length === 0 ? [uid] : [], at);
      const token = newest(tokens);
      const customerName = token ? await this.customerName(token.customerId, true) : null;
      return this.assemble(query, by, uid, source, { spiriiSource: 'live', spirii: token, seenAt: at.toISOString(), failure: null, customerName });
    } catch (error) {
      return this.local(query, by, uid, source, 'seen', this.failure(error));
    }
  }

  /** The UID behind a label: Spirii's token with it, else this desk's row, else the last sighting. */
  private async byLabel(
    label: string,
    source: string,
    live: boolean,
    onLocal?: (report: CardReport) => void,
  ): Promise<{ report: CardReport | null; failure: LookupFailure | null }> {
    if (!label) return { report: null, failure: null };
    const key = label.toLowerCase();
    const localRows = this.deps.queue.historyByLabel(label);
    const seenRows = this.deps.seen.byLabel(label).filter((s) => s.token !== null);
    let liveTokens: SpiriiToken[] | null = null;
    let failure: LookupFailure | null = null;
    let seenAt = this.now();
    if (live) {
      try {
        const page = await this.withTimeout(this.deps.client.listTokens({ search: label.slice(0, 50), type: 'rfid', limit: 100 }));
        liveTokens = page.data.filter((t) => (t.identifier.label ?? '').toLowerCase() === key && t.identifier.uid);
        seenAt = this.now();
        this.deps.seen.remember(liveTokens, [], seenAt);
      } catch (error) {
        failure = this.failure(error);
      }
    }
    const uids = unique([
      ...(liveTokens ?? []).map((t) => t.identifier.uid!.toUpperCase()),
      ...localRows.map((r) => r.uid),
      ...seenRows.map((s) => s.uid),
    ]);
    if (uids.length === 0) return { report: null, failure };
    const uid = uids[0]!;
    let report: CardReport;
    if (liveTokens !== null) {
      const token = newest(liveTokens.filter((t) => t.identifier.uid!.toUpperCase() === uid));
      if (token) {
        const customerName = await this.customerName(token.customerId, true);
        report = this.assemble(label, 'label', uid, source, { spiriiSource: 'live', spirii: token, seenAt: seenAt.toISOString(), failure: null, customerName });
      } else {
        report = await this.byUid(label, uid, source, true, onLocal, 'label');
      }
    } else {
      report = this.local(label, 'label', uid, source, 'seen', failure);
    }
    return { report: { ...report, otherUids: uids.slice(1) }, failure };
  }

  /** The desk's own answer: its rows, its audit entries and what it last saw of Spirii. */
  private local(query: string, by: 'uid' | 'label', uid: string, source: string, mode: 'seen' | 'pending', failure: LookupFailure | null = null): CardReport {
    const seen = this.deps.seen.byUid(uid);
    const token = seen?.token ?? null;
    const customerId = token?.customerId ?? this.deps.queue.findByUid(uid)?.customerId ?? null;
    return this.assemble(query, by, uid, source, {
      spiriiSource: mode === 'pending' ? 'pending' : seen ? 'seen' : 'never',
      spirii: token,
      seenAt: seen?.seenAt ?? null,
      failure,
      customerName: customerId === null ? null : this.deps.customers.cachedName(customerId),
    });
  }

  private unknown(query: string, by: 'uid' | 'label', uid: string | null, source: string, live: boolean): CardReport {
    return {
      query,
      by,
      uid,
      source,
      checkedAt: this.now().toISOString(),
      spiriiSource: live ? 'live' : 'never',
      spirii: null,
      customerName: null,
      seenAt: null,
      ageMs: null,
      problem: null,
      problemDetail: null,
      queue: null,
      history: [],
      audit: [],
      known: false,
      otherUids: [],
    };
  }

  private assemble(
    query: string,
    by: 'uid' | 'label',
    uid: string,
    source: string,
    { failure, ...spirii }: Pick<CardReport, 'spiriiSource' | 'spirii' | 'seenAt' | 'customerName'> & { failure: LookupFailure | null },
  ): CardReport {
    const now = this.now();
    const history = this.deps.queue.history(uid);
    const queue = history.find((row) => row.state !== 'discarded') ?? null;
    const audit = this.deps.audit.about(uid);
    const customerName = spirii.customerName ?? (queue ? this.deps.customers.cachedName(queue.customerId) : null);
    return {
      query,
      by,
      uid,
      source,
      checkedAt: now.toISOString(),
      ...spirii,
      ...problemFields(failure),
      customerName,
      ageMs: spirii.spiriiSource === 'live' ? 0 : spirii.seenAt === null ? null : Math.max(0, now.getTime() - Date.parse(spirii.seenAt)),
      queue,
      history,
      audit,
      known: spirii.spirii !== null || history.length > 0 || audit.length > 0,
      otherUids: [],
    };
  }

  private async customerName(id: number, live: boolean): Promise<string | null> {
    if (!live) return this.deps.customers.cachedName(id);
    try {
      return await this.withTimeout(this.deps.customers.nameOf(id));
    } catch {
      return this.deps.customers.cachedName(id);
    }
  }

  private failure(error: unknown): LookupFailure {
    const base = this.deps.client.connection.baseUrl;
    return failureOf(error, URL.canParse(base) ? new URL(base).host : base);
  }

  private withTimeout<T>(promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new LookupTimeout(`Spirii did not answer within ${Math.round(this.timeoutMs / 1000)} s`)), this.timeoutMs);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}

/** The most recently changed of a UID's tokens (normally there is one). */
function newest(tokens: readonly SpiriiToken[]): SpiriiToken | null {
  return [...tokens].sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt) || b.id - a.id)[0] ?? null;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
