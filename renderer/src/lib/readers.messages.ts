/**
 * The readers' words in English and Danish: the Readers screen, reader errors and hints, card
 * types and the last card's outcome (worded from the core's details in reader-health-wording.ts
 * and last-card-wording.ts), and the names of readers and UID formats.
 */
import { defineMessages } from './i18n.svelte';
import { describeUidProblem } from './uid-problem';
import type { CallOutput } from './types';

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
    setupAskIt: 'Replug the reader. If it still does not show up, ask IT: what they need is under For IT.',
    forIt: 'For IT',
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
    outcomeIdentified: 'Identified, not enrolled',
    simulatedReader: 'Simulated reader',
    windowWedge: 'Keyboard wedge (window)',
    kindPcsc: 'PC/SC',
    kindHid: 'HID',
    kindSimulated: 'simulated',
    // Reader errors (ReaderErrorDetail): outside text ({error}, {reader}) is shown as it is.
    errUnavailable: 'PC/SC is not available: {error}. Install the smart-card service (pcscd on Linux) and restart.',
    errNoService: 'The PC/SC service is not running (SCARD_E_NO_SERVICE); waiting for it to start.',
    errContext: 'PC/SC: {error}',
    errService: 'PC/SC service: {error}',
    errReader: '{reader}: {error}',
    errReaderCardLeft: '{reader}: the card left the reader before it could be read: {error}',
    errCardLeft: "{reader}: the card ({card}) left the reader before its UID was read; nothing was enrolled. Hold it still and tap again.",
    errReadFailed: "{reader}: reading the card's UID failed: {error}",
    errHidOpen: '{reader} cannot be opened: {error}. On Linux add the udev rule from the README for /dev/hidraw*; it still types into the window.',
    errHidUnavailable: 'HID readers are not available: {error}. Keyboard-wedge readers still type into the window.',
    errHidEnumerate: 'Looking for HID readers failed: {error}',
    // What to do (ReaderHintKey).
    hintUnavailableLinux: 'Install the PC/SC service and library (IT can do this: see For IT), then restart Token Station.',
    hintUnavailableLinuxIt: 'Install: "sudo apt install pcscd libpcsclite1". Start: "sudo systemctl enable --now pcscd.socket".',
    hintUnavailable: 'The PC/SC library could not be loaded: reinstall Token Station. Keyboard-wedge readers and the simulated reader still work.',
    hintServiceWin32:
      'The Windows Smart Card service is not running. Windows starts it when a reader is plugged in; otherwise ask IT to start it. Token Station reconnects by itself.',
    hintServiceWin32It: 'As administrator: "net start SCardSvr".',
    hintServiceDarwin: 'The macOS smart-card service is not answering. Replug the reader; Token Station reconnects by itself.',
    hintServiceLinux: 'The PC/SC service is not running: ask IT to start it. Token Station reconnects by itself within seconds.',
    hintServiceLinuxIt: '"sudo systemctl start pcscd" (or "sudo systemctl enable --now pcscd.socket").',
    hintCardLeft: 'The card left the reader before its UID was read. Hold it flat on the reader until it beeps, then tap again.',
    hintSharing: 'Another program is using the reader. Close it (another Token Station, a card tool) and tap again.',
    hintReaderGoneLinux: 'The reader stopped answering. Replug it. If an ACR122U keeps failing, ask IT.',
    hintReaderGoneLinuxIt: "An ACR122U that keeps failing is grabbed by the kernel's pn533/pn533_usb driver: blacklist pn533_usb, pn533 and nfc (see the README).",
    hintReaderGone: 'The reader stopped answering. Replug it, or try another USB port.',
    // If a reader does not show up (SetupHintKey).
    setupPcscWin32: 'PC/SC readers need the Smart Card service (SCardSvr): "sc config SCardSvr start= auto" and "net start SCardSvr" as administrator.',
    setupPcscDarwin: 'PC/SC readers work without a driver; "system_profiler SPSmartCardsDataType" lists them.',
    setupPcscLinux: 'PC/SC readers need pcscd: "sudo systemctl enable --now pcscd.socket"; "pcsc_scan" lists them.',
    setupPn533: "An ACR122U that never appears is grabbed by the kernel's pn533/pn533_usb driver: blacklist pn533_usb, pn533 and nfc, then replug it.",
    setupWedge: 'Keyboard-wedge (HID) readers type into the window: choose their output format in Settings, Reader.',
    setupHidUdev:
      'HID (keyboard-wedge) readers read directly need a udev rule giving the desk user access to /dev/hidraw* (see the README); without one they still type into the window.',
    // Card types (CardKind); product names stay as they are.
    cardNoAtr: 'unknown card (no ATR)',
    cardMemory: 'contactless memory card (type {type})',
    cardPhone: 'phone or watch (card emulation, ISO 14443-4 without historical bytes)',
    cardIso14443: 'ISO 14443-4 smart card (historical bytes {bytes})',
    cardUnrecognised: 'unrecognised card (ATR {atr})',
    cardWedge: 'keyboard wedge ({format})',
    cardSimulated: 'simulated',
    // Why the last card ended as it did (LastCardDetail).
    lastIgnored: '{reader} is not the chosen reader ({chosen})',
    lastRepeat: 'The same card again within {seconds} s: one tap.',
    lastNoCustomer: 'Choose a customer before tapping cards',
    lastInvalidUid: 'The card gave no valid UID',
    lastDuplicate: 'Card {uid} is already in the queue ({place})',
    lastPlace: '{state}, customer {customer}',
    lastPlaceLabel: ', label {label}',
    lastPlaceSpirii: ', Spirii token {id}',
    lastLabelPending: 'The previous card is still waiting for its label: give it (or skip it) before the next card',
    lastLabelUsed: 'Label {label} is already on card {uid}: give this card its own label',
    lastRandomUid:
      'UID {uid} is a random ID (4 bytes starting with 08): this card or phone shows a different UID at every tap, so it cannot be a charging token. Use a card with a fixed UID.',
    lastLabelNeeded: 'Type or scan the label printed on this card',
    lastNotSaved: 'Card {uid} was NOT saved: the disk holding the data folder is full or cannot be written. Free some space, then tap it again.',
    lastPhone: "A phone or watch was presented (ATR {atr}). Phones and watches show a random ID at every tap and cannot be enrolled: use the customer's RFID card.",
    lastLeft: 'The {card} left the reader before its UID was read (the reader got {got}); nothing was enrolled. Hold it still and tap again.',
    lastGotNothing: 'no answer',
    lastGotOnly: 'only {hex}',
    lastStatusWord: 'The {card} did not give its UID: the reader answered {sw} instead of 90 00 (ATR {atr}).',
    lastBadUid: 'The {card} gave an unusable UID: {problem}.',
    lastWedgeNotUid: '{reader} typed "{typed}", which is not a UID in the configured {format} format: {problem}',
    noAtr: 'none',
    // ISO 7816-4 status words.
    sw6281: 'part of the data may be corrupted',
    sw6300: 'the reader could not get the UID from the card',
    sw6700: 'wrong length',
    sw6A81: 'the reader does not support this function',
    sw6A82: 'not found',
    sw6B00: 'wrong parameters',
    sw6D00: 'instruction not supported',
    sw6E00: 'class not supported',
    sw6F00: 'no precise diagnosis',
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
    setupAskIt: 'Tag læseren ud, og sæt den i igen. Vises den stadig ikke, så kontakt IT: det, de skal bruge, står under Til IT.',
    forIt: 'Til IT',
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
    outcomeRefused: 'Ikke tilføjet',
    outcomeUnreadable: 'Ulæseligt',
    outcomeIgnored: 'Ignoreret: ikke den valgte læser',
    outcomeRepeat: 'Samme kort igen: ét tryk',
    outcomeIdentified: 'Identificeret, ikke tilmeldt',
    simulatedReader: 'Simuleret læser',
    windowWedge: 'Tastatur-læser (vindue)',
    kindPcsc: 'PC/SC',
    kindHid: 'HID',
    kindSimulated: 'simuleret',
    errUnavailable: 'PC/SC er ikke tilgængelig: {error}. Installér chipkorttjenesten (pcscd på Linux), og genstart.',
    errNoService: 'PC/SC-tjenesten kører ikke (SCARD_E_NO_SERVICE); venter på, at den starter.',
    errContext: 'PC/SC kunne ikke startes: {error}',
    errService: 'Fejl fra PC/SC-tjenesten: {error}',
    errReader: 'Fejl fra {reader}: {error}',
    errReaderCardLeft: '{reader}: kortet forlod læseren, før det kunne læses: {error}',
    errCardLeft: '{reader}: kortet ({card}) forlod læseren, før dets UID blev læst; intet blev tilmeldt. Hold det stille, og tap igen.',
    errReadFailed: '{reader}: kortets UID kunne ikke læses: {error}',
    errHidOpen: '{reader} kan ikke åbnes: {error}. På Linux: tilføj udev-reglen fra README for /dev/hidraw*; læseren skriver stadig i vinduet.',
    errHidUnavailable: 'HID-læsere er ikke tilgængelige: {error}. Tastatur-læsere skriver stadig i vinduet.',
    errHidEnumerate: 'Kunne ikke søge efter HID-læsere: {error}',
    hintUnavailableLinux: 'Installér PC/SC-tjenesten og -biblioteket (det kan IT gøre: se Til IT), og genstart derefter Token Station.',
    hintUnavailableLinuxIt: 'Installér: "sudo apt install pcscd libpcsclite1". Start: "sudo systemctl enable --now pcscd.socket".',
    hintUnavailable: 'PC/SC-biblioteket kunne ikke indlæses: geninstallér Token Station. Tastatur-læsere og den simulerede læser virker stadig.',
    hintServiceWin32:
      'Windows-tjenesten Smart Card kører ikke. Windows starter den, når en læser sættes i; ellers bed IT om at starte den. Token Station forbinder igen af sig selv.',
    hintServiceWin32It: 'Som administrator: "net start SCardSvr".',
    hintServiceDarwin: 'Chipkorttjenesten i macOS svarer ikke. Tag læseren ud, og sæt den i igen; Token Station forbinder igen af sig selv.',
    hintServiceLinux: 'PC/SC-tjenesten kører ikke: bed IT om at starte den. Token Station forbinder igen af sig selv inden for få sekunder.',
    hintServiceLinuxIt: '"sudo systemctl start pcscd" (eller "sudo systemctl enable --now pcscd.socket").',
    hintCardLeft: 'Kortet forlod læseren, før dets UID blev læst. Hold det fladt mod læseren, til den bipper, og tap igen.',
    hintSharing: 'Et andet program bruger læseren. Luk det (en anden Token Station, et kortværktøj), og tap igen.',
    hintReaderGoneLinux: 'Læseren svarer ikke længere. Tag den ud, og sæt den i igen. Bliver en ACR122U ved med at fejle, så kontakt IT.',
    hintReaderGoneLinuxIt: 'En ACR122U, der bliver ved med at fejle, er optaget af kernens pn533/pn533_usb-driver: blokér pn533_usb, pn533 og nfc (se README).',
    hintReaderGone: 'Læseren svarer ikke længere. Tag den ud, og sæt den i igen, eller prøv en anden USB-port.',
    setupPcscWin32: 'PC/SC-læsere kræver tjenesten Smart Card (SCardSvr): "sc config SCardSvr start= auto" og "net start SCardSvr" som administrator.',
    setupPcscDarwin: 'PC/SC-læsere virker uden driver; "system_profiler SPSmartCardsDataType" viser dem.',
    setupPcscLinux: 'PC/SC-læsere kræver pcscd: "sudo systemctl enable --now pcscd.socket"; "pcsc_scan" viser dem.',
    setupPn533: 'En ACR122U, der aldrig dukker op, er optaget af kernens pn533/pn533_usb-driver: blokér pn533_usb, pn533 og nfc, og sæt læseren i igen.',
    setupWedge: 'Tastatur-læsere (HID) skriver i vinduet: vælg deres format under Indstillinger › Læser.',
    setupHidUdev:
      'HID-læsere (tastatur-læsere), der læses direkte, kræver en udev-regel, der giver brugeren adgang til /dev/hidraw* (se README); uden den skriver de stadig i vinduet.',
    cardNoAtr: 'ukendt kort (ingen ATR)',
    cardMemory: 'kontaktløst hukommelseskort (type {type})',
    cardPhone: 'telefon eller ur (kortemulering, ISO 14443-4 uden historiske bytes)',
    cardIso14443: 'ISO 14443-4-chipkort (historiske bytes {bytes})',
    cardUnrecognised: 'ukendt kort (ATR {atr})',
    cardWedge: 'tastatur-læser ({format})',
    cardSimulated: 'simuleret',
    lastIgnored: '{reader} er ikke den valgte læser ({chosen})',
    lastRepeat: 'Samme kort igen inden for {seconds} s: ét tryk.',
    lastNoCustomer: 'Vælg en kunde, før du tapper kort',
    lastInvalidUid: 'Kortet gav ikke et gyldigt UID',
    lastDuplicate: 'Kort {uid} står allerede i køen ({place})',
    lastPlace: '{state}, kunde {customer}',
    lastPlaceLabel: ', etiket {label}',
    lastPlaceSpirii: ', Spirii-token {id}',
    lastLabelPending: 'Det forrige kort venter stadig på sin etiket: giv det en (eller spring det over) før næste kort',
    lastLabelUsed: 'Etiketten {label} sidder allerede på kort {uid}: giv dette kort sin egen etiket',
    lastRandomUid:
      'UID {uid} er et tilfældigt ID (4 byte, der starter med 08): kortet eller telefonen viser et nyt UID ved hvert tap, så det kan ikke bruges som ladetoken. Brug et kort med fast UID.',
    lastLabelNeeded: 'Skriv eller scan etiketten, der er trykt på kortet',
    lastNotSaved: 'Kort {uid} er IKKE gemt: disken med datamappen er fuld eller kan ikke skrives. Frigør plads, og tap kortet igen.',
    lastPhone: 'Der blev vist en telefon eller et ur (ATR {atr}). Telefoner og ure viser et nyt ID ved hvert tap og kan ikke tilmeldes: brug kundens RFID-kort.',
    lastLeft: 'Kortet ({card}) forlod læseren, før dets UID blev læst (læseren fik {got}); intet blev tilmeldt. Hold det stille, og tap igen.',
    lastGotNothing: 'intet svar',
    lastGotOnly: 'kun {hex}',
    lastStatusWord: 'Kortet ({card}) gav ikke sit UID: læseren svarede {sw} i stedet for 90 00 (ATR {atr}).',
    lastBadUid: 'Kortet ({card}) gav et ubrugeligt UID: {problem}.',
    lastWedgeNotUid: '{reader} skrev "{typed}", som ikke er et UID i det valgte format ({format}): {problem}',
    noAtr: 'ingen',
    sw6281: 'en del af data kan være beskadiget',
    sw6300: 'læseren kunne ikke hente UID fra kortet',
    sw6700: 'forkert længde',
    sw6A81: 'læseren understøtter ikke funktionen',
    sw6A82: 'ikke fundet',
    sw6B00: 'forkerte parametre',
    sw6D00: 'instruktionen understøttes ikke',
    sw6E00: 'klassen understøttes ikke',
    sw6F00: 'ingen præcis diagnose',
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

/** The core's own readers (simulated, the window's wedge) by their fixed names. */
const BUILT_IN = { 'Simulated reader': 'simulatedReader', 'Keyboard wedge (window)': 'windowWedge' } as const;

/** A reader named in a card or an error: the built-in ones in the window's language, any other as its driver gives it. */
export function nameOf(name: string): string {
  return name in BUILT_IN ? t(BUILT_IN[name as keyof typeof BUILT_IN]) : name;
}

type Conversion = CallOutput<'uid.convert'>;

/** A conversion's error or warning in the window's language (the core's English as fallback). */
export function conversionError(conversion: Extract<Conversion, { ok: false }>): string {
  return conversion.problem ? describeUidProblem(conversion.problem) : conversion.error;
}

export function conversionWarning(conversion: Extract<Conversion, { ok: true }>): string | null {
  if (conversion.randomUid) return describeUidProblem({ key: 'random-id', params: { uid: conversion.uid } });
  return conversion.warning;
}
