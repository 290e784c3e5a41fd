import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Upload } from 'tus-js-client';
import { api, type Api } from '../../api/client.ts';

type Stored = Awaited<ReturnType<Api['incidentAttachments']>>['items'][number];

/** What the server accepts (src/modules/attachments/routes.ts): checked here too, so a wrong file is refused before any byte is sent. */
const TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'application/pdf'];
const MAX_BYTES = 20 * 1024 * 1024;

/**
 * Photos and documents of an incident that exists on the server, sent in resumable chunks (tus): a
 * dropped connection resumes where the server's committed offset stands, after a retry delay, without
 * sending again what arrived. The resume URL is kept in localStorage only until the upload completes;
 * the file name goes in the upload's metadata and is sealed on the server.
 */
export function IncidentAttachments({ incidentId }: { incidentId: string }) {
  const { t, i18n } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState<{ name: string; sent: number; total: number; state: 'sending' | 'done' | 'failed'; error?: string }[]>([]);
  const update = (name: string, patch: Partial<(typeof progress)[number]>) => setProgress((p) => p.map((x) => (x.name === name ? { ...x, ...patch } : x)));
  // The files already stored for this incident; reloaded when an upload completes.
  const [stored, setStored] = useState<Stored[]>([]);
  const reload = useCallback(() => { api.incidentAttachments(incidentId).then((r) => setStored(r.items)).catch(() => undefined); }, [incidentId]);
  useEffect(reload, [reload]);

  const send = (file: File) => {
    if (!TYPES.includes(file.type)) { setProgress((p) => [...p, { name: file.name, sent: 0, total: file.size, state: 'failed', error: t('attachments.typeNotAllowed') }]); return; }
    if (file.size > MAX_BYTES) { setProgress((p) => [...p, { name: file.name, sent: 0, total: file.size, state: 'failed', error: t('attachments.tooLarge', { mb: MAX_BYTES / 1024 / 1024 }) }]); return; }
    setProgress((p) => [...p.filter((x) => x.name !== file.name), { name: file.name, sent: 0, total: file.size, state: 'sending' }]);
    let csrf = '';
    try { csrf = sessionStorage.getItem('tutela.csrf') ?? ''; } catch { /* private mode */ }
    const upload = new Upload(file, {
      endpoint: '/api/v1/attachments/uploads',
      chunkSize: 1024 * 1024,
      retryDelays: [0, 2_000, 5_000, 15_000, 30_000, 60_000, 120_000],
      removeFingerprintOnSuccess: true,
      headers: { 'x-csrf-token': csrf },
      metadata: { incident_id: incidentId, filename: file.name, filetype: file.type },
      onProgress: (sent, total) => update(file.name, { sent, total }),
      onSuccess: () => { update(file.name, { state: 'done' }); reload(); },
      onError: (err) => update(file.name, { state: 'failed', error: err.message }),
    });
    // Resume an upload of the same file begun earlier (the page was closed, or the network dropped).
    void upload.findPreviousUploads().then((previous) => {
      if (previous[0]) upload.resumeFromPreviousUpload(previous[0]);
      upload.start();
    });
  };

  return (
    <section className="attachments" aria-labelledby="attachments-heading">
      <h2 id="attachments-heading">{t('attachments.title')}</h2>
      {stored.length > 0 && (
        <ul className="attachments-stored" data-testid="stored-attachments">
          {stored.map((f) => (
            <li key={f.id}>
              <a href={`/api/v1/attachments/${f.id}`} download={f.filename} dir="auto">{f.filename}</a>{' '}
              ({new Intl.NumberFormat(i18n.language, { style: 'unit', unit: 'kilobyte', maximumFractionDigits: 0 }).format(f.size_bytes / 1024)})
            </li>
          ))}
        </ul>
      )}
      <label>
        {t('attachments.choose')}
        <input ref={input} type="file" name="attachments" multiple accept={TYPES.join(',')}
          onChange={(e) => { for (const f of Array.from(e.target.files ?? [])) send(f); if (input.current) input.current.value = ''; }} />
      </label>
      <p className="help">{t('attachments.help', { mb: MAX_BYTES / 1024 / 1024 })}</p>
      <ul aria-live="polite">
        {progress.map((p) => (
          <li key={p.name} data-testid="attachment">
            {p.name}: {p.state === 'done' ? t('attachments.done') : p.state === 'failed' ? `${t('attachments.failed')} ${p.error ?? ''}`
              : <progress max={p.total} value={p.sent}>{Math.round((100 * p.sent) / Math.max(1, p.total))}%</progress>}
          </li>
        ))}
      </ul>
    </section>
  );
}
