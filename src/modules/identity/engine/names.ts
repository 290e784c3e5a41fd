/**
 * Name parsing: words with their particles attached, so "Abd al-Rahman", "Abdel Rahman" and "Abderrahmane"
 * become one name part each, and the "son of / daughter of" connectors that some registrars write and others
 * omit (ould, ag, walet, bin, ibn) do not count as name parts.
 */
import { normaliseText } from './normalise.ts';

/** Arabic article forms, including sun-letter assimilation (ar-, as-, ash-, ...), written as a separate word. */
const ARTICLES = new Set(['al', 'el', 'ul', 'ad', 'ar', 'as', 'ash', 'at', 'az', 'an', 'ed', 'er', 'es', 'et', 'ez', 'en', 'ad', 'ud']);
/** "Servant of": glued to the divine name that follows (Abd al-Kader = Abdelkader). */
const ABD_FORMS = new Set(['abd', 'abdel', 'abdul', 'abdal', 'abdoul', 'abdou', 'abdu', 'abdil', 'abdur', 'abder', 'abdes', 'abdel']);
/** Filiation connectors (son/daughter of). Dropped when they stand between two name words. */
const CONNECTORS = new Set(['bin', 'ben', 'ibn', 'bint', 'binti', 'ould', 'wuld', 'wad', 'walad', 'ag', 'ult', 'oult', 'walet', 'welet', 'mint', 'ba']);
/** European particles that forms write or omit ("Jean de Dieu", "da Silva"). */
const MINOR_PARTICLES = new Set(['de', 'du', 'des', 'da', 'dos', 'do', 'van', 'von', 'der', 'le', 'la']);
/** Abbreviations registrars use for very common names. */
const ABBREVIATIONS: Readonly<Record<string, string>> = {
  md: 'mohamed', mohd: 'mohamed', mhd: 'mohamed', muhd: 'mohamed', mohmd: 'mohamed', mhmd: 'mohamed',
};

export interface ParsedName {
  /** Name parts in written order, lower-case ASCII, particles attached, connectors removed. */
  parts: string[];
  /** All parts joined without spaces ("Nyan Deng" and "Nyandeng" agree here). */
  compact: string;
}

const EMPTY: ParsedName = { parts: [], compact: '' };

/** Names repeat a lot (blocking and every comparison parse the same values), so parses are memoised. */
const memo = new Map<string, ParsedName>();

export function parseName(raw: string | null | undefined): ParsedName {
  if (!raw) return EMPTY;
  let parsed = memo.get(raw);
  if (parsed === undefined) {
    if (memo.size > 200_000) memo.clear();
    parsed = parseUncached(raw);
    memo.set(raw, parsed);
  }
  return parsed;
}

function parseUncached(raw: string): ParsedName {
  const words = normaliseText(raw).split(' ').filter((w) => w.length > 0 && !/^\d+$/.test(w));
  if (words.length === 0) return EMPTY;
  const parts: string[] = [];
  let pending = '';
  for (let i = 0; i < words.length; i++) {
    const word = ABBREVIATIONS[words[i]!] ?? words[i]!;
    const hasNext = i + 1 < words.length;
    if (hasNext && (ABD_FORMS.has(word) || ARTICLES.has(word))) {
      pending += word;
      continue;
    }
    // A connector is dropped wherever it stands before another word: family name fields often start with one
    // (Ould Ahmed, Walet Intalla, Ben Ali), and the same child is also written without it.
    if (hasNext && pending === '' && (CONNECTORS.has(word) || (i > 0 && MINOR_PARTICLES.has(word)))) continue;
    parts.push(pending + word);
    pending = '';
  }
  if (pending) parts.push(pending);
  return { parts, compact: parts.join('') };
}

/** Parts of several name fields (given, family, other names) as one list: what order swaps are checked against. */
export function nameParts(...raws: (string | null | undefined)[]): string[] {
  const out: string[] = [];
  for (const raw of raws) for (const part of parseName(raw).parts) out.push(part);
  return out;
}
