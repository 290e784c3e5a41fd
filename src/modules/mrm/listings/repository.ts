import { sql, type Generated, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../../platform/db/schema.ts';

/** Row type of action_plans (migration 20261125051000), declared here, where it is used. */
export interface ActionPlansTable {
  mission_id: string;
  plan_id: string;
  party_id: string;
  title: string;
  signed_on: string | null;
  status: string;
  triggers: string[];
  commitments: unknown;
  activities: unknown;
  created_by: string;
  created_at: Generated<Date>;
  updated_by: string;
  updated_at: Generated<Date>;
  version: Generated<number>;
}
type PlanDB = DB & { action_plans: ActionPlansTable };
type Q = Kysely<DB> | Transaction<DB>;
const plans = (db: Q) => db.$extendTables<{ action_plans: ActionPlansTable }>() as Kysely<PlanDB>;

export type PlanRow = Omit<ActionPlansTable, 'created_at' | 'updated_at' | 'version'> & { updated_at: Date; version: number; party_name: string };

const columns = ['p.mission_id', 'p.plan_id', 'p.party_id', 'p.title', sql<string | null>`to_char(p.signed_on, 'YYYY-MM-DD')`.as('signed_on'), 'p.status', 'p.triggers',
  'p.commitments', 'p.activities', 'p.created_by', 'p.updated_by', 'p.updated_at', 'p.version', 'pa.name as party_name'] as const;

export function listPlans(db: Q, missionId: string, partyId?: string): Promise<PlanRow[]> {
  return plans(db).selectFrom('action_plans as p').innerJoin('parties as pa', (j) => j.onRef('pa.mission_id', '=', 'p.mission_id').onRef('pa.party_id', '=', 'p.party_id'))
    .select(columns as never).where('p.mission_id', '=', missionId).$if(partyId !== undefined, (q) => q.where('p.party_id', '=', partyId!))
    .orderBy('pa.name').orderBy('p.signed_on').execute() as unknown as Promise<PlanRow[]>;
}

export async function findPlan(db: Q, missionId: string, planId: string, lock = false): Promise<PlanRow | undefined> {
  return plans(db).selectFrom('action_plans as p').innerJoin('parties as pa', (j) => j.onRef('pa.mission_id', '=', 'p.mission_id').onRef('pa.party_id', '=', 'p.party_id'))
    .select(columns as never).where('p.mission_id', '=', missionId).where('p.plan_id', '=', planId)
    .$if(lock, (q) => q.forUpdate('p' as never)).executeTakeFirst() as unknown as Promise<PlanRow | undefined>;
}

const json = (v: unknown) => sql`cast(${JSON.stringify(v)} as jsonb)`;

export async function insertPlan(db: Q, row: Omit<ActionPlansTable, 'created_at' | 'updated_at' | 'version'>): Promise<void> {
  await plans(db).insertInto('action_plans').values({ ...row, commitments: json(row.commitments), activities: json(row.activities) } as never).execute();
}

/** Optimistic update: returns false when the version moved on. */
export async function updatePlan(db: Q, missionId: string, planId: string, version: number, set: Partial<Omit<ActionPlansTable, 'mission_id' | 'plan_id' | 'party_id'>>): Promise<boolean> {
  const values: Record<string, unknown> = { ...set, updated_at: sql`now()`, version: sql`version + 1` };
  if (set.commitments !== undefined) values.commitments = json(set.commitments);
  if (set.activities !== undefined) values.activities = json(set.activities);
  const r = await plans(db).updateTable('action_plans').set(values as never).where('mission_id', '=', missionId).where('plan_id', '=', planId)
    .where('version', '=', version).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
