/** `tutela match` end to end (issue #5, CLI): one row per input record, links across two files only, bad input refused before any work. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { dataset } from './support/datasets.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutela-match-'));
// The command is mounted on a bare program the way main.ts mounts it.
const entry = `import { Command } from 'commander';
import { registerMatchCommand } from ${JSON.stringify(path.join(root, 'src/cli/match-command.ts'))};
const program = new Command('tutela');
registerMatchCommand(program);
await program.parseAsync(process.argv.slice(process.argv.indexOf('match')), { from: 'user' });`;

async function match(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', entry, '--', 'match', ...args], { cwd: root, maxBuffer: 1 << 24 });
    return { code: 0, ...r };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const file = (name: string) => path.join(dir, name);
function write(name: string, text: string): string {
  fs.writeFileSync(file(name), text);
  return file(name);
}
const readClusters = (p: string) => new Map((parse(fs.readFileSync(p, 'utf8'), { columns: true }) as { record_id: string; cluster_id: string }[]).map((r) => [r.record_id, r.cluster_id]));

const HEADER = 'record_id,given_name,family_name,other_names,sex,date_of_birth,age_years,registration_date,father_name,mother_name,place_of_origin,admin1,admin2,registering_agency';
const CHILDREN = [
  'r1,Fatima,Diallo,,F,2014-03-02,,2026-01-10,Moussa Diallo,Awa Sow,Bunia,CD54,CD5402,UNICEF',
  'r2,Fatouma,Dialo,,F,2014-03-02,,2026-02-11,Musa Diallo,Hawa Sow,Bunia,CD54,CD5402,SCI',
  'r3,Hawa,Diallo,,F,2016-05-02,,2026-01-10,Moussa Diallo,Awa Sow,Bunia,CD54,CD5402,UNICEF',
  'r4,Mohamed,Ould Ahmed,,M,2012-07-15,,2025-11-02,Ahmed Ould Ahmed,Mariam Ag Mohamed,Kidal,ML08,ML0801,MINUSMA',
  'r5,Mahamat,Ahmed,,M,2012-07-15,,2026-01-20,Ahmad Ould Ahmad,Maryam Ag Mohamed,Kidal,ML08,ML0801,UNICEF',
  'r6,Nyandeng,Mayen,,F,,9,2026-01-10,Deng Mayen,Achol Kuol,Aweil,SS10,SS1011,UNICEF',
  'r7,Emmanuel,Ngandu,,M,2010-11-20,,2026-01-10,Jean Ngandu,,Beni,CD61,CD6101,SCI',
];

describe('tutela match', () => {
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes one row per input record of the interchange CSV, variants of one child in one cluster and siblings apart', async () => {
    const input = write('children.csv', `${HEADER}\n${CHILDREN.join('\n')}\n`);
    const r = await match(['--in', input, '--out', file('out.csv')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /7 records/);
    const clusters = readClusters(file('out.csv'));
    assert.deepEqual([...clusters.keys()], ['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7']);
    assert.equal(clusters.get('r2'), clusters.get('r1'), 'Fatouma Dialo = Fatima Diallo');
    assert.equal(clusters.get('r5'), clusters.get('r4'), 'Mahamat Ahmed = Mohamed Ould Ahmed');
    assert.notEqual(clusters.get('r3'), clusters.get('r1'), 'her sister is another child');
    assert.equal(new Set(clusters.values()).size, 5);
  });

  it('with two files links across the files only', async () => {
    const a = write('a.csv', `${HEADER}\n${CHILDREN[0]}\na2,Fatima,Diallo,,F,2014-03-02,,2026-01-10,Moussa Diallo,Awa Sow,Bunia,CD54,CD5402,UNICEF\n${CHILDREN[6]}\n`);
    const b = write('b.csv', `${HEADER}\n${CHILDREN[3]}\n${CHILDREN[4]}\nb7,Emanuel,Ngandou,,M,2010-11-20,,2026-03-01,Jean Ngandu,,Beni,CD61,CD6101,UNICEF\n`);
    const r = await match(['--in', a, '--in', b, '--out', file('ab.csv')]);
    assert.equal(r.code, 0, r.stderr);
    const clusters = readClusters(file('ab.csv'));
    assert.equal(clusters.size, 6);
    assert.notEqual(clusters.get('r1'), clusters.get('a2'), 'two identical records of one file are not compared');
    assert.notEqual(clusters.get('r4'), clusters.get('r5'), 'nor are two variants within the other file');
    assert.equal(clusters.get('b7'), clusters.get('r7'), 'Emanuel Ngandou (b) = Emmanuel Ngandu (a)');
  });

  it('links FEBRL4 A to B with the settings file in bench/ (no soc_sec_id): pairwise F1 ≥ 0.99', async () => {
    const r = await match(['--in', dataset('febrl', 'dataset4a.csv'), '--in', dataset('febrl', 'dataset4b.csv'), '--settings', path.join(root, 'bench', 'febrl.json'), '--out', file('f4.csv')]);
    assert.equal(r.code, 0, r.stderr);
    const clusters = readClusters(file('f4.csv'));
    assert.equal(clusters.size, 10_000);
    const members = new Map<string, string[]>();
    for (const [id, c] of clusters) members.set(c, [...(members.get(c) ?? []), id]);
    let tp = 0;
    let fp = 0;
    for (const ids of members.values()) {
      for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) {
        if (/^rec-(\d+)-/.exec(ids[i]!)![1] === /^rec-(\d+)-/.exec(ids[j]!)![1]) tp++; else fp++;
      }
    }
    const precision = tp / (tp + fp);
    const recall = tp / 5000;
    const f1 = (2 * precision * recall) / (precision + recall);
    assert.ok(f1 >= 0.99, `F1 ${f1.toFixed(4)} (precision ${precision.toFixed(4)}, recall ${recall.toFixed(4)})`);
  });

  const refusals: [string, () => string[], RegExp][] = [
    ['a missing column', () => ['--in', write('nocol.csv', `${HEADER.replace(',father_name', '')}\n${CHILDREN[0]!.replace(',Moussa Diallo', '')}\n`)], /missing column "father_name"/],
    ['an unknown settings key', () => {
      const s = JSON.parse(fs.readFileSync(path.join(root, 'bench', 'child-identity.json'), 'utf8'));
      s.tresholds = { autoLink: 0.9 };
      return ['--in', write('ok.csv', `${HEADER}\n${CHILDREN[0]}\n`), '--settings', write('bad.json', JSON.stringify(s))];
    }, /unknown key "tresholds" in settings/],
    ['an unknown key inside a comparison', () => {
      const s = JSON.parse(fs.readFileSync(path.join(root, 'bench', 'child-identity.json'), 'utf8'));
      s.comparisons[0].colum = 'given_name';
      return ['--in', write('ok2.csv', `${HEADER}\n${CHILDREN[0]}\n`), '--settings', write('bad2.json', JSON.stringify(s))];
    }, /unknown key "colum" in comparison "given name"/],
    ['duplicate record ids', () => ['--in', write('dup.csv', `${HEADER}\n${CHILDREN[0]}\n${CHILDREN[1]}\n${CHILDREN[0]}\n`)], /dup\.csv line 4, column record_id: duplicate record id "r1" \(first on .*dup\.csv line 2\)/],
    ['duplicate ids across the two files', () => ['--in', write('d1.csv', `${HEADER}\n${CHILDREN[0]}\n`), '--in', write('d2.csv', `${HEADER}\n${CHILDREN[0]}\n`)], /d2\.csv line 2, column record_id: duplicate record id "r1"/],
    ['an unreadable date', () => ['--in', write('date.csv', `${HEADER}\n${CHILDREN[0]}\n${CHILDREN[1]!.replace('2014-03-02', '2 mars 2014')}\n`)], /date\.csv line 3, column date_of_birth: unreadable date "2 mars 2014"/],
    ['an unreadable registration date', () => ['--in', write('reg.csv', `${HEADER}\n${CHILDREN[5]!.replace('2026-01-10', '10/01/26')}\n`)], /column registration_date: unreadable date "10\/01\/26"/],
    ['an age that is not a number', () => ['--in', write('age.csv', `${HEADER}\n${CHILDREN[5]!.replace(',9,', ',about 9,')}\n`)], /column age_years: "about 9" is not an age/],
    ['a threshold out of range', () => ['--in', write('t.csv', `${HEADER}\n${CHILDREN[0]}\n`), '--threshold', '1.5'], /--threshold: "1\.5" must be a probability/],
    ['a settings file that is not JSON', () => ['--in', write('t2.csv', `${HEADER}\n${CHILDREN[0]}\n`), '--settings', write('s.json', '{ idColumn: ')], /not JSON/],
    ['a missing input file', () => ['--in', file('nowhere.csv')], /cannot read --in .*nowhere\.csv: ENOENT/],
  ];
  for (const [what, args, message] of refusals) {
    it(`refuses ${what} before any work, naming it`, async () => {
      const out = file(`refused-${what.replace(/\W+/g, '-')}.csv`);
      const r = await match([...args(), '--out', out]);
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, message);
      assert.equal(fs.existsSync(out), false, 'no output is written');
    });
  }
});
