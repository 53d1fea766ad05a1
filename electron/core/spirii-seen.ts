/**
 * What this desk last saw of Spirii's tokens, by UID: the token as Spirii returned it (or that
 * Spirii had none), and when. Identifying a card offline answers from here, saying how old it is.
 * This module alone reads and writes the `spirii_seen` table.
 */
import type { Db } from './db/sqlite';
import type { SpiriiToken } from './token';

/** A token Spirii had (or `token: null`: Spirii had none with this UID) at `seenAt`. */
export interface SeenToken {
  uid: string;
  token: SpiriiToken | null;
  seenAt: string;
}

interface SeenRow {
  uid: string;
  token: string | null;
  seen_at: string;
}

function fromRow(row: SeenRow): SeenToken {
  let token: SpiriiToken | null;
  try {
    token = row.token ? (JSON.parse(row.token) as SpiriiToken) : null;
  } catch {
    token = null;
  }
  return { uid: row.uid, token, seenAt: row.seen_at };
}

export class SeenTokens {
  private readonly upsert;
  private readonly byUidStmt;
  private readonly byLabelStmt;

  constructor(
    private readonly db: Db,
    /** The API in use: sightings are kept per API (a sandbox's tokens say nothing about production). */
    private readonly api: () => string,
  ) {
    this.upsert = db.prepare(`
      INSERT INTO spirii_seen (api, uid, label, spirii_id, token, seen_at) VALUES (@api, @uid, @label, @spiriiId, @token, @seenAt)
      ON CONFLICT (api, uid) DO UPDATE SET label = excluded.label, spirii_id = excluded.spirii_id, token = excluded.token, seen_at = excluded.seen_at
      WHERE excluded.seen_at >= spirii_seen.seen_at`);
    this.byUidStmt = db.prepare('SELECT uid, token, seen_at FROM spirii_seen WHERE api = ? AND uid = ?');
    this.byLabelStmt = db.prepare('SELECT uid, token, seen_at FROM spirii_seen WHERE api = ? AND label = ? COLLATE NOCASE ORDER BY seen_at DESC LIMIT 20');
  }

  /**
   * Remember what Spirii answered at `at`: these RFID tokens, and that it had none for `absent`
   * UIDs. An older answer never replaces a newer one.
   */
  remember(tokens: readonly SpiriiToken[], absent: readonly string[] = [], at: Date = new Date()): void {
    const seenAt = at.toISOString();
    const api = this.api();
    this.db.transaction(() => {
      for (const token of tokens) {
        const uid = token.identifier.uid?.toUpperCase();
        if (token.identifier.type !== 'rfid' || !uid || !/^[0-9A-F]{8}$|^[0-9A-F]{14}$|^[0-9A-F]{20}$/.test(uid)) continue;
        this.upsert.run({ api, uid, label: token.identifier.label ?? null, spiriiId: token.id, token: JSON.stringify(token), seenAt });
      }
      for (const uid of absent) this.upsert.run({ api, uid, label: null, spiriiId: null, token: null, seenAt });
    })();
  }

  byUid(uid: string): SeenToken | undefined {
    const row = this.byUidStmt.get(this.api(), uid) as SeenRow | undefined;
    return row && fromRow(row);
  }

  /** Tokens last seen with this label (any case), newest sighting first. */
  byLabel(label: string): SeenToken[] {
    return (this.byLabelStmt.all(this.api(), label.trim()) as SeenRow[]).map(fromRow);
  }
}
