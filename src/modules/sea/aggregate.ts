import type { Kysely } from 'kysely';
import type { RequestContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork } from '../../platform/db/unit-of-work.ts';
import { ensure } from '../../platform/errors.ts';
import { cellThreshold, DEFAULT_DISCLOSURE, suppressCells, type Cell, type DisclosureConfig, type Relation } from '../mrm/reports/disclosure.ts';
import { AGGREGATE_ROLES, aggregateForm } from './policy.ts';
import * as repo from './repository.ts';
import type { AggregateView } from './schema.ts';
import { AGE_CLASSES, ALLEGATION_TYPES, OUTCOMES, PERSONNEL_CATEGORIES, REFERRAL_ENTITIES, UNIFORMED } from './vocabulary.ts';

/**
 * The yearly figures in the categories the UN publishes (domain.md §5.3), by year received. Published
 * through the same disclosure control as the MRM reports (mrm/reports/disclosure.ts): every cell from
 * 1 to threshold-1 is suppressed, then the cells that would give it away through the totals. SEA is a
 * sensitive category, but figures are mission-wide, so the mission-level threshold applies.
 * Nationality is published only for uniformed personnel, as the UN does; no date finer than quarter.
 */
type Tally = Record<string, number>;
export interface Counts {
  allegations: number; victims: number; paternity_claims: number; victims_by_age_class: Tally;
  by_type: Tally; by_personnel_category: Tally; by_nationality: Tally; by_investigation_status: Tally; by_investigating_entity: Tally; by_quarter: Tally;
}

export function countAllegations(rows: repo.AllegationRow[], victims: repo.VictimRow[]): Counts {
  const zero = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  const c: Counts = {
    allegations: rows.length,
    by_type: zero(ALLEGATION_TYPES), by_personnel_category: zero(PERSONNEL_CATEGORIES), by_nationality: {} as Record<string, number>,
    by_investigation_status: zero(OUTCOMES), by_investigating_entity: { ...zero(REFERRAL_ENTITIES), not_referred: 0 },
    by_quarter: zero(['Q1', 'Q2', 'Q3', 'Q4']), victims: victims.length, victims_by_age_class: zero(AGE_CLASSES), paternity_claims: 0,
  };
  for (const r of rows) {
    const received = typeof r.received_on === 'string' ? r.received_on : (r.received_on as Date).toISOString().slice(0, 10);
    inc(c.by_type, r.allegation_type);
    inc(c.by_personnel_category, r.personnel_category);
    if (UNIFORMED.includes(r.personnel_category as never)) {
      inc(c.by_nationality, r.contingent_nationality ?? 'unknown');
    }
    inc(c.by_investigation_status, r.outcome);
    inc(c.by_investigating_entity, r.referral_entity ?? 'not_referred');
    inc(c.by_quarter, `Q${Math.floor((Number(received.slice(5, 7)) - 1) / 3) + 1}`);
    c.paternity_claims += (r.paternity_claims as unknown[]).length;
  }
  for (const v of victims) inc(c.victims_by_age_class, v.age_class);
  return c;
}

const inc = (t: Tally, k: string) => void (t[k] = (t[k] ?? 0) + 1);

const BREAKDOWNS = ['by_type', 'by_personnel_category', 'by_nationality', 'by_investigation_status', 'by_investigating_entity', 'by_quarter'] as const;

/** The counts as they may be published: null where suppressed. */
export function publishAggregate(year: number, c: Counts, config: DisclosureConfig = DEFAULT_DISCLOSURE): AggregateView {
  const threshold = cellThreshold(config, { sexualViolence: true, geography: 'mission' });
  const cells: Cell[] = [];
  const relations: Relation[] = [];
  const cell = (id: string, value: number) => cells.push({ id, value, threshold });
  cell('allegations', c.allegations);
  cell('victims', c.victims);
  cell('paternity_claims', c.paternity_claims);
  for (const b of BREAKDOWNS) {
    for (const [k, v] of Object.entries(c[b])) cell(`${b}.${k}`, v as number);
    // Nationalities add up to the uniformed categories, every other breakdown to the total.
    const total = b === 'by_nationality'
      ? UNIFORMED.map((u) => ({ id: `by_personnel_category.${u}`, coef: -1 }))
      : [{ id: 'allegations', coef: -1 }];
    relations.push({ terms: [...Object.keys(c[b]).map((k) => ({ id: `${b}.${k}`, coef: 1 })), ...total] });
  }
  for (const [k, v] of Object.entries(c.victims_by_age_class)) cell(`victims_by_age_class.${k}`, v);
  relations.push({ terms: [...AGE_CLASSES.map((k) => ({ id: `victims_by_age_class.${k}`, coef: 1 })), { id: 'victims', coef: -1 }] });
  const { suppressed, unprotected } = suppressCells(cells, relations);
  // As for MRM: if any cell could not be protected, nothing is published.
  const hidden = unprotected.size > 0 ? new Set(cells.map((x) => x.id)) : suppressed;
  const show = (id: string, v: number) => (hidden.has(id) ? null : v);
  const pick = (prefix: string, rec: Record<string, number>) => Object.fromEntries(Object.entries(rec).map(([k, v]) => [k, show(`${prefix}.${k}`, v)]));
  return {
    year, public: true,
    allegations: show('allegations', c.allegations),
    by_type: pick('by_type', c.by_type), by_personnel_category: pick('by_personnel_category', c.by_personnel_category),
    by_nationality: pick('by_nationality', c.by_nationality), by_investigation_status: pick('by_investigation_status', c.by_investigation_status),
    by_investigating_entity: pick('by_investigating_entity', c.by_investigating_entity), by_quarter: pick('by_quarter', c.by_quarter),
    victims: show('victims', c.victims), victims_by_age_class: pick('victims_by_age_class', c.victims_by_age_class),
    paternity_claims: show('paternity_claims', c.paternity_claims),
    disclosure: { threshold, suppressed_cells: hidden.size, note: `null = suppressed: values from 1 to ${threshold - 1}, and the further cells that would let them be worked out from totals` },
  };
}

export function readAggregate(db: Kysely<DB>, ctx: RequestContext, year: number, askedPublic: boolean, config: DisclosureConfig = DEFAULT_DISCLOSURE) {
  ensure(AGGREGATE_ROLES.includes(ctx.actor.role), 'permission.denied', { rule: `your role (${ctx.actor.role}) does not read conduct figures` });
  const form = aggregateForm(ctx.actor, askedPublic);
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const rows = await repo.allegationsReceived(uow.trx, ctx.actor.missionId, `${year}-01-01`, `${year + 1}-01-01`);
    const victims = await repo.victimsOf(uow.trx, ctx.actor.missionId, rows.map((r) => r.allegation_id));
    const counts = countAllegations(rows, victims);
    uow.audit({ action: 'sea.aggregate.read', targetType: 'sea_aggregate', targetId: String(year), details: { public: form.public } });
    return form.public ? publishAggregate(year, counts, config) : { year, public: false, ...counts, disclosure: null };
  });
}
