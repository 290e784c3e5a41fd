import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api/client.ts';
import { Field, Notice, errorText } from '../components/field.tsx';
import { useSession } from '../session.tsx';

/** What a new account must do before anything else: its own password, then its authenticator app. */
export function AccountSetupScreen() {
  const { state } = useSession();
  if (state.status !== 'setup') return null;
  return state.step === 'password' ? <PasswordChange /> : <SecondFactorEnrolment />;
}

function PasswordChange() {
  const { t } = useTranslation();
  const { refresh } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (next !== repeat) { setErrors({ repeat: t('setup.mismatch') }); return; }
    setBusy(true);
    setErrors({});
    try {
      await api.changePassword(current, next);
      await refresh();
    } catch (err) {
      const field = err instanceof ApiError && err.field ? err.field : '_';
      setErrors({ [field === 'current_password' ? 'current' : field === 'new_password' ? 'next' : '_']: errorText(t, err) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" className="auth-screen">
      <form className="card auth-card" onSubmit={submit} noValidate>
        <h1>{t('setup.passwordTitle')}</h1>
        <p>{t('setup.passwordHelp')}</p>
        {errors._ && <Notice kind="error">{errors._}</Notice>}
        <Field label={t('setup.currentPassword')} error={errors.current}>
          <input name="current_password" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} />
        </Field>
        <Field label={t('setup.newPassword')} error={errors.next}>
          <input name="new_password" type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} />
        </Field>
        <Field label={t('setup.confirmPassword')} error={errors.repeat}>
          <input name="repeat_password" type="password" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} />
        </Field>
        <button type="submit" className="primary" disabled={busy}>{t('setup.savePassword')}</button>
      </form>
    </main>
  );
}

function SecondFactorEnrolment() {
  const { t } = useTranslation();
  const { refresh } = useSession();
  const [enrolment, setEnrolment] = useState<{ secret: string; otpauth_uri: string } | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function start() {
    setBusy(true);
    setError(null);
    try { setEnrolment(await api.enrolSecondFactor()); } catch (err) { setError(errorText(t, err)); } finally { setBusy(false); }
  }

  async function confirm(e: FormEvent) {
    e.preventDefault();
    if (!/^\d{6}$/.test(code.trim())) { setError(t('errors.codeFormat')); return; }
    setBusy(true);
    setError(null);
    try {
      await api.confirmSecondFactor(code.trim());
      await refresh();
    } catch (err) {
      setError(errorText(t, err));
    } finally {
      setBusy(false);
    }
  }

  // Groups of four make a 32-character key easier to type by hand.
  const grouped = enrolment?.secret.replace(/(.{4})/g, '$1 ').trim();
  return (
    <main id="main" className="auth-screen">
      <div className="card auth-card">
        <h1>{t('setup.enrolTitle')}</h1>
        <p>{t('setup.enrolHelp')}</p>
        {!enrolment ? (
          <>
            {error && <Notice kind="error">{error}</Notice>}
            <button type="button" className="primary" onClick={start} disabled={busy}>{t('setup.start')}</button>
          </>
        ) : (
          <form onSubmit={confirm} noValidate>
            <p>{t('setup.enrolStep1')}</p>
            <p><a className="button" href={enrolment.otpauth_uri}>{t('setup.openInApp')}</a></p>
            <p className="secret-label">{t('setup.secret')}</p>
            <p className="secret" dir="ltr" data-testid="totp-secret" data-secret={enrolment.secret}>{grouped}</p>
            <p>{t('setup.enrolStep2')}</p>
            <Field label={t('login.code')} error={error}>
              <input name="code" inputMode="numeric" autoComplete="one-time-code" maxLength={6} value={code} onChange={(e) => setCode(e.target.value)} />
            </Field>
            <button type="submit" className="primary" disabled={busy}>{t('setup.confirm')}</button>
          </form>
        )}
      </div>
    </main>
  );
}
