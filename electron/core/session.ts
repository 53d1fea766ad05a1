/**
 * The desk's enrollment session: the tokens queued since it started. It survives a restart of the
 * app (the start is a setting) and starts anew when the operator says so.
 */
import type { QueuedToken, TokenQueue } from './queue';
import type { Settings } from './settings';

const SETTINGS_KEY = 'session.startedAt';
/** More than a desk enrolls in a sitting; the summary never needs more rows than this. */
const SESSION_ROWS_MAX = 20_000;

export interface SessionView {
  startedAt: string;
  /** The session's tokens, newest first. */
  tokens: QueuedToken[];
}

export class EnrollmentSession {
  constructor(
    private readonly queue: TokenQueue,
    private readonly settings: Settings,
    private readonly now: () => Date = () => new Date(),
  ) {
    if (!this.settings.get<string | null>(SETTINGS_KEY, null)) this.restart();
  }

  get startedAt(): string {
    return this.settings.get<string>(SETTINGS_KEY, this.now().toISOString());
  }

  view(): SessionView {
    const since = this.startedAt;
    const tokens: QueuedToken[] = [];
    for (const token of this.queue.list({ limit: SESSION_ROWS_MAX })) {
      if (token.createdAt < since) break; // newest first: the rest are older
      tokens.push(token);
    }
    return { startedAt: since, tokens };
  }

  restart(): SessionView {
    this.settings.set(SETTINGS_KEY, this.now().toISOString());
    return this.view();
  }
}
