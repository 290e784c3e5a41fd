import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api/client.ts';
import type { IncidentSummary, ListFilters } from '../api/types.ts';
import { FilteredList } from '../components/filtered-list.tsx';
import { useFilteredList } from '../components/use-filtered-list.ts';
import { formatDate } from '../i18n/index.ts';
import { DeviceIncidents } from '../offline/device-incidents.tsx';
import { areaName } from '../reference.ts';
import { Link } from '../router.ts';

const fetchIncidents = (f: ListFilters) => api.listIncidents(f);

export function IncidentList() {
  const { t } = useTranslation();
  const state = useFilteredList<IncidentSummary>(fetchIncidents);
  const columns = [
    { key: 'id', title: t('list.id'), className: 'col-id' },
    { key: 'date', title: t('list.date'), className: 'col-date' },
    { key: 'title', title: t('list.title'), className: 'col-title' },
    { key: 'area', title: t('list.area'), className: 'col-area' },
    { key: 'types', title: t('list.types'), className: 'col-types' },
  ];
  // No network: the incidents kept on this device are listed below, to open and change.
  const offline = state.list.error instanceof ApiError && state.list.error.status === 0;
  return (
    <>
    <FilteredList title={t('list.incidentsTitle')} state={state} columns={columns} rowKey={(r) => r.id}
      renderCells={(r, reference) => [
        <Link to={`/incidents/${r.id}`} dir="ltr">{r.short_id}</Link>,
        formatDate(r.date.start, r.date.precision),
        <Link to={`/incidents/${r.id}`}>{r.title}</Link>,
        areaName(reference?.areaByPcode.get(r.location.admin_pcode), r.location.admin_pcode),
        r.violation_types.map((v) => t(`types.${v}.name`)).join(', '),
      ]} />
    {offline && <DeviceIncidents />}
    </>
  );
}
