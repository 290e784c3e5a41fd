/**
 * Two keys for transliterated names, designed for Arabic, French and African names written in Latin script by
 * registrars of different languages (record-linkage.md §4: Soundex/Metaphone are tuned to English, keep the
 * first letter and fail on Ouamba/Wamba).
 *
 * translitKey keeps vowels but folds spelling conventions that do not change the sound (ou/u, ph/f, dj/j,
 * tch/tsh/ch/sh, kh/h, q/k, doubled letters, silent final e, the article in Abd-al-X). It is what string
 * similarity is measured on.
 *
 * phoneticCode keeps only consonant classes: vowels, h, w and y are dropped (Arabic short vowels are not
 * written and registrars guess them: Mohamed/Muhammad/Mahamat; French drops h: Hassan/Assane, Hawa/Awa),
 * b/p, f/v, t/d, s/z/j/ch, k/g/q, l/r (free variation in several Bantu languages), m, n; an initial vowel
 * becomes one marker so Ousmane/Usman agree and Ali does not become empty; a nasal before a stop at the start
 * is dropped (Ndeye/Deye, Mbaye/Baye). Repeats collapse.
 */

import { NAME_VARIANTS } from './variants.ts';

const TRANSLIT_RULES: readonly [RegExp, string][] = [
  // the article after Abd: abdel/abdul/abder/abdur/abdal + consonant → abd + consonant
  [/^abd(?:ou|[aeiou])?(?:l|r|s|n|z|d|t)(?=[bcdfghjklmnpqrstvwxz])/, 'abd'],
  [/^abdou(?=[bcdfghjklmnpqrstvwxz])/, 'abd'],
  [/^(?:el|al|ul)(?=[a-z]{3})/, 'al'],
  [/x/g, 'ks'],
  // x stands for the whole ch/sh sound class from here on
  [/tch|tsh|tsch|sch|sh|ch/g, 'x'],
  [/dj|dzh|zh/g, 'j'],
  [/ph/g, 'f'],
  [/kh/g, 'h'],
  [/gh/g, 'g'],
  [/ck|q|k/g, 'k'],
  [/c(?=[eiy])/g, 's'],
  [/c/g, 'k'],
  [/th/g, 't'],
  [/dh/g, 'd'],
  [/gn|ny/g, 'n'],
  [/^ou|^w/, 'u'],
  [/ou|oo|w/g, 'u'],
  [/ai|ay|ei/g, 'e'],
  [/ee|ie|y/g, 'i'],
  // A nasal written or not before a stop at the start: N'Diaye/Ndiaye/Diaye, Mbaye/Baye, Nkurunziza/Kurunziza.
  [/^[mn](?=[bdgkpt])/, ''],
  // Letters only: a doubled digit is another number ("village 28" ≠ "village 288", p-code SS11 ≠ SS1).
  [/([a-z])\1+/g, '$1'],
  [/(?<=[a-z]{3})e$/, ''],
];

/** Spelling-folded form with vowels kept. Input: a compact normalised name (letters only). */
export function translitKey(compact: string): string {
  let key = compact;
  for (const [pattern, replacement] of TRANSLIT_RULES) key = key.replace(pattern, replacement);
  return key;
}

const CONSONANT_CLASS: Readonly<Record<string, string>> = {
  b: 'B', p: 'B', f: 'F', v: 'F', t: 'T', d: 'T', s: 'S', z: 'S', j: 'S', x: 'S',
  k: 'K', g: 'K', l: 'R', r: 'R', m: 'M', n: 'N',
};

/** Consonant-class code of a name (see the module comment). Input: translitKey output. */
export function phoneticCode(key: string): string {
  let word = key.replace(/^[mn](?=[bdgkpt])/, '');
  if (word.length === 0) return '';
  let code = /^[aeiouhy]/.test(word) ? 'A' : '';
  word = word.replace(/^[aeiouhy]+/, '');
  let last = '';
  for (const ch of word) {
    const cls = CONSONANT_CLASS[ch];
    if (cls === undefined) continue;
    if (cls !== last) code += cls;
    last = cls;
  }
  return code;
}

const memo = new Map<string, { key: string; code: string }>();
let variantKeys: Map<string, string> | null = null;

/** Transliteration key of a known variant (variants.ts) → the key of its group's first name. */
export function variantKey(spelled: string): string {
  if (variantKeys === null) {
    variantKeys = new Map();
    const compact = (name: string) => name.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(/[^a-z]/g, '');
    for (const group of NAME_VARIANTS) {
      const canonical = translitKey(compact(group[0]!));
      for (const name of group) {
        const key = translitKey(compact(name));
        const earlier = variantKeys.get(key);
        if (earlier !== undefined && earlier !== canonical) throw new Error(`name variant "${name}" is in two groups`);
        variantKeys.set(key, canonical);
      }
    }
  }
  return variantKeys.get(spelled) ?? spelled;
}

/** Both keys of a compact normalised name (memoised: the same names come back for every rule and comparison). */
export function nameKeys(compact: string): { key: string; code: string } {
  let keys = memo.get(compact);
  if (keys === undefined) {
    if (memo.size > 200_000) memo.clear();
    const spelled = translitKey(compact);
    const key = variantKey(spelled);
    keys = { key, code: phoneticCode(key) };
    memo.set(compact, keys);
  }
  return keys;
}
