import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { ApiError } from '../../api/client.ts';
import { errorText } from '../../components/field.tsx';
import { formatNumber, translateOr } from '../../i18n/index.ts';

/** A case's short reference: identities are sealed, so lists and headings name the case, never the child. */
export const caseRef = (id: string) => id.slice(0, 8).toUpperCase();
export const today = () => new Date().toISOString().slice(0, 10);
/** `datetime-local` wants local time without zone; the server wants an instant with its offset. */
export const localNow = (hoursAgo = 0) => {
  const d = new Date(Date.now() - hoursAgo * 3_600_000);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
export const toInstant = (local: string) => new Date(local).toISOString();

/** Loads once per `deps`, with reload; errors kept for the screen to show. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): { data: T | null; error: unknown; reload(): void; set(v: T): void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    load().then((v) => { if (live) { setData(v); setError(null); } }, (e: unknown) => { if (live) setError(e); });
    return () => { live = false; };
  }, [...deps, n]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { data, error, reload, set: setData };
}

/** A form's submit: busy flag, the error beside the named field (or at the top), success message. */
export function useSubmit() {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  async function run<T>(work: () => Promise<T>): Promise<T | undefined> {
    setBusy(true);
    setErrors({});
    try {
      return await work();
    } catch (err) {
      setErrors({ [err instanceof ApiError && err.field ? err.field : '_']: errorText(t, err) });
      return undefined;
    } finally {
      setBusy(false);
    }
  }
  return { busy, errors, setErrors, run };
}

/** The top-of-form error, and any field error the form has no field for. */
export function FormErrors({ errors, fields }: { errors: Record<string, string>; fields: readonly string[] }) {
  const stray = Object.entries(errors).filter(([k]) => !fields.includes(k)).map(([, v]) => v);
  return stray.length ? <div className="notice notice-error" role="alert">{stray.map((s) => <p key={s}>{s}</p>)}</div> : null;
}

/** A warning mark in words as well as colour. */
export function Badge({ children }: { children: ReactNode }) {
  return <span className="conduct-badge">{children}</span>;
}

/** "in 3 h 20 min" / "5 h 10 min late", from now to `iso`. */
export function timeLeft(t: TFunction, iso: string, now = Date.now()): string {
  const ms = Date.parse(iso) - now;
  const minutes = Math.floor(Math.abs(ms) / 60_000);
  const h = formatNumber(Math.floor(minutes / 60));
  const m = formatNumber(minutes % 60);
  return ms >= 0 ? t('cases.timeLeft', { h, m }) : t('cases.timeLate', { h, m });
}

/** Label of a code from the server, or the code itself when the app does not know it yet. */
export const label = (group: string, code: string) => translateOr(`cases.${group}.${code}`, code);

export function Loading({ error }: { error: unknown }) {
  const { t } = useTranslation();
  return error != null ? <div className="notice notice-error" role="alert">{errorText(t, error)}</div> : <p className="loading" role="status">{t('app.loading')}</p>;
}
