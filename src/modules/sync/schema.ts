import { z } from 'zod';
import { incidentView } from '../mrm/schema.ts';

/**
 * Offline intake and delta sync (issue 7). A device gives each report its id (UUID v7) when the monitor
 * taps save, so a retry can never create a second record. The payload is checked by the MRM schema in
 * the service (not here), so one bad report in a batch is answered on its own line, not as a 400 for all.
 */
export const REPORT_TYPES = ['incident'] as const;

export const reportItem = z.strictObject({
  id: z.uuid(),
  type: z.enum(REPORT_TYPES),
  payload: z.record(z.string(), z.unknown()),
  created_at: z.iso.datetime({ offset: true }),
});
export type ReportItem = z.infer<typeof reportItem>;

/** One report, or a batch of up to 100 (a day's work after a week without signal fits in a few). */
export const reportBody = z.union([reportItem, z.strictObject({ reports: z.array(reportItem).min(1).max(100) })]);
export type ReportBody = z.infer<typeof reportBody>;

export const receipt = z.object({
  id: z.uuid(),
  received_at: z.string().describe('When the server committed the record (ISO 8601)'),
  sha256: z.string().length(64).describe('SHA-256 of the canonical JSON of {type, payload}: the device can check it holds what was stored'),
});
export type Receipt = z.infer<typeof receipt>;

const itemError = z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()) });

/** A batch answers per item: 201 stored now, 200 stored before (same receipt), 409 conflict, 4xx refused. */
export const batchResult = z.object({
  results: z.array(z.object({ id: z.string(), status: z.number().int(), receipt: receipt.optional(), error: itemError.optional() })),
});
export type BatchResult = z.infer<typeof batchResult>;

export const changesQuery = z.object({
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
});
export type ChangesQuery = z.infer<typeof changesQuery>;

export const changesResponse = z.object({
  reset: z.boolean().describe('true: drop every pulled record not sent again in this sequence (first sync, changed scope, old cursor)'),
  changes: z.array(z.object({
    id: z.uuid(), version: z.number().int().describe('The version PATCH takes'), changed_at: z.string(), record: incidentView,
  })),
  has_more: z.boolean(),
  next_cursor: z.string(),
});
export type ChangesResponse = z.infer<typeof changesResponse>;
