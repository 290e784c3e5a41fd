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
};

let current: CaseSettings | null = null;

/** The settings in force: defaults, overridden field by field by TUTELA_CASE_SETTINGS. */
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
