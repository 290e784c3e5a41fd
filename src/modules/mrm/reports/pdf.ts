import fs from 'node:fs';
import PDFDocument from 'pdfkit';
import { AppError } from '../../../platform/errors.ts';
import type { ReportView } from './schema.ts';

/** What a PDF states besides the figures. */
export interface PdfContext {
  mission: { id: string; name: string };
  generatedAt: Date;
  /** false only for tests that read the page content as text. */
  compress?: boolean;
  /** A TrueType font used throughout; null: the standard fonts only; absent: `unicodeFont()` when names need it. */
  font?: string | null;
}

/** The marker of a suppressed cell, as in the CSV's status column and the XLSX. */
export const SUPPRESSED = 'suppressed';

/**
 * Fonts tried, in order, when a report holds text outside the standard PDF fonts' Windows-1252 set
 * (party or area names in Arabic, Cyrillic...): TUTELA_PDF_FONT first, then the usual Debian/Ubuntu places.
 */
const UNICODE_FONTS = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf',
  '/usr/share/fonts/truetype/freefont/FreeSans.ttf',
];

export function unicodeFont(): string | null {
  const candidates = [process.env.TUTELA_PDF_FONT, ...UNICODE_FONTS].filter((f): f is string => Boolean(f));
  return candidates.find((f) => fs.existsSync(f)) ?? null;
}

// Windows-1252 beyond Latin-1: what the standard fonts' encoding also writes.
const CP1252_EXTRA = new Set([...'€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ']);
export const isStandardText = (s: string) => [...s].every((c) => {
  const cp = c.codePointAt(0)!;
  return (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff) || CP1252_EXTRA.has(c);
});

const TITLES = {
  by_perpetrator_category: 'By perpetrator category', by_country: 'By country', by_party: 'By party',
  by_admin1: 'By admin 1', by_age_band: 'By age band (children, victim-counted grave types)', by_month: 'By month of verification',
} as const;
const HEADLINES = [
  ['total_verified', 'Verified grave violations (total)'],
  ['committed_in_period', 'Committed in the period'],
  ['late_verified', 'Late verification (committed before the period)'],
  ['children_verified', 'Distinct children verified'],
] as const;

const label = (key: string) => key.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());
const cell = (v: number | null) => (v === null ? SUPPRESSED : v.toLocaleString('en-US'));

export function reportTitle(view: ReportView): string {
  const year = view.period.from.slice(0, 4);
  if (view.report === 'annual') return `MRM annual report ${year}`;
  return `Global Horizontal Note ${year}Q${Math.floor(Number(view.period.from.slice(5, 7)) / 3) + 1}`;
}

/**
 * The report as an A4 PDF: title, mission, period, marking, generation time, the headline figures,
 * the breakdown tables and two bar charts. Built from the view exactly as the other formats are, so a
 * `--public` PDF shows only disclosure-controlled figures, suppressed cells written "suppressed".
 */
export async function reportPdf(view: ReportView, ctx: PdfContext): Promise<Buffer> {
  if (ctx.font && !fs.existsSync(ctx.font)) throw new AppError('request.invalid', { field: 'font', rule: `no font file at ${ctx.font}: give a TrueType (.ttf) file` });
  const doc = new PDFDocument({ size: 'A4', margin: 50, bufferPages: true, compress: ctx.compress ?? true,
    info: { Title: `${reportTitle(view)} — ${ctx.mission.name}`, Author: 'Tutela', Subject: view.public ? 'Public (disclosure-controlled)' : 'Restricted' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const texts = [ctx.mission.name, ...Object.keys(view.by_party), ...Object.keys(view.by_admin1), ...Object.keys(view.by_country)];
  const needsUnicode = !texts.every(isStandardText);
  // A font the caller names is used throughout; otherwise one is looked for only when the text needs it.
  const fontFile = ctx.font ?? (needsUnicode && ctx.font === undefined ? unicodeFont() : null);
  const regular = fontFile ?? 'Helvetica';
  const bold = fontFile ?? 'Helvetica-Bold';
  // Without a font that has the glyphs, the standard font would print other letters in their place.
  const safe = (s: string) => (fontFile || isStandardText(s) ? s : [...s].map((c) => (isStandardText(c) ? c : '?')).join(''));

  const marking = view.public
    ? 'PUBLIC — disclosure-controlled figures'
    : 'RESTRICTED — unsuppressed figures: for the task force only, do not publish';
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const bottom = () => doc.page.height - doc.page.margins.bottom - 20;

  doc.font(bold).fontSize(18).text(safe(reportTitle(view)), left, 60);
  doc.font(regular).fontSize(10).moveDown(0.3);
  const meta: [string, string][] = [
    ['Mission', `${ctx.mission.name} (${ctx.mission.id})`],
    ['Period', `${view.period.from} to ${view.period.to} (verification date, bounds inclusive)`],
    ['Marking', marking],
    ['Generated', ctx.generatedAt.toISOString().replace('T', ' ').slice(0, 19) + ' UTC'],
  ];
  for (const [k, v] of meta) {
    const y = doc.y;
    doc.font(bold).text(k, left, y, { width: 80 });
    doc.font(regular).text(safe(v), left + 85, y, { width: width - 85 });
  }
  if (needsUnicode && !fontFile) {
    doc.moveDown(0.3).fontSize(8).fillColor('#8a1c1c')
      .text('Some names hold letters the standard PDF font cannot write and are shown with "?": set TUTELA_PDF_FONT to a TrueType font that covers them.', left, doc.y, { width })
      .fillColor('black');
  }

  const table = (title: string, header: string[], rows: string[][], widths: number[]) => {
    const rowH = 16;
    if (doc.y + 3 * rowH + 24 > bottom()) doc.addPage();
    doc.moveDown(0.8).font(bold).fontSize(12).text(title, left, doc.y, { width });
    doc.moveDown(0.2);
    const drawRow = (cells: string[], head: boolean, shade: boolean) => {
      if (doc.y + rowH > bottom()) {
        doc.addPage();
        if (!head) drawRow(header, true, false);
      }
      const y = doc.y;
      if (head) doc.rect(left, y, width, rowH).fill('#dde3ea');
      else if (shade) doc.rect(left, y, width, rowH).fill('#f4f6f8');
      doc.fillColor('black').font(head ? bold : regular).fontSize(9);
      let x = left;
      cells.forEach((c, i) => {
        const w = widths[i]! * width;
        const suppressed = c === SUPPRESSED;
        if (suppressed) doc.fillColor('#8a1c1c').font('Helvetica-Oblique');
        doc.text(safe(c), x + 4, y + 4, { width: w - 8, align: i === 0 ? 'left' : 'right', lineBreak: false, ellipsis: true });
        if (suppressed) doc.fillColor('black').font(head ? bold : regular);
        x += w;
      });
      doc.y = y + rowH;
    };
    drawRow(header, true, false);
    rows.forEach((r, i) => drawRow(r, false, i % 2 === 1));
    if (rows.length === 0) drawRow(['(none)', ''], false, false);
  };

  table('Headline figures', ['Figure', 'Value'], HEADLINES.map(([k, l]) => [l, cell(view[k])]), [0.75, 0.25]);
  table('By type (children for killing, maiming, recruitment and use, sexual violence, abduction, deprivation of liberty; violations otherwise)',
    ['Type', 'Count', 'Boys', 'Girls', 'Sex unknown'],
    Object.entries(view.by_type).map(([t, f]) => [label(t), cell(f.count), cell(f.boys), cell(f.girls), cell(f.sex_unknown)]),
    [0.4, 0.15, 0.15, 0.15, 0.15]);
  for (const [key, title] of Object.entries(TITLES) as [keyof typeof TITLES, string][]) {
    const entries = Object.entries(view[key]);
    table(title, [key === 'by_month' ? 'Month' : 'Category', 'Verified'], entries.map(([k, v]) => [key === 'by_perpetrator_category' ? label(k) : k, cell(v)]), [0.75, 0.25]);
  }
  barChart(doc, 'Chart: grave violations by type', Object.entries(view.by_type).map(([t, f]) => [label(t), f.count]), { left, width, bottom, regular, bold, safe });
  barChart(doc, 'Chart: verified grave violations by month', Object.entries(view.by_month), { left, width, bottom, regular, bold, safe });
  if (view.disclosure) {
    if (doc.y + 60 > bottom()) doc.addPage();
    doc.moveDown(1).font(bold).fontSize(10).text('Disclosure control', left, doc.y, { width });
    doc.font(regular).fontSize(9).text(`"${SUPPRESSED}" = ${view.disclosure.note.replace(/^null = suppressed: /, '')}. ` +
      `Threshold ${view.disclosure.threshold} (${view.disclosure.sexual_violence_below_admin1} for sexual violence below admin 1); ` +
      `${view.disclosure.suppressed_cells} cell(s) suppressed. No coordinates, no geography finer than admin 1.`, { width });
  }

  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Text below the bottom margin would make pdfkit start a new page: the footer lifts the margin.
    const margin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    const y = doc.page.height - margin + 10;
    doc.font(bold).fontSize(8).fillColor(view.public ? '#1d5e2b' : '#8a1c1c').text(marking, left, 25, { width, align: 'center', lineBreak: false });
    doc.font(regular).fillColor('#555555').text(`${safe(reportTitle(view))} · ${safe(ctx.mission.name)} · page ${i + 1} of ${range.count}`, left, y,
      { width, align: 'center', lineBreak: false });
    doc.fillColor('black');
    doc.page.margins.bottom = margin;
  }
  doc.end();
  return done;
}

interface ChartFrame { left: number; width: number; bottom: () => number; regular: string; bold: string; safe: (s: string) => string }

/** Horizontal bars of the published figures; a suppressed figure gets no bar, only its marker. */
function barChart(doc: PDFKit.PDFDocument, title: string, data: [string, number | null][], f: ChartFrame): void {
  const barH = 12;
  const height = data.length * (barH + 4) + 30;
  if (doc.y + height > f.bottom()) doc.addPage();
  doc.moveDown(1).font(f.bold).fontSize(12).text(title, f.left, doc.y, { width: f.width });
  const max = Math.max(1, ...data.map(([, v]) => v ?? 0));
  const labelW = 0.3 * f.width;
  const plotW = f.width - labelW - 60;
  let y = doc.y + 6;
  for (const [k, v] of data) {
    doc.font(f.regular).fontSize(8).fillColor('black').text(f.safe(k), f.left, y + 2, { width: labelW - 6, lineBreak: false, ellipsis: true });
    if (v !== null && v > 0) doc.rect(f.left + labelW, y, Math.max(1, (v / max) * plotW), barH).fill('#3b6ea5');
    const w = v !== null && v > 0 ? (v / max) * plotW : 0;
    if (v === null) doc.fillColor('#8a1c1c').font('Helvetica-Oblique');
    doc.fontSize(8).text(cell(v), f.left + labelW + w + 4, y + 2, { width: 56, lineBreak: false });
    doc.fillColor('black').font(f.regular);
    y += barH + 4;
  }
  doc.y = y;
}
