import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Messages } from './en.ts';

/**
 * Each language is a chunk of its own, loaded when chosen: the three together were a third of the
 * first load's bytes, and a reader needs one. entry/boot.ts asks for the reader's language beside
 * the bundle, so it is there when `setupI18n` runs.
 */
const BUNDLES: Record<string, () => Promise<Messages>> = {
  en: () => import('./en.ts').then((m) => m.en),
  fr: () => import('./fr.ts').then((m) => m.fr),
  ar: () => import('./ar.ts').then((m) => m.ar),
};

async function loadLanguage(lang: string): Promise<void> {
  if (!i18next.hasResourceBundle(lang, 'translation')) i18next.addResourceBundle(lang, 'translation', await BUNDLES[lang]!());
}

export const LANGUAGES = [
  { code: 'fr', label: 'Français', dir: 'ltr' },
  { code: 'en', label: 'English', dir: 'ltr' },
  { code: 'ar', label: 'العربية', dir: 'rtl' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];

// The chosen language is a preference, not personal data: localStorage keeps it across visits.
// entry/boot.ts reads the same key, and the browser's languages, the same way as `initialLanguage`.
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
  const messages = await BUNDLES[lng]!();
  await i18next.use(initReactI18next).init({
    lng,
    fallbackLng: false,
    supportedLngs: LANGUAGES.map((l) => l.code),
    resources: { [lng]: { translation: messages } },
    partialBundledLanguages: true,
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
  await loadLanguage(lang);
  await i18next.changeLanguage(lang);
}

/* Dates and numbers in the reader's language. ISO dates are calendar days: formatted in UTC so no time zone moves them. */
const locale = () => i18next.language || 'fr';

// Making a formatter costs far more than using one (a long list formats a date in every row it draws):
// one of each kind per language, made on first use.
const formatters = new Map<string, { format(value: Date | number): string }>();
function formatter(kind: string, make: () => { format(value: Date | number): string }) {
  const key = `${locale()}.${kind}`;
  let f = formatters.get(key);
  if (!f) formatters.set(key, (f = make()));
  return f;
}

export function formatDate(iso: string | null | undefined, precision: 'day' | 'month' | 'year' = 'day'): string {
  if (!iso) return '';
  const d = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso.length === 7 ? `${iso}-01T00:00:00Z` : iso);
  if (Number.isNaN(d.getTime())) return iso;
  return formatter(`date.${precision}`, () => {
    const opts: Intl.DateTimeFormatOptions = precision === 'year' ? { year: 'numeric' } : precision === 'month' ? { year: 'numeric', month: 'long' } : { year: 'numeric', month: 'short', day: 'numeric' };
    return new Intl.DateTimeFormat(locale(), { ...opts, timeZone: 'UTC' });
  }).format(d);
}

export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : formatter('dateTime', () => new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' })).format(d);
}

export function formatNumber(n: number | null | undefined): string {
  return n === null || n === undefined ? '' : formatter('number', () => new Intl.NumberFormat(locale())).format(n);
}

export function formatMonth(yyyyMm: string): string {
  return formatDate(yyyyMm.slice(0, 7), 'month');
}

/** A translation when the key exists (codes from the server may be new), else the fallback: no missing-key noise. */
export function translateOr(key: string, fallback: string, options?: Record<string, unknown>): string {
  return i18next.exists(key) ? String(i18next.t(key, options ?? {})) : fallback;
}
