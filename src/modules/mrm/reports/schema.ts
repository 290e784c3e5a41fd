import { z } from 'zod';
import { VIOLATION_TYPES } from '../vocabulary.ts';

export const REPORT_FORMATS = ['json', 'csv', 'hxl', 'xlsx', 'geojson', 'pdf'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const common = {
  public: z.enum(['true', 'false']).default('false').transform((v) => v === 'true')
    .describe('Disclosure-controlled figures (always, for analysts): values from 1 to 4 and the cells that would reveal them are null.'),
  format: z.enum(REPORT_FORMATS).default('json').describe('geojson: admin-1 figures for public maps, always disclosure-controlled'),
};

export const annualQuery = z.strictObject({ year: z.coerce.number().int().min(1900).max(2100), ...common });
export const ghnQuery = z.strictObject({ quarter: z.string().regex(/^\d{4}-?Q[1-4]$/i, 'a quarter written YYYYQn, e.g. 2026Q1'), ...common });

const figure = z.number().int().nullable();
const byKey = z.record(z.string(), figure);

export const reportView = z.object({
  report: z.enum(['annual', 'ghn']),
  public: z.boolean(),
  period: z.object({ from: z.string(), to: z.string() }),
  total_verified: figure,
  committed_in_period: figure,
  late_verified: figure,
  children_verified: figure,
  by_type: z.object(Object.fromEntries(VIOLATION_TYPES.map((t) => [t, z.object({ count: figure, boys: figure, girls: figure, sex_unknown: figure })]))),
  by_perpetrator_category: byKey,
  by_country: byKey,
  by_party: byKey,
  by_admin1: byKey,
  by_age_band: byKey,
  by_month: byKey,
  disclosure: z.object({ threshold: z.number(), sexual_violence_below_admin1: z.number(), suppressed_cells: z.number(), note: z.string() }).optional(),
});
export type ReportView = z.infer<typeof reportView>;
