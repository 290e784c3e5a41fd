import { z } from 'zod';

/**
 * Every time limit and list of case management in one place (domain.md §2.3, §3, §4: configuration, not
 * code). Defaults are the [K] figures of the domain notes; a deployment overrides them through
 * TUTELA_CASE_SETTINGS (JSON, validated once: a wrong value stops the process with the field named).
 */
const hours = z.number().positive().max(24 * 365);
export const caseSettingsSchema = z.strictObject({
  /** Time to the first action or home visit, by risk level (§4.3). */
  responseHours: z.strictObject({ high: hours, medium: hours, low: hours }),
  /** An urgent protection concern is answered as fast as a high risk, whatever the level. */
  urgentResponseHours: hours,
  /** Handover to civilian actors, by country protocol (§2.3); `default` when none is named. */
  handoverProtocols: z.record(z.string().regex(/^[a-z0-9_]{2,40}$/), hours).refine((p) => 'default' in p, 'needs a default protocol'),
  /** How long before a handover lapses its alert is raised. */
  handoverWarningHours: hours,
  /** Active cases per case worker before the caseload shows a warning (not a block, §4.3). */
  caseloadGuidance: z.number().int().positive(),
  /** Age from which a child may consent alone (§4.5: 15–17, if sufficiently mature). */
  childConsentAge: z.number().int().min(12).max(18),
  /** Ages from which assent is sought, then written where possible (§4.5). */
  verbalAssentAge: z.number().int().min(0).max(18),
  writtenAssentAge: z.number().int().min(0).max(18),
  /** Length of stay in interim care that raises an alert, in weeks, ascending (§3.3: "weeks, not months"). */
  interimCareAlertWeeks: z.array(z.number().int().positive().max(104)).min(1).refine((w) => w.every((x, i) => i === 0 || x > w[i - 1]!), 'ascending'),
  /** Follow-up visits after reunification, from its date (§3.5). */
  /** Members (roles) a best-interests determination panel needs at least (§4.4: commonly 3). */
  bidPanelMinimum: z.number().int().min(1).max(12),
  /** Cells of published indicators from 1 to this − 1 are suppressed (domain.md §6.4). */
  disclosureThreshold: z.number().int().min(1).max(100),
  followUpSchedule: z.array(z.union([z.strictObject({ weeks: z.number().int().positive().max(520) }), z.strictObject({ months: z.number().int().positive().max(120) })])).min(1),
});
export type CaseSettings = z.infer<typeof caseSettingsSchema>;

export const DEFAULT_CASE_SETTINGS: CaseSettings = {
  responseHours: { high: 24, medium: 72, low: 168 },
  urgentResponseHours: 24,
  handoverProtocols: { default: 48, iddrs_5_20: 48, nigeria_2022: 168 },
  handoverWarningHours: 12,
  caseloadGuidance: 25,
  childConsentAge: 15,
  verbalAssentAge: 6,
  writtenAssentAge: 12,
  interimCareAlertWeeks: [4, 8],
  bidPanelMinimum: 3,
  disclosureThreshold: 5,
  followUpSchedule: [{ weeks: 2 }, { months: 1 }, { months: 3 }, { months: 6 }, { months: 12 }, { months: 24 }],
};

let current: CaseSettings | null = null;

/** The settings in force: defaults, overridden field by field by TUTELA_CASE_SETTINGS. */
/** For tests and the CLI: forget the settings read, so the next call reads TUTELA_CASE_SETTINGS again. */
export function resetCaseSettings(): void {
  current = null;
}

export function caseSettings(env: NodeJS.ProcessEnv = process.env): CaseSettings {
  if (current) return current;
  const raw = env.TUTELA_CASE_SETTINGS;
  if (!raw) return (current = DEFAULT_CASE_SETTINGS);
  const parsed = caseSettingsSchema.safeParse({ ...DEFAULT_CASE_SETTINGS, ...(JSON.parse(raw) as object) });
  if (!parsed.success) throw new Error(`TUTELA_CASE_SETTINGS: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return (current = parsed.data);
}

const HOUR = 3_600_000;
export const addHours = (t: Date, h: number) => new Date(t.getTime() + h * HOUR);

/** When the first action is due for a case identified at `identifiedAt`. */
export function responseDueAt(settings: CaseSettings, identifiedAt: Date, risk: 'high' | 'medium' | 'low', urgent: boolean): Date {
  const h = urgent ? Math.min(settings.urgentResponseHours, settings.responseHours[risk]) : settings.responseHours[risk];
  return addHours(identifiedAt, h);
}

const DAY = 86_400_000;
/** `YYYY-MM-DD` plus whole days / calendar months (a month end clamps: 31 Jan + 1 month = 28/29 Feb). */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
}
export function addMonths(date: string, months: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), last));
  return target.toISOString().slice(0, 10);
}
/** The due dates of the follow-up visits after `from` (a reunification date). */
export function followUpDueDates(settings: CaseSettings, from: string): string[] {
  return settings.followUpSchedule.map((o) => ('weeks' in o ? addDays(from, o.weeks * 7) : addMonths(from, o.months)));
}
export const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);
export const today = (now: Date) => now.toISOString().slice(0, 10);
