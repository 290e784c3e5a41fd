import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { it } from 'node:test';
import { canonicalJson } from '../src/platform/audit.ts';

// The audit chain and the report receipts store hashes of this text: the text of a value must never
// change, or every stored chain would fail verification and every retried report would become a conflict.
it('writes one fixed text per value: keys sorted at every depth by code unit, arrays in order', () => {
  const value = { b: [3, { z: null, a: 'é"\n' }, [], {}], a: { '10': 1, '9': 2, É: true, e: false }, 'ك': -0.5, c: '' };
  const text = '{"a":{"10":1,"9":2,"e":false,"É":true},"b":[3,{"a":"é\\"\\n","z":null},[],{}],"c":"","ك":-0.5}';
  assert.equal(canonicalJson(value), text);
  assert.equal(canonicalJson(JSON.parse(JSON.stringify(value))), text, 'a value read back from JSON gives the same text');
  assert.equal(createHash('sha256').update(canonicalJson({ type: 'incident', payload: { title: 'x', n: [1, 2] } })).digest('hex'),
    createHash('sha256').update('{"payload":{"n":[1,2],"title":"x"},"type":"incident"}').digest('hex'));
});

it('writes scalars as JSON.stringify does', () => {
  for (const v of [null, true, 0, 1.5, -1e21, 'x', '', 'ﷺ\u0000']) assert.equal(canonicalJson(v), JSON.stringify(v));
});
