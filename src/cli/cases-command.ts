import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { CaseImportError, importCases, IMPORT_COLUMNS } from '../modules/cases/import.ts';
import { caseIndicators } from '../modules/cases/indicators-service.ts';
import { caseAlerts } from '../modules/cases/release.ts';
import { overdueCases } from '../modules/cases/service.ts';
import type { RequestContext, Role } from '../platform/context.ts';
import type { Store } from '../platform/db/store.ts';
import { AppError } from '../platform/errors.ts';
import { missionFor } from './import-command.ts';
import { withStore } from './users-command.ts';

/**
 * `tutela cases ...`: case management from the command line (cron for the overdue list and alerts, bulk
 * import, the indicators). Every command acts as a named account (`--as`), so it sees exactly what that
 * case worker or supervisor sees in the app, and its reads are audited under their name.
 */
async function contextAs(store: Store, missionId: string, username: string | undefined): Promise<RequestContext> {
  if (!username) throw new AppError('request.invalid', { field: 'as', rule: 'name the account to act as: --as <username> (a case worker or supervisor)' });
  const u = await store.db.selectFrom('users').select(['user_id', 'username', 'role', 'scope_country', 'scope_areas', 'scope_agency', 'disabled_at'])
    .where('mission_id', '=', missionId).where('username', '=', username).executeTakeFirst();
  if (!u || u.disabled_at !== null) throw new AppError('request.invalid', { field: 'as', rule: `no active account ${username} in mission ${missionId}` });
  return { actor: { userId: u.user_id, missionId, username: u.username, role: u.role as Role, scope: { country: u.scope_country, areas: u.scope_areas, agency: u.scope_agency } }, clientAddress: null, requestId: null };
}

function asOf(value: string | undefined): Date {
  if (!value) return new Date();
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T12:00:00Z` : value);
  if (Number.isNaN(t)) throw new AppError('request.invalid', { field: 'as-of', rule: 'YYYY-MM-DD or an ISO date-time' });
  return new Date(t);
}

interface Opts { as?: string; mission?: string; asOf?: string }
const common = (c: Command) => c.option('--as <username>', 'the case worker or supervisor to act as (required)').option('--mission <id>', 'the mission (default: the only one)');

export function registerCasesCommands(program: Command): void {
  const cases = program.command('cases').description('Case management: children\'s cases, release and reintegration, tracing');

  common(cases.command('overdue'))
    .description('Open cases whose first action is late, most overdue first (one line each: case, risk, due, hours late)')
    .option('--as-of <date>', 'as of this day or instant instead of now')
    .action(async (opts: Opts) => {
      await withStore(async (store) => {
        const ctx = await contextAs(store, await missionFor(store, opts.mission), opts.as);
        const now = asOf(opts.asOf);
        const { items } = await overdueCases(store.db, ctx, now);
        for (const c of items) console.log(`${c.id}\t${c.risk_level}${c.urgent ? ' urgent' : ''}\tdue ${c.response_due_at}\t${Math.floor((now.getTime() - Date.parse(c.response_due_at)) / 3_600_000)} h late\t${c.assigned_to}`);
        console.error(`${items.length} overdue case(s) for ${ctx.actor.username}`);
      });
    });

  common(cases.command('alerts'))
    .description('Every case alert: late responses, handovers due or lapsed, interim care stays, follow-up visits overdue, re-recruitment')
    .option('--as-of <date>', 'as of this day or instant instead of now')
    .action(async (opts: Opts) => {
      await withStore(async (store) => {
        const ctx = await contextAs(store, await missionFor(store, opts.mission), opts.as);
        const { items } = await caseAlerts(store.db, ctx, asOf(opts.asOf));
        for (const a of items) console.log(`${a.kind}\t${a.case_id}\t${a.due_at ?? '-'}\t${JSON.stringify(a.details)}`);
        console.error(`${items.length} alert(s)`);
      });
    });

  common(cases.command('import'))
    .description(`Import cases from a CSV file (UTF-8, header row), as a supervisor of the agency. Columns: ${IMPORT_COLUMNS.join(', ')}. ` +
      'Whole or nothing: any bad line and nothing is written; every bad line is listed.')
    .argument('<file>', 'a .csv file')
    .action(async (file: string, opts: Opts) => {
      let text: string;
      try {
        text = await readFile(path.resolve(file), 'utf8');
      } catch {
        throw new AppError('request.invalid', { field: 'file', rule: `cannot read ${file}` });
      }
      await withStore(async (store) => {
        const ctx = await contextAs(store, await missionFor(store, opts.mission), opts.as);
        try {
          const result = await importCases(store.db, ctx, text);
          console.log(`imported ${file}: ${result.imported} case(s) for ${ctx.actor.scope.agency}`);
        } catch (err) {
          if (!(err instanceof CaseImportError)) throw err;
          for (const e of err.errors) console.error(`line ${e.line}, column ${e.column}: ${e.rule}`);
          throw new AppError('request.invalid', { field: 'file', rule: err.message });
        }
      });
    });

  common(cases.command('indicators'))
    .description('Release and reintegration indicators as JSON, disclosure-controlled unless --whole (a supervisor\'s own agency)')
    .option('--from <date>', 'children released from this day')
    .option('--to <date>', 'children released up to this day')
    .option('--whole', 'unsuppressed figures of the supervisor\'s agency')
    .action(async (opts: Opts & { from?: string; to?: string; whole?: boolean }) => {
      for (const [k, v] of [['from', opts.from], ['to', opts.to]] as const) if (v && !/^\d{4}-\d{2}-\d{2}$/.test(v)) throw new AppError('request.invalid', { field: k, rule: 'YYYY-MM-DD' });
      await withStore(async (store) => {
        const ctx = await contextAs(store, await missionFor(store, opts.mission), opts.as);
        const view = await caseIndicators(store.db, ctx, { released_from: opts.from, released_to: opts.to, whole: opts.whole ? 'true' : 'false' });
        process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
      });
    });
}
