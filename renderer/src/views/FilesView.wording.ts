/**
 * What the core says on the Import/Export screen, in the window's language: worded here from the
 * core's structured data (a problem's `detail`, a refusal's `detail`, counts, a difference's kind),
 * never by reading its English sentences. The English (the CLI's and the log's) is the fallback for
 * anything without data. File names, cell values, headers and error text from outside stay as
 * they came, inside the sentence.
 */
import { defineMessages, type Params } from '../lib/i18n.svelte';
import { pluralForm, stateLabel } from '../lib/format';
import { describeUidProblem } from '../lib/uid-problem';
import { labelUsedText } from '../lib/problem-wording';
import type { FilesProgress, ImportOpenResult, ImportPreview, PreviewRow, QueueState, ReconcileView } from '../lib/types';

type ProblemDetail = NonNullable<PreviewRow['detail']>;
type RefusalDetail = NonNullable<Extract<ImportOpenResult, { status: 'refused' }>['detail']>;
type Difference = ReconcileView['differences'][number];
type Format = ImportPreview['format'];

export const m = defineMessages({
  en: {
    'enc.utf-8': 'UTF-8',
    'enc.utf-8-bom': 'UTF-8 with BOM',
    'enc.windows-1252': 'Windows-1252',
    'enc.utf-16le': 'UTF-16 (little-endian)',
    'enc.utf-16be': 'UTF-16 (big-endian)',
    'sep.,': 'comma-separated',
    'sep.;': 'semicolon-separated',
    'sep.\t': 'tab-separated',
    sepLine: ' (from its "sep=" line)',
    lineEnds: '{ending} line ends',
    uids: 'UIDs in {format}',
    detected: ' (detected)',
    'uidf.hex': 'hex',
    'uidf.reversed': 'hex, bytes reversed',
    'uidf.decimal': 'decimal',
    'uidf.8h10d': '8H10D (reversed, 10-digit decimal)',

    summary: '{rows} rows: {ready} to queue',
    'summary.one': '{rows} row: {ready} to queue',
    summaryNotQueued: '; not queued: {reasons}',
    notQueuedInvalid: '{n} with problems',
    notQueuedFile: '{n} repeated in the file',
    notQueuedQueue: '{n} already in the queue',
    notQueuedSpirii: '{n} already in Spirii',
    queued: 'Queued {queued} cards from {file}',
    'queued.one': 'Queued {queued} card from {file}',
    notQueued: '; {n} rows not queued.',
    'notQueued.one': '; {n} row not queued.',

    'p.unknown-columns': 'Not imported (unknown columns): {columns}',
    'p.cell-count': 'Row has {cells} cells but the header has {header}',
    'p.too-long': '{field} is {length} characters; at most {max}',
    'p.control-characters': '{field} holds control characters (line breaks, tabs, escape sequences or bidi controls): remove them',
    'p.not-boolean': '{field} must be true or false (or yes/no, 1/0), not {value}',
    'p.not-date': '{field} must be a date such as 2026-12-31 or 2026-12-31T23:59:59Z, not {value}',
    'p.not-customer': 'customerId must be a whole number from 1, not {value}',
    'p.no-customer': 'No customer: give the row a customer, or choose one for the whole file',
    'p.expires-before': 'expiresAt ({expiresAt}) must be after validFrom ({validFrom})',
    'p.expired': 'The expiry {expiresAt} is already past: Spirii refuses a card that has expired. Fix the date in the file',
    'p.unknown-customer': 'Spirii has no customer {customer}: check the customer number in the file',
    'p.repeats': 'Card {uid} repeats row {row}; it is queued once',
    'p.conflict': 'Card {uid} is also in row {row} with different data; neither row is queued',
    'p.label-repeated': 'Label {label} is also on card {uid} in row {row}; neither row is queued',
    'p.conflict-later': 'Card {uid} appears again later in the file with different data; neither row is queued',
    'p.in-queue': 'Card {uid} is already in the queue ({state}, customer {customer})',
    'p.in-queue-label': 'Card {uid} is already in the queue ({state}, customer {customer}, label {label})',
    'p.in-spirii': 'Card {uid} is already in Spirii (token {token}, customer {customer})',
    'p.in-spirii-label': 'Card {uid} is already in Spirii (token {token}, customer {customer}, label {label})',


    'r.not-a-file': '{file} is not a file.',
    'r.no-such-file': 'Cannot read {file}: no such file',
    'r.cannot-read': 'Cannot read {file}: {error}',
    'r.too-big': 'The file is {size}; an import reads files of up to {max} (about 400,000 cards). Split it into smaller files.',
    'r.empty': 'The file is empty.',
    'r.xlsx': 'This is not a CSV file: it is a ZIP archive or an Excel workbook (.xlsx). In Excel or LibreOffice, save it as "CSV UTF-8" first.',
    'r.xls': 'This is not a CSV file: it is an old Excel workbook (.xls). Save it as "CSV UTF-8" first.',
    'r.pdf': 'This is not a CSV file: it is a PDF document.',
    'r.png': 'This is not a CSV file: it is a PNG image.',
    'r.jpeg': 'This is not a CSV file: it is a JPEG image.',
    'r.gzip': 'This is not a CSV file: it is a gzip archive.',
    'r.binary': 'This is not a CSV file: it holds binary data, not text. Choose the CSV file the cards came with.',
    'r.utf-32': 'This file is in UTF-32, which is not read here: save it as "CSV UTF-8" (or UTF-16) and import it again.',
    'r.too-many-columns': 'Row {row} has {columns} columns; a card list has at most {max}. Is this the right file?',
    'r.too-many-rows': 'The file has more than {max} rows; import it in parts.',
    'r.quote-not-closed': 'A quoted field starting in row {row} is never closed (a " without its partner), so the rows after it cannot be read. Fix the quote and try again.',
    'r.row-too-long': "Row {row} is longer than {kb} KB, far longer than any card's data (or a quote is never closed). Is this the right file?",
    'r.not-readable': 'The file could not be read as CSV near row {row}: {error}',
    'r.no-rows': 'The file has no rows.',
    'r.same-field': 'Columns "{first}" and "{second}" both give the {field}: keep one of them.',
    'r.no-uid-column': "No UID column. The first row must name the columns, one of them uid (or card, rfid); this file's first row is: {headers}",
    'r.no-cards': 'The file has a header row but no cards.',

    'spirii.offline': 'Spirii could not be reached, so cards already in Spirii are not shown; they are refused when the queue is sent. ({error})',
    'spirii.failed': 'Spirii could not be checked: {error}',
    'spirii.skipped': 'Not checked against Spirii: it would take {requests} requests. Cards already in Spirii are refused when the queue is sent.',
    'spirii.asked': 'Not checked against Spirii (asked not to).',

    'step.starting': 'starting',
    'step.reading': 'reading',
    'step.checking the queue': 'checking the queue',
    'step.checking Spirii': 'checking Spirii',
    'step.reading Spirii': 'reading Spirii',
    'step.comparing': 'comparing',
    'step.writing': 'writing',
    'step.done': 'done',
    'step.failed': 'failed',
    'step.cancelled': 'cancelled',

    exported: 'Exported {rows} tokens to {file}.',
    'exported.one': 'Exported {rows} token to {file}.',
    exportedDiffs: 'Exported {rows} differences to {file}.',
    'exportedDiffs.one': 'Exported {rows} difference to {file}.',
    cancelled: 'Cancelled: nothing was written.',

    reconcile: '{local} enrolled here, {spirii} RFID tokens in Spirii{customer}: {missing} missing in Spirii, {notHere} not enrolled here, {inactive} inactive, {customerDiffers} with another customer, {labelDiffers} with another label.',
    reconcileCustomer: ' (customer {customer})',
    'kind.missing-in-spirii': 'Missing in Spirii',
    'kind.not-enrolled-here': 'Not enrolled here',
    'kind.inactive': 'Inactive',
    'kind.customer-differs': 'Other customer',
    'kind.label-differs': 'Other label',
    'd.synced': 'Synced here as Spirii token {token}, but Spirii does not hold this card',
    'd.rejected': 'Spirii refused it: {error}',
    'd.noReason': 'no reason given',
    'd.in_doubt': 'Not confirmed yet: the sync is checking whether Spirii got it',
    'd.pending': 'Not sent yet (waiting in the queue)',
    'd.not-enrolled-here': 'In Spirii as token {token} for customer {customer}, but not enrolled at this desk',
    'd.inactive': 'Inactive in Spirii (token {token})',
    'd.customer-differs': 'Customer {here} here, {there} in Spirii',
    'd.label-differs': 'Label {here} here, {there} in Spirii',
    'd.none': '(none)',
  },
  da: {
    'enc.utf-8': 'UTF-8',
    'enc.utf-8-bom': 'UTF-8 med BOM',
    'enc.windows-1252': 'Windows-1252',
    'enc.utf-16le': 'UTF-16 (little-endian)',
    'enc.utf-16be': 'UTF-16 (big-endian)',
    'sep.,': 'kommasepareret',
    'sep.;': 'semikolonsepareret',
    'sep.\t': 'tabulatorsepareret',
    sepLine: ' (fra filens "sep="-linje)',
    lineEnds: '{ending}-linjeskift',
    uids: "UID'er i {format}",
    detected: ' (genkendt)',
    'uidf.hex': 'hex',
    'uidf.reversed': 'hex, bytes vendt',
    'uidf.decimal': 'decimal',
    'uidf.8h10d': '8H10D (vendt, 10-cifret decimal)',

    summary: '{rows} rækker: {ready} sættes i kø',
    'summary.one': '{rows} række: {ready} sættes i kø',
    summaryNotQueued: '; ikke i kø: {reasons}',
    notQueuedInvalid: '{n} med problemer',
    notQueuedFile: '{n} gentaget i filen',
    notQueuedQueue: '{n} allerede i køen',
    notQueuedSpirii: '{n} allerede i Spirii',
    queued: '{queued} kort fra {file} sat i kø',
    'queued.one': '{queued} kort fra {file} sat i kø',
    notQueued: '; {n} rækker ikke sat i kø.',
    'notQueued.one': '; {n} række ikke sat i kø.',

    'p.unknown-columns': 'Ikke importeret (ukendte kolonner): {columns}',
    'p.cell-count': 'Rækken har {cells} celler, men overskriften har {header}',
    'p.too-long': '{field} er {length} tegn; højst {max}',
    'p.control-characters': '{field} indeholder kontroltegn (linjeskift, tabulatorer, escape-sekvenser eller bidi-tegn): fjern dem',
    'p.not-boolean': '{field} skal være true eller false (eller ja/nej, 1/0), ikke {value}',
    'p.not-date': '{field} skal være en dato som 2026-12-31 eller 2026-12-31T23:59:59Z, ikke {value}',
    'p.not-customer': 'customerId skal være et helt tal fra 1, ikke {value}',
    'p.no-customer': 'Ingen kunde: giv rækken en kunde, eller vælg én til hele filen',
    'p.expires-before': 'expiresAt ({expiresAt}) skal være efter validFrom ({validFrom})',
    'p.expired': 'Udløbsdatoen {expiresAt} er allerede passeret: Spirii afviser et kort, der er udløbet. Ret datoen i filen',
    'p.unknown-customer': 'Spirii har ingen kunde {customer}: tjek kundenummeret i filen',
    'p.repeats': 'Kort {uid} gentager række {row}; det sættes i kø én gang',
    'p.conflict': 'Kort {uid} står også i række {row} med andre data; ingen af rækkerne sættes i kø',
    'p.label-repeated': 'Etiketten {label} står også på kort {uid} i række {row}; ingen af rækkerne sættes i kø',
    'p.conflict-later': 'Kort {uid} står igen senere i filen med andre data; ingen af rækkerne sættes i kø',
    'p.in-queue': 'Kort {uid} er allerede i køen ({state}, kunde {customer})',
    'p.in-queue-label': 'Kort {uid} er allerede i køen ({state}, kunde {customer}, etiket {label})',
    'p.in-spirii': 'Kort {uid} er allerede i Spirii (token {token}, kunde {customer})',
    'p.in-spirii-label': 'Kort {uid} er allerede i Spirii (token {token}, kunde {customer}, etiket {label})',


    'r.not-a-file': '{file} er ikke en fil.',
    'r.no-such-file': '{file} kan ikke læses: filen findes ikke',
    'r.cannot-read': '{file} kan ikke læses: {error}',
    'r.too-big': 'Filen fylder {size}; en import læser filer på op til {max} (omkring 400.000 kort). Del den op i mindre filer.',
    'r.empty': 'Filen er tom.',
    'r.xlsx': 'Det er ikke en CSV-fil, men et ZIP-arkiv eller en Excel-projektmappe (.xlsx). Gem den først som "CSV UTF-8" i Excel eller LibreOffice.',
    'r.xls': 'Det er ikke en CSV-fil, men en gammel Excel-projektmappe (.xls). Gem den først som "CSV UTF-8".',
    'r.pdf': 'Det er ikke en CSV-fil, men et PDF-dokument.',
    'r.png': 'Det er ikke en CSV-fil, men et PNG-billede.',
    'r.jpeg': 'Det er ikke en CSV-fil, men et JPEG-billede.',
    'r.gzip': 'Det er ikke en CSV-fil, men et gzip-arkiv.',
    'r.binary': 'Det er ikke en CSV-fil: den indeholder binære data, ikke tekst. Vælg den CSV-fil, kortene kom med.',
    'r.utf-32': 'Filen er i UTF-32, som ikke kan læses her: gem den som "CSV UTF-8" (eller UTF-16), og importér den igen.',
    'r.too-many-columns': 'Række {row} har {columns} kolonner; en kortliste har højst {max}. Er det den rigtige fil?',
    'r.too-many-rows': 'Filen har mere end {max} rækker; importér den i dele.',
    'r.quote-not-closed': 'Et felt i anførselstegn, der starter i række {row}, bliver aldrig lukket (et " uden sin partner), så rækkerne efter det kan ikke læses. Ret anførselstegnet, og prøv igen.',
    'r.row-too-long': 'Række {row} er længere end {kb} KB, langt mere end noget korts data (eller et anførselstegn lukkes aldrig). Er det den rigtige fil?',
    'r.not-readable': 'Filen kunne ikke læses som CSV omkring række {row}: {error}',
    'r.no-rows': 'Filen har ingen rækker.',
    'r.same-field': 'Kolonnerne "{first}" og "{second}" angiver begge {field}: behold én af dem.',
    'r.no-uid-column': 'Ingen UID-kolonne. Første række skal navngive kolonnerne, og én af dem skal hedde uid (eller card, rfid); filens første række er: {headers}',
    'r.no-cards': 'Filen har en overskriftsrække, men ingen kort.',

    'spirii.offline': 'Spirii kunne ikke nås, så kort, der allerede er i Spirii, vises ikke; de afvises, når køen sendes. ({error})',
    'spirii.failed': 'Spirii kunne ikke tjekkes: {error}',
    'spirii.skipped': 'Ikke tjekket mod Spirii: det ville kræve {requests} forespørgsler. Kort, der allerede er i Spirii, afvises, når køen sendes.',
    'spirii.asked': 'Ikke tjekket mod Spirii (fravalgt).',

    'step.starting': 'starter',
    'step.reading': 'læser filen',
    'step.checking the queue': 'tjekker køen',
    'step.checking Spirii': 'tjekker Spirii',
    'step.reading Spirii': 'læser fra Spirii',
    'step.comparing': 'sammenligner',
    'step.writing': 'skriver',
    'step.done': 'færdig',
    'step.failed': 'fejlede',
    'step.cancelled': 'annulleret',

    exported: '{rows} tokens eksporteret til {file}.',
    'exported.one': '{rows} token eksporteret til {file}.',
    exportedDiffs: '{rows} forskelle eksporteret til {file}.',
    'exportedDiffs.one': '{rows} forskel eksporteret til {file}.',
    cancelled: 'Annulleret: intet blev skrevet.',

    reconcile:
      '{local} tilmeldt her, {spirii} RFID-tokens i Spirii{customer}: {missing} mangler i Spirii, {notHere} ikke tilmeldt her, {inactive} inaktive, {customerDiffers} med en anden kunde, {labelDiffers} med en anden etiket.',
    reconcileCustomer: ' (kunde {customer})',
    'kind.missing-in-spirii': 'Mangler i Spirii',
    'kind.not-enrolled-here': 'Ikke tilmeldt her',
    'kind.inactive': 'Inaktiv',
    'kind.customer-differs': 'Anden kunde',
    'kind.label-differs': 'Anden etiket',
    'd.synced': 'Synkroniseret her som Spirii-token {token}, men Spirii har ikke kortet',
    'd.rejected': 'Spirii afviste det: {error}',
    'd.noReason': 'ingen årsag oplyst',
    'd.in_doubt': 'Ikke bekræftet endnu: synkroniseringen tjekker, om Spirii fik det',
    'd.pending': 'Ikke sendt endnu (venter i køen)',
    'd.not-enrolled-here': 'I Spirii som token {token} for kunde {customer}, men ikke tilmeldt ved denne skranke',
    'd.inactive': 'Inaktiv i Spirii (token {token})',
    'd.customer-differs': 'Kunde {here} her, {there} i Spirii',
    'd.label-differs': 'Etiket {here} her, {there} i Spirii',
    'd.none': '(ingen)',
  },
});

/** Counts and IDs as the core writes them (no thousands separator: "1002" is a customer, not a number to read). */
const s = (n: number | string) => String(n);

/** "UTF-8, semicolon-separated (from its "sep=" line), CRLF line ends, UIDs in hex (detected)". */
export function formatText(f: Format): string {
  return [
    m(`enc.${f.encodingId}`),
    m(`sep.${f.delimiterChar}`) + (f.sepLine ? m('sepLine') : ''),
    m('lineEnds', { ending: f.lineEnding }),
    m('uids', { format: m(`uidf.${f.uidFormat}`) }) + (f.uidFormatDetected ? m('detected') : ''),
  ].join(', ');
}

/** "6 rows: 3 to queue; not queued: 1 with problems, ...". */
export function summaryText(summary: ImportPreview['summary']): string {
  const notQueued = [
    summary.invalid ? m('notQueuedInvalid', { n: s(summary.invalid) }) : null,
    summary.duplicateInFile ? m('notQueuedFile', { n: s(summary.duplicateInFile) }) : null,
    summary.duplicateInQueue ? m('notQueuedQueue', { n: s(summary.duplicateInQueue) }) : null,
    summary.duplicateInSpirii ? m('notQueuedSpirii', { n: s(summary.duplicateInSpirii) }) : null,
  ].filter((x): x is string => x !== null);
  return m(pluralForm(summary.rows) === 'one' ? 'summary.one' : 'summary', { rows: s(summary.rows), ready: s(summary.ready) }) + (notQueued.length ? m('summaryNotQueued', { reasons: notQueued.join(', ') }) : '') + '.';
}

/** A row's or a problem's text; the core's English when it sent no detail. */
export function problemText(detail: ProblemDetail | undefined, fallback: string | null): string {
  if (!detail) return fallback ?? '';
  switch (detail.key) {
    case 'uid':
      return describeUidProblem(detail.params.problem);
    case 'cell-count':
      return m('p.cell-count', { cells: s(detail.params.cells), header: s(detail.params.header) });
    case 'too-long':
      return m('p.too-long', { field: detail.params.field, length: s(detail.params.length), max: s(detail.params.max) });
    case 'control-characters':
      return m('p.control-characters', { field: detail.params.field });
    case 'repeats':
    case 'conflict':
      return m(`p.${detail.key}`, { uid: detail.params.uid, row: s(detail.params.row) });
    case 'in-queue':
      return m(detail.params.label ? 'p.in-queue-label' : 'p.in-queue', {
        uid: detail.params.uid,
        state: stateLabel(detail.params.state as QueueState).toLowerCase(),
        customer: s(detail.params.customerId),
        label: detail.params.label ?? '',
      });
    case 'in-spirii':
      return m(detail.params.label ? 'p.in-spirii-label' : 'p.in-spirii', { uid: detail.params.uid, token: s(detail.params.tokenId), customer: s(detail.params.customerId), label: detail.params.label ?? '' });
    case 'label-repeated':
      return m('p.label-repeated', { label: detail.params.label, uid: detail.params.uid, row: s(detail.params.row) });
    case 'label-used':
      return labelUsedText({ uid: detail.params.uid, state: detail.params.state as QueueState, customerId: detail.params.customerId, label: detail.params.label, spiriiId: detail.params.spiriiId });
    case 'no-customer':
      return m('p.no-customer');
    case 'expired':
      return m('p.expired', { expiresAt: detail.params.expiresAt.slice(0, 10) });
    case 'unknown-customer':
      return m('p.unknown-customer', { customer: s(detail.params.customerId) });
    case 'unknown-columns':
    case 'not-boolean':
    case 'not-date':
    case 'not-customer':
    case 'expires-before':
    case 'conflict-later': {
      return m(`p.${detail.key}`, detail.params as Params);
    }
  }
}

/** Why a file was not imported; the core's English when it sent no detail. */
export function refusalText(detail: RefusalDetail | undefined, fallback: string): string {
  if (!detail) return fallback;
  switch (detail.key) {
    case 'not-csv':
      return m(`r.${detail.params.kind}`);
    case 'too-many-columns':
      return m('r.too-many-columns', { row: s(detail.params.row), columns: s(detail.params.columns), max: s(detail.params.max) });
    case 'too-many-rows':
      return m('r.too-many-rows', { max: detail.params.max });
    case 'quote-not-closed':
    case 'row-too-long':
    case 'not-readable': {
      const { row, ...params } = detail.params;
      return m(`r.${detail.key}`, { row: s(row), ...(params as Params) });
    }
    default:
      return m(`r.${detail.key}`, detail.params as Params);
  }
}

/** The note when the ready cards were not checked against Spirii. */
export function spiriiCheckText(check: ImportPreview['spirii']): string | null {
  if (!check.message) return null;
  if (check.state === 'offline' && check.error !== undefined) return m('spirii.offline', { error: check.error });
  if (check.state === 'failed' && check.error !== undefined) return m('spirii.failed', { error: check.error });
  if (check.state === 'skipped') return check.requests !== undefined ? m('spirii.skipped', { requests: s(check.requests) }) : m('spirii.asked');
  return check.message;
}

export function stepText(progress: FilesProgress | null): string {
  return progress ? m(`step.${progress.step}`) : '';
}

export function reconcileText(r: ReconcileView): string {
  const c = r.counts;
  return m('reconcile', {
    local: s(r.localTokens),
    spirii: s(r.spiriiTokens),
    customer: r.customerId ? m('reconcileCustomer', { customer: s(r.customerId) }) : '',
    missing: s(c['missing-in-spirii']),
    notHere: s(c['not-enrolled-here']),
    inactive: s(c.inactive),
    customerDiffers: s(c['customer-differs']),
    labelDiffers: s(c['label-differs']),
  });
}

export function kindText(kind: Difference['kind']): string {
  return m(`kind.${kind}`);
}

export function differenceText(d: Difference): string {
  const none = m('d.none');
  switch (d.kind) {
    case 'missing-in-spirii':
      if (d.localState === 'synced') return m('d.synced', { token: d.localSpiriiId === null ? '?' : s(d.localSpiriiId) });
      if (d.localState === 'rejected') return m('d.rejected', { error: d.localError ?? m('d.noReason') });
      if (d.localState === 'in_doubt') return m('d.in_doubt');
      return m('d.pending');
    case 'not-enrolled-here':
      return m('d.not-enrolled-here', { token: s(d.spiriiId ?? '?'), customer: s(d.spiriiCustomerId ?? '?') });
    case 'inactive':
      return m('d.inactive', { token: s(d.spiriiId ?? '?') });
    case 'customer-differs':
      return m('d.customer-differs', { here: s(d.localCustomerId ?? '?'), there: s(d.spiriiCustomerId ?? '?') });
    case 'label-differs':
      return m('d.label-differs', { here: d.localLabel ?? none, there: d.spiriiLabel ?? none });
  }
}

/** "Queued 1 card from a.csv; 3 rows not queued.": each count in the window's grammar. */
export function importedText(result: { queued: number; notQueued: number; fileName: string }): string {
  return (
    m(pluralForm(result.queued) === 'one' ? 'queued.one' : 'queued', { queued: s(result.queued), file: result.fileName }) +
    m(pluralForm(result.notQueued) === 'one' ? 'notQueued.one' : 'notQueued', { n: s(result.notQueued) })
  );
}

export function exportedText(result: { rows: number; fileName: string }, what: 'tokens' | 'differences'): string {
  const key = what === 'tokens' ? 'exported' : 'exportedDiffs';
  return m(pluralForm(result.rows) === 'one' ? `${key}.one` : key, { rows: s(result.rows), file: result.fileName });
}
