import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api/client.ts';
import { Field, Notice, errorText } from '../components/field.tsx';
import { useSession } from '../session.tsx';

export function LoginScreen() {
  const { t } = useTranslation();
  const { state, setState } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [needsCode, setNeedsCode] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ field: string | null; text: string } | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (needsCode && !/^\d{6}$/.test(code.trim())) { setError({ field: 'totp_code', text: t('errors.codeFormat') }); return; }
    setBusy(true);
    setError(null);
    try {
      const result = await api.login({ username: username.trim(), password, ...(needsCode && { totp_code: code.trim() }) });
      const me = { id: result.user.id, mission_id: result.user.mission_id, username: result.user.username, role: result.user.role, scope: result.user.scope };
      if (result.password_change_required) setState({ status: 'setup', me, step: 'password' });
      else if (result.second_factor_enrolment_required) setState({ status: 'setup', me, step: 'enrol' });
      else setState({ status: 'ready', me });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'auth.second_factor_required') {
        setNeedsCode(true);
      } else {
        setError({ field: err instanceof ApiError ? (err.code === 'auth.second_factor_invalid' ? 'totp_code' : err.field) : null, text: errorText(t, err) });
        if (err instanceof ApiError && err.code === 'auth.second_factor_invalid') setCode('');
      }
    } finally {
      setBusy(false);
    }
  }

  const notice = state.status === 'anonymous' && state.notice ? t(state.notice) : null;
  return (
    <main id="main" className="auth-screen">
      <form className="card auth-card" onSubmit={submit} noValidate>
        <h1>{needsCode ? t('login.codeTitle') : t('login.title')}</h1>
        {notice && <Notice kind="info">{notice}</Notice>}
        {error && !error.field && <Notice kind="error">{error.text}</Notice>}
        {!needsCode ? (
          <>
            <Field label={t('login.username')}>
              <input name="username" autoComplete="username" autoCapitalize="none" spellCheck={false} required value={username} onChange={(e) => setUsername(e.target.value)} />
            </Field>
            <Field label={t('login.password')} error={error?.field === 'password' ? error.text : null}>
              <input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
            </Field>
          </>
        ) : (
          <Field label={t('login.code')} hint={t('login.codeHelp')} error={error?.field === 'totp_code' ? error.text : null}>
            <input name="totp_code" inputMode="numeric" autoComplete="one-time-code" pattern="[0-9]{6}" maxLength={6} required autoFocus value={code} onChange={(e) => setCode(e.target.value)} />
          </Field>
        )}
        <button type="submit" className="primary" disabled={busy}>{busy ? t('login.submitting') : needsCode ? t('login.verifyCode') : t('login.submit')}</button>
      </form>
    </main>
  );
}
