import { useTranslation } from 'react-i18next';
import type { AdminArea } from '../api/types.ts';
import { formatNumber } from '../i18n/index.ts';
import { areaName } from '../reference.ts';

export interface MapPoint { latitude: number; longitude: number }

/**
 * The mission's admin-1 areas, shaded by count, drawn with no tile server. The store holds P-codes
 * and names but no boundary polygons yet (reference data has `boundary_version`, no geometry), so
 * each area is an equal tile in P-code order, a tile map rather than a shape map; the caption says
 * so. Points, when the role may see them, are drawn beside it on their own latitude/longitude frame,
 * already blurred by the caller.
 */
export function AreaMap({ areas, counts, points, blurKm }: {
  areas: AdminArea[]; counts: Record<string, number | null>; points: MapPoint[] | null; blurKm: number | null;
}) {
  const { t } = useTranslation();
  const admin1 = areas.filter((a) => a.admin_level === 1).sort((a, b) => a.pcode.localeCompare(b.pcode));
  const max = Math.max(1, ...admin1.map((a) => counts[a.pcode] ?? 0));
  const cols = Math.max(1, Math.ceil(Math.sqrt(admin1.length)));
  const tile = 110;
  const rows = Math.ceil(admin1.length / cols);
  return (
    <figure className="area-map card">
      <figcaption><h2 className="h3">{t('dashboard.map')}</h2><p className="hint">{t('dashboard.mapTiles')}</p></figcaption>
      <div className="map-panels">
        <svg viewBox={`0 0 ${cols * tile} ${rows * tile}`} className="map-tiles" role="img" aria-label={t('dashboard.mapLabel')}>
          {admin1.map((a, i) => {
            const n = counts[a.pcode];
            const share = n === null || n === undefined ? 0 : n / max;
            const x = (i % cols) * tile;
            const y = Math.floor(i / cols) * tile;
            // The darkest shade still keeps dark text above 4.5:1 contrast, so one text colour serves every tile.
            return (
              <g key={a.pcode} data-pcode={a.pcode}>
                <rect x={x + 3} y={y + 3} width={tile - 6} height={tile - 6} rx={6} fill={`rgb(${Math.round(232 - share * 112)}, ${Math.round(240 - share * 90)}, ${Math.round(250 - share * 50)})`} stroke="#5b6b7f" />
                <text x={x + tile / 2} y={y + tile / 2 - 8} textAnchor="middle" fontSize="13" fill="#1b2430">{truncate(areaName(a), 14)}</text>
                <text x={x + tile / 2} y={y + tile / 2 + 16} textAnchor="middle" fontSize="20" fontWeight="700" fill="#1b2430">
                  {n === null ? t('reports.suppressedCell') : formatNumber(n ?? 0)}
                </text>
              </g>
            );
          })}
        </svg>
        {points && <PointFrame points={points} blurKm={blurKm} />}
      </div>
      <details>
        <summary>{t('reports.table')}</summary>
        <table className="data-table">
          <thead><tr><th scope="col">{t('reports.byAdmin1')}</th><th scope="col">P-code</th><th scope="col">{t('reports.count')}</th></tr></thead>
          <tbody>{admin1.map((a) => {
            const n = counts[a.pcode];
            return <tr key={a.pcode}><th scope="row">{areaName(a)}</th><td dir="ltr">{a.pcode}</td><td>{n === null ? t('reports.suppressedCell') : formatNumber(n ?? 0)}</td></tr>;
          })}</tbody>
        </table>
      </details>
    </figure>
  );
}

function PointFrame({ points, blurKm }: { points: MapPoint[]; blurKm: number | null }) {
  const { t } = useTranslation();
  if (points.length === 0) return <p className="map-points-empty">{t('dashboard.noPoints')}</p>;
  const lats = points.map((p) => p.latitude);
  const lons = points.map((p) => p.longitude);
  const pad = 0.05;
  const [minLat, maxLat, minLon, maxLon] = [Math.min(...lats) - pad, Math.max(...lats) + pad, Math.min(...lons) - pad, Math.max(...lons) + pad];
  const w = 300;
  const h = Math.max(120, Math.min(300, (w * (maxLat - minLat)) / (maxLon - minLon)));
  // One dot per distinct blurred place, sized by how many records share it.
  const groups = new Map<string, { p: MapPoint; n: number }>();
  for (const p of points) {
    const k = `${p.latitude},${p.longitude}`;
    const g = groups.get(k);
    if (g) g.n++; else groups.set(k, { p, n: 1 });
  }
  return (
    <svg viewBox={`0 0 ${w} ${h}`} className="map-points" role="img" direction="ltr"
      aria-label={t('dashboard.pointsLabel', { n: formatNumber(points.length), km: formatNumber(blurKm ?? 0) })}>
      <rect x={0} y={0} width={w} height={h} fill="#f4f7fb" stroke="#5b6b7f" />
      {[...groups.values()].map(({ p, n }) => (
        <circle key={`${p.latitude},${p.longitude}`} cx={((p.longitude - minLon) / (maxLon - minLon)) * w} cy={((maxLat - p.latitude) / (maxLat - minLat)) * h}
          r={Math.min(14, 4 + Math.sqrt(n) * 2)} fill="#a4161a" fillOpacity={0.7} />
      ))}
      <text x={4} y={h - 4} fontSize="10" fill="#1b2430">{minLat.toFixed(2)}°, {minLon.toFixed(2)}°</text>
      <text x={w - 4} y={12} fontSize="10" fill="#1b2430" textAnchor="end">{maxLat.toFixed(2)}°, {maxLon.toFixed(2)}°</text>
    </svg>
  );
}

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/**
 * Who may see incident points on the dashboard, and how coarsely: the grid (in degrees) each point is
 * snapped to. Roles that publish or administer see areas only; record-level roles see blurred points.
 */
export const POINT_GRID_DEGREES: Partial<Record<string, number>> = { verifier: 0.01, monitor: 0.05 };

/** Snaps a point to the role's grid, and never finer than the record's own precision. */
export function blurPoint(p: MapPoint & { precision: string }, gridDegrees: number): MapPoint {
  const grid = p.precision === 'exact' ? gridDegrees : Math.max(gridDegrees, 0.05);
  const snap = (x: number) => Math.round(Math.round(x / grid) * grid * 1e4) / 1e4;
  return { latitude: snap(p.latitude), longitude: snap(p.longitude) };
}
