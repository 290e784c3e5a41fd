import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import * as echarts from 'echarts/core';
import { BarChart as EBar } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { formatNumber } from '../i18n/index.ts';

// Only what the dashboard draws, so the chart chunk stays small on a slow link.
echarts.use([EBar, GridComponent, TooltipComponent, CanvasRenderer]);

export interface Datum { label: string; value: number | null }

/**
 * A bar chart with the same figures in a table: the canvas is hidden from screen readers, the table
 * is the accessible form. Hidden figures (disclosure control) are shown as such, never as zero.
 */
export function BarChart({ title, data, horizontal = false }: { title: string; data: Datum[]; horizontal?: boolean }) {
  const { t, i18n } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  const rtl = i18n.dir() === 'rtl';

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const chart = echarts.init(el, undefined, { renderer: 'canvas' });
    const labels = data.map((d) => d.label);
    const values = data.map((d) => d.value ?? 0);
    const category = { type: 'category' as const, data: labels, inverse: horizontal || rtl, axisLabel: { interval: 0, width: 110, overflow: 'truncate' as const, rotate: horizontal ? 0 : labels.length > 6 ? 35 : 0 } };
    const value = { type: 'value' as const, minInterval: 1, inverse: horizontal && rtl, position: rtl ? ('right' as const) : undefined, axisLabel: { formatter: (v: number) => formatNumber(v) } };
    chart.setOption({
      animation: false,
      grid: { left: horizontal ? 120 : 40, right: 16, top: 16, bottom: horizontal ? 24 : 72, containLabel: false },
      tooltip: { trigger: 'axis', renderMode: 'richText', valueFormatter: (v: unknown) => formatNumber(Number(v)) },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: [{ type: 'bar', data: values, itemStyle: { color: '#1d4f91' }, barMaxWidth: 32 }],
    });
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(el);
    return () => { observer.disconnect(); chart.dispose(); };
  }, [data, horizontal, rtl]);

  const height = horizontal ? Math.max(160, data.length * 28 + 40) : 280;
  return (
    <figure className="chart card">
      <figcaption><h2 className="h3">{title}</h2></figcaption>
      {data.length === 0 ? <p>{t('dashboard.noData')}</p> : (
        <>
          <div ref={ref} className="chart-canvas" style={{ height }} role="img" aria-label={t('dashboard.chartLabel', { title })} />
          <details>
            <summary>{t('reports.table')}</summary>
            <table className="data-table">
              <thead><tr><th scope="col">{title}</th><th scope="col">{t('reports.count')}</th></tr></thead>
              <tbody>{data.map((d) => <tr key={d.label}><th scope="row">{d.label}</th><td>{d.value === null ? t('reports.suppressedCell') : formatNumber(d.value)}</td></tr>)}</tbody>
            </table>
          </details>
        </>
      )}
    </figure>
  );
}
