import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refuseTransition, TRANSITIONS, type VerificationState } from '../src/modules/mrm/verification.ts';
import { VERIFICATION_STATUSES } from '../src/modules/mrm/vocabulary.ts';
import { splitSqlStatements } from '../src/platform/db/migrate.ts';

const state = (fp: string, tech: string, fin: string, dates: [string | null, string | null, string | null] = [null, null, null]) => ({
  focal_point: { status: fp, date: dates[0] }, technical: { status: tech, date: dates[1] }, final: { status: fin, date: dates[2] },
}) as VerificationState;

describe('verification transition table', () => {
  it('never allows a decided status to flip to another verdict without re-opening', () => {
    for (const from of VERIFICATION_STATUSES) {
      for (const to of VERIFICATION_STATUSES) {
        const decided = (s: string) => s !== 'pending' && s !== 'not_verified';
        if (decided(from) && to !== 'pending') assert.ok(!TRANSITIONS[from].includes(to), `${from} → ${to}`);
      }
    }
  });

  it('decides bottom-up and re-opens top-down', () => {
    assert.equal(refuseTransition(state('pending', 'pending', 'pending'), { level: 'focal_point', to: 'verified', date: '2025-01-02', note: '' }), null);
    assert.equal(refuseTransition(state('pending', 'pending', 'pending'), { level: 'technical', to: 'not_mrm', date: '2025-01-02', note: '' })?.field, 'level');
    assert.equal(refuseTransition(state('not_verified', 'pending', 'pending'), { level: 'technical', to: 'verified', date: '2025-01-02', note: '' })?.field, 'status');
    assert.equal(refuseTransition(state('verified', 'pending', 'pending', ['2025-01-05', null, null]), { level: 'technical', to: 'verified', date: '2025-01-04', note: '' })?.field, 'date');
    assert.equal(refuseTransition(state('verified', 'verified', 'verified'), { level: 'technical', to: 'pending', date: '2025-02-01', note: 'new facts' })?.field, 'level');
    assert.equal(refuseTransition(state('verified', 'verified', 'verified'), { level: 'final', to: 'pending', date: '2025-02-01', note: ' ' })?.field, 'note');
    assert.equal(refuseTransition(state('verified', 'verified', 'verified'), { level: 'final', to: 'pending', date: '2025-02-01', note: 'new facts' }), null);
  });

  it('freezes a level while the level above has decided, whatever the new verdict', () => {
    const s = state('not_verified', 'not_verified', 'not_verified', ['2025-01-02', '2025-01-03', '2025-01-04']);
    assert.equal(refuseTransition(s, { level: 'focal_point', to: 'did_not_occur', date: '2025-02-01', note: '' })?.field, 'level');
    assert.equal(refuseTransition(s, { level: 'technical', to: 'not_mrm', date: '2025-02-01', note: '' })?.field, 'level');
  });

  it('keeps time running forward within a level', () => {
    const s = state('not_verified', 'pending', 'pending', ['2025-03-01', null, null]);
    assert.equal(refuseTransition(s, { level: 'focal_point', to: 'verified', date: '2025-02-01', note: '' })?.field, 'date');
    assert.equal(refuseTransition(s, { level: 'focal_point', to: 'verified', date: '2025-03-01', note: '' }), null);
  });
});

describe('migration statement splitter', () => {
  it('splits on top-level semicolons only', () => {
    const script = `create table a (x text default ';'); -- a comment; with a semicolon
create function f() returns trigger language plpgsql as $$ begin raise exception 'x;y'; end; $$;
select 'it''s; fine'`;
    assert.deepEqual(splitSqlStatements(script).map((s) => s.split(/\s+/).slice(0, 2).join(' ')), ['create table', 'create function', "select 'it''s;"]);
  });
});
