import { defineMessages } from '../lib/i18n.svelte';
import type { CallOutput } from '../lib/types';

export const t = defineMessages({
  en: {
    title: 'Readers',
    present: 'Readers present',
    none: 'No reader connected.',
    active: 'enrolling',
    notChosen: 'not the chosen reader',
    service: 'Smart-card service',
    serviceUp: 'running',
    serviceDown: 'not available: waiting for it',
    serviceOff: 'not used',
    chosen: 'Chosen reader',
    any: 'Any reader',
    lastCard: 'Last card seen',
    noCard: 'No card yet.',
    lastError: 'Last error',
    noError: 'No errors.',
    whatToDo: 'What to do',
    setup: 'If a reader does not show up',
    converter: 'UID converter',
    value: 'UID',
    from: 'Written as',
    stored: 'Stored as',
    wedgeTitle: 'Card read by a keyboard-wedge reader',
    wedgeRead: 'The reader typed {typed} ({format}); it is the UID {uid}.',
    enroll: 'Enroll this card',
    discard: 'Discard',
    formatHex: 'Hex',
    formatReversed: 'Reversed hex',
    formatDecimal: 'Decimal',
    format8h10d: '8H10D (reversed, 10 digits)',
    onlyFourBytes: 'only for 4-byte UIDs',
    outcomeQueued: 'Queued',
    outcomeLabelNeeded: 'Waiting for its label',
    outcomeRefused: 'Refused',
    outcomeUnreadable: 'Unreadable',
    outcomeIgnored: 'Ignored: not the chosen reader',
    outcomeRepeat: 'Same card again: one tap',
    simulatedReader: 'Simulated reader',
    kindPcsc: 'PC/SC',
    kindHid: 'HID',
    kindSimulated: 'simulated',
  },
  da: {
    title: 'Læsere',
    present: 'Tilsluttede læsere',
    none: 'Ingen læser tilsluttet.',
    active: 'tilmelder',
    notChosen: 'ikke den valgte læser',
    service: 'Chipkorttjeneste',
    serviceUp: 'kører',
    serviceDown: 'ikke tilgængelig: venter på den',
    serviceOff: 'bruges ikke',
    chosen: 'Valgt læser',
    any: 'Enhver læser',
    lastCard: 'Sidste kort',
    noCard: 'Intet kort endnu.',
    lastError: 'Seneste fejl',
    noError: 'Ingen fejl.',
    whatToDo: 'Det kan du gøre',
    setup: 'Hvis en læser ikke vises',
    converter: 'UID-omregner',
    value: 'UID',
    from: 'Skrevet som',
    stored: 'Gemmes som',
    wedgeTitle: 'Kort læst af en tastatur-læser',
    wedgeRead: 'Læseren skrev {typed} ({format}); det er UID {uid}.',
    enroll: 'Tilmeld kortet',
    discard: 'Kassér',
    formatHex: 'Hex',
    formatReversed: 'Omvendt hex',
    formatDecimal: 'Decimal',
    format8h10d: '8H10D (omvendt, 10 cifre)',
    onlyFourBytes: 'kun for UID på 4 byte',
    outcomeQueued: 'I kø',
    outcomeLabelNeeded: 'Venter på etiket',
    outcomeRefused: 'Afvist',
    outcomeUnreadable: 'Ulæseligt',
    outcomeIgnored: 'Ignoreret: ikke den valgte læser',
    outcomeRepeat: 'Samme kort igen: ét tryk',
    simulatedReader: 'Simuleret læser',
    kindPcsc: 'PC/SC',
    kindHid: 'HID',
    kindSimulated: 'simuleret',
  },
});

export function formatName(format: 'hex' | 'reversed' | 'decimal' | '8h10d'): string {
  return { hex: t('formatHex'), reversed: t('formatReversed'), decimal: t('formatDecimal'), '8h10d': t('format8h10d') }[format];
}

type Reader = CallOutput<'readers.status'>['readers'][number];

/**
 * A reader as the desk reads it. Real readers keep the name their driver gives (it is also how the
 * chosen reader is remembered); the built-in simulated one is named in the window's language.
 */
export function readerName(reader: Reader): string {
  return reader.kind === 'simulated' ? t('simulatedReader') : reader.name;
}

export function readerKind(reader: Reader): string {
  return { pcsc: t('kindPcsc'), hid: t('kindHid'), simulated: t('kindSimulated') }[reader.kind];
}

export type LastCardOutcome = NonNullable<CallOutput<'readers.status'>['lastCard']>['outcome'];

/** What became of the last card, in words, and the pill's tone (app.css `.pill-*`). */
export function describeOutcome(outcome: LastCardOutcome): { text: string; tone: string } {
  switch (outcome) {
    case 'queued':
      return { text: t('outcomeQueued'), tone: 'pending' };
    case 'label-needed':
      return { text: t('outcomeLabelNeeded'), tone: 'held' };
    case 'refused':
      return { text: t('outcomeRefused'), tone: 'rejected' };
    case 'unreadable':
      return { text: t('outcomeUnreadable'), tone: 'rejected' };
    case 'ignored':
      return { text: t('outcomeIgnored'), tone: 'discarded' };
    case 'repeat':
      return { text: t('outcomeRepeat'), tone: 'discarded' };
  }
}
