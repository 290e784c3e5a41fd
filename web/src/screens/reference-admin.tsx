import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { PARTY_CATEGORIES } from '../../../src/modules/reference/schema.ts';
import { api, ApiError } from '../api/client.ts';
import type { AdminArea, Country, Party } from '../api/types.ts';
import { Field, Notice, errorText } from '../components/field.tsx';
import { LANGUAGES, translateOr } from '../i18n/index.ts';
import { areaName, forgetReference } from '../reference.ts';

/**
 * The mission's parties to the conflict and admin areas (P-codes), and their administration: add,
 * change, retire, bring back. Never a delete: records name them. The server checks every rule (P-code
 * hierarchy, unique names, the version read); its refusal, with the rule it names, is shown above the lists.
 */
export function ReferenceAdmin() {
  const { t } = useTranslation();
  const [parties, setParties] = useState<Party[] | null>(null);
  const [areas, setAreas] = useState<AdminArea[] | null>(null);
  const [countries, setCountries] = useState<Country[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ kind: 'party'; row: Party } | { kind: 'area'; row: AdminArea } | null>(null);

  const load = useCallback(async () => {
    const [p, a, c] = await Promise.all([api.parties(), api.adminAreas(), api.countries()]);
    setParties(p.items);
    setAreas([...a.items].sort((x, y) => x.pcode.localeCompare(y.pcode)));
    setCountries(c.items);
  }, []);
  useEffect(() => { load().catch(setError); }, [load]);

  /** Runs one change; on success the lists (here and in every other screen) are read again. */
  const change = async (action: () => Promise<unknown>) => {
    setError(null);
    setNotice(null);
    try {
      await action();
      forgetReference();
      await load();
      setEditing(null);
      setNotice(t('referenceData.saved'));
      return true;
    } catch (err) {
      setError(err);
      return false;
    }
  };

  if (!parties || !areas) {
    return <><h1 tabIndex={-1}>{t('referenceData.title')}</h1>{error != null ? <Notice kind="error">{errorText(t, error)}</Notice> : <p className="loading" role="status">{t('app.loading')}</p>}</>;
  }
  // A name or P-code taken, a wrong parent…: the server's rule names what to fix (the generic text of
  // `record.conflict` speaks of a concurrent change, which only a stale version is).
  const refusal = (err: unknown) => (err instanceof ApiError && err.field && err.rule && err.field !== 'version'
    ? t('referenceData.refused', { field: err.field, rule: err.rule }) : errorText(t, err));
  const status = (active: boolean) => (active ? t('referenceData.active') : t('referenceData.retired'));
  return (
    <div>
      <h1 tabIndex={-1}>{t('referenceData.title')}</h1>
      <p className="hint">{t('referenceData.readOnly')}</p>
      <div aria-live="polite">
        {notice && <Notice kind="info">{notice}</Notice>}
        {error != null && <Notice kind="error">{refusal(error)}</Notice>}
      </div>

      <section className="card" aria-labelledby="parties-heading">
        <h2 id="parties-heading">{t('referenceData.parties')}</h2>
        <div className="table-scroll" role="region" aria-labelledby="parties-heading" tabIndex={0}>
          <table className="data-table">
            <thead><tr>
              <th scope="col">{t('form.party')}</th><th scope="col">{t('referenceData.aliases')}</th><th scope="col">{t('referenceData.category')}</th>
              <th scope="col">{t('admin.country')}</th><th scope="col">{t('referenceData.status')}</th><th scope="col">{t('admin.actions')}</th>
            </tr></thead>
            <tbody>{parties.map((p) => (
              <tr key={p.id}>
                <th scope="row">{p.name}</th><td>{p.aliases.join(', ') || '—'}</td><td>{translateOr(`partyCategory.${p.category}`, p.category)}</td>
                <td dir="ltr">{p.country_iso3}</td><td>{status(p.active)}</td>
                <td className="button-row">
                  <button type="button" onClick={() => setEditing({ kind: 'party', row: p })} aria-label={t('referenceData.editing', { name: p.name })}>{t('referenceData.edit')}</button>
                  <button type="button" onClick={() => void change(() => api.updateParty(p.id, { version: p.version, active: !p.active }))}>
                    {p.active ? t('referenceData.retire') : t('referenceData.restore')}<span className="visually-hidden"> {p.name}</span>
                  </button>
                </td>
              </tr>
            ))}</tbody>
          </table>
        </div>
        {editing?.kind === 'party'
          ? <PartyForm key={editing.row.id} party={editing.row} countries={countries} onCancel={() => setEditing(null)}
              onSave={(body) => change(() => api.updateParty(editing.row.id, { version: editing.row.version, name: body.name, aliases: body.aliases, category: body.category }))} />
          : <PartyForm countries={countries} onSave={(body) => change(() => api.createParty(body))} />}
      </section>

      <section className="card" aria-labelledby="areas-heading">
        <h2 id="areas-heading">{t('referenceData.areas')}</h2>
        <div className="table-scroll" role="region" aria-labelledby="areas-heading" tabIndex={0}>
          <table className="data-table">
            <thead><tr>
              <th scope="col">{t('referenceData.pcode')}</th><th scope="col">{t('referenceData.name')}</th><th scope="col">{t('referenceData.level')}</th>
              <th scope="col">{t('referenceData.parent')}</th><th scope="col">{t('referenceData.status')}</th><th scope="col">{t('admin.actions')}</th>
            </tr></thead>
            <tbody>{areas.map((a) => (
              <tr key={a.pcode}>
                <th scope="row" dir="ltr">{a.pcode}</th><td>{areaName(a)}</td><td>{a.admin_level}</td><td dir="ltr">{a.parent_pcode ?? '—'}</td><td>{status(a.active)}</td>
                <td className="button-row">
                  <button type="button" onClick={() => setEditing({ kind: 'area', row: a })} aria-label={t('referenceData.editing', { name: areaName(a) })}>{t('referenceData.edit')}</button>
                  <button type="button" onClick={() => void change(() => api.updateAdminArea(a.pcode, { version: a.version, active: !a.active }))}>
                    {a.active ? t('referenceData.retire') : t('referenceData.restore')}<span className="visually-hidden"> {areaName(a)}</span>
                  </button>
                </td>
              </tr>
            ))}</tbody>
          </table>
        </div>
        {editing?.kind === 'area'
          ? <AreaForm key={editing.row.pcode} area={editing.row} areas={areas} onCancel={() => setEditing(null)}
              onSave={(body) => change(() => api.updateAdminArea(editing.row.pcode, { version: editing.row.version, name: body.name, names: body.names }))} />
          : <AreaForm areas={areas} onSave={(body) => change(() => api.createAdminArea(body))} />}
      </section>
    </div>
  );
}

function FormCard({ title, onSubmit, onCancel, children }: { title: string; onSubmit(): Promise<boolean>; onCancel?: () => void; children: ReactNode }) {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try { await onSubmit(); } finally { setBusy(false); }
  };
  return (
    <form className="card" onSubmit={(e) => void submit(e)} aria-label={title}>
      <h3>{title}</h3>
      {children}
      <div className="button-row">
        <button type="submit" className="primary" disabled={busy}>{t('app.save')}</button>
        {onCancel && <button type="button" onClick={onCancel}>{t('app.cancel')}</button>}
      </div>
    </form>
  );
}

function PartyForm({ party, countries, onSave, onCancel }: {
  party?: Party; countries: Country[]; onSave(body: { name: string; aliases: string[]; category: string; country_iso3: string }): Promise<boolean>; onCancel?: () => void;
}) {
  const { t } = useTranslation();
  const [name, setName] = useState(party?.name ?? '');
  const [aliases, setAliases] = useState(party?.aliases.join(', ') ?? '');
  const [category, setCategory] = useState(party?.category ?? 'non_state_armed_group');
  const [country, setCountry] = useState(party?.country_iso3 ?? countries[0]?.iso3 ?? '');
  const save = async () => {
    const ok = await onSave({ name, aliases: aliases.split(',').map((x) => x.trim()).filter(Boolean), category, country_iso3: country });
    if (ok && !party) { setName(''); setAliases(''); }
    return ok;
  };
  return (
    <FormCard title={party ? t('referenceData.editing', { name: party.name }) : t('referenceData.addParty')} onSubmit={save} onCancel={onCancel}>
      <div className="details-grid">
        <Field label={t('referenceData.name')}><input name="party-name" required maxLength={300} value={name} onChange={(e) => setName(e.target.value)} /></Field>
        <Field label={t('referenceData.aliases')} hint={t('referenceData.aliasesHint')}><input name="party-aliases" value={aliases} onChange={(e) => setAliases(e.target.value)} /></Field>
        <Field label={t('referenceData.category')}>
          <select name="party-category" value={category} onChange={(e) => setCategory(e.target.value)}>
            {PARTY_CATEGORIES.map((c) => <option key={c} value={c}>{translateOr(`partyCategory.${c}`, c)}</option>)}
          </select>
        </Field>
        {!party && (
          <Field label={t('admin.country')}>
            <select name="party-country" value={country} onChange={(e) => setCountry(e.target.value)}>
              {countries.map((c) => <option key={c.iso3} value={c.iso3}>{c.name} · {c.iso3}</option>)}
            </select>
          </Field>
        )}
      </div>
    </FormCard>
  );
}

function AreaForm({ area, areas, onSave, onCancel }: {
  area?: AdminArea; areas: AdminArea[];
  onSave(body: { pcode: string; country_iso3: string; admin_level: number; parent_pcode: string | null; name: string; names: Record<string, string> }): Promise<boolean>;
  onCancel?: () => void;
}) {
  const { t } = useTranslation();
  const parents = areas.filter((a) => a.active && a.admin_level < 5);
  const [parentPcode, setParentPcode] = useState(area?.parent_pcode ?? '');
  const [pcode, setPcode] = useState(area?.pcode ?? '');
  const [name, setName] = useState(area?.name ?? '');
  const [names, setNames] = useState<Record<string, string>>(area?.names ?? {});
  const parent = areas.find((a) => a.pcode === parentPcode);
  const save = async () => {
    const cleanNames = Object.fromEntries(Object.entries(names).map(([k, v]) => [k, v.trim()]).filter(([, v]) => v));
    const ok = await onSave({ pcode: pcode.trim(), country_iso3: parent?.country_iso3 ?? '', admin_level: (parent?.admin_level ?? -1) + 1, parent_pcode: parent?.pcode ?? null, name, names: cleanNames });
    if (ok && !area) { setPcode(''); setName(''); setNames({}); }
    return ok;
  };
  return (
    <FormCard title={area ? t('referenceData.editing', { name: areaName(area) }) : t('referenceData.addArea')} onSubmit={save} onCancel={onCancel}>
      <div className="details-grid">
        {!area && (
          <>
            <Field label={t('referenceData.parent')}>
              <select name="area-parent" required value={parentPcode} onChange={(e) => { setParentPcode(e.target.value); if (!pcode || pcode.startsWith(parentPcode)) setPcode(e.target.value); }}>
                <option value="">{t('referenceData.chooseParent')}</option>
                {parents.map((a) => <option key={a.pcode} value={a.pcode}>{'\u00a0'.repeat(a.admin_level * 2)}{areaName(a)} · {a.pcode}</option>)}
              </select>
            </Field>
            <Field label={t('referenceData.pcode')} hint={t('referenceData.pcodeHint')}>
              <input name="area-pcode" dir="ltr" required maxLength={32} value={pcode} onChange={(e) => setPcode(e.target.value)} />
            </Field>
          </>
        )}
        <Field label={t('referenceData.name')}><input name="area-name" required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} /></Field>
        {LANGUAGES.map((l) => (
          <Field key={l.code} label={t('referenceData.nameIn', { language: l.label })}>
            <input name={`area-name-${l.code}`} lang={l.code} dir={l.dir} maxLength={200} value={names[l.code] ?? ''} onChange={(e) => setNames((n) => ({ ...n, [l.code]: e.target.value }))} />
          </Field>
        ))}
      </div>
    </FormCard>
  );
}
