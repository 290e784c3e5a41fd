/**
 * CSV fields and lines, on their own so the row export (export.ts) and the listings load no spreadsheet
 * library: `tutela export mrm` is measured by its peak memory.
 */

/**
 * A CSV field: quoted when needed, and a leading = + - @ neutralised, because party and area names come
 * from imported files and a spreadsheet would otherwise run them as formulas.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  let s = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
export const csvLine = (fields: (string | number | null)[]) => `${fields.map(csvField).join(',')}\r\n`;
