/**
 * `token-station replace --old UID|LABEL --new UID [--label L] [--timeout S] [--json]`: replace a
 * lost card by a new one, as the window's Cards screen does: one job, the new token queued with the
 * old one's customer and settings, the old token deactivated once the new one is in Spirii. The
 * command sends what it can and says where the job stands; a job not finished (offline, the new
 * token rejected, the old one changed in Spirii) goes on with the next `sync` or in the app.
 * `token-station replace list [--json]` lists the jobs.
 */
import type { Station } from '../core/station';
import { REPLACEMENT_STATE_WORDS, ReplacementRefusedError, type Replacement } from '../core/replace';
import { LABEL_MAX } from '../core/enrollment';
import { CONTROL_CHARACTERS_MESSAGE, hasControlCharacters } from '../core/token';
import { parse, positiveInt, required, tokenText, uidArg, UsageError } from './args';
import { jsonLine, line, printable, quoted, table, type Io } from './output';

type Command = (args: string[], io: Io) => Promise<number>;
type WithStation = <T>(io: Io, options: { json?: boolean }, run: (station: Station) => Promise<T>) => Promise<T>;

/** How long `replace` waits for the job by default, and at most (as `sync --timeout`). */
const DEFAULT_TIMEOUT_S = 60;
const TIMEOUT_MAX_S = 86_400;

export function jobLine(job: Replacement): string {
  const old = job.oldLabel ? `${job.oldLabel} (${job.oldUid})` : job.oldUid;
  const replacement = job.newLabel ? `${job.newLabel} (${job.newUid})` : job.newUid;
  return `Replacement ${job.id}: ${old} -> ${replacement}, customer ${job.customerId}: ${REPLACEMENT_STATE_WORDS[job.state]}.${job.message ? ` ${job.message}` : ''}`;
}

export function replaceCommand(withStation: WithStation): Command {
  return async (args, io) => {
    if (args[0] === 'list') {
      const { values } = parse(args.slice(1), { json: { type: 'boolean' } });
      return withStation(io, { json: values.json }, async (station) => {
        const jobs = station.replacements.list({ limit: 10_000 });
        if (values.json) jsonLine(io.stdout, jobs);
        else if (jobs.length === 0) line(io.stdout, 'No card has been replaced on this desk.');
        else {
          // Labels come from outside: each cell is escaped, so a line break in one cannot break the table.
          const rows = jobs.map((j) => [String(j.id), REPLACEMENT_STATE_WORDS[j.state], j.oldUid, j.oldLabel ?? '', j.newUid, j.newLabel ?? '', String(j.customerId), j.updatedAt].map(printable));
          line(io.stdout, table([['ID', 'STATE', 'OLD UID', 'OLD LABEL', 'NEW UID', 'NEW LABEL', 'CUSTOMER', 'LAST CHANGE'], ...rows]));
        }
        return 0;
      });
    }
    const { values } = parse(args, { old: { type: 'string' }, new: { type: 'string' }, label: { type: 'string' }, timeout: { type: 'string' }, json: { type: 'boolean' } });
    // Everything is checked before anything is opened: a refused command changes nothing.
    const old = required('old', values.old).trim();
    if (!old) throw new UsageError('--old must be the lost card’s UID or label');
    if (old.length > 100) throw new UsageError(`--old must be at most 100 characters, got ${old.length}`);
    if (hasControlCharacters(old)) throw new UsageError(`--old ${CONTROL_CHARACTERS_MESSAGE}, got ${quoted(old)}`);
    const newUid = uidArg('new', required('new', values.new));
    const label = tokenText('label', values.label, LABEL_MAX) ?? null;
    const timeoutMs = (positiveInt('timeout', values.timeout, TIMEOUT_MAX_S) ?? DEFAULT_TIMEOUT_S) * 1000;
    return withStation(io, { json: values.json }, async (station) => {
      let job: Replacement;
      try {
        job = await station.replacements.replace(old, newUid, label, 'cli');
      } catch (error) {
        if (!(error instanceof ReplacementRefusedError)) throw error;
        if (values.json) jsonLine(io.stdout, { event: 'refused', reason: error.reason, message: error.message });
        else line(io.stderr, printable(`Not replaced: ${error.message}`));
        return 1;
      }
      if (!values.json) line(io.stderr, printable(jobLine(job)));
      await Promise.race([station.replacements.settle(station.sync, timeoutMs), io.interrupted]);
      const now = station.replacements.get(job.id)!;
      if (values.json) jsonLine(io.stdout, now);
      else line(io.stdout, printable(jobLine(now)));
      if (!values.json && (now.state === 'creating' || now.state === 'deactivating')) line(io.stderr, 'Not finished: "token-station sync" (or the app) goes on with it.');
      return now.state === 'done' ? 0 : 1;
    });
  };
}
