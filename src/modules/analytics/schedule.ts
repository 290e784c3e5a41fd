import type { Kysely } from 'kysely';
import { systemContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { scanMission } from './service.ts';

const DAY_MS = 86_400_000;

/** Milliseconds from `now` to the next `hourUtc`:00 UTC. */
export function untilNextRun(now: Date, hourUtc: number): number {
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hourUtc));
  if (next.getTime() <= now.getTime()) next.setTime(next.getTime() + DAY_MS);
  return next.getTime() - now.getTime();
}

/**
 * Scans every mission once a day at `hourUtc`, over the days up to yesterday (a whole day of reports),
 * as the system. A failing mission is reported and the others still run; the timer never keeps the
 * process alive on its own.
 */
export function startHotspotSchedule(db: Kysely<DB>, hourUtc: number, onError: (message: string) => void): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const run = async () => {
    const asOf = new Date(Date.now() - DAY_MS).toISOString().slice(0, 10);
    const missions = await db.selectFrom('missions').select('mission_id').execute();
    for (const { mission_id } of missions) {
      try {
        await scanMission(db, systemContext(mission_id), asOf);
      } catch (err) {
        onError(`hotspot scan of mission ${mission_id} as of ${asOf} failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => void run().catch((err: unknown) => onError(String(err))).finally(schedule), untilNextRun(new Date(), hourUtc));
    timer.unref();
  };
  schedule();
  return { stop() { stopped = true; if (timer) clearTimeout(timer); } };
}
