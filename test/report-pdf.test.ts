import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import zlib from 'node:zlib';
import { reportPdf, unicodeFont } from '../src/modules/mrm/reports/pdf.ts';
import { publicReport } from '../src/modules/mrm/reports/public-report.ts';
import type { ReportView } from '../src/modules/mrm/reports/schema.ts';
import { auth, type Mission } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';
import { EXPECTED_2025, EXPECTED_2025Q1 } from './support/report-fixtures.ts';
import { missionWithFixtures } from './support/report-seed.ts';

const WIN_ANSI: Record<number, string> = { 0x96: '–', 0x97: '—', 0x92: '’' };

/**
 * The strings a PDF shows, in drawing order: each text object's TJ array (standard fonts, WinAnsi hex),
 * pieces split only by kerning joined back. Compressed content streams are inflated first.
 */
function pdfStrings(pdf: Buffer): string[] {
  const raw = pdf.toString('latin1');
  const contents: string[] = [];
  const re = /<<([^]*?)>>\s*stream\r?\n/g;
  for (let m = re.exec(raw); m; m = re.exec(raw)) {
    const start = m.index + m[0].length;
    const end = raw.indexOf('endstream', start);
    const bytes = pdf.subarray(start, end);
    contents.push(/FlateDecode/.test(m[1]!) ? (() => { try { return zlib.inflateSync(bytes).toString('latin1'); } catch { return ''; } })() : bytes.toString('latin1'));
  }
  const out: string[] = [];
  for (const c of contents) {
    for (const tj of c.matchAll(/\[((?:<[0-9a-f]*>|\s|-?[\d.]+)*)\]\s*TJ/g)) {
      const text = [...tj[1]!.matchAll(/<([0-9a-f]*)>/g)].map((h) => [...Buffer.from(h[1]!, 'hex')].map((b) => WIN_ANSI[b] ?? String.fromCharCode(b)).join('')).join('');
      out.push(text);
    }
  }
  return out;
}

const view = (e: typeof EXPECTED_2025): ReportView => ({ report: 'annual', public: false, ...structuredClone(e) }) as ReportView;
const mission = { id: 'drc', name: 'MONUSCO Task Force' };
const generatedAt = new Date('2026-01-15T08:30:00Z');

/** The cells of the row whose first cell is `label` (each cell is its own text object). */
function row(strings: string[], label: string, cells: number): string[] {
  const i = strings.indexOf(label);
  assert.ok(i >= 0, `no row "${label}" in the PDF`);
  return strings.slice(i + 1, i + 1 + cells);
}

describe('MRM report PDF', () => {
  it('is an A4 PDF holding the title, mission, period, marking, generation time and every figure of the report', async () => {
    const pdf = await reportPdf(view(EXPECTED_2025), { mission, generatedAt, compress: false });
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    assert.match(pdf.toString('latin1'), /\/MediaBox \[0 0 595\.28 841\.89\]/, 'A4');
    const s = pdfStrings(pdf);
    assert.ok(s.includes('MRM annual report 2025'));
    assert.ok(s.includes('MONUSCO Task Force (drc)'));
    assert.ok(s.some((x) => x.startsWith('2025-01-01 to 2025-12-31')));
    assert.ok(s.includes('2026-01-15 08:30:00 UTC'));
    assert.ok(s.some((x) => x.startsWith('RESTRICTED')));
    assert.deepEqual(row(s, 'Verified grave violations (total)', 1), ['13']);
    assert.deepEqual(row(s, 'Committed in the period', 1), ['8']);
    assert.deepEqual(row(s, 'Late verification (committed before the period)', 1), ['5']);
    assert.deepEqual(row(s, 'Distinct children verified', 1), ['9']);
    assert.deepEqual(row(s, 'Killing', 4), ['4', '2', '1', '1']);
    assert.deepEqual(row(s, 'Abduction', 4), ['3', '3', '0', '0']);
    assert.deepEqual(row(s, 'Deprivation of liberty', 4), ['2', '2', '0', '0']);
    assert.deepEqual(row(s, 'CODECO', 1), ['10']);
    assert.deepEqual(row(s, 'CD54', 1), ['9']);
    assert.deepEqual(row(s, 'COD', 1), ['12']);
    assert.deepEqual(row(s, 'Non state armed group', 1), ['11']);
    assert.deepEqual(row(s, '2025-06', 1), ['3']);
    assert.deepEqual(row(s, '14-17', 1), ['5']);
  });

  it('--public: no value from 1 to 4 anywhere, suppressed cells marked as in the CSV, the PUBLIC marking and the disclosure note', async () => {
    const pub = publicReport({ ...EXPECTED_2025 } as never);
    const v = { report: 'annual', public: true, ...pub } as ReportView;
    const pdf = await reportPdf(v, { mission, generatedAt, compress: false });
    const s = pdfStrings(pdf);
    assert.ok(s.some((x) => x.startsWith('PUBLIC')));
    assert.ok(!s.some((x) => x.startsWith('RESTRICTED')));
    assert.ok(s.includes('suppressed'));
    assert.deepEqual(row(s, 'CD61', 1), ['suppressed'], 'a cell of 3 is suppressed');
    assert.deepEqual(row(s, 'CD54', 1), [String(pub.by_admin1.CD54 ?? 'suppressed')]);
    // Every standalone number drawn (table cells, chart labels), dates and the period aside.
    const numbers = s.filter((x) => /^\d[\d,]*$/.test(x)).map((x) => Number(x.replace(/,/g, '')));
    assert.ok(numbers.length > 10, 'the public tables still show figures');
    assert.deepEqual(numbers.filter((n) => n >= 1 && n <= 4), []);
    assert.ok(s.some((x) => x.includes('cell(s) suppressed')));
  });

  it('the GHN: the quarter in the title and its figures', async () => {
    const v = { ...view(EXPECTED_2025), report: 'ghn', period: { from: '2025-01-01', to: '2025-03-31' }, ...EXPECTED_2025Q1 } as ReportView;
    const s = pdfStrings(await reportPdf(v, { mission, generatedAt, compress: false }));
    assert.ok(s.includes('Global Horizontal Note 2025Q1'));
    assert.deepEqual(row(s, 'Verified grave violations (total)', 1), [String(EXPECTED_2025Q1.total_verified)]);
  });

  it('names outside Latin script: never a crash; without a Unicode font they show as "?" with a warning, with one the font is embedded', async () => {
    const v = view(EXPECTED_2025);
    v.by_party = { 'القوات المسلحة': 7, 'Армия': 3, 'FARDC': 3 };
    const without = pdfStrings(await reportPdf(v, { mission, generatedAt, compress: false, font: null }));
    assert.ok(without.includes('القوات المسلحة'.replace(/\S/g, '?')), 'Arabic letters are not replaced by other Latin letters');
    assert.ok(without.includes('?????'));
    assert.ok(without.some((x) => x.includes('TUTELA_PDF_FONT')));
    const font = unicodeFont();
    if (font) {
      const pdf = await reportPdf(v, { mission, generatedAt, compress: false, font });
      assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
      assert.match(pdf.toString('latin1'), /\/FontFile2/, 'the TrueType font is embedded');
    }
    await assert.rejects(reportPdf(v, { mission, generatedAt, font: '/nonexistent/font.ttf' }));
  });
});

describeStores('MRM report PDF through the API', ({ it, h }) => {
  let m: Mission;
  const seeded = async () => (m ??= await missionWithFixtures(h().store, h().app));

  it('GET /api/v1/reports/annual?format=pdf: a PDF attachment with the store\'s figures; the public one holds no value 1–4', async () => {
    const mission_ = await seeded();
    const res = await h().app.inject({ method: 'GET', url: '/api/v1/reports/annual?year=2025&format=pdf', headers: auth(mission_.tokens.admin) });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['content-type'], 'application/pdf');
    assert.match(res.headers['content-disposition'] as string, /filename="mrm-annual-2025\.pdf"/);
    const s = pdfStrings(res.rawPayload);
    assert.equal(res.rawPayload.subarray(0, 5).toString(), '%PDF-');
    assert.deepEqual(row(s, 'Verified grave violations (total)', 1), ['13']);
    assert.deepEqual(row(s, 'Killing', 4), ['4', '2', '1', '1']);
    assert.ok(s.some((x) => x.includes(`(${mission_.id})`)), 'the mission is named');

    const pub = await h().app.inject({ method: 'GET', url: '/api/v1/reports/ghn?quarter=2025Q1&format=pdf&public=true', headers: auth(mission_.tokens.admin) });
    assert.equal(pub.statusCode, 200, pub.body);
    const ps = pdfStrings(pub.rawPayload);
    assert.ok(ps.includes('Global Horizontal Note 2025Q1'));
    assert.ok(ps.some((x) => x.startsWith('PUBLIC')));
    const numbers = ps.filter((x) => /^\d[\d,]*$/.test(x)).map((x) => Number(x.replace(/,/g, '')));
    assert.deepEqual(numbers.filter((n) => n >= 1 && n <= 4), []);
  });
});

