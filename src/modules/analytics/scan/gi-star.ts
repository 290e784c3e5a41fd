/**
 * Getis-Ord Gi* for counts per admin area (or grid cell): is an area, together with its neighbours,
 * unusually high or low? Binary weights with the area itself included (that is the "*").
 * Formula as in shared/reference/analytics.md §2; read as a z-score, with Benjamini–Hochberg
 * q-values because a map tests every area at once.
 */

export interface GiStarArea {
  z: number;
  /** Two-sided normal p-value. */
  pValue: number;
  /** Benjamini–Hochberg adjusted p-value across all areas. */
  qValue: number;
  classification: 'hot' | 'cold' | 'not-significant';
}

/**
 * @param values one count (or rate) per area
 * @param neighbours neighbours[i] = indices of the areas adjacent to i (i itself is added if missing)
 * @param alpha false discovery rate for the classification (default 0.05)
 */
export function giStar(values: readonly number[], neighbours: readonly (readonly number[])[], alpha = 0.05): GiStarArea[] {
  const n = values.length;
  if (n < 3) throw new RangeError(`Gi* needs at least three areas, got ${n}`);
  if (neighbours.length !== n) throw new RangeError(`neighbour list has ${neighbours.length} entries for ${n} areas`);
  values.forEach((v, i) => { if (!Number.isFinite(v)) throw new RangeError(`area ${i}: value must be a finite number`); });
  let sum = 0;
  let sumSquares = 0;
  for (const v of values) { sum += v; sumSquares += v * v; }
  const mean = sum / n;
  const sd = Math.sqrt(Math.max(0, sumSquares / n - mean * mean));

  const z = neighbours.map((list, i) => {
    const members = new Set(list);
    members.add(i);
    let weighted = 0;
    for (const j of members) {
      if (!Number.isInteger(j) || j < 0 || j >= n) throw new RangeError(`area ${i}: neighbour ${j} is not an area index`);
      weighted += values[j]!;
    }
    const w = members.size; // binary weights: Σw = Σw² = number of members
    const spread = sd * Math.sqrt((n * w - w * w) / (n - 1));
    // All values equal (sd = 0) or every area in the neighbourhood: nothing stands out.
    return spread > 0 ? (weighted - mean * w) / spread : 0;
  });
  const pValues = z.map((v) => 2 * normalUpperTail(Math.abs(v)));
  const qValues = benjaminiHochberg(pValues);
  return z.map((v, i) => ({
    z: v, pValue: pValues[i]!, qValue: qValues[i]!,
    classification: qValues[i]! <= alpha ? (v > 0 ? 'hot' : 'cold') : 'not-significant',
  }));
}

export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = [...pValues.keys()].sort((a, b) => pValues[b]! - pValues[a]!);
  const q = new Array<number>(m);
  let running = 1;
  order.forEach((idx, k) => {
    const rank = m - k;
    running = Math.min(running, (pValues[idx]! * m) / rank);
    q[idx] = running;
  });
  return q;
}

/** P(Z > x) for a standard normal, via erfc (W. J. Cody's rational approximations, ~1e-15 relative). */
export function normalUpperTail(x: number): number {
  return 0.5 * erfc(x / Math.SQRT2);
}

function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x < 0.5) return 1 - erfSmall(x);
  // Continued fraction (Lentz) for erfc; converges fast for x ≥ 0.5.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = d === 0 ? tiny : d;
    c = x + a / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (f * Math.sqrt(Math.PI));
}

/** erf by its Taylor series, accurate for |x| < 0.5. */
function erfSmall(x: number): number {
  let term = x;
  let sum = x;
  const x2 = x * x;
  for (let k = 1; k < 60; k++) {
    term *= -x2 / k;
    const add = term / (2 * k + 1);
    sum += add;
    if (Math.abs(add) < 1e-17) break;
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
