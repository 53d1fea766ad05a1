/** The CLI's commands: the same core as the window, without one. */
import { Station, SANDBOX_NOTICE } from '../core/station';
import { configFromEnv } from '../core/config';
import type { TapOutcome } from '../core/enrollment';
import { startSandbox } from '../sandbox/server';
import { nonNegativeInt, parse, positiveInt, required, tokenText, uidArg, UsageError } from './args';
import { jsonLine, line, quoted, type Io } from './output';
import { LABEL_MAX, LABEL_PREFIX_MAX } from '../core/enrollment';
import { hasControlCharacters } from '../core/token';
import { exportCommand, importCommand, reconcileCommand } from './files';
import { readers, uid } from './readers';
import { queueCommand, syncCommand } from './sync';
import { audit, cliLogger, diagnostics } from './security';
import { cardCommand, handoverCommand } from './card';

type Command = (args: string[], io: Io) => Promise<number>;

const json = { json: { type: 'boolean' } } as const;

async function openStation(io: Io, options: { pcsc?: boolean; json?: boolean } = {}): Promise<Station> {
  const config = configFromEnv(io.env);
  const station = await Station.create({
    dataDir: config.dataDir,
    api: config.api,
    readers: { pcsc: options.pcsc ?? false, simulated: true },
    sync: { autoStart: false },
    userAgent: 'TokenStation-CLI',
    logger: cliLogger(config.dataDir),
  });
  if (station.mode === 'sandbox' && !options.json) line(io.stderr, `${SANDBOX_NOTICE} (set TOKEN_STATION_API_KEY to use Spirii)`);
  return station;
}

async function withStation<T>(io: Io, options: Parameters<typeof openStation>[1], run: (station: Station) => Promise<T>): Promise<T> {
  const station = await openStation(io, options);
  try {
    return await run(station);
  } finally {
    await station.close();
  }
}

function describeTap(outcome: TapOutcome): Record<string, unknown> {
  if (outcome.status === 'queued') {
    const t = outcome.token;
    return { event: 'queued', uid: t.uid, label: t.label, customerId: t.customerId, id: t.id };
  }
  if (outcome.status === 'label-needed') return { event: 'label-needed', uid: outcome.uid, message: outcome.message };
  return { event: 'refused', uid: outcome.uid, reason: outcome.reason, message: outcome.message };
}

const sandbox: Command = async (args, io) => {
  const { values } = parse(args, { port: { type: 'string' }, 'api-key': { type: 'string' } });
  const port = nonNegativeInt('port', values.port) ?? 0;
  if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
  const apiKey = values['api-key'] ?? 'sandbox-key';
  if (!apiKey.trim()) throw new UsageError('--api-key must not be empty');
  const server = await startSandbox({ port, apiKey, host: '127.0.0.1' });
  line(io.stdout, server.url);
  line(io.stderr, `Sandbox Spirii API on ${server.url}, API key "${apiKey}". Nothing here reaches Spirii. Ctrl+C stops it.`);
  await io.interrupted;
  await server.close();
  return 0;
};

const add: Command = async (args, io) => {
  const { values } = parse(args, { uid: { type: 'string' }, customer: { type: 'string' }, label: { type: 'string' }, ...json });
  const uid = uidArg('uid', required('uid', values.uid));
  const customerId = positiveInt('customer', required('customer', values.customer))!;
  const label = tokenText('label', values.label, LABEL_MAX) ?? null;
  return withStation(io, { json: values.json }, async (station) => {
    const outcome = station.enrollment.tap(uid, 'cli', { label, customerId });
    if (values.json) jsonLine(io.stdout, describeTap(outcome));
    else if (outcome.status === 'queued') line(io.stdout, `Queued ${uid}${label ? ` (${label})` : ''} for customer ${customerId}. Run "token-station sync" to send it.`);
    else line(io.stderr, `Not queued: ${outcome.message}`);
    return outcome.status === 'queued' ? 0 : 1;
  });
};

/** The most cards one `enroll` run queues: a few boxes; a larger number is a typing error. */
export const ENROLL_COUNT_MAX = 10_000;
/** The largest next label number the defaults keep (enrollment.ts). */
const LABEL_NEXT_MAX = 999_999_999;

const enroll: Command = async (args, io) => {
  const { values } = parse(args, {
    customer: { type: 'string' },
    count: { type: 'string' },
    reader: { type: 'string' },
    'label-prefix': { type: 'string' },
    'label-start': { type: 'string' },
    simulate: { type: 'boolean' },
    tap: { type: 'string', multiple: true },
    ...json,
  });
  // Everything is checked before anything is opened or saved: a refused run changes nothing.
  const customerId = positiveInt('customer', required('customer', values.customer))!;
  const count = positiveInt('count', values.count, ENROLL_COUNT_MAX);
  const labelStart = nonNegativeInt('label-start', values['label-start'], LABEL_NEXT_MAX);
  const labelPrefix = values['label-prefix'] === undefined ? undefined : (tokenText('label-prefix', values['label-prefix'], LABEL_PREFIX_MAX) ?? '');
  if (labelStart !== undefined && labelPrefix === undefined) throw new UsageError('--label-start needs --label-prefix');
  if (values.reader !== undefined && (values.reader.length > 200 || hasControlCharacters(values.reader))) throw new UsageError(`--reader: no reader is named ${quoted(values.reader)}`);
  const given = (values.tap ?? []).map((uid) => uidArg('tap', uid));
  const simulated = values.simulate || given.length > 0;
  const emit = (event: Record<string, unknown>, text: string, toErr = false) =>
    values.json ? jsonLine(io.stdout, event) : line(toErr ? io.stderr : io.stdout, text);

  return withStation(io, { pcsc: !simulated, json: values.json }, async (station) => {
    station.enrollmentDefaults.update({
      customerId,
      labelMode: 'numbered', // the CLI numbers labels; typing each label is the window's mode
      ...(labelPrefix !== undefined ? { labelPrefix, labelNext: labelStart ?? 1 } : {}),
    });
    station.readerDesk.override = values.reader ?? null;
    // --count counts cards queued: a refused tap (a random ID, a card already queued, a misread)
    // is reported and the run goes on until that many are in the queue.
    let queued = 0;
    let finish: () => void = () => {};
    const done = new Promise<void>((resolve) => (finish = resolve));
    station.events.on('reader', ({ event }) => {
      if (event.type === 'attached' && event.reader.kind === 'pcsc') emit({ event: 'reader-attached', reader: event.reader.name }, `Reader ready: ${event.reader.name}`, true);
      if (event.type === 'detached' && event.reader.kind === 'pcsc') emit({ event: 'reader-detached', reader: event.reader.name }, `Reader gone: ${event.reader.name}`, true);
      if (event.type === 'error') emit({ event: 'error', reader: event.reader?.name ?? null, message: event.message, code: event.code }, event.message, true);
      if (event.type === 'card' && !station.readerDesk.accepts(event.reader)) emit({ event: 'ignored', reader: event.reader.name, uid: event.uid }, `Ignored ${event.uid} on ${event.reader.name} (not --reader)`, true);
    });
    station.events.on('tap', (outcome) => {
      if (outcome.status === 'queued') queued++;
      const progress = count ? ` (${queued}/${count} queued)` : '';
      emit(
        describeTap(outcome),
        outcome.status === 'queued'
          ? `Queued ${outcome.token.uid}${outcome.token.label ? ` as ${outcome.token.label}` : ''}${progress}`
          : `Refused ${outcome.uid ?? ''}: ${outcome.message}${progress}`,
      );
      if (count !== undefined && queued >= count) finish();
    });
    if (!values.json) line(io.stderr, `Enrolling for customer ${customerId}: tap cards${count ? ` (${count})` : ''}; Ctrl+C stops.`);
    if (simulated) {
      if (given.length > 0) {
        for (const uid of given) {
          if (count !== undefined && queued >= count) break;
          station.simulateTap(uid);
        }
      } else {
        // Random UIDs are practically never refused; the bound only keeps a broken queue from spinning.
        const wanted = count ?? 1;
        for (let attempts = 0; queued < wanted && attempts < wanted * 2 + 10; attempts++) station.simulateTap();
      }
      finish();
    }
    await Promise.race([done, io.interrupted]);
    if (count !== undefined && queued < count) {
      emit({ event: 'incomplete', queued, count }, `${queued} of ${count} cards queued.`, true);
      return 1;
    }
    return 0;
  });
};

export const COMMANDS: Record<string, { run: Command; usage: string }> = {
  sandbox: { run: sandbox, usage: 'sandbox [--port N] [--api-key K]        serve the sandbox Spirii API on 127.0.0.1' },
  readers: { run: readers, usage: 'readers [--json]                        the PC/SC service and readers present, errors and what to do' },
  uid: { run: uid, usage: 'uid VALUE [--from hex|reversed|decimal|8h10d] [--json]   a UID in its stored form and every other format' },
  add: { run: add, usage: 'add --uid HEX --customer ID [--label TEXT] [--json]   queue one RFID token' },
  enroll: {
    run: enroll,
    usage: 'enroll --customer ID [--count N] [--reader NAME] [--label-prefix P --label-start N] [--simulate | --tap UID...] [--json]',
  },
  sync: { run: syncCommand(withStation), usage: 'sync [--timeout SECONDS] [--json]       send what is pending, then print counts by state and the sync status; exit 0 when nothing is left to send' },
  queue: {
    run: queueCommand,
    usage: 'queue [--state S]... [--search TEXT] [--json] | queue retry|release [--id N]... | queue discard --id N | queue hold --minutes N | queue batch --size N',
  },
  import: { run: importCommand, usage: 'import FILE [--customer ID] [--uid-format hex|reversed|decimal|8h10d] [--dry-run] [--save-rejected OUT.csv] [--json]   queue the cards of a CSV file' },
  export: {
    run: exportCommand,
    usage: 'export --source spirii|local --format csv|xlsx|json --out FILE [--force] [--delimiter ";"] [--bom] [--customer ID] [--search S] [--active true|false] [--state S]   export tokens',
  },
  reconcile: { run: reconcileCommand, usage: 'reconcile [--customer ID] [--out FILE [--format F] [--force]] [--json]   compare this desk with Spirii' },
  card: { run: cardCommand(withStation), usage: 'card UID|LABEL [--json]                 everything known about a card: its Spirii token, this desk\'s row and history, audit entries' },
  handover: { run: handoverCommand(withStation), usage: 'handover [--customer ID | --import FILE] [--json]   the handover list of this session, a customer or an import' },
  audit: { run: audit, usage: 'audit [--action A,B] [--limit N] [--json] [--out FILE [--format csv|json] [--force]]   the audit trail, or export it' },
  diagnostics: { run: diagnostics, usage: 'diagnostics                             version, OS, connection, queue and recent errors (no secrets)' },
};
