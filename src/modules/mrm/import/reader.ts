import fs from 'node:fs/promises';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { AppError } from '../../../platform/errors.ts';

/** A data line of a file: its line (CSV) or row (XLSX) number, 1 being the header, and its cells by column name. */
export interface FileRecord { line: number; cells: Record<string, string> }
export interface FileTable { columns: string[]; records: FileRecord[]; raggedLines: { line: number; found: number }[] }

/** Above this a file is refused before it is read: split it (a year of a large task force is far below). */
export const DEFAULT_MAX_BYTES = 100 * 1024 * 1024;

const refuse = (rule: string) => new AppError('request.invalid', { field: 'file', rule });

/**
 * Reads a CSV (UTF-8, comma-separated, first line the header) or an XLSX (first sheet, first row the
 * header) into named cells, trimmed. Refuses, with the line, a file it cannot read as it is meant:
 * too large, not UTF-8, broken quoting, a header naming a column twice.
 */
export async function readTable(file: string, options: { maxBytes?: number } = {}): Promise<FileTable> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const stat = await fs.stat(file).catch(() => { throw refuse(`cannot read ${file}: no such file`); });
  if (stat.size > maxBytes) {
    throw refuse(`${path.basename(file)} is ${(stat.size / 1048576).toFixed(0)} MB; the limit is ${(maxBytes / 1048576).toFixed(0)} MB: split it into several files (by year, say) and import each`);
  }
  const bytes = await fs.readFile(file);
  const isZip = bytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
  const rows = isZip || /\.xlsx$/i.test(file) ? await xlsxRows(bytes) : csvRows(bytes);
  const [header, ...data] = rows;
  if (!header || header.cells.every((c) => c.trim() === '')) throw refuse('the file is empty: the first line must name the columns');
  const columns = header.cells.map((c) => c.trim().toLowerCase());
  const seen = new Map<string, number>();
  const duplicates: string[] = [];
  columns.forEach((c, i) => {
    if (c === '') return;
    if (seen.has(c)) duplicates.push(`${c} (columns ${seen.get(c)! + 1} and ${i + 1})`);
    else seen.set(c, i);
  });
  if (duplicates.length > 0) throw refuse(`line 1: the header names a column twice: ${duplicates.join(', ')}`);
  const records: FileRecord[] = [];
  const raggedLines: FileTable['raggedLines'] = [];
  for (const row of data) {
    if (row.cells.every((c) => c.trim() === '')) continue;
    if (row.cells.length > columns.length && row.cells.slice(columns.length).some((c) => c.trim() !== '')) raggedLines.push({ line: row.line, found: row.cells.length });
    const cells: Record<string, string> = {};
    columns.forEach((c, i) => { if (c !== '') cells[c] = (row.cells[i] ?? '').trim(); });
    records.push({ line: row.line, cells });
  }
  return { columns: columns.filter((c) => c !== ''), records, raggedLines };
}

function csvRows(bytes: Buffer): { line: number; cells: string[] }[] {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw refuse('the file is UTF-16: save it as "CSV UTF-8" and import again');
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const { line, column, byte } = firstInvalidUtf8(bytes);
    throw refuse(`line ${line}, character ${column}: byte 0x${byte.toString(16).toUpperCase()} is not UTF-8; the file looks like Latin-1 / Windows-1252. ` +
      'Save it as "CSV UTF-8" and import again (nothing was imported)');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return parseCsv(text);
}

/**
 * RFC 4180 CSV (comma, double quotes doubled inside quoted fields, CRLF or LF), each record with the
 * line it starts on; blank lines skipped. A hand-written scanner: csv-parse took 2 s of a 100,000-row
 * import. Refuses what a spreadsheet would misread: a quote opening inside a field, text after a
 * closing quote, a quote never closed.
 */
export function parseCsv(text: string): { line: number; cells: string[] }[] {
  const rows: { line: number; cells: string[] }[] = [];
  const n = text.length;
  let i = 0;
  let line = 1;
  const bad = (at: number, what: string) => refuse(`line ${at}: the CSV cannot be read (${what}); check the quotes on that line`);
  while (i < n) {
    const start = line;
    const cells: string[] = [];
    for (;;) {
      let value: string;
      if (text.charCodeAt(i) === 34) {
        let j = i + 1;
        let parts = '';
        for (;;) {
          const q = text.indexOf('"', j);
          if (q < 0) throw bad(start, 'a quoted field is never closed');
          parts += text.slice(j, q);
          if (text.charCodeAt(q + 1) === 34) { parts += '"'; j = q + 2; continue; }
          i = q + 1;
          break;
        }
        for (let k = parts.indexOf('\n'); k >= 0; k = parts.indexOf('\n', k + 1)) line++;
        value = parts;
        const c = text.charCodeAt(i);
        if (i < n && c !== 44 && c !== 10 && c !== 13) throw bad(line, 'text after a closing quote');
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === 44 || c === 10 || c === 13) break;
          if (c === 34) throw bad(line, 'a quote inside a field that does not start with one');
          j++;
        }
        value = text.slice(i, j);
        i = j;
      }
      cells.push(value);
      const c = text.charCodeAt(i);
      if (c === 44) { i++; continue; }
      if (c === 13) i++;
      if (text.charCodeAt(i) === 10) i++;
      line++;
      break;
    }
    if (!(cells.length === 1 && cells[0] === '')) rows.push({ line: start, cells });
  }
  return rows;
}

function firstInvalidUtf8(bytes: Buffer): { line: number; column: number; byte: number } {
  let line = 1, column = 1;
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    const need = b < 0x80 ? 0 : (b & 0xe0) === 0xc0 ? 1 : (b & 0xf0) === 0xe0 ? 2 : (b & 0xf8) === 0xf0 ? 3 : -1;
    const ok = need >= 0 && Array.from({ length: need }, (_, k) => bytes[i + 1 + k]).every((c) => c !== undefined && (c & 0xc0) === 0x80);
    if (!ok) return { line, column, byte: b };
    if (b === 0x0a) { line++; column = 1; } else column++;
    i += need + 1;
  }
  return { line, column, byte: 0 };
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((t) => t.text).join('');
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    if ('text' in value) return String(value.text);
    if ('error' in value) return '';
  }
  return String(value);
}

async function xlsxRows(bytes: Buffer): Promise<{ line: number; cells: string[] }[]> {
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (err) {
    throw refuse(`the XLSX file cannot be read (${err instanceof Error ? err.message : 'damaged'})`);
  }
  const ws = wb.worksheets[0];
  if (!ws) throw refuse('the XLSX file has no worksheet');
  const rows: { line: number; cells: string[] }[] = [];
  ws.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    for (let c = 1; c <= row.cellCount; c++) cells.push(cellText(row.getCell(c).value));
    rows.push({ line: rowNumber, cells });
  });
  return rows;
}
