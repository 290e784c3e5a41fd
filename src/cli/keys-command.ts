import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { requireMission } from '../modules/reference/service.ts';
import { loadConfig } from '../platform/config.ts';
import { masterKeyFromBase64, loadMasterKey, type KeyProvider } from '../platform/crypto/key-provider.ts';
import { shredIncidentRecord } from '../modules/mrm/identities.ts';
import { systemContext } from '../platform/context.ts';
import { KeyOperationRefused, rotateDataKeys, rotateMasterKey, shredMissionKeys } from '../platform/crypto/key-rotation.ts';
import { withStore } from './users-command.ts';

/** The confirmation a shred needs, typed out in full. */
export const SHRED_CONFIRMATION = '--yes-destroy-data';

function newMasterKey(opts: { newKeyFile?: string; newKeyEnv?: string }): KeyProvider | undefined {
  if (opts.newKeyFile && opts.newKeyEnv) throw new KeyOperationRefused('give --new-key-file or --new-key-env, not both');
  if (opts.newKeyFile) {
    const file = path.resolve(opts.newKeyFile);
    if (!fs.existsSync(file)) throw new KeyOperationRefused(`${file} does not exist: create the new key first (openssl rand -base64 32 > FILE; chmod 600 FILE)`);
    return masterKeyFromBase64(fs.readFileSync(file, 'utf8'), file);
  }
  if (opts.newKeyEnv) {
    const text = process.env[opts.newKeyEnv];
    if (!text) throw new KeyOperationRefused(`the environment variable ${opts.newKeyEnv} is not set`);
    return masterKeyFromBase64(text, `$${opts.newKeyEnv}`);
  }
  return undefined;
}

/** A refused key operation is a sentence for the operator, not a stack trace. */
async function reported(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof KeyOperationRefused) && !(err instanceof Error && /does not hold a master key/.test(err.message))) throw err;
    console.error(`tutela: ${err.message}`);
    process.exitCode = 1;
  }
}

export function registerKeysCommands(program: Command): void {
  const keys = program.command('keys').description('Master key and data keys of the sealed fields. Stop every server using the store first: ' +
    'a running server keeps the keys it loaded until it restarts.');

  keys.command('rotate')
    .description('Re-wrap every data key (all missions) from the current master key (TUTELA_MASTER_KEY or TUTELA_MASTER_KEY_FILE) ' +
      'to a new one, in one transaction; afterwards only the new key opens the store. With --data-keys, also (or only) retire ' +
      'each mission\'s active data keys and create new ones: new writes use them, old data still opens with the retired keys.')
    .option('--new-key-file <file>', 'a file holding the new master key (base64 of 32 bytes)')
    .option('--new-key-env <var>', 'an environment variable holding the new master key')
    .option('--data-keys', 'retire the active data key of each mission and purpose and create a new one')
    .option('--mission <id>', 'with --data-keys only: one mission')
    .action(async (opts: { newKeyFile?: string; newKeyEnv?: string; dataKeys?: boolean; mission?: string }) => reported(async () => {
      const next = newMasterKey(opts);
      if (!next && !opts.dataKeys) throw new KeyOperationRefused('nothing to rotate: give --new-key-file FILE, --new-key-env VAR, or --data-keys');
      if (opts.mission && !opts.dataKeys) throw new KeyOperationRefused('--mission applies to --data-keys only: the master key covers every mission');
      const { masterKey } = loadConfig();
      if (!masterKey.base64 && !fs.existsSync(masterKey.file)) {
        throw new KeyOperationRefused(`no current master key: TUTELA_MASTER_KEY is not set and ${masterKey.file} does not exist`);
      }
      const current = loadMasterKey(masterKey, (m) => console.warn(`tutela: ${m}`));
      await withStore(async (store) => {
        let provider: KeyProvider = current;
        if (next) {
          const r = await rotateMasterKey(store.db, current, next);
          provider = next;
          console.log(`master key rotated: ${r.dataKeys} data key(s) in ${r.missions} mission(s) re-wrapped from ${r.from} to ${r.to}`);
        }
        if (opts.dataKeys) {
          if (opts.mission) await requireMission(store.db, opts.mission);
          const r = await rotateDataKeys(store.db, provider, opts.mission ? { missionId: opts.mission } : {});
          for (const k of r.rotated) console.log(`mission ${k.missionId} ${k.purpose.padEnd(8)} retired ${k.retiredKeyId}, new ${k.newKeyId}`);
          console.log(`data keys rotated: ${r.rotated.length} (old data keeps opening with the retired keys)`);
        }
        if (next) {
          console.log(`From now on start Tutela with the new master key ${next.id} (TUTELA_MASTER_KEY or TUTELA_MASTER_KEY_FILE); ` +
            'the old key opens nothing in this store. Keep it only while backups taken before today must stay readable.');
        }
      });
    }));

  keys.command('shred')
    .description('Crypto-shredding: delete a mission\'s data keys so that every sealed field of the mission (confidential narratives, ' +
      'exact coordinates) becomes unrecoverable; the records remain. For retention expiry and withdrawn consent. Irreversible. ' +
      'Backups taken before still hold the keys: rotate the master key afterwards and destroy the old one.')
    .requiredOption('--mission <id>', 'the mission whose keys are destroyed')
    .option('--purpose <purpose>', 'only the keys of one purpose (e.g. mrm)')
    .option('--incident <id>', 'only one incident: its narrative, coordinates and the identities in it (retention expiry)')
    .option('--reason <text>', 'why, for the audit trail (with --incident)', 'retention period expired')
    .option('--yes-destroy-data', 'confirm: the sealed fields are destroyed for good')
    .action(async (opts: { mission: string; purpose?: string; incident?: string; reason: string; yesDestroyData?: boolean }) => reported(async () => {
      if (opts.incident) {
        if (!opts.yesDestroyData) {
          throw new KeyOperationRefused(`shredding destroys the sealed fields of incident ${opts.incident} for good: repeat the command with ${SHRED_CONFIRMATION} to confirm`);
        }
        await withStore(async (store) => {
          await requireMission(store.db, opts.mission);
          const r = await shredIncidentRecord(store.db, systemContext(opts.mission), opts.incident!, opts.reason);
          console.log(`incident ${opts.incident}: ${r.erased_keys} record key(s) deleted; its confidential narrative, coordinates and identities are now unrecoverable; the record and its counts remain`);
        });
        return;
      }
      if (!opts.yesDestroyData) {
        throw new KeyOperationRefused(`shredding destroys every sealed field of mission ${opts.mission}${opts.purpose ? ` (purpose ${opts.purpose})` : ''} ` +
          `for good: repeat the command with ${SHRED_CONFIRMATION} to confirm`);
      }
      await withStore(async (store) => {
        await requireMission(store.db, opts.mission);
        const r = await shredMissionKeys(store.db, opts.mission, opts.purpose);
        console.log(`mission ${r.missionId}: ${r.deleted.length} data key(s) deleted${r.purpose ? ` (purpose ${r.purpose})` : ''}; ` +
          `${r.sealedFields} sealed field(s) are now unrecoverable; the records remain`);
        if (r.deleted.length === 0) console.log('(the mission had no data keys: nothing was sealed)');
      });
    }));
}
