import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

describe('offline edit to push (web/src/offline/merge.ts → POST /sync/edits)', () => {
  it('sends only the changed fields, each with its value in the pulled version', async () => {
    const { editToPush } = await import('../web/src/offline/merge.ts');
    const pulled = { id: 'i-1', version: 3, values: { title: 'A', narrative_public: 'P', date: { start: '2025-02-10', end: null, precision: 'day', estimated: false } } };
    const e = editToPush('e-1', pulled, { title: 'B', narrative_public: 'P', date: { end: null, start: '2025-02-10', precision: 'day', estimated: false } }, new Date('2025-02-12T00:00:00Z'));
    assert.deepEqual(e, { id: 'e-1', incident_id: 'i-1', base_version: 3, edited_at: '2025-02-12T00:00:00.000Z', base: { title: 'A' }, changes: { title: 'B' } });
    assert.equal(editToPush('e-2', pulled, { title: 'A' }), null);
  });
});
