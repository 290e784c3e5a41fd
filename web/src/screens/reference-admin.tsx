import { useTranslation } from 'react-i18next';
import { Notice } from '../components/field.tsx';
import { translateOr } from '../i18n/index.ts';
import { areaName, useReference } from '../reference.ts';

/**
 * The mission's parties to the conflict and admin areas (P-codes), as every form and report sees them.
 * Read-only: the server offers no route to change reference data yet (it is loaded when a mission is
 * set up), and the screen says so rather than offering buttons the server would refuse.
 */
export function ReferenceAdmin() {
  const { t } = useTranslation();
  const reference = useReference();
  if (!reference) return <><h1 tabIndex={-1}>{t('referenceData.title')}</h1><p className="loading" role="status">{t('app.loading')}</p></>;
  const areas = [...reference.areas].sort((a, b) => a.pcode.localeCompare(b.pcode));
  return (
    <div>
      <h1 tabIndex={-1}>{t('referenceData.title')}</h1>
      <Notice kind="info">{t('referenceData.readOnly')}</Notice>
      <section className="card" aria-labelledby="parties-heading">
        <h2 id="parties-heading">{t('referenceData.parties')}</h2>
        <div className="table-scroll" role="region" aria-labelledby="parties-heading" tabIndex={0}>
          <table className="data-table">
            <thead><tr><th scope="col">{t('form.party')}</th><th scope="col">{t('referenceData.aliases')}</th><th scope="col">{t('referenceData.category')}</th><th scope="col">{t('admin.country')}</th></tr></thead>
            <tbody>{reference.parties.map((p) => (
              <tr key={p.id}><th scope="row">{p.name}</th><td>{p.aliases.join(', ') || '—'}</td><td>{translateOr(`partyCategory.${p.category}`, p.category)}</td><td dir="ltr">{p.country_iso3}</td></tr>
            ))}</tbody>
          </table>
        </div>
      </section>
      <section className="card" aria-labelledby="areas-heading">
        <h2 id="areas-heading">{t('referenceData.areas')}</h2>
        <div className="table-scroll" role="region" aria-labelledby="areas-heading" tabIndex={0}>
          <table className="data-table">
            <thead><tr><th scope="col">P-code</th><th scope="col">{t('referenceData.name')}</th><th scope="col">{t('referenceData.level')}</th><th scope="col">{t('referenceData.parent')}</th></tr></thead>
            <tbody>{areas.map((a) => (
              <tr key={a.pcode}><th scope="row" dir="ltr">{a.pcode}</th><td>{areaName(a)}</td><td>{a.admin_level}</td><td dir="ltr">{a.parent_pcode ?? '—'}</td></tr>
            ))}</tbody>
          </table>
        </div>
      </section>
    </div>
  );
}
