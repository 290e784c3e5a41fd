/** `tutela cases overdue` and `tutela cases import FILE` end to end, through bin/tutela.mjs on a PGlite folder. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createUser } from '../src/modules/accounts/service.ts';
import { casesDb } from '../src/modules/cases/repository.ts';
import { registerCase } from '../src/modules/cases/service.ts';
import { setupMission } from '../src/modules/reference/service.ts';
import { systemContext } from '../src/platform/context.ts';
import { openStore } from '../src/platform/db/store.ts';
import { pgliteTemplate, testKeyProvider } from './support/stores.ts';
import { PASSWORD } from './support/fixtures.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutela-cases-cli-'));
const data = path.join(dir, 'data');

async function tutela(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, ['bin/tutela.mjs', 'cases', ...args], { cwd: root, env: { ...process.env, TUTELA_DATA_DIR: data, DATABASE_URL: '' } });
    return { code: 0, ...r };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
async function withData<T>(fn: (db: Awaited<ReturnType<typeof openStore>>['db']) => Promise<T>): Promise<T> {
  const store = await openStore({ kind: 'pglite', dataDir: data }, { keyProvider: testKeyProvider });
  try {
    return await fn(store.db);
  } finally {
    await store.close();
  }
}

describe('tutela cases', () => {
  let overdueId = '';
  const M = 'cli1';
  before(async () => {
    const store = await openStore({ kind: 'pglite', dataDir: data }, { loadDataDir: await pgliteTemplate(), keyProvider: testKeyProvider });
    await setupMission(store.db, systemContext(M), { missionId: M, name: 'CLI mission', countries: [{ iso3: 'COD', name: 'DR Congo' }], adminAreas: [], parties: [] });
    const scope = { country: 'COD', areas: [], agency: 'UNICEF' };
    const worker = await createUser(store.db, systemContext(M), { username: 'amina.worker', display_name: 'Amina', role: 'case_worker', scope, password: PASSWORD });
    await createUser(store.db, systemContext(M), { username: 'joseph.sup', display_name: 'Joseph', role: 'supervisor', scope, password: PASSWORD });
    const ctx = { actor: { userId: worker.user.id, missionId: M, username: 'amina.worker', role: 'case_worker' as const, scope }, clientAddress: null, requestId: null };
    overdueId = (await registerCase(store.db, ctx, { child: { full_name: 'Late Child', birth: { age_estimate: 9 }, parents_names: '' }, sex: 'female', concerns: [], risk_level: 'high', urgent: false,
      identified_at: new Date(Date.now() - 30 * 3_600_000).toISOString() })).id;
    await registerCase(store.db, ctx, { child: { full_name: 'Timely Child', birth: { age_estimate: 9 }, parents_names: '' }, sex: 'male', concerns: [], risk_level: 'low', urgent: false });
    await store.close();
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lists the overdue cases of the account it acts as, with hours late; none as of the day before', async () => {
    const r = await tutela(['overdue', '--as', 'amina.worker']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, new RegExp(`^${overdueId}\\thigh\\tdue .*\\t6 h late\\t`));
    assert.match(r.stderr, /1 overdue case\(s\) for amina\.worker/);
    const earlier = await tutela(['overdue', '--as', 'joseph.sup', '--as-of', new Date(Date.now() - 24 * 3_600_000).toISOString()]);
    assert.equal(earlier.stdout, '');
  });

  it('imports a CSV whole or not at all, naming every bad line and column', async () => {
    const header = 'full_name,birth_date,age_estimate,parents_names,sex,risk_level,urgent,concerns,identified_at,assigned_to';
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, [header,
      'Good Child,2012-04-01,,,female,medium,no,caafag;refugee,,amina.worker',
      'Bad Sex,,11,,girl,medium,no,,,amina.worker',
      'No Worker,,11,,male,low,yes,,,nobody.here',
      'Both Ages,2012,11,,male,low,,,,amina.worker'].join('\n'));
    const before = await withData((db) => casesDb(db).selectFrom('cases').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow());
    const refused = await tutela(['import', bad, '--as', 'joseph.sup']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /line 3, column sex:/);
    assert.match(refused.stderr, /line 4, column assigned_to: no user nobody\.here/);
    assert.match(refused.stderr, /line 5, column birth_date: give either birth_date or age_estimate/);
    const after = await withData((db) => casesDb(db).selectFrom('cases').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow());
    assert.equal(after.n, before.n, 'nothing imported');

    const good = path.join(dir, 'good.csv');
    fs.writeFileSync(good, [header, 'Good Child,2012-04-01,,,female,medium,no,caafag;refugee,,amina.worker', 'Second Child,,14,Mama Second,male,high,yes,,2025-01-01T08:00:00Z,amina.worker'].join('\n'));
    const ok = await tutela(['import', good, '--as', 'joseph.sup']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /2 case\(s\) for UNICEF/);
    const imported = await withData((db) => casesDb(db).selectFrom('cases').select(['concerns', 'urgent', 'risk_level']).where('mission_id', '=', M).orderBy('created_at').execute());
    assert.equal(imported.length, 4);
    // One transaction: both rows share created_at, so compare them as a set.
    const rows = imported.map((c) => [c.risk_level, c.urgent, c.concerns]);
    assert.ok(rows.some((r) => JSON.stringify(r) === JSON.stringify(['medium', false, ['caafag', 'refugee']])));
    assert.ok(rows.some((r) => JSON.stringify(r) === JSON.stringify(['high', true, []])));
    // The imported urgent case identified in January is overdue at once.
    assert.equal((await tutela(['overdue', '--as', 'amina.worker'])).stdout.trim().split('\n').length, 2);
  });
});
