import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Server } from '@tus/server';
import { z } from 'zod';
import type { RequestContext } from '../../platform/context.ts';
import { fieldCrypto } from '../../platform/crypto/field-crypto.ts';
import { runUnitOfWork } from '../../platform/db/unit-of-work.ts';
import { requestContext, typed, type Deps } from '../../platform/http/app.ts';
import { errors } from '../../platform/http/responses.ts';
import { AppError, ensure } from '../../platform/errors.ts';
import { canEdit, canSee, mayHandleRecords } from '../mrm/policy.ts';
import { incidentFacts } from '../mrm/presenter.ts';
import { prepareSealing } from '../mrm/sealed-fields.ts';
import { filenameContext, pieceContext, SealedDbStore, uploadOwner, withAttachments } from './sealed-store.ts';

/**
 * Attachments (issue 7): photos and documents of an incident, uploaded with the tus resumable protocol
 * so a connection that drops every few minutes still gets a large photo through. Who may upload is who
 * may edit the incident; who may download is who may see it (the MRM policy; otherwise 404, as for the
 * incident itself). Content is sealed piece by piece as it arrives (sealed-store.ts).
 */
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;
export const ATTACHMENT_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'application/pdf'] as const;
const UPLOADS = '/api/v1/attachments/uploads';

export const attachmentList = z.object({ items: z.array(z.object({
  id: z.uuid(), filename: z.string(), media_type: z.string(), size_bytes: z.number().int(), uploaded_by: z.string(), completed_at: z.string(),
})) });

function parseMetadata(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (header ?? '').split(',')) {
    const [key, value] = pair.trim().split(' ');
    if (key) out[key] = value ? Buffer.from(value, 'base64').toString('utf8') : '';
  }
  return out;
}

async function incidentFor(db: Deps['db'], ctx: RequestContext, incidentId: string) {
  const row = await db.selectFrom('incidents').select(['created_by', 'country_iso3', 'admin_pcode'])
    .where('mission_id', '=', ctx.actor.missionId).where('incident_id', '=', incidentId).executeTakeFirst();
  return row ? incidentFacts(row) : undefined;
}

export function registerAttachmentRoutes(app: FastifyInstance, { db }: Deps): void {
  const tus = new Server({ path: UPLOADS, datastore: new SealedDbStore(db), maxSize: MAX_ATTACHMENT_BYTES, relativeLocation: true, namingFunction: () => randomUUID() });
  const handOver = async (req: FastifyRequest, reply: FastifyReply) => {
    reply.hijack();
    await tus.handle(req.raw, reply.raw);
  };
  /** The upload named in the URL, if it belongs to an incident the caller may edit; otherwise 404. */
  const ownUpload = async (req: FastifyRequest<{ Params: { upload_id: string } }>) => {
    const ctx = requestContext(req);
    ensure(mayHandleRecords(ctx.actor), 'permission.denied', { rule: `your role (${ctx.actor.role}) does not hold incident records` });
    ensure(z.uuid().safeParse(req.params.upload_id).success, 'record.not_found', { field: 'upload_id' });
    const row = await withAttachments(db).selectFrom('attachments').select(['incident_id', 'uploaded_by'])
      .where('mission_id', '=', ctx.actor.missionId).where('attachment_id', '=', req.params.upload_id).executeTakeFirst();
    const facts = row && await incidentFor(db, ctx, row.incident_id);
    ensure(row && facts && row.uploaded_by === ctx.actor.userId && canEdit(ctx.actor, facts), 'record.not_found', { field: 'upload_id' });
    await prepareSealing(db, ctx.actor.missionId);
    return { ctx, incidentId: row.incident_id };
  };

  app.register(async (scope) => {
    // tus bodies are raw bytes for the data store to read from the request stream itself.
    scope.addContentTypeParser('application/offset+octet-stream', (_req, _payload, done) => done(null));

    scope.post(UPLOADS, { config: { access: { roles: ['monitor', 'verifier'] } } }, async (req, reply) => {
      const ctx = requestContext(req);
      ensure(mayHandleRecords(ctx.actor), 'permission.denied', { rule: `your role (${ctx.actor.role}) does not hold incident records` });
      const meta = parseMetadata(req.headers['upload-metadata'] as string | undefined);
      const incidentId = meta.incident_id ?? '';
      if (!z.uuid().safeParse(incidentId).success) throw new AppError('request.invalid', { field: 'Upload-Metadata.incident_id', rule: 'the id of the incident this file belongs to' });
      const facts = await incidentFor(db, ctx, incidentId);
      ensure(facts && canSee(ctx.actor, facts), 'record.not_found', { field: 'incident_id' });
      ensure(canEdit(ctx.actor, facts), 'permission.denied', { action: 'attach' });
      const filetype = meta.filetype ?? '';
      if (!(ATTACHMENT_TYPES as readonly string[]).includes(filetype)) {
        throw new AppError('attachment.type_not_allowed', { field: 'Upload-Metadata.filetype', rule: `one of ${ATTACHMENT_TYPES.join(', ')}`, given: filetype });
      }
      const length = Number(req.headers['upload-length']);
      if (!Number.isInteger(length) || length <= 0) throw new AppError('request.invalid', { field: 'Upload-Length', rule: 'the file size in bytes (more than 0)' });
      if (length > MAX_ATTACHMENT_BYTES) throw new AppError('attachment.too_large', { field: 'Upload-Length', rule: `at most ${MAX_ATTACHMENT_BYTES} bytes`, given: length });
      const filename = (meta.filename ?? meta.name ?? 'attachment').slice(0, 255);
      await prepareSealing(db, ctx.actor.missionId);
      await runUnitOfWork(db, ctx, 'write', async (uow) => {
        uow.audit({ action: 'attachment.upload_start', targetType: 'incident', targetId: incidentId, details: { media_type: filetype, size_bytes: length } });
      });
      // What the store records comes from the server, never from the client's own metadata keys.
      await uploadOwner.run({ mission_id: ctx.actor.missionId, incident_id: incidentId, uploaded_by: ctx.actor.userId, filename, filetype }, () => handOver(req, reply));
    });

    for (const method of ['HEAD', 'PATCH', 'DELETE'] as const) {
      scope.route<{ Params: { upload_id: string } }>({
        method, url: `${UPLOADS}/:upload_id`, config: { access: { roles: ['monitor', 'verifier'], record: 'incident' } },
        handler: async (req, reply) => {
          const { ctx, incidentId } = await ownUpload(req);
          await handOver(req, reply);
          if (method === 'HEAD') return;
          // The audit row follows what the store committed (tus has answered by now).
          const row = await withAttachments(db).selectFrom('attachments').select(['received_bytes', 'size_bytes', 'completed_at'])
            .where('mission_id', '=', ctx.actor.missionId).where('attachment_id', '=', req.params.upload_id).executeTakeFirst();
          await runUnitOfWork(db, ctx, 'write', async (uow) => {
            uow.audit({ action: method === 'DELETE' ? 'attachment.upload_cancel' : row?.completed_at ? 'attachment.upload_complete' : 'attachment.upload_part',
              targetType: 'incident', targetId: incidentId, details: { attachment_id: req.params.upload_id, received_bytes: Number(row?.received_bytes ?? 0) } });
          });
        },
      });
    }
  });

  /** The incident's stored files (completed uploads), for a caller who may see it; names are sealed, so reading them is on record. */
  typed(app).get('/api/v1/incidents/:incident_id/attachments', {
    config: { access: { roles: ['monitor', 'verifier'], record: 'incident' } },
    schema: { tags: ['sync'], summary: 'Photos and documents stored for an incident', params: z.object({ incident_id: z.uuid() }), response: { 200: attachmentList, ...errors(403, 404) } },
  }, async (req) => {
    const ctx = requestContext(req);
    ensure(mayHandleRecords(ctx.actor), 'permission.denied', { rule: `your role (${ctx.actor.role}) does not hold incident records` });
    const facts = await incidentFor(db, ctx, req.params.incident_id);
    ensure(facts && canSee(ctx.actor, facts), 'record.not_found', { field: 'incident_id' });
    await prepareSealing(db, ctx.actor.missionId);
    return runUnitOfWork(db, ctx, 'write', async (uow) => {
      const rows = await withAttachments(uow.trx).selectFrom('attachments').selectAll().where('mission_id', '=', ctx.actor.missionId)
        .where('incident_id', '=', req.params.incident_id).where('completed_at', 'is not', null).orderBy('completed_at').orderBy('attachment_id').execute();
      const fc = fieldCrypto(db);
      const items = [];
      for (const r of rows) {
        items.push({ id: r.attachment_id, filename: await fc.open(ctx.actor.missionId, r.filename_sealed, filenameContext(r.attachment_id), uow.trx),
          media_type: r.media_type, size_bytes: Number(r.size_bytes), uploaded_by: r.uploaded_by, completed_at: new Date(r.completed_at!).toISOString() });
      }
      uow.audit({ action: 'attachment.list', targetType: 'incident', targetId: req.params.incident_id, details: { attachments: items.length } });
      return { items };
    });
  });

  /** The file, opened for a caller who may see the incident; each download is on record. */
  app.get<{ Params: { attachment_id: string } }>('/api/v1/attachments/:attachment_id', { config: { access: { roles: ['monitor', 'verifier'], record: 'incident' } } }, async (req, reply) => {
    const ctx = requestContext(req);
    ensure(mayHandleRecords(ctx.actor), 'permission.denied', { rule: `your role (${ctx.actor.role}) does not hold incident records` });
    const id = req.params.attachment_id;
    ensure(z.uuid().safeParse(id).success, 'record.not_found', { field: 'attachment_id' });
    const a = withAttachments(db);
    const row = await a.selectFrom('attachments').selectAll().where('mission_id', '=', ctx.actor.missionId).where('attachment_id', '=', id).executeTakeFirst();
    const facts = row && await incidentFor(db, ctx, row.incident_id);
    ensure(row && row.completed_at && facts && canSee(ctx.actor, facts), 'record.not_found', { field: 'attachment_id' });
    const fc = fieldCrypto(db);
    const pieces = await a.selectFrom('attachment_chunks').select(['byte_offset', 'sealed'])
      .where('mission_id', '=', ctx.actor.missionId).where('attachment_id', '=', id).orderBy('byte_offset').execute();
    const parts: Buffer[] = [];
    for (const p of pieces) parts.push(Buffer.from(await fc.open(ctx.actor.missionId, p.sealed, pieceContext(id, Number(p.byte_offset))), 'base64'));
    const filename = await fc.open(ctx.actor.missionId, row.filename_sealed, filenameContext(id));
    await runUnitOfWork(db, ctx, 'write', async (uow) => {
      uow.audit({ action: 'attachment.read', targetType: 'incident', targetId: row.incident_id, details: { attachment_id: id } });
    });
    return reply.header('content-type', row.media_type)
      .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(filename)}`)
      .header('cache-control', 'no-store')
      .send(Buffer.concat(parts));
  });
}
