/**
 * The CSV dialect of a file: its delimiter (from Excel's `sep=` first line, or the character that
 * splits the first lines into the same number of fields), and its line ending.
 */

export const DELIMITERS = [',', ';', '\t'] as const;
export type Delimiter = (typeof DELIMITERS)[number];

export interface Dialect {
  delimiter: Delimiter;
  lineEnding: 'CRLF' | 'LF' | 'CR';
  /** The file began with Excel's `sep=X` line, which is not data. */
  sepLine: boolean;
}

const SEP_LINE = /^sep=(.)\r?\n?/i;

/** Fields per line for one delimiter, counting only delimiters outside quotes. */
function fieldCounts(lines: readonly string[], delimiter: string): number[] {
  return lines.map((line) => {
    let count = 1;
    let quoted = false;
    for (const ch of line) {
      if (ch === '"') quoted = !quoted;
      else if (ch === delimiter && !quoted) count++;
    }
    return count;
  });
}

export function detectDialect(text: string): Dialect {
  const firstBreak = text.search(/\r\n|\n|\r/);
  const lineEnding = firstBreak < 0 ? 'LF' : text.startsWith('\r\n', firstBreak) ? 'CRLF' : text[firstBreak] === '\r' ? 'CR' : 'LF';
  const sep = SEP_LINE.exec(text.slice(0, 8));
  if (sep && (DELIMITERS as readonly string[]).includes(sep[1]!)) return { delimiter: sep[1] as Delimiter, lineEnding, sepLine: true };

  const sample = text
    .slice(0, 64 * 1024)
    .split(/\r\n|\n|\r/)
    .filter((line) => line.trim() !== '')
    .slice(0, 20);
  let best: { delimiter: Delimiter; score: number } = { delimiter: ',', score: 0 };
  // Ties go to the first: `;` before `,` because a Danish Excel writes `;` and uses `,` in numbers.
  for (const delimiter of [';', '\t', ','] as const) {
    const counts = fieldCounts(sample, delimiter);
    const header = counts[0] ?? 1;
    if (header < 2) continue;
    const consistent = counts.filter((n) => n === header).length / counts.length;
    const score = consistent * 1000 + header;
    if (score > best.score) best = { delimiter, score };
  }
  return { delimiter: best.delimiter, lineEnding, sepLine: false };
}

export const DELIMITER_NAMES: Record<Delimiter, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab' };
