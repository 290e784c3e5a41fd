import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { ar } from './ar.ts';
import { en } from './en.ts';
import { fr } from './fr.ts';

export const LANGUAGES = [
  { code: 'fr', label: 'Français', dir: 'ltr' },
  { code: 'en', label: 'English', dir: 'ltr' },
  { code: 'ar', label: 'العربية', dir: 'rtl' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];

// The chosen language is a preference, not personal data: localStorage keeps it across visits.
const LANGUAGE_KEY = 'tutela.language';

function initialLanguage(): Language {
  const codes = LANGUAGES.map((l) => l.code) as readonly string[];
  try {
    const stored = localStorage.getItem(LANGUAGE_KEY);
    if (stored && codes.includes(stored)) return stored as Language;
  } catch { /* storage may be blocked */ }
  const fromBrowser = (navigator.languages ?? [navigator.language]).map((l) => l.slice(0, 2)).find((l) => codes.includes(l));
  return (fromBrowser as Language | undefined) ?? 'fr';
}

function applyToDocument(lang: string) {
  const dir = LANGUAGES.find((l) => l.code === lang)?.dir ?? 'ltr';
  document.documentElement.lang = lang;
  document.documentElement.dir = dir;
}

export async function setupI18n(): Promise<void> {
  const lng = initialLanguage();
  await i18next.use(initReactI18next).init({
    lng,
    fallbackLng: false,
    supportedLngs: LANGUAGES.map((l) => l.code),
    resources: { en: { translation: en }, fr: { translation: fr }, ar: { translation: ar } },
    interpolation: { escapeValue: false }, // React escapes
    returnNull: false,
    // A missing key is a bug: it shows up in the console, which the browser tests treat as a failure.
    saveMissing: true,
    missingKeyHandler: (_lngs, _ns, key) => console.error(`i18n: missing key "${key}"`),
  });
  applyToDocument(lng);
  i18next.on('languageChanged', applyToDocument);
}

export async function changeLanguage(lang: Language): Promise<void> {
  try { localStorage.setItem(LANGUAGE_KEY, lang); } catch { /* storage may be blocked */ }
  await i18next.changeLanguage(lang);
}

/* Dates and numbers in the reader's language. ISO dates are calendar days: formatted in UTC so no time zone moves them. */
const locale = () => i18next.language || 'fr';

export function formatDate(iso: string | null | undefined, precision: 'day' | 'month' | 'year' = 'day'): string {
  if (!iso) return '';
  const d = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso.length === 7 ? `${iso}-01T00:00:00Z` : iso);
  if (Number.isNaN(d.getTime())) return iso;
  const opts: Intl.DateTimeFormatOptions = precision === 'year' ? { year: 'numeric' } : precision === 'month' ? { year: 'numeric', month: 'long' } : { year: 'numeric', month: 'short', day: 'numeric' };
  return new Intl.DateTimeFormat(locale(), { ...opts, timeZone: 'UTC' }).format(d);
}

export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

export function formatNumber(n: number | null | undefined): string {
  return n === null || n === undefined ? '' : new Intl.NumberFormat(locale()).format(n);
}

export function formatMonth(yyyyMm: string): string {
  return formatDate(yyyyMm.slice(0, 7), 'month');
}

/** A translation when the key exists (codes from the server may be new), else the fallback: no missing-key noise. */
export function translateOr(key: string, fallback: string, options?: Record<string, unknown>): string {
  return i18next.exists(key) ? String(i18next.t(key, options ?? {})) : fallback;
}
