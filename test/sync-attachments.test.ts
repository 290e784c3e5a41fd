import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { sweepAbandonedUploads } from '../src/modules/attachments/cleanup.ts';
import { auth, incidentBody, newMission } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const MARKER = 'CHILD-NAME-AMANI-BAHATI-';

/** A file whose clear bytes are easy to look for: the marker repeated, with random bytes between. */
function photo(bytes: number): Buffer {
  const parts: Buffer[] = [];
  let n = 0;
  while (n < bytes) {
    const p = Buffer.concat([Buffer.from(MARKER), randomBytes(40)]);
    parts.push(p);
    n += p.length;
  }
  return Buffer.concat(parts).subarray(0, bytes);
}

/** Issue 7: attachments over tus, resumable, sealed at rest, only for those who may see the incident. */
describeStores('incident attachments (tus)', ({ it, h }) => {
  it('resumes an upload cut off half-way, stores only ciphertext, and serves the file to those who may see the incident', async () => {
    const { app, store } = h();
    const m = await newMission(store, app);
    const created = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitor), payload: incidentBody(m) });
    assert.equal(created.statusCode, 201, created.body);
    const incidentId = created.json().id as string;
    if (!app.server.listening) await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const tusHeaders = (token: string) => ({ ...auth(token), 'tus-resumable': '1.0.0' });
    const file = photo(900 * 1024);

    // Refusals first: wrong type, too large, someone who may not edit the incident.
    const meta = (filetype: string) => `incident_id ${b64(incidentId)},filename ${b64('IMG_0042.jpg')},filetype ${b64(filetype)}`;
    const create = (token: string, filetype: string, length: number) => fetch(`${base}/api/v1/attachments/uploads`, {
      method: 'POST', headers: { ...tusHeaders(token), 'upload-length': String(length), 'upload-metadata': meta(filetype) },
    });
    const exe = await create(m.tokens.monitor, 'application/x-msdownload', 1000);
    assert.equal(exe.status, 415);
    assert.equal((await exe.json()).error.code, 'attachment.type_not_allowed');
    const huge = await create(m.tokens.monitor, 'image/jpeg', 21 * 1024 * 1024);
    assert.equal(huge.status, 413);
    assert.equal((await huge.json()).error.code, 'attachment.too_large');
    assert.equal((await create(m.tokens.monitorBeni, 'image/jpeg', 1000)).status, 404, 'another area: the incident does not exist for them');
    assert.equal((await create(m.tokens.analyst, 'image/jpeg', 1000)).status, 403);

    const started = await create(m.tokens.monitor, 'image/jpeg', file.length);
    assert.equal(started.status, 201, await started.text());
    const location = started.headers.get('location')!;
    const uploadUrl = new URL(location, `${base}/api/v1/attachments/uploads/`).href;
    const attachmentId = uploadUrl.split('/').at(-1)!;

    // The connection drops after 600 KiB of a PATCH that meant to send everything: cut once the server
    // has committed at least one sealed piece (on a loaded machine a fixed delay could cut before any).
    const cut = 600 * 1024;
    const abort = new AbortController();
    const head = async (token: string) => fetch(uploadUrl, { method: 'HEAD', headers: tusHeaders(token) });
    const body = new ReadableStream<Uint8Array>({
      start(c) { for (let i = 0; i < cut; i += 64 * 1024) c.enqueue(file.subarray(i, Math.min(i + 64 * 1024, cut))); },
    });
    const patching = fetch(uploadUrl, {
      method: 'PATCH', body, signal: abort.signal, duplex: 'half',
      headers: { ...tusHeaders(m.tokens.monitor), 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
    } as RequestInit).then((r) => r.text()).catch(() => undefined);
    for (let i = 0; i < 300 && Number((await head(m.tokens.monitor)).headers.get('upload-offset')) === 0; i++) await new Promise((r) => setTimeout(r, 50));
    abort.abort();
    await patching;
    // The server may still be committing what it received when the connection went.
    let offset = -1;
    for (let i = 0; i < 50; i++) {
      const res = await head(m.tokens.monitor);
      assert.equal(res.status, 200);
      const now = Number(res.headers.get('upload-offset'));
      if (now === offset) break;
      offset = now;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(offset > 0 && offset <= cut, `cut off half-way with ${offset} of ${file.length} bytes kept: the resume starts after them`);
    assert.equal((await fetch(uploadUrl, { method: 'HEAD', headers: tusHeaders(m.tokens.monitorBeni) })).status, 404);

    const rest = await fetch(uploadUrl, {
      method: 'PATCH', body: new Uint8Array(file.subarray(offset)),
      headers: { ...tusHeaders(m.tokens.monitor), 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' },
    });
    assert.equal(rest.status, 204, await rest.text());
    assert.equal(Number(rest.headers.get('upload-offset')), file.length);

    // At rest: only ciphertext, neither the bytes nor their base64 nor the file name.
    const stored = await sql<{ sealed: Buffer }>`select sealed from attachment_chunks where mission_id = ${m.id} and attachment_id = ${attachmentId} order by byte_offset`.execute(store.db);
    assert.ok(stored.rows.length >= 2, `${stored.rows.length} sealed pieces`);
    const atRest = Buffer.concat(stored.rows.map((r) => Buffer.from(r.sealed)));
    assert.equal(atRest.includes(MARKER), false, 'no clear bytes at rest');
    assert.equal(atRest.toString('latin1').includes(b64(MARKER).slice(0, 16)), false, 'no base64 of the clear bytes at rest');
    const nameRow = await sql<{ filename_sealed: Buffer }>`select filename_sealed from attachments where mission_id = ${m.id} and attachment_id = ${attachmentId}`.execute(store.db);
    assert.equal(Buffer.from(nameRow.rows[0]!.filename_sealed).includes('IMG_0042'), false, 'the file name is sealed too');

    // Download: whole and exact for the monitor; 404 for one out of scope; 403 for a role without records.
    const got = await app.inject({ method: 'GET', url: `/api/v1/attachments/${attachmentId}`, headers: auth(m.tokens.monitor) });
    assert.equal(got.statusCode, 200);
    assert.equal(got.headers['content-type'], 'image/jpeg');
    assert.match(String(got.headers['content-disposition']), /IMG_0042\.jpg/);
    assert.ok(got.rawPayload.equals(file), 'the downloaded file is the uploaded one');
    const verifier = await app.inject({ method: 'GET', url: `/api/v1/attachments/${attachmentId}`, headers: auth(m.tokens.verifier) });
    assert.equal(verifier.statusCode, 200, 'a verifier of the country sees it as they see the incident');
    assert.equal((await app.inject({ method: 'GET', url: `/api/v1/attachments/${attachmentId}`, headers: auth(m.tokens.monitorBeni) })).statusCode, 404);
    assert.equal((await app.inject({ method: 'GET', url: `/api/v1/attachments/${attachmentId}`, headers: auth(m.tokens.verifierBeni) })).statusCode, 404);
    assert.equal((await app.inject({ method: 'GET', url: `/api/v1/attachments/${attachmentId}`, headers: auth(m.tokens.analyst) })).statusCode, 403);

    const audit = await store.db.selectFrom('audit_events').select('action').where('mission_id', '=', m.id).where('target_id', '=', incidentId).execute();
    for (const a of ['attachment.upload_start', 'attachment.upload_complete', 'attachment.read']) assert.ok(audit.some((x) => x.action === a), a);

    // The incident's list names the stored file for whoever may see the incident, and no one else.
    const listed = await app.inject({ method: 'GET', url: `/api/v1/incidents/${incidentId}/attachments`, headers: auth(m.tokens.verifier) });
    assert.equal(listed.statusCode, 200, listed.body);
    assert.deepEqual(listed.json().items.map((i: { id: string; filename: string; media_type: string; size_bytes: number }) => [i.id, i.filename, i.media_type, i.size_bytes]),
      [[attachmentId, 'IMG_0042.jpg', 'image/jpeg', file.length]]);
    assert.equal((await app.inject({ method: 'GET', url: `/api/v1/incidents/${incidentId}/attachments`, headers: auth(m.tokens.monitorBeni) })).statusCode, 404);
    assert.equal((await app.inject({ method: 'GET', url: `/api/v1/incidents/${incidentId}/attachments`, headers: auth(m.tokens.analyst) })).statusCode, 403);

    // An upload begun and abandoned: the sweep deletes it (and its sealed pieces) once old enough, never a finished one.
    const abandoned = await create(m.tokens.monitor, 'image/jpeg', file.length);
    assert.equal(abandoned.status, 201);
    const abandonedId = abandoned.headers.get('location')!.split('/').at(-1)!;
    const part = await fetch(new URL(abandoned.headers.get('location')!, `${base}/api/v1/attachments/uploads/`).href, {
      method: 'PATCH', body: new Uint8Array(file.subarray(0, 300 * 1024)),
      headers: { ...tusHeaders(m.tokens.monitor), 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
    });
    assert.equal(part.status, 204, await part.text());
    assert.equal(await sweepAbandonedUploads(store.db, 7), 0, 'a fresh upload is left to resume');
    await sql`update attachments set created_at = now() - interval '8 days' where mission_id = ${m.id}`.execute(store.db);
    assert.equal(await sweepAbandonedUploads(store.db, 7), 1);
    const left = await sql<{ id: string; pieces: number }>`select a.attachment_id as id, (select count(*)::int from attachment_chunks c where c.mission_id = a.mission_id and c.attachment_id = a.attachment_id) as pieces
      from attachments a where a.mission_id = ${m.id}`.execute(store.db);
    assert.deepEqual(left.rows.map((r) => r.id), [attachmentId], 'the finished upload stays');
    const orphanPieces = await sql<{ n: number }>`select count(*)::int as n from attachment_chunks where mission_id = ${m.id} and attachment_id = ${abandonedId}`.execute(store.db);
    assert.equal(orphanPieces.rows[0]!.n, 0);
    const swept = await sql<{ details: { uploads: { attachment_id: string }[] } }>`select details from audit_events where mission_id = ${m.id} and action = 'attachment.sweep_abandoned'`.execute(store.db);
    assert.deepEqual(swept.rows.map((r) => r.details.uploads.map((u) => u.attachment_id)), [[abandonedId]]);
  });
});
