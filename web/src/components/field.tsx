import { cloneElement, useId, type ReactElement, type ReactNode } from 'react';
import type { TFunction } from 'i18next';
import { ApiError } from '../api/client.ts';
import { translateOr } from '../i18n/index.ts';

/**
 * A labelled control with its hint and error tied to it (aria-describedby), so a screen reader reads
 * the error where the eye sees it.
 */
export function Field({ label, hint, error, children, className }: {
  label: ReactNode; hint?: ReactNode; error?: string | null; className?: string;
  children: ReactElement<{ id?: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }>;
}) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field-invalid' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {hint && <p className="hint" id={hintId}>{hint}</p>}
      {cloneElement(children, { id, 'aria-describedby': describedBy, 'aria-invalid': error ? true : undefined })}
      {error && <p className="error" id={errorId} role="alert">{error}</p>}
    </div>
  );
}

/** A server error in the reader's language, falling back to the server's own words. */
export function errorText(t: TFunction, err: unknown): string {
  if (err instanceof ApiError) {
    return translateOr(`errors.${err.code}`, t('errors.generic', { message: err.rule ?? err.message }), { rule: err.rule ?? err.message });
  }
  return t('errors.generic', { message: err instanceof Error ? err.message : String(err) });
}

export function Notice({ kind, children }: { kind: 'info' | 'success' | 'error'; children: ReactNode }) {
  return <div className={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>{children}</div>;
}
