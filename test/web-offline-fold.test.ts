import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mergeEdit } from '../src/modules/sync/edit-merge.ts';
import { foldEdits, withPending } from '../web/src/offline/merge.ts';

/**
 * A second change of an incident saved on the device while the first still waits (or was refused) is
 * folded into one edit (web/src/offline/merge.ts); the server's merge (src/modules/sync/edit-merge.ts)
 * must then treat it as this device's changes since what it last saw, nothing more.
 */
describe('folding the edits of one incident kept on the device', () => {
  const date = { start: '2026-03-14', end: null, precision: 'day', estimated: false } as const;
  const location = { admin_pcode: 'CD5402', location_type: 'idp_camp', coordinates: null };
  const v3 = { title: 'Attack on Loda school', status: 'open', date, first_reported_on: null, location, narrative_public: 'Public summary.', narrative_confidential: '' } as const;
  const first = foldEdits('e-1', { id: 'i-1', version: 3, values: v3 }, [], { title: 'Attack on Loda school (corrected)' }, new Date('2026-03-15T00:00:00Z'))!;

  it('keeps the base each field had before this device first changed it, and the oldest version', () => {
    // Later, the server copy is at version 5 (someone changed the date); the device changes the narrative too.
    const v5 = { ...v3, date: { ...date, start: '2026-03-13' } };
    const folded = foldEdits('e-2', { id: 'i-1', version: 5, values: v5 }, [first], { ...withPending(v5, [first]), narrative_public: 'Two classrooms burnt.' })!;
    assert.deepEqual(folded.changes, { title: 'Attack on Loda school (corrected)', narrative_public: 'Two classrooms burnt.' });
    assert.deepEqual(folded.base, { title: 'Attack on Loda school', narrative_public: 'Public summary.' });
    assert.equal(folded.base_version, 3);

    // The server applies both device changes and keeps the date changed meanwhile: no conflict.
    const merged = mergeEdit({ baseVersion: folded.base_version, base: folded.base as never, changes: folded.changes as never },
      { version: 5, values: { ...v5, date: v5.date, status: 'open' } as never });
    assert.deepEqual([Object.keys(merged.apply).sort(), merged.conflicts], [['narrative_public', 'title'], []]);
  });

  it('a field set back to what the device first saw is no longer a change; nothing left is no edit', () => {
    const back = foldEdits('e-3', { id: 'i-1', version: 3, values: v3 }, [first], { title: 'Attack on Loda school' });
    assert.equal(back, null);
  });

  it('a correction of a refused edit replaces its value, still against the original base', () => {
    const corrected = foldEdits('e-4', { id: 'i-1', version: 3, values: v3 }, [first], { title: 'Attack on Loda school (two boys, one girl)' })!;
    assert.deepEqual([corrected.changes, corrected.base], [{ title: 'Attack on Loda school (two boys, one girl)' }, { title: 'Attack on Loda school' }]);
  });
});
