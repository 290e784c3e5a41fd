import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { MAX_PIN_FAILURES, vault } from './vault.ts';

/** Set up or enter the PIN that opens the device store. Shown only when sealed storage is needed. */
export function PinGate({ onUnlocked }: { onUnlocked(): void }) {
  const { t } = useTranslation();
  const [setUp, setSetUp] = useState<boolean | null>(null);
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => { void vault.isSetUp().then(setSetUp); }, []);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (pin.length < 6) { setError(t('offline.pinTooShort')); return; }
    setBusy(true);
    try {
      if (!setUp) { await vault.setUp(pin); onUnlocked(); return; }
      if (await vault.unlock(pin)) { onUnlocked(); return; }
      const stillSetUp = await vault.isSetUp();
      if (!stillSetUp) { setSetUp(false); setError(t('offline.wiped')); return; }
      setError(t('offline.pinWrong', { left: MAX_PIN_FAILURES - await vault.failures() }));
    } finally { setBusy(false); setPin(''); }
  }

  if (setUp === null) return null;
  return (
    <form className="pin-gate" onSubmit={(e) => void submit(e)}>
      <h2>{setUp ? t('offline.unlockTitle') : t('offline.setupTitle')}</h2>
      <p>{setUp ? t('offline.unlockHelp') : t('offline.setupHelp')}</p>
      <label>{t('offline.pin')}
        <input name="offline_pin" type="password" inputMode="numeric" autoComplete="off" value={pin} onChange={(e) => setPin(e.target.value)} />
      </label>
      {error && <p role="alert" className="error">{error}</p>}
      <button type="submit" disabled={busy}>{setUp ? t('offline.unlock') : t('offline.setUp')}</button>
    </form>
  );
}
