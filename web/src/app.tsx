import { lazy, Suspense, useEffect, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { changeLanguage, LANGUAGES, type Language } from './i18n/index.ts';
import { Link, match, navigate, useLocation } from './router.ts';
import { AccountSetupScreen } from './screens/account-setup.tsx';
import { LoginScreen } from './screens/login.tsx';
import { SCREENS_BY_ROLE, useSession } from './session.tsx';
import { SyncBadge, SyncScreen } from './offline/sync-screen.tsx';

const IncidentForm = lazy(() => import('./screens/incident-form.tsx').then((m) => ({ default: m.IncidentForm })));
// A reload on the form (a monitor's home) fetches its chunk with the app, not after the session check.
if (window.location.pathname === '/incidents/new') void import('./screens/incident-form.tsx');
const IncidentList = lazy(() => import('./screens/incident-list.tsx').then((m) => ({ default: m.IncidentList })));
const ViolationList = lazy(() => import('./screens/violation-list.tsx').then((m) => ({ default: m.ViolationList })));
const IncidentPage = lazy(() => import('./screens/incident-page.tsx').then((m) => ({ default: m.IncidentPage })));
const ReferenceAdmin = lazy(() => import('./screens/reference-admin.tsx').then((m) => ({ default: m.ReferenceAdmin })));
const IncidentEdit = lazy(() => import('./screens/incident-edit.tsx').then((m) => ({ default: m.IncidentEdit })));
const VerificationQueue = lazy(() => import('./screens/verification-queue.tsx').then((m) => ({ default: m.VerificationQueue })));
const Dashboard = lazy(() => import('./screens/dashboard.tsx').then((m) => ({ default: m.Dashboard })));
const Reports = lazy(() => import('./screens/reports.tsx').then((m) => ({ default: m.Reports })));
const Users = lazy(() => import('./screens/users.tsx').then((m) => ({ default: m.Users })));
const AuditLog = lazy(() => import('./screens/audit-log.tsx').then((m) => ({ default: m.AuditLog })));
const Conduct = lazy(() => import('./screens/conduct/index.tsx').then((m) => ({ default: m.Conduct })));
const Alerts = lazy(() => import('./screens/alerts.tsx').then((m) => ({ default: m.Alerts })));
const Cases = lazy(() => import('./screens/cases/index.tsx').then((m) => ({ default: m.Cases })));

const PATHS: Record<string, string> = {
  referenceData: '/admin/reference',
  newIncident: '/incidents/new', incidents: '/incidents', violations: '/violations', verification: '/verification',
  dashboard: '/dashboard', reports: '/reports', users: '/admin/users', audit: '/audit',
  conduct: '/conduct',
  alerts: '/alerts',
  cases: '/cases', tracing: '/tracing', caseIndicators: '/cases/indicators',
};

export function App() {
  const { state } = useSession();
  const { t } = useTranslation();
  if (state.status === 'loading') return <p className="loading" role="status">{t('app.loading')}</p>;
  return (
    <>
      <a className="skip-link" href="#main">{t('app.skipToContent')}</a>
      <Header />
      {state.status === 'anonymous' ? <LoginScreen /> : state.status === 'setup' ? <AccountSetupScreen /> : <Routes />}
    </>
  );
}

function LanguagePicker() {
  const { t, i18n } = useTranslation();
  return (
    <label className="language-picker">
      <span className="visually-hidden">{t('app.language')}</span>
      <select value={i18n.language} onChange={(e) => void changeLanguage(e.target.value as Language)} aria-label={t('app.language')}>
        {LANGUAGES.map((l) => <option key={l.code} value={l.code} lang={l.code}>{l.label}</option>)}
      </select>
    </label>
  );
}

function Header() {
  const { t } = useTranslation();
  const { state, logout } = useSession();
  const { path } = useLocation();
  const screens = state.status === 'ready' ? SCREENS_BY_ROLE[state.me.role] : [];
  return (
    <header className="app-header">
      <div className="brand">
        <span className="logo" aria-hidden="true" />
        <span>{t('app.name')}</span>
      </div>
      {screens.length > 0 && (
        <nav aria-label={t('nav.main')} className="main-nav">
          <ul>
            {screens.map((s) => {
              const to = PATHS[s]!;
              const current = path === to || (s === 'incidents' && /^\/incidents\/(?!new)/.test(path)) || (s === 'conduct' && path.startsWith('/conduct/'))
                || (s === 'cases' && /^\/cases\/(?!indicators)/.test(path)) || (s === 'tracing' && path.startsWith('/tracing/'));
              return <li key={s}><Link to={to} aria-current={current ? 'page' : undefined}>{t(`nav.${s}`)}</Link></li>;
            })}
          </ul>
        </nav>
      )}
      <div className="header-tools">
        {state.status === 'ready' && <SyncBadge />}
        <LanguagePicker />
        {state.status === 'ready' || state.status === 'setup' ? (
          <button type="button" className="link-button" onClick={() => void logout()} title={t('app.signedInAs', { user: state.me.username, role: t(`role.${state.me.role}`) })}>
            {t('app.logout')}
          </button>
        ) : null}
      </div>
    </header>
  );
}

function Routes() {
  const { t } = useTranslation();
  const { state } = useSession();
  const { path } = useLocation();
  const mainRef = useRef<HTMLElement>(null);
  const role = state.status === 'ready' ? state.me.role : 'monitor';
  const home = PATHS[SCREENS_BY_ROLE[role][0] ?? ''];

  useEffect(() => {
    if (path === '/' && home) navigate(home, { replace: true });
  }, [path, home]);
  // Move focus to the new page's heading so keyboard and screen-reader users know the page changed.
  useEffect(() => { mainRef.current?.querySelector('h1')?.focus(); }, [path]);

  let screen: ReactNode;
  let params: Record<string, string> | null;
  if (path === '/incidents/new') screen = <IncidentForm />;
  else if (path === '/incidents') screen = <IncidentList />;
  else if ((params = match('/incidents/:id', path))) screen = <IncidentPage id={params.id!} />;
  else if ((params = match('/incidents/:id/edit', path))) screen = <IncidentEdit id={params.id!} />;
  else if (path === '/outbox') screen = <SyncScreen />;
  else if (path === '/violations') screen = <ViolationList />;
  else if (path === '/verification') screen = <VerificationQueue />;
  else if (path === '/dashboard') screen = <Dashboard />;
  else if (path === '/reports') screen = <Reports />;
  else if (path === '/admin/users') screen = <Users />;
  else if (path === '/admin/reference') screen = <ReferenceAdmin />;
  else if (path === '/audit') screen = <AuditLog />;
  else if (path === '/conduct' || path.startsWith('/conduct/')) screen = <Conduct path={path} />;
  else if (path === '/alerts') screen = <Alerts />;
  else if (/^\/(cases|tracing)(\/|$)/.test(path)) screen = <Cases path={path} />;
  else if (path === '/') screen = null;
  else screen = <div><h1 tabIndex={-1}>{t('app.notFound')}</h1><p><Link to="/">{t('app.backHome')}</Link></p></div>;

  return (
    <main id="main" ref={mainRef}>
      <Suspense fallback={<p className="loading" role="status">{t('app.loading')}</p>}>{screen}</Suspense>
    </main>
  );
}
