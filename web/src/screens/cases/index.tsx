import { useTranslation } from 'react-i18next';
import { Link, match } from '../../router.ts';
import { useMe } from '../../session.tsx';
import { CaseList } from './case-list.tsx';
import { CasePage } from './case-page.tsx';
import { CaseRegister } from './case-register.tsx';
import { CaseIndicatorsScreen } from './indicators.tsx';
import { TracingList } from './tracing-list.tsx';
import { TracingPage } from './tracing-page.tsx';

// The server's lists (cases/policy.ts CASE_ROLES, indicators-service.ts INDICATOR_ROLES); those modules import the
// database layer, so the bundle cannot take them and repeats the two lists here.
export const CASE_ROLES = ['case_worker', 'supervisor'] as const;
export const INDICATOR_ROLES = ['analyst', 'supervisor'] as const;

/**
 * Every case screen under /cases and /tracing, decided by the server's own role lists (cases/policy.ts,
 * indicators-service.ts): case workers and supervisors reach the cases and tracing; analysts and
 * supervisors the indicators; for everyone else these paths do not exist, as the cases do not.
 */
export function Cases({ path }: { path: string }) {
  const { t } = useTranslation();
  const me = useMe();
  const staff = (CASE_ROLES as readonly string[]).includes(me.role);
  const figures = (INDICATOR_ROLES as readonly string[]).includes(me.role);
  let params: Record<string, string> | null;
  if (figures && path === '/cases/indicators') return <CaseIndicatorsScreen />;
  if (staff && path === '/cases') return <CaseList />;
  if (staff && path === '/cases/new') return <CaseRegister />;
  if (staff && (params = match('/cases/:id', path))) return <CasePage key={params.id} id={params.id!} />;
  if (staff && path === '/tracing') return <TracingList />;
  if (staff && (params = match('/tracing/:id', path))) return <TracingPage key={params.id} id={params.id!} />;
  return <div><h1 tabIndex={-1}>{t('app.notFound')}</h1><p><Link to="/">{t('app.backHome')}</Link></p></div>;
}
