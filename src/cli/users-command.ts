import fs from 'node:fs';
import type { Command } from 'commander';
import { scopeSchema, createUserBody } from '../modules/accounts/schema.ts';
import { createUser, resetPassword, resetSecondFactor } from '../modules/accounts/service.ts';
import { findUserByUsername, listUsers } from '../modules/accounts/repository.ts';
import { requireMission } from '../modules/reference/service.ts';
import { loadConfig } from '../platform/config.ts';
import { systemContext, ROLES } from '../platform/context.ts';
import { openStore, type Store } from '../platform/db/store.ts';
import { loadMasterKey } from '../platform/crypto/key-provider.ts';
import { AppError } from '../platform/errors.ts';

/** Opens the store for one CLI command and always closes it (releasing the PGlite folder lock). */
export async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const store = await openStore(config.store, { keyProvider: loadMasterKey(config.masterKey, (m) => console.warn(`tutela: ${m}`)) });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** `--scope "country=COD,area=CD5402,area=CD5403,agency=UNICEF"` → a scope. */
export function parseScope(spec: string | undefined) {
  const raw: { country: string | null; areas: string[]; agency: string | null } = { country: null, areas: [], agency: null };
  for (const part of (spec ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const [key, value] = part.split('=', 2).map((s) => s?.trim());
    if (!value) throw new AppError('request.invalid', { field: 'scope', rule: `"${part}" is not key=value` });
    if (key === 'country') raw.country = value.toUpperCase();
    else if (key === 'area') raw.areas.push(value);
    else if (key === 'agency') raw.agency = value;
    else throw new AppError('request.invalid', { field: 'scope', rule: `unknown key "${key}"; use country, area or agency` });
  }
  const parsed = scopeSchema.safeParse(raw);
  if (!parsed.success) throw new AppError('request.invalid', { field: `scope.${parsed.error.issues[0]!.path.join('.')}`, rule: parsed.error.issues[0]!.message });
  return parsed.data;
}

/** The mission a command works on: the one named, or the store's only one. */
export async function resolveMission(store: Store, mission: string | undefined): Promise<string> {
  if (mission) {
    await requireMission(store.db, mission);
    return mission;
  }
  const missions = await store.db.selectFrom('missions').select('mission_id').execute();
  if (missions.length === 1) return missions[0]!.mission_id;
  throw new AppError('reference.unknown_mission', { field: 'mission', rule: missions.length === 0
    ? 'the store has no mission yet: run `tutela demo` or set one up first'
    : `several missions exist (${missions.map((m) => m.mission_id).join(', ')}): name one with --mission` });
}

function readPasswordFromStdin(): string {
  const text = fs.readFileSync(0, 'utf8');
  const password = text.replace(/\r?\n$/, '');
  if (!password) throw new AppError('auth.password_rejected', { field: 'password', rule: 'standard input was empty' });
  return password;
}

export function registerUserCommands(program: Command): void {
  const users = program.command('users').description('Manage accounts');

  users.command('create')
    .description('Create an account. Without --password-stdin a one-time password is generated and printed once.')
    .requiredOption('--username <name>', 'login name: lowercase letters, digits, . _ -')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--scope <spec>', 'comma-separated: country=ISO3, area=P-code (repeatable), agency=NAME', '')
    .option('--mission <id>', 'mission code (needed only when the store holds several missions)')
    .option('--display-name <text>', 'name shown in the app', '')
    .option('--password-stdin', 'read the password from standard input instead of generating one')
    .action(async (opts: { username: string; role: string; scope: string; mission?: string; displayName: string; passwordStdin?: boolean }) => {
      const password = opts.passwordStdin ? readPasswordFromStdin() : undefined;
      const body = createUserBody.safeParse({ username: opts.username, role: opts.role, display_name: opts.displayName, scope: parseScope(opts.scope), ...(password !== undefined && { password }) });
      if (!body.success) {
        const issue = body.error.issues[0]!;
        throw new AppError('request.invalid', { field: issue.path.join('.'), rule: issue.message });
      }
      await withStore(async (store) => {
        const missionId = await resolveMission(store, opts.mission);
        const result = await createUser(store.db, systemContext(missionId), body.data);
        console.log(`created ${result.user.username} (${result.user.role}) in mission ${missionId}`);
        if (result.one_time_password) {
          console.log(`one-time password: ${result.one_time_password}`);
          console.log('It is shown only now; the user must change it at first login.');
        }
      });
    });

  users.command('reset-password')
    .description('Replace a password with a new one-time password and end all of that user\'s sessions')
    .requiredOption('--username <name>', 'login name')
    .option('--mission <id>', 'mission code')
    .action(async (opts: { username: string; mission?: string }) => {
      await withStore(async (store) => {
        const missionId = await resolveMission(store, opts.mission);
        const password = await resetPassword(store.db, systemContext(missionId), opts.username);
        console.log(`one-time password for ${opts.username}: ${password}`);
      });
    });

  users.command('reset-second-factor')
    .description('Remove the authenticator of an account (a lost phone) and end its sessions; its next login enrols a new one')
    .requiredOption('--username <name>', 'login name')
    .option('--mission <id>', 'mission code')
    .action(async (opts: { username: string; mission?: string }) => {
      await withStore(async (store) => {
        const missionId = await resolveMission(store, opts.mission);
        const user = await findUserByUsername(store.db, opts.username.trim().toLowerCase());
        if (!user || user.mission_id !== missionId) throw new AppError('record.not_found', { field: 'username', rule: `no account ${opts.username} in mission ${missionId}` });
        const { revoked_sessions } = await resetSecondFactor(store.db, systemContext(missionId), user.user_id);
        console.log(`second factor of ${opts.username} removed; ${revoked_sessions} session(s) ended. The next login sets up a new authenticator.`);
      });
    });

  users.command('list')
    .description('List the accounts of a mission')
    .option('--mission <id>', 'mission code')
    .action(async (opts: { mission?: string }) => {
      await withStore(async (store) => {
        const missionId = await resolveMission(store, opts.mission);
        for (const u of await listUsers(store.db, missionId)) {
          const scope = [u.scope_country, ...u.scope_areas, u.scope_agency].filter(Boolean).join(' ');
          const flags = [u.totp_enabled_at ? '2FA' : '', u.disabled_at ? '[disabled]' : ''].filter(Boolean).join(' ');
          console.log(`${u.username.padEnd(24)} ${u.role.padEnd(16)} ${(scope || '(whole mission)').padEnd(30)} ${flags}`.trimEnd());
        }
      });
    });
}
