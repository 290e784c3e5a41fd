import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeEdit, resolve } from '../web/src/offline/merge.ts';
import { prng } from './support/prng.ts';

/** The device's three-way merge (web/src/offline/merge.ts): never last-write-wins. */
describe('offline three-way merge', () => {
  const base = { title: 'Attack on the camp', date: { start: '2025-02-10', precision: 'day' }, status: 'draft', narrative: 'W-17 saw it' };

  it('takes a field changed only on this device, and leaves a field changed only on the server alone', () => {
    const mine = { ...base, title: 'Attack on Plaine Savo camp' };
    const theirs = { ...base, narrative: 'W-17 and W-18 saw it' };
    const r = mergeEdit(base, mine, theirs);
    assert.deepEqual(r.patch, { title: 'Attack on Plaine Savo camp' });
    assert.deepEqual(r.conflicts, []);
    // The server's change is not in the patch, so sending the patch keeps it.
    assert.equal('narrative' in r.patch, false);
  });

  it('reports a field changed on both sides to different values as a conflict with all three values', () => {
    const mine = { ...base, title: 'Mine' };
    const theirs = { ...base, title: 'Theirs' };
    const r = mergeEdit(base, mine, theirs);
    assert.deepEqual(r.patch, {});
    assert.deepEqual(r.conflicts, [{ field: 'title', base: 'Attack on the camp', mine: 'Mine', theirs: 'Theirs' }]);
  });

  it('is no conflict when both sides made the same change (nested values compared by content)', () => {
    const date = { start: '2025-02-11', precision: 'day' };
    const r = mergeEdit(base, { ...base, date }, { ...base, date: { ...date } });
    assert.deepEqual(r, { patch: {}, conflicts: [] });
  });

  it('treats a nested change as a change of the whole field', () => {
    const mine = { ...base, date: { start: '2025-02-10', precision: 'month' } };
    const theirs = { ...base, date: { start: '2025-02-09', precision: 'day' } };
    const r = mergeEdit(base, mine, theirs);
    assert.equal(r.conflicts.length, 1);
    assert.equal(r.conflicts[0]!.field, 'date');
  });

  it('handles a field that did not exist in the base (added on both sides differently)', () => {
    const r = mergeEdit(base, { ...base, tag: 'a' }, { ...base, tag: 'b' });
    assert.deepEqual(r.conflicts, [{ field: 'tag', base: undefined, mine: 'a', theirs: 'b' }]);
    const only = mergeEdit(base, { ...base, tag: 'a' }, base);
    assert.deepEqual(only.patch, { tag: 'a' });
  });

  it('resolve adds the person\'s choices: mine goes into the patch, theirs leaves the server value', () => {
    const mine = { ...base, title: 'Mine', narrative: 'mine too', status: 'submitted' };
    const theirs = { ...base, title: 'Theirs', narrative: 'theirs too' };
    const r = mergeEdit(base, mine, theirs);
    assert.deepEqual(r.conflicts.map((c) => c.field).sort(), ['narrative', 'title']);
    assert.deepEqual(resolve(r, { title: 'mine', narrative: 'theirs' }), { status: 'submitted', title: 'Mine' });
    // A conflict the person has not decided is not silently taken from this device.
    assert.deepEqual(resolve(r, {}), { status: 'submitted' });
  });

  it('property: applying the resolved patch to the server record loses no one-sided change', () => {
    const rnd = prng(7);
    const values = ['a', 'b', 'c', 1, null, { x: 1 }];
    for (let n = 0; n < 500; n++) {
      const fields = ['f1', 'f2', 'f3', 'f4'];
      const b: Record<string, unknown> = {};
      const m: Record<string, unknown> = {};
      const t: Record<string, unknown> = {};
      for (const f of fields) {
        b[f] = rnd.pick(values);
        m[f] = rnd.next() < 0.5 ? b[f] : rnd.pick(values);
        t[f] = rnd.next() < 0.5 ? b[f] : rnd.pick(values);
      }
      const r = mergeEdit(b, m, t);
      const choices = Object.fromEntries(r.conflicts.map((c) => [c.field, rnd.next() < 0.5 ? 'mine' : 'theirs'] as const));
      const result = { ...t, ...resolve(r, choices) };
      const eq = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
      for (const f of fields) {
        const mineChanged = !eq(m[f], b[f]);
        const theirsChanged = !eq(t[f], b[f]);
        if (mineChanged && !theirsChanged) assert.deepEqual(result[f], m[f], `case ${n}: this device's change to ${f} kept`);
        else if (!mineChanged) assert.deepEqual(result[f], t[f], `case ${n}: the server's value of ${f} kept`);
        else if (!eq(m[f], t[f])) {
          assert.ok(r.conflicts.some((c) => c.field === f), `case ${n}: ${f} changed on both sides is a conflict`);
          assert.deepEqual(result[f], choices[f] === 'mine' ? m[f] : t[f], `case ${n}: the person's choice for ${f}`);
        }
      }
    }
  });
});

describe('offline edit to push (web/src/offline/merge.ts → POST /sync/edits)', () => {
  it('sends only the changed fields, each with its value in the pulled version', async () => {
    const { editToPush } = await import('../web/src/offline/merge.ts');
    const pulled = { id: 'i-1', version: 3, values: { title: 'A', narrative_public: 'P', date: { start: '2025-02-10', end: null, precision: 'day', estimated: false } } };
    const e = editToPush('e-1', pulled, { title: 'B', narrative_public: 'P', date: { end: null, start: '2025-02-10', precision: 'day', estimated: false } }, new Date('2025-02-12T00:00:00Z'));
    assert.deepEqual(e, { id: 'e-1', incident_id: 'i-1', base_version: 3, edited_at: '2025-02-12T00:00:00.000Z', base: { title: 'A' }, changes: { title: 'B' } });
    assert.equal(editToPush('e-2', pulled, { title: 'A' }), null);
  });
});
