/**
 * String similarity measures, written here (no dependency) and tuned for the scoring loop: scratch buffers are
 * reused, so scoring millions of pairs allocates nothing.
 */

let matchedA = new Uint8Array(64);
let matchedB = new Uint8Array(64);

function ensureScratch(length: number): void {
  if (matchedA.length >= length) return;
  matchedA = new Uint8Array(length * 2);
  matchedB = new Uint8Array(length * 2);
}

/** Jaro similarity in [0, 1]; 1 for two equal strings, 0 when either is empty. */
export function jaro(a: string, b: string): number {
  if (a === b) return a.length > 0 ? 1 : 0;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  ensureScratch(Math.max(la, lb));
  for (let i = 0; i < la; i++) matchedA[i] = 0;
  for (let j = 0; j < lb; j++) matchedB[j] = 0;
  const longest = la > lb ? la : lb;
  const window = longest < 4 ? 0 : (longest >> 1) - 1;
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = i > window ? i - window : 0;
    const hi = i + window < lb - 1 ? i + window : lb - 1;
    const ch = a.charCodeAt(i);
    for (let j = lo; j <= hi; j++) {
      if (matchedB[j] === 0 && b.charCodeAt(j) === ch) {
        matchedA[i] = 1;
        matchedB[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (matchedA[i] === 0) continue;
    while (matchedB[k] === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) transpositions++;
    k++;
  }
  return (matches / la + matches / lb + (matches - transpositions / 2) / matches) / 3;
}

/** Jaro-Winkler: prefix scale 0.1, common prefix up to 4, boost only when Jaro ≥ 0.7 (Winkler's rule). */
export function jaroWinkler(a: string, b: string): number {
  const j = jaro(a, b);
  if (j < 0.7) return j;
  const limit = Math.min(4, a.length, b.length);
  let prefix = 0;
  while (prefix < limit && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return j + prefix * 0.1 * (1 - j);
}

let rowPrev = new Int32Array(64);
let rowCur = new Int32Array(64);
let rowPrev2 = new Int32Array(64);

/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent transposition), stopping early once the
 * distance must exceed `max` (returns max + 1 then): the comparison levels only ask "≤ 1?" or "≤ 2?".
 */
export function damerauLevenshtein(a: string, b: string, max = Number.MAX_SAFE_INTEGER): number {
  if (a === b) return 0;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > max) return max + 1;
  if (la === 0) return lb;
  if (lb === 0) return la;
  if (rowCur.length <= lb) {
    rowPrev = new Int32Array(lb * 2 + 2);
    rowCur = new Int32Array(lb * 2 + 2);
    rowPrev2 = new Int32Array(lb * 2 + 2);
  }
  for (let j = 0; j <= lb; j++) rowPrev[j] = j;
  for (let i = 1; i <= la; i++) {
    rowCur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= lb; j++) {
      const cb = b.charCodeAt(j - 1);
      const cost = ca === cb ? 0 : 1;
      let v = Math.min(rowPrev[j]! + 1, rowCur[j - 1]! + 1, rowPrev[j - 1]! + cost);
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb) v = Math.min(v, rowPrev2[j - 2]! + 1);
      rowCur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    const spare = rowPrev2;
    rowPrev2 = rowPrev;
    rowPrev = rowCur;
    rowCur = spare;
  }
  return rowPrev[lb]!;
}

/**
 * Best one-to-one pairing of the parts of two names (greedy on Jaro-Winkler, Monge–Elkan style), averaged over
 * the shorter name: 1 when every part of the shorter name appears in the longer one, in any order.
 */
export function tokenSetSimilarity(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  const used = new Uint8Array(long.length);
  let total = 0;
  for (const part of short) {
    let best = 0;
    let bestIndex = -1;
    for (let j = 0; j < long.length; j++) {
      if (used[j]) continue;
      const s = jaroWinkler(part, long[j]!);
      if (s > best) { best = s; bestIndex = j; }
    }
    if (bestIndex >= 0) used[bestIndex] = 1;
    total += best;
  }
  return total / short.length;
}

const letterCounts = new Int32Array(128);

/**
 * Jaro-Winkler when it can reach `min`, else 0. Most compared pairs are clear non-matches, and an upper bound
 * from shared letter counts (Jaro with every shared letter matched, no transpositions) rejects them without
 * the quadratic matching step; random pairs for estimating u are almost all of this kind.
 */
export function jaroWinklerAtLeast(a: string, b: string, min: number): number {
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  let common = 0;
  let ascii = true;
  for (let i = 0; i < la; i++) { const c = a.charCodeAt(i); if (c > 127) { ascii = false; break; } letterCounts[c]!++; }
  if (ascii) {
    for (let j = 0; j < lb; j++) {
      const c = b.charCodeAt(j);
      if (c < 128 && letterCounts[c]! > 0) { letterCounts[c]!--; common++; }
    }
  }
  for (let i = 0; i < la; i++) { const c = a.charCodeAt(i); if (c < 128) letterCounts[c] = 0; }
  if (ascii) {
    const upper = (common / la + common / lb + 1) / 3;
    let prefix = 0;
    const limit = Math.min(4, la, lb);
    while (prefix < limit && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
    if (upper + prefix * 0.1 * (1 - upper) < min) return 0;
  }
  const s = jaroWinkler(a, b);
  return s >= min ? s : 0;
}
