/** `tutela hotspots` end to end: a planted cluster in a small CSV, and bad input refused with line and column. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Xoshiro128 } from '../src/modules/analytics/scan/prng.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutela-hotspots-'));
// The command is mounted on a bare program the way main.ts mounts it (main.ts gets its line separately).
const entry = `import { Command } from 'commander';
import { registerHotspotsCommand } from ${JSON.stringify(path.join(root, 'src/cli/hotspots-command.ts'))};
const program = new Command('tutela');
registerHotspotsCommand(program);
await program.parseAsync(process.argv.slice(process.argv.indexOf('hotspots')), { from: 'user' });`;

async function hotspots(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', entry, '--', 'hotspots', ...args], { cwd: root });
    return { code: 0, ...r };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

const day = (n: number): string => new Date(Date.UTC(2024, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);

describe('tutela hotspots', () => {
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('finds a planted cluster: 12 events around one village in the last 5 days among 300 spread over 90 days', async () => {
    const rng = new Xoshiro128(11, 0);
    const villages = Array.from({ length: 40 }, (_, i) => [4 + (i % 8) * 0.3, 18 + Math.floor(i / 8) * 0.3] as const);
    const rows = ['event_id,date,latitude,longitude'];
    for (let i = 0; i < 300; i++) {
      const v = villages[rng.nextBelow(40)]!;
      rows.push(`bg-${i},${day(rng.nextBelow(90))},${v[0]},${v[1]}`);
    }
    for (let i = 0; i < 12; i++) rows.push(`planted-${i},${day(85 + rng.nextBelow(5))},${villages[17]![0]},${villages[17]![1]}`);
    const input = write('planted.csv', `${rows.join('\n')}\n`);
    const out = path.join(dir, 'planted.json');
    const r = await hotspots(['--in', input, '--out', out, '--replications', '199', '--seed', '4', '--max-radius-km', '40',
      '--max-days', '14', '--end', day(89), '--prospective', '--workers', '1']);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(fs.readFileSync(out, 'utf8'));
    assert.equal(result.replications, 199);
    const top = result.clusters[0];
    assert.deepEqual(Object.keys(top).slice(0, 10), ['latitude', 'longitude', 'radius_km', 'start', 'end', 'observed', 'expected', 'llr', 'p_value', 'recurrence_interval_days']);
    assert.equal(top.latitude, villages[17]![0]);
    assert.equal(top.longitude, villages[17]![1]);
    assert.equal(top.end, day(89));
    assert.ok(top.p_value <= 0.01, `p ${top.p_value}`);
    const planted = (top.event_ids as string[]).filter((id) => id.startsWith('planted-'));
    assert.ok(planted.length >= 10, `planted events in the cluster: ${planted.length}`);
    assert.equal(top.observed, top.event_ids.length);
    for (let i = 1; i < result.clusters.length; i++) assert.ok(result.clusters[i].llr <= result.clusters[i - 1].llr);
  });

  const header = 'event_id,date,latitude,longitude\n';
  const good = 'a,2024-01-01,4.1,18.2\nb,2024-01-05,4.3,18.6\n';
  for (const [label, csv, args, message] of [
    ['a date that does not parse', `${header}${good}c,2024-02-30,4.0,18.0\n`, [], /line 4, column date: "2024-02-30" is not a date/],
    ['a latitude out of range', `${header}${good}c,2024-01-03,95,18.0\n`, [], /line 4, column latitude: "95" is not a latitude/],
    ['a longitude that is not a number', `${header}c,2024-01-03,4,east\n${good}`, [], /line 2, column longitude: "east"/],
    ['a missing column', 'event_id,date,latitude\na,2024-01-01,4\n', [], /missing column: longitude/],
    ['a duplicate event id', `${header}${good}a,2024-01-03,4.0,18.0\n`, [], /line 4, column event_id: event id "a" already used on line 2/],
    ['fewer than two locations', `${header}a,2024-01-01,4,18\nb,2024-01-02,4,18\n`, [], /at least two distinct locations/],
    ['a window longer than the data', `${header}${good}`, ['--max-days', '30'], /option --max-days: 30 days is longer than the data \(2024-01-01 to 2024-01-05, 5 days\)/],
    ['a bad --end', `${header}${good}`, ['--end', '2024-1-5'], /option --end: "2024-1-5" is not a date/],
    ['a bad --replications', `${header}${good}`, ['--replications', 'many'], /option --replications: "many" must be an integer/],
  ] as const) {
    it(`refuses ${label}, naming the row or option, and writes nothing`, async () => {
      const input = write('bad.csv', csv);
      const out = path.join(dir, 'bad.json');
      const r = await hotspots(['--in', input, '--out', out, ...args]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /^tutela hotspots: /);
      assert.equal(fs.existsSync(out), false);
    });
  }
});
