/** `token-station readers` (the health the Readers screen shows) and `token-station uid` (UID formats). */
import { PcscReaders } from '../core/readers/pcsc';
import { readerHint, setupHints } from '../core/readers/pcsc-codes';
import type { ReaderError, ReaderEvent, ReaderInfo } from '../core/readers/types';
import { convertUid, UID_FORMATS, UID_FORMAT_NAMES, type UidFormat } from '../core/uid';
import { parse, UsageError } from './args';
import { jsonLine, line, quoted, type Io } from './output';

type Command = (args: string[], io: Io) => Promise<number>;

/** Readers appear asynchronously: wait until none has appeared for a moment. */
async function discoverReaders(source: PcscReaders, quietMs = 600, maxMs = 3000) {
  const errors: ReaderError[] = [];
  let service: 'up' | 'down' | null = null;
  let timer: NodeJS.Timeout | undefined;
  let off: () => void = () => {};
  await new Promise<void>((resolve) => {
    const deadline = setTimeout(resolve, maxMs);
    const quiet = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        clearTimeout(deadline);
        resolve();
      }, quietMs);
    };
    off = source.on((event: ReaderEvent) => {
      if (event.type === 'error') errors.push({ reader: event.reader?.name ?? null, message: event.message, code: event.code, hint: readerHint(event.code), at: new Date().toISOString() });
      if (event.type === 'service') service = event.state;
      quiet();
    });
    source.start();
    quiet();
  });
  clearTimeout(timer);
  off();
  return { readers: source.readers(), errors, service };
}

export const readers: Command = async (args, io) => {
  const { values } = parse(args, { json: { type: 'boolean' } });
  const source = new PcscReaders();
  const found = await discoverReaders(source);
  await source.stop();
  const readers: ReaderInfo[] = found.readers;
  const service = found.service ?? (found.errors.length > 0 ? 'down' : 'up');
  const hints = readers.length === 0 ? setupHints() : [];
  if (values.json) {
    // `errors` as plain messages stays for scripts written against the first version.
    jsonLine(io.stdout, { readers, service, errors: found.errors.map((e) => e.message), lastError: found.errors.at(-1) ?? null, hints });
    return 0;
  }
  line(io.stdout, `PC/SC service: ${service === 'up' ? 'running' : 'not available'}`);
  if (readers.length === 0) line(io.stdout, 'No PC/SC readers found. Plug a reader in; on Linux check that pcscd is running.');
  for (const reader of readers) line(io.stdout, `${reader.name} (${reader.kind})`);
  for (const error of found.errors) line(io.stderr, `${error.message}${error.code ? ` [${error.code}]` : ''}${error.hint ? `\n  ${error.hint}` : ''}`);
  for (const hint of hints) line(io.stderr, `- ${hint}`);
  return 0;
};

export const uid: Command = async (args, io) => {
  const parsed = parse(args, { from: { type: 'string' }, json: { type: 'boolean' } }, { positionals: true });
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError('give one UID, e.g. token-station uid 04A224B2 --from hex');
  const from = (values.from ?? 'hex').toLowerCase();
  if (!(UID_FORMATS as readonly string[]).includes(from)) throw new UsageError(`--from must be one of ${UID_FORMATS.join(', ')}, got ${quoted(values.from ?? '')}`);
  const result = convertUid(positionals[0]!, from as UidFormat);
  if (!result.ok) {
    if (values.json) jsonLine(io.stdout, result);
    throw new UsageError(result.error);
  }
  if (values.json) {
    jsonLine(io.stdout, result);
  } else {
    const f = result.formats;
    const rows: [string, string][] = [
      ['Canonical (stored)', result.uid],
      [UID_FORMAT_NAMES.hex, `${f.hex}  ${f.hexSeparated}`],
      [UID_FORMAT_NAMES.reversed, `${f.reversed}  ${f.reversedSeparated}`],
      [UID_FORMAT_NAMES.decimal, f.decimal],
      [UID_FORMAT_NAMES['8h10d'], f.decimal8h10d ?? '(only for 4-byte UIDs)'],
    ];
    const width = Math.max(...rows.map(([name]) => name.length));
    for (const [name, value] of rows) line(io.stdout, `${name.padEnd(width)}  ${value}`);
  }
  if (result.warning) line(io.stderr, `Warning: ${result.warning}`);
  return 0;
};
