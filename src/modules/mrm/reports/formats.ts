import ExcelJS from 'exceljs';
import { csvLine } from './csv.ts';
import type { ReportView } from './schema.ts';

export { csvField, csvLine } from './csv.ts';

/** One figure of a report as a flat row: the shape every tabular format shares. */
export interface FigureRow { table: string; category: string; measure: string; value: number | null }

export function figureRows(r: ReportView): FigureRow[] {
  const rows: FigureRow[] = [];
  for (const k of ['total_verified', 'committed_in_period', 'late_verified', 'children_verified'] as const) rows.push({ table: 'summary', category: k, measure: 'n', value: r[k] });
  for (const [type, f] of Object.entries(r.by_type)) {
    for (const [measure, value] of Object.entries(f)) rows.push({ table: 'by_type', category: type, measure, value });
  }
  for (const table of ['by_perpetrator_category', 'by_country', 'by_party', 'by_admin1', 'by_age_band', 'by_month'] as const) {
    for (const [category, value] of Object.entries(r[table])) rows.push({ table, category, measure: 'n', value });
  }
  return rows;
}

const HEADER = ['period_from', 'period_to', 'table', 'category', 'measure', 'value', 'status'];
/** HXL hashtags, so humanitarian data tools (HDX, the HXL proxy) read the shared aggregates as they are. */
const HXL = ['#date+start', '#date+end', '#meta+table', '#category', '#indicator+measure', '#indicator+num', '#status'];

export function reportCsv(r: ReportView, hxl = false): string {
  const lines = [csvLine(HEADER)];
  if (hxl) lines.push(csvLine(HXL));
  for (const row of figureRows(r)) {
    lines.push(csvLine([r.period.from, r.period.to, row.table, row.category, row.measure, row.value, row.value === null ? 'suppressed' : '']));
  }
  return lines.join('');
}

const TITLES: Record<string, string> = {
  summary: 'Summary', by_type: 'By type', by_perpetrator_category: 'By perpetrator category', by_country: 'By country',
  by_party: 'By party', by_admin1: 'By admin 1', by_age_band: 'By age band', by_month: 'By month',
};

/** One sheet per table; suppressed figures are blank cells marked "suppressed". */
export async function reportXlsx(r: ReportView): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Tutela';
  const about = wb.addWorksheet('About');
  about.addRows([['Report', r.report], ['Period', `${r.period.from} to ${r.period.to}`], ['Public (disclosure-controlled)', r.public ? 'yes' : 'no'],
    ...(r.disclosure ? [['Disclosure', r.disclosure.note]] : [])]);
  const rows = figureRows(r);
  for (const table of Object.keys(TITLES)) {
    const ws = wb.addWorksheet(TITLES[table]!);
    const mine = rows.filter((x) => x.table === table);
    if (table === 'by_type') {
      ws.addRow(['type', 'count', 'boys', 'girls', 'sex_unknown']);
      for (const [type, f] of Object.entries(r.by_type)) ws.addRow([type, f.count ?? 'suppressed', f.boys ?? 'suppressed', f.girls ?? 'suppressed', f.sex_unknown ?? 'suppressed']);
    } else {
      ws.addRow([table === 'summary' ? 'figure' : table.replace(/^by_/, ''), 'value']);
      for (const x of mine) ws.addRow([x.category, x.value ?? 'suppressed']);
    }
    ws.getRow(1).font = { bold: true };
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export interface AreaInfo { name: string; country: string; centroid?: { latitude: number; longitude: number } | null }

/**
 * The admin-1 figures as GeoJSON for public maps: one Feature per admin-1 area of the report, keyed by
 * P-code. Only ever built from the disclosure-controlled view (no value from 1 to 4, and suppressed
 * cells null) and never finer than admin 1. The store holds no boundaries yet, so `geometry` is null
 * and a map joins the features to its own admin-1 boundaries on `pcode` (the humanitarian COD-AB
 * P-codes); when an area has a centroid it is given as a Point.
 */
export function reportGeoJson(r: ReportView, areas: ReadonlyMap<string, AreaInfo>): string {
  const features = Object.entries(r.by_admin1).filter(([pcode]) => pcode !== 'unknown').map(([pcode, value]) => {
    const a = areas.get(pcode);
    return {
      type: 'Feature', id: pcode,
      geometry: a?.centroid ? { type: 'Point', coordinates: [a.centroid.longitude, a.centroid.latitude] } : null,
      properties: { pcode, name: a?.name ?? pcode, country_iso3: a?.country ?? null, period_from: r.period.from, period_to: r.period.to,
        total_verified: value, status: value === null ? 'suppressed' : '' },
    };
  });
  return `${JSON.stringify({
    type: 'FeatureCollection',
    metadata: { report: r.report, period: r.period, measure: 'verified grave violations (children for victim-counted types)', public: r.public,
      above_admin1: r.by_admin1.unknown ?? 0, disclosure: r.disclosure?.note ?? null },
    features,
  }, null, 2)}\n`;
}
