import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import type { ListFilters, ViolationView } from '../api/types.ts';
import { FilteredList } from '../components/filtered-list.tsx';
import { useFilteredList } from '../components/use-filtered-list.ts';
import { formatNumber } from '../i18n/index.ts';
import { Link } from '../router.ts';

const fetchViolations = (f: ListFilters) => api.listViolations(f);

export function ViolationList() {
  const { t } = useTranslation();
  const state = useFilteredList<ViolationView>(fetchViolations);
  const columns = [
    { key: 'type', title: t('list.type'), className: 'col-title' },
    { key: 'children', title: t('list.children'), className: 'col-num' },
    { key: 'perpetrators', title: t('record.perpetrators'), className: 'col-area' },
    { key: 'status', title: t('list.status'), className: 'col-status' },
    { key: 'incident', title: t('verify.incident'), className: 'col-id' },
  ];
  return (
    <FilteredList title={t('list.violationsTitle')} state={state} columns={columns} rowKey={(r) => r.id}
      renderCells={(r, reference) => [
        t(`types.${r.type}.name`),
        formatNumber(r.totals.total),
        r.perpetrators.map((p) => reference?.partyById.get(p.party_id)?.name ?? '?').join(', '),
        <span className={`status status-${r.verification.final.status}`}>{t(`status.${r.verification.final.status}`)}</span>,
        <Link to={`/incidents/${r.incident_id}`} dir="ltr">{r.incident_id.slice(0, 8).toUpperCase()}</Link>,
      ]} />
  );
}
