import { useTranslation } from 'react-i18next';
import { match, Link } from '../../router.ts';
import { useMe } from '../../session.tsx';
import { AGGREGATE_ROLES, CONDUCT_ROLE } from '../../../../src/modules/sea/policy.ts';
import { AllegationForm } from './allegation-form.tsx';
import { AllegationList } from './allegation-list.tsx';
import { AllegationPage } from './allegation-page.tsx';
import { ConductFigures } from './figures.tsx';

/**
 * Every conduct screen under /conduct, decided by the same rules as the server (sea/policy.ts): the
 * conduct officer reaches the allegations; the other roles allowed the aggregate reach only that; for
 * everyone else these paths do not exist, as the allegations do not.
 */
export function Conduct({ path }: { path: string }) {
  const { t } = useTranslation();
  const me = useMe();
  const officer = me.role === CONDUCT_ROLE;
  const figures = AGGREGATE_ROLES.includes(me.role);
  let params: Record<string, string> | null;
  if (officer && path === '/conduct') return <AllegationList />;
  if (officer && path === '/conduct/new') return <AllegationForm />;
  if (officer && (params = match('/conduct/allegations/:id', path))) return <AllegationPage id={params.id!} />;
  if (figures && (path === '/conduct' || path === '/conduct/figures')) return <ConductFigures />;
  return <div><h1 tabIndex={-1}>{t('app.notFound')}</h1><p><Link to="/">{t('app.backHome')}</Link></p></div>;
}
