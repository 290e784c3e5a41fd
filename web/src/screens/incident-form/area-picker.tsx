import { useTranslation } from 'react-i18next';
import type { AdminArea, Scope } from '../../api/types.ts';
import { Field } from '../../components/field.tsx';
import { areaName, type Reference } from '../../reference.ts';

/**
 * Cascading selects by admin level (P-codes). Only areas the user may record in (or their parents)
 * are offered, since the server refuses the rest.
 */
export function AreaPicker({ reference, scope, value, onChange, error }: {
  reference: Reference | null; scope: Scope; value: string; onChange(pcode: string): void; error: string | null;
}) {
  const { t } = useTranslation();
  if (!reference) return <p className="loading" role="status">{t('app.loading')}</p>;
  const chain: AdminArea[] = [];
  for (let a = reference.areaByPcode.get(value); a; a = a.parent_pcode ? reference.areaByPcode.get(a.parent_pcode) : undefined) chain.unshift(a);
  // A retired area is offered only where a record already names it.
  const allowed = (a: AdminArea) => (a.active !== false || chain.includes(a)) && (!scope.country || a.country_iso3 === scope.country)
    && (scope.areas.length === 0 || scope.areas.some((p) => a.pcode.startsWith(p) || p.startsWith(a.pcode)));
  const roots = reference.areas.filter((a) => allowed(a) && (a.admin_level === 1 || (a.admin_level > 0 && !reference.areaByPcode.has(a.parent_pcode ?? ''))));
  const levels: { parent: string | null; options: AdminArea[]; selected: string }[] = [{ parent: null, options: roots, selected: chain.find((a) => a.admin_level === 1)?.pcode ?? '' }];
  for (const a of chain.filter((x) => x.admin_level >= 1)) {
    const children = reference.areas.filter((c) => c.parent_pcode === a.pcode && allowed(c));
    if (children.length === 0) break;
    const selected = chain.find((c) => c.parent_pcode === a.pcode)?.pcode ?? '';
    levels.push({ parent: a.pcode, options: children, selected });
  }
  const byName = (x: AdminArea, y: AdminArea) => areaName(x).localeCompare(areaName(y));
  const chosen = reference.areaByPcode.get(value);
  return (
    <fieldset className={`area-picker${error ? ' field-invalid' : ''}`}>
      <legend>{t('form.area')}</legend>
      <div className="area-levels">
        {levels.map((level, i) => (
          <Field key={level.parent ?? 'root'} label={t('form.areaLevel', { level: level.options[0]?.admin_level ?? i + 1 })}>
            <select name={`area-level-${i + 1}`} value={level.selected}
              onChange={(e) => onChange(e.target.value || level.parent || '')}>
              <option value="">{t('form.areaChoose')}</option>
              {[...level.options].sort(byName).map((a) => <option key={a.pcode} value={a.pcode}>{areaName(a)} · {a.pcode}</option>)}
            </select>
          </Field>
        ))}
      </div>
      {chosen && <p className="hint" aria-live="polite">{t('form.areaSelected', { name: areaName(chosen), pcode: chosen.pcode })}</p>}
      {error && <p className="error" role="alert">{error}</p>}
    </fieldset>
  );
}
