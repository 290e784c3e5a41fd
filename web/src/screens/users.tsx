import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api/client.ts';
import type { Role, UserView } from '../api/types.ts';
import { Field, Notice, errorText } from '../components/field.tsx';
import { formatNumber } from '../i18n/index.ts';

const ROLES: Role[] = ['monitor', 'verifier', 'analyst', 'admin', 'auditor', 'case_worker', 'supervisor', 'conduct_officer'];

export function Users() {
  const { t } = useTranslation();
  const [users, setUsers] = useState<UserView[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [message, setMessage] = useState<string | null>(null);
  const reload = () => api.users().then((r) => setUsers(r.items), setError);
  useEffect(() => { void reload(); }, []);

  async function act(user: UserView, action: 'revoke' | 'reset') {
    if (action === 'reset' && !window.confirm(t('admin.confirmReset', { username: user.username }))) return;
    setMessage(null);
    try {
      const r = action === 'revoke' ? await api.revokeSessions(user.id) : await api.resetSecondFactor(user.id);
      setMessage(t('admin.revoked', { n: formatNumber(r.revoked_sessions) }));
    } catch (err) { setError(err); }
  }

  return (
    <div>
      <h1 tabIndex={-1}>{t('admin.usersTitle')}</h1>
      {message && <Notice kind="success">{message}</Notice>}
      {error != null && <Notice kind="error">{errorText(t, error)}</Notice>}
      <CreateUser onCreated={(text) => { setMessage(text); void reload(); }} />
      {users === null ? <p role="status">{t('app.loading')}</p> : (
        <div className="table-scroll" role="region" aria-label={t('admin.usersTitle')} tabIndex={0}>
          <table className="data-table">
            <thead><tr><th scope="col">{t('admin.username')}</th><th scope="col">{t('admin.role')}</th><th scope="col">{t('admin.scope')}</th><th scope="col">{t('admin.actions')}</th></tr></thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.id}>
                  <th scope="row"><span dir="ltr">{u.username}</span>{u.display_name && <span className="hint"> · {u.display_name}</span>}{u.disabled && <span className="hint"> ({t('admin.disabled')})</span>}</th>
                  <td>{t(`role.${u.role}`)}</td>
                  <td dir="ltr">{[u.scope.country, ...u.scope.areas, u.scope.agency].filter(Boolean).join(' · ') || t('admin.everywhere')}</td>
                  <td className="button-row">
                    <button type="button" onClick={() => void act(u, 'revoke')}>{t('admin.revoke')}</button>
                    <button type="button" className="danger" onClick={() => void act(u, 'reset')}>{t('admin.reset2fa')}</button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function CreateUser({ onCreated }: { onCreated(message: string): void }) {
  const { t } = useTranslation();
  const [f, setF] = useState({ username: '', display_name: '', role: 'monitor' as Role, country: '', areas: '', agency: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const set = (k: keyof typeof f, v: string) => setF((x) => ({ ...x, [k]: v }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setErrors({});
    try {
      const r = await api.createUser({
        username: f.username.trim(), display_name: f.display_name.trim(), role: f.role,
        scope: { country: f.country.trim().toUpperCase() || null, areas: f.areas.split(',').map((a) => a.trim()).filter(Boolean), agency: f.agency.trim() || null },
      });
      onCreated(t('admin.created', { username: r.user.username, password: r.one_time_password ?? '' }));
      setF({ username: '', display_name: '', role: 'monitor', country: '', areas: '', agency: '' });
    } catch (err) {
      const field = err instanceof ApiError && err.field ? err.field.replace(/^scope\./, '') : '_';
      setErrors({ [field]: errorText(t, err) });
    }
  }

  return (
    <details className="card">
      <summary>{t('admin.create')}</summary>
      <form onSubmit={submit} noValidate>
        {errors._ && <Notice kind="error">{errors._}</Notice>}
        <div className="details-grid">
          <Field label={t('admin.username')} error={errors.username}><input dir="ltr" autoCapitalize="none" value={f.username} onChange={(e) => set('username', e.target.value)} /></Field>
          <Field label={t('admin.displayName')} error={errors.display_name}><input value={f.display_name} onChange={(e) => set('display_name', e.target.value)} /></Field>
          <Field label={t('admin.role')}>
            <select value={f.role} onChange={(e) => set('role', e.target.value)}>{ROLES.map((r) => <option key={r} value={r}>{t(`role.${r}`)}</option>)}</select>
          </Field>
          <Field label={t('admin.country')} error={errors.country}><input dir="ltr" maxLength={3} value={f.country} onChange={(e) => set('country', e.target.value)} /></Field>
          <Field label={t('admin.areas')} error={errors.areas}><input dir="ltr" value={f.areas} onChange={(e) => set('areas', e.target.value)} /></Field>
          <Field label={t('admin.agency')} error={errors.agency}><input value={f.agency} onChange={(e) => set('agency', e.target.value)} /></Field>
        </div>
        <button type="submit" className="primary">{t('admin.create')}</button>
      </form>
    </details>
  );
}
