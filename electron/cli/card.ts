/**
 * `token-station card UID|LABEL [--json]`: everything this desk knows about a card, as the
 * window's Identify screen shows it. Offline, from what the desk last saw, with its age.
 */
import type { CardReport } from '../core/card';
import type { Station } from '../core/station';
import type { QueuedToken } from '../core/queue';
import { describeLocalPlace } from '../core/queue';
import { handoverList, withCustomerNames, type HandoverScope } from '../core/handover';
import { CONTROL_CHARACTERS_MESSAGE, hasControlCharacters } from '../core/token';
import { parse, positiveInt, UsageError } from './args';
import { jsonLine, line, printable, quoted, table, type Io } from './output';

type Command = (args: string[], io: Io) => Promise<number>;
type WithStation = <T>(io: Io, options: { json?: boolean }, run: (station: Station) => Promise<T>) => Promise<T>;

/** "3 h 5 min", "2 days": how old what the desk saw is. */
export function ageText(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'less than a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  return `${Math.floor(hours / 24)} days`;
}

const yesNo = (value: boolean) => (value ? 'yes' : 'no');
const day = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC') : null);

function rowLine(row: QueuedToken): string {
  const times = [`queued ${day(row.createdAt)}`, row.syncedAt ? `synced ${day(row.syncedAt)}` : null, `last change ${day(row.updatedAt)}`].filter(Boolean).join(', ');
  return `${describeLocalPlace(row)}; ${times}${row.lastError ? `; last error: ${row.lastError}` : ''}`;
}

export function reportLines(report: CardReport): string[] {
  const lines: string[] = [];
  const label = report.spirii?.identifier.label ?? report.queue?.label ?? null;
  lines.push(report.uid ? `Card ${report.uid}${label ? ` (label ${label})` : ''}` : `No card with the label ${quoted(report.query, 100)}`);
  const spirii = report.spirii;
  const when =
    report.spiriiSource === 'live'
      ? 'now'
      : report.seenAt !== null && report.ageMs !== null
        ? `as this desk last saw it, ${ageText(report.ageMs)} ago (${day(report.seenAt)})`
        : null;
  if (spirii) {
    lines.push(`Spirii token ${spirii.id} (${when}):`);
    lines.push(`  customer     ${spirii.customerId}${report.customerName ? ` ${report.customerName}` : ''}`);
    lines.push(`  label        ${spirii.identifier.label ?? '-'}`);
    lines.push(`  active       ${yesNo(spirii.isActive)}`);
    lines.push(`  valid        from ${day(spirii.validFrom)}, ${spirii.expiresAt ? `until ${day(spirii.expiresAt)}` : 'no expiry'}`);
    lines.push(`  roaming      ${yesNo(spirii.roamingEnabled)}`);
    lines.push(`  priority     ${yesNo(spirii.priorityChargingEnabled)}`);
    lines.push(`  billing ref  ${spirii.billingReference ?? '-'}`);
    lines.push(`  last change  ${day(spirii.updatedAt)}`);
  } else if (report.uid && when) {
    lines.push(`Spirii: no token with this UID (${when}).`);
  } else if (report.uid) {
    lines.push('Spirii: this desk has never seen this card in Spirii.');
  }
  if (report.problem) lines.push(`Spirii could not be asked now: ${report.problem}`);
  lines.push(report.queue ? `This desk: ${rowLine(report.queue)}` : 'This desk: no token for this card in the queue.');
  const earlier = report.history.filter((row) => row.id !== report.queue?.id);
  for (const row of earlier) lines.push(`  earlier: ${rowLine(row)}`);
  if (report.audit.length > 0) {
    lines.push('Audit trail:');
    for (const entry of report.audit) lines.push(`  ${day(entry.at)}  ${entry.action}  ${entry.operator}`);
  }
  if (report.otherUids.length > 0) lines.push(`The same label is also on: ${report.otherUids.join(', ')}`);
  if (!report.known) {
    lines.push(
      report.uid
        ? `Unknown card. Enroll it: token-station add --uid ${report.uid} --customer ID [--label LABEL]`
        : 'Unknown label. Tap the card or give its UID: token-station card UID',
    );
  }
  return lines;
}

export function cardCommand(withStation: WithStation): Command {
  return async (args, io) => {
    const { values, positionals } = parse(args, { json: { type: 'boolean' } }, { positionals: true });
    const query = positionals.join(' ').trim();
    if (positionals.length === 0 || !query) throw new UsageError('give a UID or a label, e.g. token-station card 04A224B2C35D80');
    if (query.length > 100) throw new UsageError(`a UID or label is at most 100 characters, got ${query.length}`);
    if (hasControlCharacters(query)) throw new UsageError(`a UID or label ${CONTROL_CHARACTERS_MESSAGE}, got ${quoted(query)}`);
    return withStation(io, { json: values.json }, async (station) => {
      const report = await station.cards.identify(query, { source: 'cli' });
      if (values.json) jsonLine(io.stdout, report);
      // One line each: a label or an error text with a line break in it stays on its line, escaped.
      else for (const text of reportLines(report)) line(io.stdout, printable(text));
      // 1: nothing anywhere knows the card (scripts can tell unknown cards apart).
      return report.known ? 0 : 1;
    });
  };
}

/** `token-station handover [--customer ID | --import FILE] [--json]`: the handover list (this session by default). */
export function handoverCommand(withStation: WithStation): Command {
  return async (args, io) => {
    const { values } = parse(args, { customer: { type: 'string' }, import: { type: 'string' }, json: { type: 'boolean' } });
    if (values.customer !== undefined && values.import !== undefined) throw new UsageError('give --customer or --import, not both');
    if (values.import !== undefined && hasControlCharacters(values.import)) throw new UsageError(`--import ${CONTROL_CHARACTERS_MESSAGE}, got ${quoted(values.import)}`);
    const customerId = positiveInt('customer', values.customer);
    const scope: HandoverScope =
      customerId !== undefined ? { kind: 'customer', customerId } : values.import !== undefined ? { kind: 'batch', source: `import:${values.import}` } : { kind: 'session' };
    return withStation(io, { json: values.json }, async (station) => {
      const list = await withCustomerNames(handoverList(station, scope), station.customers);
      if (values.json) {
        jsonLine(io.stdout, list);
        return 0;
      }
      const names = list.customers.map((c) => (c.name ? `${c.name} (${c.id})` : `customer ${c.id}`)).join(', ');
      const what = scope.kind === 'session' ? 'this enrollment session' : scope.kind === 'batch' ? `import ${list.batchName}` : 'all of the customer’s cards on this desk';
      line(io.stdout, printable(`Handover list: ${what}, ${list.cards.length} cards`));
      line(io.stdout, printable(`Customer: ${names || '-'}`));
      line(io.stdout, printable(`Handed over by: ${list.operator}, ${list.madeAt.slice(0, 10)}`));
      if (list.cards.length === 0) return 0;
      const state = (c: (typeof list.cards)[number]) => (c.state === 'rejected' ? 'refused by Spirii' : c.state !== 'synced' ? 'active once sent to Spirii' : c.isActive ? 'active' : 'inactive');
      line(
        io.stdout,
        table([
          ['label', 'uid', 'valid from', 'valid until', 'state'],
          ...list.cards.map((c) => [c.label ?? '-', c.uid, (c.validFrom ?? c.createdAt).slice(0, 10), c.expiresAt ? c.expiresAt.slice(0, 10) : 'no expiry', state(c)]),
        ]),
      );
      return 0;
    });
  };
}
