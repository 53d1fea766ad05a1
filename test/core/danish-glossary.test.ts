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

/**
 * Each `en: { ... }` catalogue paired with the `da: { ... }` that follows it, key by key, so a rule
 * can say what the Danish must be where the English says a given thing.
 */
function pairs(source: string): { key: string; en: string; da: string }[] {
  const blocks = (name: 'en' | 'da') => {
    const found: Map<string, string>[] = [];
    for (const match of source.matchAll(new RegExp(`\\b${name}: \\{`, 'g'))) {
      let depth = 0;
      let end = match.index!;
      for (let i = match.index! + match[0].length - 1; i < source.length; i++) {
        if (source[i] === '{') depth++;
        else if (source[i] === '}' && --depth === 0) {
          end = i;
          break;
        }
      }
      const entries = new Map<string, string>();
      for (const m of source.slice(match.index!, end).matchAll(/(?:^|[\s,{])(\w+|'[^']+'):\s*(['"`])((?:\\.|(?!\2).)*)\2/gs)) entries.set(m[1]!.replace(/'/g, ''), m[3]!);
      found.push(entries);
    }
    return found;
  };
  const en = blocks('en');
  const da = blocks('da');
  return en.flatMap((block, i) => [...block].flatMap(([key, text]) => (da[i]?.has(key) ? [{ key, en: text, da: da[i]!.get(key)! }] : [])));
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

  it('says each English term of the glossary with its one Danish word (the desk refusing a card is not Spirii rejecting a token)', () => {
    const all = files(path.resolve('renderer/src')).flatMap((file) => pairs(readFileSync(file, 'utf8')).map((pair) => ({ file: path.relative(process.cwd(), file), ...pair })));
    expect(all.find((p) => p.key === 'rejected' && p.en === 'Rejected')?.da).toBe('Afvist');
    const offences = DANISH_GLOSSARY.filter((term) => term.english).flatMap((term) =>
      all
        .filter((pair) => term.english!.test(pair.en))
        .filter((pair) => !pair.da.toLowerCase().includes(term.use.toLowerCase()) || term.avoid.test(pair.da))
        .map((pair) => `${pair.file}: ${pair.key} "${pair.en}" -> "${pair.da}" (say "${term.use}" for ${term.thing})`),
    );
    expect(offences).toEqual([]);
  });

  it('would catch a second word for a token', () => {
    expect(danishTexts("const t = { da: { x: 'Kassér brik {uid}?' } };").some((text) => DANISH_GLOSSARY[0]!.avoid.test(text))).toBe(true);
  });
});
