import { AppError } from '../../../platform/errors.ts';

/** A reporting period; both bounds are inclusive ISO dates. */
export interface Period { from: string; to: string }

export function annualPeriod(year: number | string): Period {
  const y = String(year);
  if (!/^(19|20)\d\d$/.test(y)) throw new AppError('request.invalid', { field: 'year', rule: 'a four-digit year, e.g. 2025' });
  return { from: `${y}-01-01`, to: `${y}-12-31` };
}

const QUARTER_END = ['03-31', '06-30', '09-30', '12-31'] as const;

/** `2026Q1` → 1 January to 31 March 2026 (the Global Horizontal Note's quarter). */
export function quarterPeriod(quarter: string): Period {
  const m = /^((?:19|20)\d\d)-?Q([1-4])$/i.exec(quarter.trim());
  if (!m) throw new AppError('request.invalid', { field: 'quarter', rule: 'a quarter written YYYYQn, e.g. 2026Q1' });
  const q = Number(m[2]);
  const startMonth = String((q - 1) * 3 + 1).padStart(2, '0');
  return { from: `${m[1]}-${startMonth}-01`, to: `${m[1]}-${QUARTER_END[q - 1]}` };
}

export const inPeriod = (p: Period, date: string | null): date is string => date !== null && date >= p.from && date <= p.to;

/** Every month of the period, so a month with no violations still shows as 0 rather than vanishing. */
export function monthsOf(p: Period): string[] {
  const out: string[] = [];
  let [y, m] = p.from.slice(0, 7).split('-').map(Number) as [number, number];
  const last = p.to.slice(0, 7);
  for (;;) {
    const key = `${y}-${String(m).padStart(2, '0')}`;
    if (key > last) return out;
    out.push(key);
    m += 1;
    if (m > 12) { m = 1; y += 1; }
  }
}
