/**
 * Statistical disclosure control for published tables: small cells are suppressed, and further
 * ("complementary") cells are suppressed until no suppressed value can be worked out from the totals.
 *
 * A table is a set of cells and the linear relations a reader knows hold between them (a row of cells
 * sums to its published total, late + committed = total, ...). A suppressed cell is derivable when
 *   (a) the relations pin it down: its unit vector lies in the row space of the relations restricted to
 *       the suppressed cells (checked by exact elimination modulo a prime), or
 *   (b) the bounds do: a reader who knows suppressed cells are at least 1 (zeros are published) sees k
 *       suppressed cells of one sign summing to k in one relation, so each is 1.
 * Pure: no database, no report vocabulary; public-report.ts maps a report onto it.
 */

export interface DisclosureConfig {
  /** Cells from 1 to threshold - 1 are suppressed (default 5: nothing from 1 to 4 is published). */
  threshold: number;
  /** Sexual violence below admin 1 (default 10). */
  sexualViolenceBelowAdmin1: number;
}

export const DEFAULT_DISCLOSURE: DisclosureConfig = { threshold: 5, sexualViolenceBelowAdmin1: 10 };

export type Geography = 'mission' | 'country' | 'admin1' | 'below_admin1';

export function cellThreshold(config: DisclosureConfig, cell: { sexualViolence: boolean; geography: Geography }): number {
  return cell.sexualViolence && cell.geography === 'below_admin1' ? Math.max(config.threshold, config.sexualViolenceBelowAdmin1) : config.threshold;
}

export interface Cell { id: string; value: number; threshold: number }
/** Σ coefficient × value = 0 over the named cells; coefficients are ±1 in every table Tutela publishes. */
export interface Relation { terms: { id: string; coef: number }[] }

export interface SuppressionResult {
  suppressed: Set<string>;
  /** Suppressed because small. */
  primary: Set<string>;
  /** Cells that could not be protected (no candidate left); empty in every table the tests generate. */
  unprotected: Set<string>;
}

const P = 67_108_859; // prime below 2^26: products of two residues stay exact in a double
const mod = (a: number) => ((a % P) + P) % P;
function inverse(a: number): number {
  let [r0, r1, s0, s1] = [mod(a), P, 1, 0];
  while (r1 !== 0) {
    const q = Math.floor(r0 / r1);
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return mod(s0);
}

/** Suppressed cells whose value the relations determine exactly (linear algebra, condition (a)). */
export function linearlyDetermined(suppressed: ReadonlySet<string>, relations: readonly Relation[]): Set<string> {
  const columns = [...suppressed];
  const index = new Map(columns.map((id, i) => [id, i]));
  const rows: number[][] = [];
  for (const r of relations) {
    const row = new Array<number>(columns.length).fill(0);
    let any = false;
    for (const t of r.terms) {
      const i = index.get(t.id);
      if (i === undefined) continue;
      row[i] = mod(row[i]! + t.coef);
      any = true;
    }
    if (any) rows.push(row);
  }
  // Reduced row echelon form.
  let pivotRow = 0;
  const pivots: number[] = [];
  for (let c = 0; c < columns.length && pivotRow < rows.length; c++) {
    const found = rows.findIndex((row, i) => i >= pivotRow && row[c] !== 0);
    if (found < 0) continue;
    [rows[pivotRow], rows[found]] = [rows[found]!, rows[pivotRow]!];
    const pr = rows[pivotRow]!;
    const inv = inverse(pr[c]!);
    for (let j = 0; j < pr.length; j++) pr[j] = (pr[j]! * inv) % P;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      if (i === pivotRow || row[c] === 0) continue;
      const factor = row[c]!;
      for (let j = 0; j < row.length; j++) row[j] = mod(row[j]! - ((factor * pr[j]!) % P));
    }
    pivots.push(c);
    pivotRow++;
  }
  const determined = new Set<string>();
  pivots.forEach((c, i) => {
    if (rows[i]!.every((v, j) => j === c || v === 0)) determined.add(columns[c]!);
  });
  return determined;
}

/** Cells pinned by bounds (condition (b)): k same-sign suppressed cells of one relation summing to k. */
export function boundDetermined(suppressed: ReadonlySet<string>, relations: readonly Relation[], values: ReadonlyMap<string, number>): Set<string> {
  const out = new Set<string>();
  for (const r of relations) {
    const hidden = r.terms.filter((t) => suppressed.has(t.id));
    if (hidden.length === 0 || !hidden.every((t) => t.coef === hidden[0]!.coef)) continue;
    const sum = hidden.reduce((n, t) => n + (values.get(t.id) ?? 0), 0);
    if (sum === hidden.length) for (const t of hidden) out.add(t.id);
  }
  return out;
}

/**
 * Primary suppression of every cell in 1..threshold-1, then complementary suppression: while some
 * suppressed cell is derivable, hide the smallest non-zero published cell of a relation it is in.
 */
export function suppressCells(cells: readonly Cell[], relations: readonly Relation[]): SuppressionResult {
  const values = new Map(cells.map((c) => [c.id, c.value]));
  const primary = new Set(cells.filter((c) => c.value >= 1 && c.value < c.threshold).map((c) => c.id));
  const suppressed = new Set(primary);
  const skipped = new Set<string>();
  const relationsOf = new Map<string, Relation[]>();
  for (const r of relations) for (const t of r.terms) relationsOf.set(t.id, [...(relationsOf.get(t.id) ?? []), r]);

  const exposedNow = () => new Set([...linearlyDetermined(suppressed, relations), ...boundDetermined(suppressed, relations, values)]);
  for (let guard = 0; guard <= 2 * cells.length; guard++) {
    const exposed = [...exposedNow()].filter((id) => !skipped.has(id));
    if (exposed.length === 0) break;
    const id = exposed[0]!;
    const mine = relationsOf.get(id) ?? [];
    // Relations where the exposed cell is alone (or nearly) first: that is where it leaks.
    const ranked = [...mine].sort((a, b) => hiddenIn(a, suppressed) - hiddenIn(b, suppressed));
    let pick: string | undefined;
    for (const allowZero of [false, true]) {
      for (const r of ranked) {
        const candidates = r.terms.filter((t) => !suppressed.has(t.id) && (allowZero || (values.get(t.id) ?? 0) > 0))
          .sort((a, b) => (values.get(a.id) ?? 0) - (values.get(b.id) ?? 0) || (a.id < b.id ? -1 : 1));
        if (candidates.length > 0) { pick = candidates[0]!.id; break; }
      }
      if (pick) break;
    }
    if (pick) suppressed.add(pick);
    else skipped.add(id); // another exposed cell's relations may still protect it: decided below
  }
  return { suppressed, primary, unprotected: exposedNow() };
}

const hiddenIn = (r: Relation, suppressed: ReadonlySet<string>) => r.terms.filter((t) => suppressed.has(t.id)).length;
