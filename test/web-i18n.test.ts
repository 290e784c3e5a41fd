import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { PARTY_CATEGORIES } from '../src/modules/reference/schema.ts';
import { ROLES } from '../src/platform/context.ts';
import { AGE_BANDS, DETAILS_BY_TYPE, VERIFICATION_LEVELS, VERIFICATION_STATUSES, VIOLATION_TYPES } from '../src/modules/mrm/vocabulary.ts';
import { ar } from '../web/src/i18n/ar.ts';
import { en } from '../web/src/i18n/en.ts';
import { fr } from '../web/src/i18n/fr.ts';

/**
 * Issue 6, languages: English, French and Arabic complete. Every key in every language, none empty,
 * the same placeholders, Arabic actually in Arabic, French not silently left in English, and every
 * code the server can send (types, sub-types, statuses, roles…) has its label.
 */
type Tree = { [k: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of flatten(v, key)) out.set(kk, vv);
  }
  return out;
}

const languages = { en: flatten(en as unknown as Tree), fr: flatten(fr as unknown as Tree), ar: flatten(ar as unknown as Tree) };
const placeholders = (s: string) => [...s.matchAll(/\{\{\s*(\w+)/g)].map((m) => m[1]).sort();

/** French words that are spelled as in English. Adding a key here is a deliberate act. */
const SAME_IN_FRENCH = new Set([
  'app.name', 'app.menu', 'nav.incidents', 'nav.violations', 'form.sectionViolations', 'form.locationTypes.village', 'form.latitude', 'form.longitude',
  'form.violationN', 'form.total', 'opt.ambulance', 'opt.conscription', 'opt.intimidation', 'opt.missile', 'opt.prison', 'opt.uav', 'list.incidentsTitle',
  'list.violationsTitle', 'list.type', 'list.date', 'list.types', 'record.title', 'record.date', 'record.violations', 'record.sources', 'record.version',
  'verify.note', 'verify.incident', 'reports.csv', 'reports.xlsx', 'admin.actions', 'audit.action',
  'people.sources', 'people.types.document', 'people.types.photo',
]);

describe('web app translations', () => {
  it('fr and ar have exactly the English keys, none empty', () => {
    const master = [...languages.en.keys()].sort();
    for (const lang of ['fr', 'ar'] as const) {
      const keys = [...languages[lang].keys()].sort();
      const missing = master.filter((k) => !languages[lang].has(k));
      const extra = keys.filter((k) => !languages.en.has(k));
      assert.deepEqual({ lang, missing, extra }, { lang, missing: [], extra: [] });
    }
    for (const [lang, map] of Object.entries(languages)) {
      const empty = [...map].filter(([, v]) => v.trim() === '').map(([k]) => k);
      assert.deepEqual({ lang, empty }, { lang, empty: [] });
    }
  });

  it('every translation keeps the placeholders of the English text', () => {
    const wrong: string[] = [];
    for (const [key, text] of languages.en) {
      for (const lang of ['fr', 'ar'] as const) {
        if (placeholders(languages[lang].get(key) ?? '').join() !== placeholders(text).join()) wrong.push(`${lang} ${key}`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  it('nothing is left untranslated: Arabic text is Arabic, French differs from English unless listed', () => {
    const notArabic = [...languages.ar].filter(([k, v]) => k !== 'app.name' && !/[\u0600-\u06FF]/.test(v)).map(([k]) => k);
    assert.deepEqual(notArabic, [], 'Arabic strings without Arabic script');
    const sameAsEnglish = [...languages.fr].filter(([k, v]) => v === languages.en.get(k) && !SAME_IN_FRENCH.has(k)).map(([k]) => k);
    assert.deepEqual(sameAsEnglish, [], 'French strings identical to English (translate them, or add them to SAME_IN_FRENCH)');
  });

  it('every code the server sends has a label: types, definitions, sub-types, statuses, levels, ages, parties, roles', () => {
    const needed: string[] = [];
    for (const type of VIOLATION_TYPES) {
      needed.push(`types.${type}.name`, `types.${type}.definition`);
      for (const [field, schema] of Object.entries((DETAILS_BY_TYPE[type] as z.ZodObject).shape as Record<string, z.ZodType>)) {
        needed.push(`details.${field}`);
        let inner = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
        if (inner instanceof z.ZodArray) inner = inner.element as z.ZodType;
        if (inner instanceof z.ZodEnum) for (const o of inner.options) needed.push(`opt.${String(o)}`);
      }
    }
    for (const s of VERIFICATION_STATUSES) needed.push(`status.${s}`);
    for (const l of VERIFICATION_LEVELS) needed.push(`level.${l}`);
    for (const b of AGE_BANDS) needed.push(`ageBand.${b}`);
    for (const c of PARTY_CATEGORIES) needed.push(`partyCategory.${c}`);
    for (const r of ROLES) needed.push(`role.${r}`);
    for (const o of ['yes', 'no', 'unknown']) needed.push(`opt.${o}`);
    assert.deepEqual([...new Set(needed)].filter((k) => !languages.en.has(k)), []);
  });

  it('every literal key the app asks for exists', () => {
    const root = path.resolve(import.meta.dirname, '../web/src');
    const files = fs.readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => /\.tsx?$/.test(f) && !f.startsWith('i18n'));
    const missing: string[] = [];
    for (const f of files) {
      const src = fs.readFileSync(path.join(root, f), 'utf8');
      for (const m of src.matchAll(/\bt\(\s*'([a-zA-Z0-9_.-]+)'/g)) if (!languages.en.has(m[1]!)) missing.push(`${f}: ${m[1]}`);
    }
    assert.deepEqual(missing, []);
  });
});
