/**
 * The CLI's security commands: the audit trail (list, export) and diagnostics. The CLI takes its
 * API key only from TOKEN_STATION_API_KEY; it never reads the keys the app stored in the keychain.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AUDIT_ACTIONS, exportAudit, type AuditAction } from '../core/audit';
import { collectDiagnostics, collectDiagnosticsWithoutStation } from '../core/diagnostics';
import { configFromEnv } from '../core/config';
import { createFileLogger, RecentErrors, type Logger } from '../core/logger';
import { Station } from '../core/station';
import { parse, positiveInt, UsageError } from './args';
import { jsonLine, line, quoted, table, type Io } from './output';
import { outFile } from './files';
import { noteExportFolder, partFileFor } from '../core/io/targets';
import { randomBytes } from 'node:crypto';

type Command = (args: string[], io: Io) => Promise<number>;

/** The CLI's log: `<data folder>/logs/cli.log`, rotated at 1 MiB, three old files kept. */
export function cliLogger(dataDir: string, recent?: RecentErrors): Logger {
  return createFileLogger(path.join(dataDir, 'logs', 'cli.log'), { maxBytes: 1024 * 1024, keep: 3 }, recent);
}

function actionsArg(value: string | undefined): AuditAction[] | undefined {
  if (value === undefined) return undefined;
  const actions = value.split(',').map((a) => a.trim());
  for (const action of actions) {
    if (!(AUDIT_ACTIONS as readonly string[]).includes(action)) throw new UsageError(`--action must be one of ${AUDIT_ACTIONS.join(', ')}, got ${quoted(action)}`);
  }
  return actions as AuditAction[];
}

async function withQuietStation<T>(io: Io, run: (station: Station, dataDir: string, recent: RecentErrors) => Promise<T> | T): Promise<T> {
  const config = configFromEnv(io.env);
  const recent = new RecentErrors();
  const station = await Station.create({ dataDir: config.dataDir, api: config.api, readers: { simulated: false }, sync: { autoStart: false }, logger: cliLogger(config.dataDir, recent) });
  try {
    return await run(station, config.dataDir, recent);
  } finally {
    await station.close();
  }
}

/** The most entries one `audit` lists or exports (what an export takes without --limit). */
const AUDIT_LIMIT_MAX = 100_000;

export const audit: Command = async (args, io) => {
  const { values } = parse(args, { action: { type: 'string' }, limit: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, force: { type: 'boolean' }, json: { type: 'boolean' } });
  const actions = actionsArg(values.action);
  const limit = positiveInt('limit', values.limit, AUDIT_LIMIT_MAX);
  const format = values.format ?? (values.out ? 'csv' : undefined);
  if (format !== undefined && format !== 'csv' && format !== 'json') throw new UsageError(`--format must be csv or json, got ${quoted(format)}`);
  if (format && !values.out) throw new UsageError('--format needs --out FILE');
  return withQuietStation(io, (station) => {
    const out = values.out ? outFile(values.out, values.force) : undefined;
    const entries = station.audit.list({ limit: limit ?? (values.out ? 100_000 : 50), actions });
    if (out) {
      // Whole or not at all under its name; checked again right before it replaces anything.
      noteExportFolder(path.dirname(out));
      const temp = partFileFor(out, randomBytes(4).toString('hex'));
      fs.writeFileSync(temp, exportAudit(entries, format as 'csv' | 'json'), { flag: 'wx' });
      try {
        outFile(out, values.force);
        fs.renameSync(temp, out);
      } catch (error) {
        fs.rmSync(temp, { force: true });
        throw error;
      }
      station.audit.record('export', { what: 'activity', format, rows: entries.length, via: 'cli' }, path.basename(out));
      line(io.stderr, `Wrote ${entries.length} entries to ${out}`);
    } else if (values.json) {
      jsonLine(io.stdout, entries);
    } else if (entries.length === 0) {
      line(io.stdout, 'The audit trail is empty.');
    } else {
      line(io.stdout, table([['TIME', 'OPERATOR', 'ACTION', 'SUBJECT'], ...entries.map((e) => [e.at, e.operator, e.action, e.subject ?? ''])]));
    }
    return 0;
  });
};

export const diagnostics: Command = async (args, io) => {
  parse(args, {});
  const config = configFromEnv(io.env);
  const input = (dataDir: string, recent: RecentErrors) => ({
    app: { name: 'Token Station CLI', version: process.env.npm_package_version ?? 'dev', runtime: { node: process.versions.node } },
    dataDir,
    logFolder: path.join(dataDir, 'logs'),
    recentErrors: recent.list(),
  });
  let started = false;
  try {
    return await withQuietStation(io, (station, dataDir, recent) => {
      started = true;
      io.stdout.write(collectDiagnostics({ sync: station.sync, connections: station.connections, readers: station.readerDesk, audit: station.audit }, input(dataDir, recent)));
      return 0;
    });
  } catch (error) {
    if (started) throw error;
    // The station could not start (a damaged database): this is when IT needs the report most.
    io.stdout.write(collectDiagnosticsWithoutStation(input(config.dataDir, new RecentErrors()), error));
    return 1;
  }
};
