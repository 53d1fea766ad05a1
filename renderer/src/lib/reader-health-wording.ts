/**
 * A reader's health in the window's language: the last reader error (from the core's detail),
 * what the desk can do about it and what IT would run, and what to check when no reader shows up.
 */
import { describeCardKind } from './last-card-wording';
import { nameOf, t } from './readers.messages';
import type { CallOutput } from './types';

type Status = CallOutput<'readers.status'>;
type ReaderError = NonNullable<Status['lastError']>;
type ErrorDetail = NonNullable<ReaderError['detail']>;
type HintKey = NonNullable<ReaderError['hintDetail']>['key'];
type SetupKey = Status['setup'][number];

/** The reader errors worded by one sentence with the detail's own params (outside text kept as it came). */
const ERRORS = {
  unavailable: 'errUnavailable',
  'no-service': 'errNoService',
  context: 'errContext',
  service: 'errService',
  'hid-open': 'errHidOpen',
  'hid-unavailable': 'errHidUnavailable',
  'hid-enumerate': 'errHidEnumerate',
} as const satisfies Record<Exclude<ErrorDetail['key'], 'reader' | 'card-left' | 'read-failed'>, Parameters<typeof t>[0]>;

/**
 * A reader error as the desk reads it: worded here from its detail (the OS's, driver's or library's
 * own text kept inside), the core's English when there is no detail. A reader the core names
 * itself (the simulated one) is named in the window's language.
 */
export function describeReaderError(error: { message: string; detail?: ErrorDetail | null }): string {
  const detail = error.detail;
  if (!detail) return error.message;
  switch (detail.key) {
    case 'reader':
      return t(detail.params.cardLeft ? 'errReaderCardLeft' : 'errReader', { reader: nameOf(detail.params.reader), error: detail.params.error });
    case 'card-left':
      return t('errCardLeft', { reader: nameOf(detail.params.reader), card: describeCardKind(detail.params.card) });
    case 'read-failed':
      return t('errReadFailed', { reader: nameOf(detail.params.reader), error: detail.params.error });
    default:
      return t(ERRORS[detail.key], detail.params);
  }
}

const HINTS = {
  'unavailable-linux': 'hintUnavailableLinux',
  unavailable: 'hintUnavailable',
  'service-win32': 'hintServiceWin32',
  'service-darwin': 'hintServiceDarwin',
  'service-linux': 'hintServiceLinux',
  'card-left': 'hintCardLeft',
  sharing: 'hintSharing',
  'reader-gone-linux': 'hintReaderGoneLinux',
  'reader-gone': 'hintReaderGone',
} as const satisfies Record<HintKey, string>;

/** The hints whose OS commands are for IT, not for the desk (shown behind a "For IT" disclosure). */
const HINTS_FOR_IT = {
  'unavailable-linux': 'hintUnavailableLinuxIt',
  'service-win32': 'hintServiceWin32It',
  'service-linux': 'hintServiceLinuxIt',
  'reader-gone-linux': 'hintReaderGoneLinuxIt',
} as const satisfies Partial<Record<HintKey, string>>;

/** What the desk can do about a reader error (`desk`), and the commands IT would run (`it`), or null. */
export function describeHint(error: Pick<ReaderError, 'hint' | 'hintDetail'>): { desk: string; it: string | null } | null {
  const key = error.hintDetail?.key;
  if (!key) return error.hint ? { desk: error.hint, it: null } : null;
  const it = key in HINTS_FOR_IT ? HINTS_FOR_IT[key as keyof typeof HINTS_FOR_IT] : null;
  return { desk: t(HINTS[key]), it: it ? t(it) : null };
}

const SETUP = {
  'pcsc-win32': 'setupPcscWin32',
  'pcsc-darwin': 'setupPcscDarwin',
  'pcsc-linux': 'setupPcscLinux',
  pn533: 'setupPn533',
  wedge: 'setupWedge',
  'hid-udev': 'setupHidUdev',
} as const satisfies Record<SetupKey, string>;

/** Setup hints the desk can follow itself; the others name OS commands and drivers, for IT. */
const SETUP_FOR_DESK: readonly SetupKey[] = ['wedge'];

/** What to check when no reader shows up, in the window's language: what the desk can do, and what is for IT. */
export function setupHints(status: Pick<Status, 'hints' | 'setup'>): { desk: string[]; it: string[] } {
  if (!status.setup) return { desk: [], it: status.hints };
  const it = status.setup.filter((key) => !SETUP_FOR_DESK.includes(key)).map((key) => t(SETUP[key]));
  const desk = status.setup.filter((key) => SETUP_FOR_DESK.includes(key)).map((key) => t(SETUP[key]));
  return { desk: it.length > 0 ? [...desk, t('setupAskIt')] : desk, it };
}
