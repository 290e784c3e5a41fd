import type { Command } from 'commander';
import { Option } from 'commander';
import type { Store } from '../platform/db/store.ts';
import { AppError } from '../platform/errors.ts';
import { seedDemo } from './demo-data.ts';
import { withStore } from './users-command.ts';

function printCredentials(result: Awaited<ReturnType<typeof seedDemo>>): void {
  console.log(`Demo mission '${result.missionId}': ${result.incidents} incidents, ${result.violations} violations.`);
  console.log('One-time passwords (shown only now; each must be changed at first login):');
  for (const u of result.users) console.log(`  ${u.username.padEnd(16)} ${u.role.padEnd(10)} ${u.password}`);
  console.log('Lost one? `npx tutela users reset-password --username NAME` (with the server stopped).');
}

/** For `npm start`: seeds the demo only when the store holds no account at all. */
export async function ensureDemo(store: Store): Promise<void> {
  const anyUser = await store.db.selectFrom('users').select('user_id').limit(1).executeTakeFirst();
  if (anyUser) return;
  console.log('Empty store: creating the demo mission (takes a few seconds)...');
  printCredentials(await seedDemo(store));
}

export function registerDemoCommand(program: Command): void {
  program.command('demo')
    .description('Create a demo mission (MONUSCO, Ituri and North Kivu) with about 300 incidents and demo accounts')
    .addOption(new Option('--seed <n>', 'random seed, for reproducible data').argParser(Number).default(1612))
    .addOption(new Option('--incidents <n>', 'how many incidents').argParser(Number).default(300))
    .action(async (opts: { seed: number; incidents: number }) => {
      if (!Number.isInteger(opts.seed)) throw new AppError('request.invalid', { field: 'seed', rule: 'a whole number' });
      if (!Number.isInteger(opts.incidents) || opts.incidents < 0 || opts.incidents > 100000) {
        throw new AppError('request.invalid', { field: 'incidents', rule: 'a whole number from 0 to 100000' });
      }
      await withStore(async (store) => {
        const exists = await store.db.selectFrom('users').select('username').where('username', '=', 'admin').executeTakeFirst();
        if (exists) throw new AppError('record.conflict', { rule: 'the demo (or an account named admin) already exists in this store' });
        printCredentials(await seedDemo(store, { seed: opts.seed, incidents: opts.incidents }));
      });
    });
}
