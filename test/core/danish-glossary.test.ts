// Every Danish catalogue of the window uses the glossary's words (renderer/src/lib/glossary.ts):
// one word for one thing, so "brik" and "token" never name the same thing on two screens.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DANISH_GLOSSARY } from '../../renderer/src/lib/glossary';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? files(file) : /\.(ts|svelte)$/.test(name) ? [file] : [];
  });
}

/** The quoted texts of each `da: { ... }` catalogue in a file (keys and placeholders left out). */
function danishTexts(source: string): string[] {
  const texts: string[] = [];
  for (const match of source.matchAll(/\bda: \{/g)) {
    let depth = 0;
    let end = match.index!;
    for (let i = match.index! + match[0].length - 1; i < source.length; i++) {
      if (source[i] === '{') depth++;
      else if (source[i] === '}' && --depth === 0) {
        end = i;
        break;
      }
    }
    const block = source.slice(match.index!, end);
    for (const m of block.matchAll(/:\s*(['"`])((?:\\.|(?!\1).)*)\1/gs)) texts.push(m[2]!.replace(/\{[^}]*\}/g, '{}'));
  }
  return texts;
}

describe('the Danish glossary', () => {
  const catalogues = files(path.resolve('renderer/src')).map((file) => ({ file: path.relative(process.cwd(), file), texts: danishTexts(readFileSync(file, 'utf8')) }));

  it('finds the Danish catalogues (the check reads something)', () => {
    const withDanish = catalogues.filter((c) => c.texts.length > 0);
    expect(withDanish.length).toBeGreaterThan(10);
    expect(withDanish.flatMap((c) => c.texts)).toContain('Ingen tokens her.');
  });

  it('uses one word for each thing', () => {
    const offences = catalogues.flatMap(({ file, texts }) =>
      texts.flatMap((text) => DANISH_GLOSSARY.filter((term) => term.avoid.test(text)).map((term) => `${file}: "${text}" (say "${term.use}" for ${term.thing})`)),
    );
    expect(offences).toEqual([]);
  });

  it('would catch a second word for a token', () => {
    expect(danishTexts("const t = { da: { x: 'Kassér brik {uid}?' } };").some((text) => DANISH_GLOSSARY[0]!.avoid.test(text))).toBe(true);
  });
});
