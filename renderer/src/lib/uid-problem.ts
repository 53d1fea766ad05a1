/**
 * What is wrong with a UID (the core's UidProblem, electron/core/uid.ts), in the window's language:
 * one wording for every screen that shows it (the reader's last card, the UID converter, the
 * keyboard wedge, a tap refused on Enroll, a row of an import).
 */
import { defineMessages } from './i18n.svelte';
import type { CallOutput } from './types';

export type UidProblem = NonNullable<Extract<CallOutput<'uid.convert'>, { ok: false }>['problem']>;

const t = defineMessages({
  en: {
    uidEmpty: 'UID is empty',
    uidNotHex: 'UID "{input}" is not hexadecimal (only 0-9 and A-F are allowed)',
    uidOddDigits: 'UID "{input}" has an odd number of hex digits ({digits}); each byte is two digits',
    uidLength: 'UID "{input}" is {bytes} bytes long; a card UID is 4, 7 or 10 bytes',
    uidNotDecimal: '"{input}" is not a decimal number (only 0-9 are allowed)',
    uidTooLarge8h10d: '{digits} is too large for an 8H10D number (at most 4294967295, the largest 4-byte UID)',
    uidTooLarge: '{digits} is too large for a card UID written with {count} digits (a 4-byte UID is at most 4294967295)',
    uidRounded: 'UID "{input}" is a number a spreadsheet rounded: format the column as text and save the file again',
    uidRandom: 'UID {uid} is a random ID (4 bytes starting with 08): this card or phone shows a different UID at every tap, so it cannot be a charging token. Use a card with a fixed UID.',
    uidCascadeTag: "UID {uid} starts with 88, the cascade tag: it is the first part of a 7-byte UID that was read short, not a card's UID. Tap the card again, or check the reader's settings.",
    uidSameBytes: "UID {uid} is the same byte repeated: that is what a blank or failed read gives, not a card's UID. Tap the card again.",
  },
  da: {
    uidEmpty: 'UID er tomt',
    uidNotHex: 'UID "{input}" er ikke hexadecimalt (kun 0-9 og A-F er tilladt)',
    uidOddDigits: 'UID "{input}" har et ulige antal hex-cifre ({digits}); hver byte er to cifre',
    uidLength: 'UID "{input}" er {bytes} byte langt; et kort-UID er på 4, 7 eller 10 byte',
    uidNotDecimal: '"{input}" er ikke et decimaltal (kun 0-9 er tilladt)',
    uidTooLarge8h10d: '{digits} er for stort til et 8H10D-tal (højst 4294967295, det største UID på 4 byte)',
    uidTooLarge: '{digits} er for stort til et kort-UID skrevet med {count} cifre (et UID på 4 byte er højst 4294967295)',
    uidRounded: 'UID "{input}" er et tal, som regnearket har afrundet: formatér kolonnen som tekst, og gem filen igen',
    uidRandom: 'UID {uid} er et tilfældigt ID (4 byte, der starter med 08): kortet eller telefonen viser et nyt UID ved hvert tap, så det kan ikke bruges som ladetoken. Brug et kort med fast UID.',
    uidCascadeTag: 'UID {uid} starter med 88, kaskademærket: det er første del af et UID på 7 byte, som blev læst for kort, ikke kortets UID. Tap kortet igen, eller tjek læserens indstillinger.',
    uidSameBytes: 'UID {uid} er den samme byte gentaget: det giver en tom eller fejlet læsning, ikke et korts UID. Tap kortet igen.',
  },
});

export function describeUidProblem(problem: UidProblem): string {
  switch (problem.key) {
    case 'empty':
      return t('uidEmpty');
    case 'not-hex':
      return t('uidNotHex', { input: problem.params.input });
    case 'odd-digits':
      return t('uidOddDigits', { input: problem.params.input, digits: problem.params.digits });
    case 'length':
      return t('uidLength', { input: problem.params.input, bytes: problem.params.bytes });
    case 'not-decimal':
      return t('uidNotDecimal', { input: problem.params.input });
    case 'too-large-8h10d':
      return t('uidTooLarge8h10d', { digits: problem.params.digits });
    case 'too-large':
      return t('uidTooLarge', { digits: problem.params.digits, count: problem.params.count });
    case 'random-id':
      return t('uidRandom', { uid: problem.params.uid });
    case 'rounded':
      return t('uidRounded', { input: problem.params.input });
    case 'cascade-tag':
      return t('uidCascadeTag', { uid: problem.params.uid });
    case 'same-bytes':
      return t('uidSameBytes', { uid: problem.params.uid });
  }
}
