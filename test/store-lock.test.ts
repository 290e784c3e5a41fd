import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openStore } from '../src/platform/db/store.ts';

const cli = path.resolve(import.meta.dirname, '../bin/tutela.mjs');
const run = (args: string[], dataDir: string) =>
  spawnSync(process.execPath, [cli, ...args], { env: { ...process.env, TUTELA_DATA_DIR: dataDir, DATABASE_URL: '' }, encoding: 'utf8', timeout: 60_000 });

describe('the PGlite folder lock', () => {
  it('refuses a second process with a clear error while the store is open, and lets it in afterwards', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutela-lock-'));
    try {
      const store = await openStore({ kind: 'pglite', dataDir: dir });
      const refused = run(['migrate'], dir);
      assert.equal(refused.status, 1);
      assert.match(refused.stderr, new RegExp(`in use by another Tutela process \\(pid ${process.pid}\\)`));
      await store.close();
      const allowed = run(['migrate'], dir);
      assert.equal(allowed.status, 0, allowed.stderr);
      assert.match(allowed.stdout, /up to date/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes over a lock left by a process that died', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutela-lock-'));
    try {
      const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
      fs.writeFileSync(path.join(dir, 'tutela.lock'), JSON.stringify({ pid: Number(dead.stdout), since: new Date().toISOString() }));
      const store = await openStore({ kind: 'pglite', dataDir: dir });
      assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'tutela.lock'), 'utf8')).pid, process.pid);
      await store.close();
      assert.equal(fs.existsSync(path.join(dir, 'tutela.lock')), false, 'released on close');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
