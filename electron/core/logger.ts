/**
 * Logging for the core: one small interface, with redaction built into every implementation, so no
 * API key or Authorization header ever reaches a log file, the diagnostics text or a console. The
 * Electron shell backs it with electron-log (the OS's log folder, rotation); the CLI and plain Node
 * use the rotating file logger below.
 */
import fs from 'node:fs';
import path from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface LogEntry {
  at: string;
  level: LogLevel;
  message: string;
}

/**
 * Secrets the process knows of (every key it read from the environment, decrypted or was given):
 * any log line containing one has it replaced. Patterns below catch the ones it was never told of.
 */
const knownSecrets = new Set<string>();

/** Remember a secret so that every logger and redact() hides it. Too short a string is not a secret worth matching. */
export function registerSecret(secret: string | undefined | null): void {
  const value = secret?.trim();
  if (value && value.length >= 6) knownSecrets.add(value);
}

export const REDACTED = '[redacted]';

const PATTERNS: [RegExp, string][] = [
  // Authorization: Bearer xyz / "authorization":"Bearer xyz" / authorization=Basic xyz
  [/(authorization["']?\s*[:=]\s*["']?)(bearer|basic|token)?\s*[^\s"',;}]+/gi, `$1$2 ${REDACTED}`],
  [/\b(bearer)\s+[A-Za-z0-9._~+/=-]{4,}/gi, `$1 ${REDACTED}`],
  // Basic credentials anywhere (base64 with a digit, + / or =, so "Basic plan" is left alone)
  [/\b(basic)\s+(?=[A-Za-z0-9+/]*[0-9+/=])[A-Za-z0-9+/]{6,}={0,2}/gi, `$1 ${REDACTED}`],
  // apiKey: "xyz", api_key=xyz, "x-api-key": "xyz", TOKEN_STATION_API_KEY=xyz
  [/((?:api[_-]?key|apikey|x-api-key|secret|password)["']?\s*[:=]\s*["']?)[^\s"',;}&]+/gi, `$1${REDACTED}`],
];

/** The text with every known secret and every key-like or Authorization value replaced. */
export function redact(text: string): string {
  let out = text;
  for (const secret of knownSecrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** A log line: message plus fields as JSON, redacted. Errors keep their stack. */
export function formatLine(message: string, fields?: Record<string, unknown>): string {
  if (!fields || Object.keys(fields).length === 0) return redact(message);
  let json: string;
  try {
    json = JSON.stringify(fields, (_key, value: unknown) => (value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value));
  } catch {
    json = '[fields not serialisable]';
  }
  return redact(`${message} ${json}`);
}

/** Keeps the last warnings and errors in memory, for "copy diagnostics". */
export class RecentErrors {
  private readonly entries: LogEntry[] = [];

  constructor(private readonly capacity = 50) {}

  add(level: LogLevel, line: string): void {
    if (level !== 'warn' && level !== 'error') return;
    this.entries.push({ at: new Date().toISOString(), level, message: redact(line) });
    if (this.entries.length > this.capacity) this.entries.shift();
  }

  list(): LogEntry[] {
    return [...this.entries];
  }
}

/** A Logger from a function that writes one already-redacted line. */
export function lineLogger(write: (level: LogLevel, line: string) => void, recent?: RecentErrors): Logger {
  const log = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    const line = formatLine(message, fields);
    recent?.add(level, line);
    write(level, line);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

export const silentLogger: Logger = lineLogger(() => {});

export interface FileLoggerOptions {
  /** Rotate when the file passes this size (default 1 MiB). */
  maxBytes?: number;
  /** How many rotated files to keep: name.1.log ... name.N.log (default 3). */
  keep?: number;
  /** Lowest level written (default 'info'). */
  level?: LogLevel;
}

const LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error'];

/**
 * A rotating file logger for the CLI and plain Node: `file` grows to maxBytes, then becomes
 * file.1.log (file.1 -> file.2, ...), keeping `keep` old files. Written synchronously, so a line
 * is on disk before the process can exit. Created 0600: logs are for this OS user.
 */
export function createFileLogger(file: string, options: FileLoggerOptions = {}, recent?: RecentErrors): Logger {
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const keep = options.keep ?? 3;
  const minimum = LEVELS.indexOf(options.level ?? 'info');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const rotated = (n: number) => file.replace(/(\.log)?$/, `.${n}.log`);
  const rotate = () => {
    for (let n = keep - 1; n >= 1; n--) if (fs.existsSync(rotated(n))) fs.renameSync(rotated(n), rotated(n + 1));
    if (keep >= 1) fs.renameSync(file, rotated(1));
    else fs.rmSync(file);
  };
  return lineLogger((level, line) => {
    if (LEVELS.indexOf(level) < minimum) return;
    try {
      const size = fs.existsSync(file) ? fs.statSync(file).size : 0;
      if (size > 0 && size >= maxBytes) rotate();
      fs.appendFileSync(file, `[${new Date().toISOString()}] [${level}] ${line}\n`, { mode: 0o600 });
    } catch {
      // A log that cannot be written must never stop the desk.
    }
  }, recent);
}
