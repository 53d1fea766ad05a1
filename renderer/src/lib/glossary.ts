/**
 * The Danish window's glossary: the one word for each thing, checked against every Danish
 * catalogue by test/core/danish-glossary.test.ts. A translator adds a term here, not in a screen.
 */
export interface GlossaryTerm {
  /** What it names, in English. */
  thing: string;
  /** The Danish word the catalogue uses. */
  use: string;
  /** Words that must not appear in the Danish catalogue (another word for the same thing). */
  avoid: RegExp;
  /** Where the English twin of a text says this thing, the Danish must use `use` (and not `avoid`). */
  english?: RegExp;
}

export const DANISH_GLOSSARY: readonly GlossaryTerm[] = [
  { thing: "a token in Spirii or in the desk's queue", use: 'token', avoid: /\bbrik(ker|ken|kerne)?\b|\bladebrik/i },
  { thing: 'the physical RFID card', use: 'kort', avoid: /\bnøglebrik|\bkortet?s? chip\b/i },
  { thing: 'the printed number on a card', use: 'etiket', avoid: /\blabel(en|s)?\b(?![-}])/i },
  { thing: 'the customer billed for a token', use: 'kunde', avoid: /\bklient(en|er)?\b/i },
  { thing: 'a reader at the desk', use: 'læser', avoid: /\bscanner(en|e)?\b|\blæseenhed/i },
  { thing: 'to discard a token', use: 'kassér', avoid: /\bslet (token|kort)/i },
  // Two different things the window once both called "Afvist": Spirii rejecting a token (its state),
  // and the desk not adding a tapped card (already queued, unreadable). Each has its own word.
  { thing: 'a token Spirii rejected', use: 'afvist', avoid: /\bforkastet|\bnægtet/i, english: /^(Rejected|Refused) by Spirii\b|^Rejected$/ },
  { thing: 'a card the desk did not add (refused at the counter)', use: 'ikke tilføjet', avoid: /\bafvist: /i, english: /^Refused\b(?! by Spirii)/ },
];
