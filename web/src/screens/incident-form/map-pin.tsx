import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Field } from '../../components/field.tsx';
import type { IncidentDraft } from './draft.ts';

type Pin = NonNullable<IncidentDraft['pin']>;

/** An optional point with its precision. Sealed by the server; never drawn on a third-party map. */
export function MapPin({ value, onChange, errorFor }: { value: Pin | null; onChange(p: Pin | null): void; errorFor(f: string): string | null }) {
  const { t } = useTranslation();
  const [status, setStatus] = useState<'idle' | 'locating' | 'failed'>('idle');
  const locate = () => {
    if (!('geolocation' in navigator)) { setStatus('failed'); return; }
    setStatus('locating');
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        setStatus('idle');
        onChange({ latitude: pos.coords.latitude.toFixed(5), longitude: pos.coords.longitude.toFixed(5), precision: pos.coords.accuracy <= 100 ? 'exact' : 'approximate' });
      },
      () => setStatus('failed'),
      { enableHighAccuracy: true, timeout: 20000 },
    );
  };
  if (!value) {
    return (
      <div className="pin">
        <button type="button" onClick={() => onChange({ latitude: '', longitude: '', precision: 'approximate' })}>{t('form.addPin')}</button>
      </div>
    );
  }
  return (
    <fieldset className="pin">
      <legend>{t('form.pin')}</legend>
      <div className="details-grid">
        <Field label={t('form.latitude')} error={errorFor('location.coordinates.latitude')}>
          <input inputMode="decimal" dir="ltr" value={value.latitude} onChange={(e) => onChange({ ...value, latitude: e.target.value })} />
        </Field>
        <Field label={t('form.longitude')} error={errorFor('location.coordinates.longitude')}>
          <input inputMode="decimal" dir="ltr" value={value.longitude} onChange={(e) => onChange({ ...value, longitude: e.target.value })} />
        </Field>
        <Field label={t('form.pinPrecision')}>
          <select value={value.precision} onChange={(e) => onChange({ ...value, precision: e.target.value as Pin['precision'] })}>
            {(['exact', 'approximate', 'admin_centroid'] as const).map((p) => <option key={p} value={p}>{t(`form.pinPrecisions.${p}`)}</option>)}
          </select>
        </Field>
      </div>
      <div className="button-row">
        <button type="button" onClick={locate} disabled={status === 'locating'}>{status === 'locating' ? t('form.locating') : t('form.useLocation')}</button>
        <button type="button" className="link-button danger" onClick={() => onChange(null)}>{t('form.removePin')}</button>
      </div>
      {status === 'failed' && <p className="error" role="alert">{t('form.locationFailed')}</p>}
    </fieldset>
  );
}
