import type { Command } from 'commander';
import { readAggregate } from '../modules/sea/aggregate.ts';
import { checkOverdue } from '../modules/sea/alerts.ts';
import { systemContext, type RequestContext } from '../platform/context.ts';
import { AppError } from '../platform/errors.ts';
import { missionFor } from './import-command.ts';
import { withStore } from './users-command.ts';

/**
 * `tutela conduct ...`: the installer acting for the conduct team (cron for overdue alerts, the yearly
 * figures). The system actor takes the conduct officer's role here, since no other role sees conduct
 * records; every run is an audit row like any other.
 */
const conductContext = (missionId: string): RequestContext => {
  const sys = systemContext(missionId);
  return { ...sys, actor: { ...sys.actor, role: 'conduct_officer' } };
};

export function registerSeaCommands(program: Command): void {
  const conduct = program.command('conduct').description('Conduct and discipline: allegations of sexual exploitation and abuse (SEA) by personnel');

  conduct.command('overdue')
    .description('Allegations past a deadline (Member State response, investigation); raises the conduct officers\' alerts')
    .option('--as-of <date>', 'check as of this day (YYYY-MM-DD) instead of today')
    .option('--mission <id>', 'the mission (default: the only one)')
    .action(async (opts: { asOf?: string; mission?: string }) => {
      if (opts.asOf && !/^\d{4}-\d{2}-\d{2}$/.test(opts.asOf)) throw new AppError('request.invalid', { field: 'as-of', rule: 'YYYY-MM-DD' });
      await withStore(async (store) => {
        const ctx = conductContext(await missionFor(store, opts.mission));
        const { overdue, raised } = await checkOverdue(store.db, ctx, opts.asOf ? new Date(`${opts.asOf}T12:00:00Z`) : new Date());
        for (const o of overdue) console.log(`${o.allegation_id}\t${o.kind}\tdue ${o.due_on}`);
        console.error(`${overdue.length} overdue, ${raised} new alert(s) raised`);
      });
    });

  conduct.command('aggregate')
    .description('The yearly figures in the published categories, disclosure-controlled unless --whole')
    .requiredOption('--year <yyyy>', 'year the allegations were received')
    .option('--whole', 'unsuppressed figures, for the conduct team only')
    .option('--mission <id>', 'the mission (default: the only one)')
    .action(async (opts: { year: string; whole?: boolean; mission?: string }) => {
      const year = Number(opts.year);
      if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new AppError('request.invalid', { field: 'year', rule: 'a year such as 2025' });
      await withStore(async (store) => {
        const view = await readAggregate(store.db, conductContext(await missionFor(store, opts.mission)), year, !opts.whole);
        process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
      });
    });
}
