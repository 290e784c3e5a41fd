import { z } from 'zod';

/** Dotted action names as the services write them (`incident.read_confidential`); `incident.*` asks for a family. */
const actionFilter = z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?$/, 'an action such as incident.create, or a family such as incident.*');

export const auditQuery = z.strictObject({
  action: actionFilter.max(64).optional().describe('Exact action, or a family ending in `.*`.'),
  actor_id: z.string().uuid().optional(),
  target_type: z.string().min(1).max(64).optional(),
  target_id: z.string().min(1).max(200).optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('Occurred at or after this instant.'),
  to: z.iso.datetime({ offset: true }).optional().describe('Occurred before this instant.'),
  cursor: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type AuditQuery = z.infer<typeof auditQuery>;

export const auditEventView = z.object({
  id: z.number().int(),
  occurred_at: z.string().datetime(),
  actor_id: z.string().uuid().nullable(),
  actor_role: z.string().nullable(),
  action: z.string(),
  target_type: z.string().nullable(),
  target_id: z.string().nullable(),
  client_address: z.string().nullable(),
  request_id: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  seal: z.object({ seq: z.number().int(), hash: z.string() }).nullable()
    .describe('Position and hash in the mission\'s tamper-evident chain; null until the sealer has linked the row (seconds).'),
});
export type AuditEventView = z.infer<typeof auditEventView>;

export const auditPage = z.object({ items: z.array(auditEventView), next_cursor: z.string().nullable() });
