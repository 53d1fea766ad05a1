/**
 * The audit trail: every enrollment, edit, discard and export (and every change of connection, and
 * every change to a token in Spirii queued, chosen for or cancelled) is
 * recorded with the operator's name and the time, kept in the database (append only: a trigger
 * refuses updates), listed in the Activity screen and exportable. Never a key: details are checked
 * against the secrets the process knows before they are stored.
 */
import type { Db } from './db/sqlite';
import type { Settings } from './settings';
import { redact } from './logger';

export const AUDIT_ACTIONS = ['enroll', 'edit', 'discard', 'export', 'connection', 'change', 'replace'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  id: number;
  at: string;
  operator: string;
  action: AuditAction;
  /** What it was about, in one line (a UID, a file name, a connection). */
  subject: string | null;
  details: Record<string, unknown>;
}

export interface AuditQuery {
  limit?: number;
  /** Entries older than this id (paging back through the trail). */
  beforeId?: number;
  actions?: readonly AuditAction[];
}

/** Shown when the operator has not given a name (Settings, owned by the preferences). */
export const UNKNOWN_OPERATOR = '(no operator name set)';

export class AuditLog {
  private readonly insert;

  constructor(
    private readonly db: Db,
    private readonly settings: Settings,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.insert = db.prepare('INSERT INTO audit (at, operator, action, subject, details) VALUES (?, ?, ?, ?, ?)');
  }

  /** The operator's name, from the preferences (`'preferences'.operatorName`). */
  operator(): string {
    const name = this.settings.get<{ operatorName?: unknown } | null>('preferences', null)?.operatorName;
    return typeof name === 'string' && name.trim() ? name.trim().slice(0, 100) : UNKNOWN_OPERATOR;
  }

  /**
   * Record one action. `subject` is a short handle (a UID, a file); `details` any plain data.
   * The Station records enrollments (taps, `add`, imports); the window's handlers edits, discards
   * and exports; the CLI its own discards.
   */
  record(action: AuditAction, details: Record<string, unknown> = {}, subject: string | null = null): AuditEntry {
    if (!(AUDIT_ACTIONS as readonly string[]).includes(action)) throw new Error(`Unknown audit action: ${String(action)}`);
    const at = this.now().toISOString();
    const operator = this.operator();
    const json = redact(JSON.stringify(details));
    const result = this.insert.run(at, operator, action, subject === null ? null : redact(subject).slice(0, 200), json);
    return { id: Number(result.lastInsertRowid), at, operator, action, subject, details: JSON.parse(json) as Record<string, unknown> };
  }

  list(query: AuditQuery = {}): AuditEntry[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.beforeId !== undefined) {
      where.push('id < ?');
      params.push(query.beforeId);
    }
    if (query.actions?.length) {
      where.push(`action IN (${query.actions.map(() => '?').join(', ')})`);
      params.push(...query.actions);
    }
    const sql = `SELECT id, at, operator, action, subject, details FROM audit ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT ?`;
    params.push(Math.min(Math.max(query.limit ?? 500, 1), 100_000));
    const rows = this.db.prepare(sql).all(...params) as { id: number; at: string; operator: string; action: AuditAction; subject: string | null; details: string }[];
    return rows.map((row) => ({ ...row, details: parseDetails(row.details) }));
  }

  /** The entries about one subject (a card's UID), newest first. */
  about(subject: string, limit = 200): AuditEntry[] {
    const rows = this.db
      .prepare('SELECT id, at, operator, action, subject, details FROM audit WHERE subject = ? ORDER BY id DESC LIMIT ?')
      .all(subject, limit) as { id: number; at: string; operator: string; action: AuditAction; subject: string | null; details: string }[];
    return rows.map((row) => ({ ...row, details: parseDetails(row.details) }));
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM audit').get() as { n: number }).n;
  }
}

function parseDetails(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** A spreadsheet cell that Excel or LibreOffice would run as a formula is prefixed with ' (OWASP CSV injection). */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The trail as CSV (UTF-8 with BOM, so Excel reads the Danish letters) or JSON. */
export function exportAudit(entries: readonly AuditEntry[], format: 'csv' | 'json'): string {
  if (format === 'json') return JSON.stringify(entries, null, 2) + '\n';
  const header = ['id', 'time', 'operator', 'action', 'subject', 'details'];
  const rows = entries.map((e) => [String(e.id), e.at, e.operator, e.action, e.subject ?? '', JSON.stringify(e.details)]);
  return '\ufeff' + [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
