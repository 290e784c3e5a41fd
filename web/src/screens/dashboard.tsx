import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AreaMap, type MapPoint } from '../components/area-map.tsx';
import { BarChart, type Datum } from '../components/bar-chart.tsx';
import { Field, Notice, errorText } from '../components/field.tsx';
import { formatMonth, formatNumber, translateOr } from '../i18n/index.ts';
import { areaName, useReference } from '../reference.ts';
import { useMe } from '../session.tsx';
import { loadBreakdown, loadPoints, type Breakdown } from './dashboard-data.ts';

export function Dashboard() {
  const { t } = useTranslation();
  const me = useMe();
  const reference = useReference();
  const thisYear = new Date().getUTCFullYear();
  const [year, setYear] = useState(thisYear);
  const [data, setData] = useState<Breakdown | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [points, setPoints] = useState<{ points: MapPoint[]; gridDegrees: number } | null>(null);

  useEffect(() => {
    if (!reference) return;
    let live = true;
    setData(null);
    setError(null);
    setPoints(null);
    loadBreakdown(me.role, year, reference).then((d) => { if (live) setData(d); }, (e: unknown) => { if (live) setError(e); });
    loadPoints(me.role, year).then((p) => { if (live) setPoints(p); }, (e: unknown) => { if (live) setError(e); });
    return () => { live = false; };
  }, [me.role, year, reference]);

  const entries = (m: Record<string, number | null>, label: (k: string) => string, sort: 'key' | 'value' = 'value'): Datum[] =>
    Object.entries(m).map(([k, v]) => ({ key: k, label: label(k), value: v }))
      .sort((a, b) => (sort === 'key' ? a.key.localeCompare(b.key) : (b.value ?? 0) - (a.value ?? 0)))
      .map(({ label: l, value }) => ({ label: l, value }));
  // The report counts by the MRM rules (children for victim-counted types); the records fallback counts violations.
  const fromReport = data?.source === 'report';

  return (
    <div className="dashboard">
      <h1 tabIndex={-1}>{t('dashboard.title')}</h1>
      <div className="filters card">
        <Field label={t('dashboard.year')}>
          <select name="year" value={year} onChange={(e) => setYear(Number(e.target.value))}>
            {Array.from({ length: 8 }, (_, i) => thisYear - i).map((y) => <option key={y} value={y}>{new Intl.NumberFormat(document.documentElement.lang, { useGrouping: false }).format(y)}</option>)}
          </select>
        </Field>
      </div>
      {error != null && <Notice kind="error">{errorText(t, error)}</Notice>}
      {!data && error == null && <p className="loading" role="status">{t('app.loading')}</p>}
      {data && (
        <>
          <p className="hint">{fromReport ? t('dashboard.fromReport') : t('dashboard.fromRecords')}</p>
          {data.suppressed && <Notice kind="info">{t('dashboard.suppressed')}</Notice>}
          <div className="kpis">
            <div className="kpi card"><span className="kpi-value" data-testid="kpi-verified">{formatNumber(data.totalVerified)}</span><span>{t(fromReport ? 'dashboard.totalVerified' : 'dashboard.verifiedRecords')}</span></div>
            <div className="kpi card"><span className="kpi-value">{formatNumber(data.children)}</span><span>{t(fromReport ? 'dashboard.children' : 'dashboard.childrenRecords')}</span></div>
          </div>
          {fromReport && <p className="hint">{t('dashboard.countingNote')}</p>}
          <AreaMap areas={reference?.areas ?? []} counts={data.byAdmin1} points={points?.points ?? null}
            blurKm={points ? Math.round(points.gridDegrees * 111) : null} />
          <div className="chart-grid">
            <BarChart title={t('dashboard.byType')} horizontal data={entries(data.byType, (k) => t(`types.${k}.name`))} />
            <BarChart title={t('dashboard.byMonth')} data={entries(data.byMonth, formatMonth, 'key')} />
            <BarChart title={t('dashboard.byPerpetrator')} horizontal data={entries(data.byPerpetratorCategory, (k) => translateOr(`partyCategory.${k}`, k))} />
            <BarChart title={t('dashboard.byAdmin1')} horizontal data={entries(data.byAdmin1, (k) => areaName(reference?.areaByPcode.get(k), k))} />
          </div>
        </>
      )}
    </div>
  );
}
