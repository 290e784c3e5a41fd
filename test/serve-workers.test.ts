import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { uuid7 } from '../web/src/offline/uuid7.ts';
import { incidentBody, loginOverHttp, PASSWORD } from './support/fixtures.ts';
import { identityBody } from './support/sensitive-bodies.ts';
import { prepareMissionStore } from './support/mission-store.ts';
import { startServer, stopServer, type ServerProcess } from './support/server-process.ts';
import { postgresUrl } from './support/stores.ts';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '..');

/** Server processes whose parent is `pid` (Linux /proc): the workers of a `TUTELA_WORKERS` primary. */
function childrenOf(pid: number): number[] {
  return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((d) => {
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid ? [Number(d)] : [];
    } catch {
      return [];
    }
  });
}

async function until<T>(what: string, probe: () => T | undefined, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('refuses several server processes on the embedded store, naming the setting and why', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutela-workers-'));
  try {
    const env = { ...process.env, TUTELA_WORKERS: '2', TUTELA_DATA_DIR: dataDir, DATABASE_URL: '' };
    const failed = await run(process.execPath, [path.join(repoRoot, 'bin/tutela.mjs'), 'serve'], { env, cwd: repoRoot }).then(() => null, (e: { code: number; stderr: string }) => e);
    assert.ok(failed, 'the server started');
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /TUTELA_WORKERS: 2 server processes need PostgreSQL \(set DATABASE_URL\)/);
    assert.deepEqual(fs.readdirSync(dataDir), [], 'nothing was written to the folder');
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

describe('two server processes on one port [postgres]', { skip: postgresUrl ? false : 'TUTELA_TEST_DATABASE_URL not set' }, () => {
  let server: ServerProcess | undefined;
  let tmpDir: string | undefined;
  before(() => { tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutela-workers-')); });
  after(async () => {
    await stopServer(server);
    if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
  });

  it('both serve, a killed one is replaced while reports keep being stored, and a stop ends them all [postgres]', { timeout: 240_000 }, async () => {
    const { mission, storeEnv } = await prepareMissionStore('postgres', tmpDir!);
    server = await startServer({ ...storeEnv, TUTELA_WORKERS: '2' }, { startTimeoutMs: 120_000 });
    assert.match(server.output(), /2 server processes/);
    const primary = server.child.pid!;
    const workers = await until('two workers', () => (childrenOf(primary).length === 2 ? childrenOf(primary) : undefined));

    const token = await loginOverHttp(server.url, mission.usernames.monitor, PASSWORD);
    const push = async () => {
      const res = await fetch(`${server!.url}/api/v1/reports`, {
        method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: uuid7(), type: 'incident', created_at: new Date().toISOString(), payload: incidentBody(mission) }),
      });
      return res.status;
    };
    // A token issued by one process is honoured by the other: sessions live in the store.
    assert.deepEqual(await Promise.all(Array.from({ length: 20 }, push)), Array(20).fill(201));

    // An identity erased through one process must not open in the other (its key cached there): the
    // processes tell each other (platform/peers.ts). Requests alternate between the two processes,
    // so reading several times before and after reaches both.
    const verifier = await loginOverHttp(server.url, mission.usernames.verifier, PASSWORD);
    // A new connection per request: the primary hands out connections, not requests, in turn.
    const call = (method: string, url: string, token: string, body?: unknown) => new Promise<{ status: number; json: Record<string, unknown> }>((resolve, reject) => {
      const req = http.request(`${server!.url}${url}`, { method, agent: false, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) } }, (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(text) as Record<string, unknown> }));
      }).on('error', reject);
      req.end(body ? JSON.stringify(body) : undefined);
    });
    const created = await call('POST', '/api/v1/incidents', token, identityBody(mission, 'PW'));
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const incidentId = created.json.id as string;
    const killing = (created.json.violations as { id: string; type: string }[]).find((v) => v.type === 'killing')!.id;
    const names = async () => {
      const out: (string | null)[] = [];
      for (let i = 0; i < 6; i++) {
        const r = await call('GET', `/api/v1/incidents/${incidentId}?include=all`, verifier);
        const victim = (r.json.violations as { type: string; victims: { identity?: { full_name?: string } | null }[] }[]).find((v) => v.type === 'killing')!.victims[0]!;
        out.push(victim.identity?.full_name ?? null);
      }
      return out;
    };
    assert.ok((await names()).every((n) => n !== null && n.includes('PW')), 'the identity opens in both processes before');
    const erased = await call('POST', `/api/v1/violations/${killing}/victims/V-0001/erase-identity`, verifier, { reason: 'consent withdrawn' });
    assert.equal(erased.status, 200, JSON.stringify(erased.json));
    await new Promise((r) => setTimeout(r, 200)); // the news crosses between processes by IPC
    assert.deepEqual(await names(), Array(6).fill(null), 'erased: no process opens it any more');

    process.kill(workers[0]!, 'SIGKILL');
    const replaced = await until('a replacement', () => {
      const now = childrenOf(primary);
      return now.length === 2 && !now.includes(workers[0]!) ? now : undefined;
    });
    assert.ok(replaced.includes(workers[1]!), 'the other process served on');
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push(await push());
    assert.deepEqual(statuses, Array(10).fill(201));

    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);
    await until('the workers to stop', () => (replaced.every((pid) => !fs.existsSync(`/proc/${pid}`)) ? true : undefined), 15_000);
  });
});
