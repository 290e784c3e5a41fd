import { sql, type Kysely } from 'kysely';
import { systemContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork } from '../../platform/db/unit-of-work.ts';
import { withAttachments } from './sealed-store.ts';

/**
 * Uploads begun and never finished (a phone lost, a file given up on) hold sealed pieces that no one
 * can ever download. After `maxAgeDays` without completing they are deleted with their pieces, one
 * audit row per mission naming them. A monitor days without signal resumes within that time; the
 * default week is deliberately longer than the outbox's patience.
 */
export async function sweepAbandonedUploads(db: Kysely<DB>, maxAgeDays = 7): Promise<number> {
  const a = withAttachments(db);
  const stale = await a.selectFrom('attachments').select(['mission_id', 'attachment_id', 'incident_id', 'received_bytes', 'size_bytes'])
    .where('completed_at', 'is', null).where('created_at', '<', sql<Date>`now() - make_interval(days => ${maxAgeDays})`)
    .orderBy('mission_id').execute();
  const byMission = new Map<string, typeof stale>();
  for (const r of stale) byMission.set(r.mission_id, [...(byMission.get(r.mission_id) ?? []), r]);
  let deleted = 0;
  for (const [missionId, rows] of byMission) {
    deleted += await runUnitOfWork(db, systemContext(missionId), 'write', async (uow) => {
      // Still unfinished at delete time: an upload completed since the read above is kept.
      const gone = await withAttachments(uow.trx).deleteFrom('attachments').where('mission_id', '=', missionId)
        .where('attachment_id', 'in', rows.map((r) => r.attachment_id)).where('completed_at', 'is', null)
        .returning(['attachment_id', 'incident_id', 'received_bytes', 'size_bytes']).execute();
      uow.audit({ action: 'attachment.sweep_abandoned', details: { max_age_days: maxAgeDays,
        uploads: gone.map((g) => ({ attachment_id: g.attachment_id, incident_id: g.incident_id, received_bytes: Number(g.received_bytes), size_bytes: Number(g.size_bytes) })) } });
      return gone.length;
    });
  }
  return deleted;
}

/** Runs the sweep every `everyHours` (and once shortly after start); the timer never keeps the process alive. */
export function startUploadSweep(db: Kysely<DB>, onError: (message: string) => void, everyHours = 6, maxAgeDays = 7): { stop(): void } {
  const run = () => void sweepAbandonedUploads(db, maxAgeDays).catch((err: unknown) => onError(`sweeping abandoned uploads failed: ${err instanceof Error ? err.message : String(err)}`));
  const first = setTimeout(run, 60_000);
  const timer = setInterval(run, everyHours * 3_600_000);
  first.unref();
  timer.unref();
  return { stop() { clearTimeout(first); clearInterval(timer); } };
}
