import type { Receipt } from './schema.ts';
import type { ReceiptRow } from './repository.ts';

/** What the device keeps as proof the server holds its report: nothing from the report itself. */
export function presentReceipt(row: ReceiptRow): Receipt {
  return { id: row.report_id, received_at: new Date(row.received_at).toISOString(), sha256: row.sha256 };
}
