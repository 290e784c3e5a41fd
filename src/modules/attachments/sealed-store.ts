import { AsyncLocalStorage } from 'node:async_hooks';
import type { Readable } from 'node:stream';
import { DataStore, Upload } from '@tus/utils';
import { sql, type Generated, type Kysely } from 'kysely';
import { fieldCrypto } from '../../platform/crypto/field-crypto.ts';
import type { DB } from '../../platform/db/schema.ts';

/**
 * A tus DataStore that never writes a byte of the file in clear (issue 7: attachments are identifying
 * data). Why not @tus/file-store plus encryption on completion: the partial upload would sit in clear
 * on disk for as long as a monitor's connection takes to come back, which can be days. Here each piece
 * is sealed as it arrives (AES-256-GCM under the mission's `mrm` data key, the additional data naming the
 * attachment and the byte offset, so pieces cannot be swapped or moved) and committed to the store
 * with the new offset in one transaction: an upload cut off half-way resumes from exactly what was
 * committed, on either driver, and survives a restart. The data key is loaded by the route before the
 * request reaches tus (`prepareSealing`).
 *
 * The crypto module seals text, so a piece is sealed as base64 (4/3 the size at rest); the limit on
 * attachment size keeps that bounded.
 */
export const PIECE_BYTES = 256 * 1024;

export interface AttachmentsTable {
  mission_id: string; attachment_id: string; incident_id: string; uploaded_by: string; media_type: string;
  filename_sealed: Buffer; size_bytes: number | string; received_bytes: Generated<number | string>;
  created_at: Generated<Date | string>; completed_at: Date | string | null;
}
export interface AttachmentChunksTable { mission_id: string; attachment_id: string; byte_offset: number | string; sealed: Buffer }
export type AttachmentDB = DB & { attachments: AttachmentsTable; attachment_chunks: AttachmentChunksTable };
export const withAttachments = (db: Kysely<DB>) => db.$extendTables<{ attachments: AttachmentsTable; attachment_chunks: AttachmentChunksTable }>();

export const pieceContext = (attachmentId: string, offset: number) => `attachments/${attachmentId}/${offset}`;
export const filenameContext = (attachmentId: string) => `attachments/${attachmentId}/filename`;

/** Who creates the upload and for what: checked by the route, handed to `create` beside tus (never from the client's metadata). */
export interface UploadOwner { mission_id: string; incident_id: string; uploaded_by: string; filename: string; filetype: string }
export const uploadOwner = new AsyncLocalStorage<UploadOwner>();

export class SealedDbStore extends DataStore {
  constructor(private readonly db: Kysely<DB>) {
    super();
    this.extensions = ['creation', 'termination'];
  }

  override async create(upload: Upload): Promise<Upload> {
    const m = uploadOwner.getStore();
    if (!m) throw new Error('an upload was created without the route checking who creates it');
    if (upload.size === undefined) throw { status_code: 400, body: 'Upload-Length is required\n' };
    const sealedName = fieldCrypto(this.db).seal(m.mission_id, 'mrm', m.filename, filenameContext(upload.id));
    await withAttachments(this.db).insertInto('attachments').values({
      mission_id: m.mission_id, attachment_id: upload.id, incident_id: m.incident_id, uploaded_by: m.uploaded_by,
      media_type: m.filetype, filename_sealed: sealedName, size_bytes: upload.size, completed_at: null,
    }).execute();
    // Nothing identifying goes back into tus's own idea of the upload.
    upload.metadata = { incident_id: m.incident_id, filetype: m.filetype };
    return upload;
  }

  override async write(stream: Readable, id: string, offset: number): Promise<number> {
    const row = await this.#row(id);
    if (Number(row.received_bytes) !== offset) throw { status_code: 409, body: 'Upload-Offset does not match the stored offset\n' };
    const size = Number(row.size_bytes);
    let at = offset;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const commit = async () => {
      if (pendingBytes === 0) return;
      const piece = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      const sealed = fieldCrypto(this.db).seal(row.mission_id, 'mrm', piece.toString('base64'), pieceContext(id, at));
      const next = at + piece.length;
      await this.db.transaction().execute(async (trx) => {
        const t = withAttachments(trx);
        await t.insertInto('attachment_chunks').values({ mission_id: row.mission_id, attachment_id: id, byte_offset: at, sealed }).execute();
        await t.updateTable('attachments').set({ received_bytes: next, ...(next === size && { completed_at: sql`now()` }) })
          .where('mission_id', '=', row.mission_id).where('attachment_id', '=', id).where('received_bytes', '=', at).execute();
      });
      at = next;
    };
    try {
      for await (const chunk of stream) {
        const buf = chunk as Buffer;
        if (at + pendingBytes + buf.length > size) throw { status_code: 413, body: 'More bytes than the declared Upload-Length\n' };
        pending.push(buf);
        pendingBytes += buf.length;
        if (pendingBytes >= PIECE_BYTES) await commit();
      }
    } finally {
      // A connection cut mid-request: keep what arrived, so the resume starts after it.
      await commit();
    }
    return at;
  }

  override async getUpload(id: string): Promise<Upload> {
    const row = await this.#row(id);
    return new Upload({
      id, size: Number(row.size_bytes), offset: Number(row.received_bytes),
      metadata: { incident_id: row.incident_id, filetype: row.media_type }, creation_date: new Date(row.created_at).toISOString(),
    });
  }

  override async remove(id: string): Promise<void> {
    await withAttachments(this.db).deleteFrom('attachments').where('attachment_id', '=', id).where('completed_at', 'is', null).execute();
  }

  async #row(id: string) {
    const row = await withAttachments(this.db).selectFrom('attachments').selectAll().where('attachment_id', '=', id).executeTakeFirst();
    if (!row) throw { status_code: 404, body: 'The file for this URL was not found\n' };
    return row;
  }
}
