/** `token-station add` and `token-station enroll`: queue cards through the core's enrollment. */
import type { TapOutcome } from '../core/enrollment';
import { nonNegativeInt, parse, positiveInt, required, tokenText, uidArg, UsageError } from './args';
import { jsonLine, line, quoted, type Io } from './output';
import { LABEL_MAX, LABEL_PREFIX_MAX } from '../core/enrollment';
import { hasControlCharacters } from '../core/token';
import { withStation } from './station';

type Command = (args: string[], io: Io) => Promise<number>;

const json = { json: { type: 'boolean' } } as const;

function describeTap(outcome: TapOutcome): Record<string, unknown> {
  if (outcome.status === 'queued') {
    const t = outcome.token;
    return { event: 'queued', uid: t.uid, label: t.label, customerId: t.customerId, id: t.id };
  }
  if (outcome.status === 'label-needed') return { event: 'label-needed', uid: outcome.uid, message: outcome.message };
  return { event: 'refused', uid: outcome.uid, reason: outcome.reason, message: outcome.message };
}

export const add: Command = async (args, io) => {
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

export const enroll: Command = async (args, io) => {
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
