import { z } from 'zod';
import { VIOLATION_TYPES } from '../mrm/vocabulary.ts';

export const alertView = z.object({
  id: z.string().uuid(),
  violation_type: z.enum(VIOLATION_TYPES),
  country_iso3: z.string(),
  /** The day the scan looked back from. */
  study_end: z.string(),
  cluster: z.object({
    start: z.string(), end: z.string(), observed: z.number().int(), expected: z.number(), llr: z.number(), p_value: z.number(),
    /** Days between clusters this strong by chance alone (prospective scan, one analysis a day). */
    recurrence_days: z.number(),
    radius_km: z.number(),
  }),
  /** Admin areas of the incidents in the cluster: no coordinates leave the server. */
  admin_pcodes: z.array(z.string()),
  /** Only for roles that work with incident records; opening each still follows its own policy. */
  incident_ids: z.array(z.string().uuid()).optional(),
  detected_at: z.string().datetime(),
  acknowledged_at: z.string().datetime().nullable(),
});

export const alertListQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) });
export const alertParams = z.object({ alert_id: z.string().uuid() });
export const scanBody = z.strictObject({
  /** The last day the scan covers (default: today, UTC). */
  as_of: z.iso.date().optional(),
});
export const scanResponse = z.object({
  as_of: z.string(),
  scans: z.array(z.object({ violation_type: z.string(), cases: z.number().int(), clusters: z.number().int(), alerts: z.number().int() })),
});
