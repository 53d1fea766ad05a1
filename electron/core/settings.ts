/**
 * The settings table, and the one way the core keeps a group of settings in it: a section. A
 * section has a key in the table, a zod schema and defaults; it is read once (a stored value the
 * schema refuses falls back to the defaults), kept in memory (a tap reads it without touching the
 * disk), and written through on every accepted change. The enrollment defaults, the reader
 * settings, the sync settings and the operator's preferences are each one section.
 */
import type { z } from 'zod';
import type { Db } from './db/sqlite';
import { Listeners } from './events';
import type { ActionProblem } from './problem-detail';

export class Settings {
  private readonly read;
  private readonly write;

  constructor(db: Db) {
    this.read = db.prepare('SELECT value FROM settings WHERE key = ?');
    this.write = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  }

  get<T>(key: string, fallback: T): T {
    const row = this.read.get(key) as { value: string } | undefined;
    if (!row) return fallback;
    try {
      return JSON.parse(row.value) as T;
    } catch {
      return fallback;
    }
  }

  set(key: string, value: unknown): void {
    this.write.run(key, JSON.stringify(value));
  }
}

/**
 * A change to a section refused: which section, which field (null when the refusal is about the
 * whole), and why, so that callers (the CLI's flags, the window) never parse the message.
 * `message` stays "<field>: <reason>" as it always was.
 */
export class InvalidSettingError extends Error {
  constructor(
    /** The section's key in the settings table ('sync', 'readers'...). */
    readonly section: string,
    readonly field: string | null,
    readonly reason: string,
    /** The same, for the window to word in its language, where the section gives one. */
    readonly detail?: ActionProblem,
    /** How the message names the section when no field is at fault. */
    subject: string = section,
  ) {
    super(`${field ?? subject}: ${reason}`);
  }
}

type InvalidSettingErrorClass = new (...args: ConstructorParameters<typeof InvalidSettingError>) => InvalidSettingError;

export interface SectionSpec<T extends object> {
  /** The key in the settings table. */
  key: string;
  /** How an error names the section when no one field is at fault ("sync settings"). */
  subject: string;
  schema: z.ZodType<T>;
  defaults: T;
  /** The error class thrown for a refused change (a subclass, so a caller can catch its own section). */
  error?: InvalidSettingErrorClass;
  /** The window's wording of a refused field, where the section has one. */
  problem?: (issue: z.core.$ZodIssue) => ActionProblem | undefined;
}

export class SettingsSection<T extends object> {
  private current: T;
  private readonly listeners = new Listeners<T>();

  constructor(
    private readonly settings: Settings,
    readonly spec: SectionSpec<T>,
  ) {
    const stored = spec.schema.safeParse({ ...spec.defaults, ...settings.get<object>(spec.key, {}) });
    this.current = stored.success ? stored.data : structuredClone(spec.defaults);
  }

  /** A copy: changing it changes nothing until it is given to update. */
  get value(): T {
    return structuredClone(this.current);
  }

  /** Change some fields; refused whole, with the field named, when any is invalid. Returns the new value. */
  update(patch: Partial<T>): T {
    const next = this.check(patch);
    this.settings.set(this.spec.key, next);
    this.current = next;
    this.listeners.emit(this.value);
    return this.value;
  }

  /**
   * Values a host gives a fresh install (nothing stored yet): stored at once, so every process on
   * this data folder (the window, the CLI) uses the same. A stored choice always wins.
   */
  seed(defaults: Partial<T>): void {
    if (this.settings.get<object | null>(this.spec.key, null) !== null) return;
    this.update(defaults);
  }

  /** Told of every accepted change, with the new value. */
  onChange(listener: (value: T) => void): () => void {
    return this.listeners.add(listener);
  }

  private check(patch: Partial<T>): T {
    const result = this.spec.schema.safeParse({ ...this.current, ...patch });
    if (result.success) return result.data;
    const issue = result.error.issues[0]!;
    const ErrorClass = this.spec.error ?? InvalidSettingError;
    throw new ErrorClass(this.spec.key, issue.path.join('.') || null, issue.message, this.spec.problem?.(issue), this.spec.subject);
  }
}
