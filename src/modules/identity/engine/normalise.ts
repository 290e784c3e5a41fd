/**
 * Text normalisation shared by every comparison: the same child is typed by registrars writing French,
 * English and Arabic, so accents, letter case, Arabic script and punctuation must not count as differences.
 */

/** Arabic letters to a fixed Latin spelling, close to the French/English registrar usage in the Sahel and Sudan. */
const ARABIC_TO_LATIN: Readonly<Record<string, string>> = {
  'ا': 'a', 'أ': 'a', 'إ': 'i', 'آ': 'a', 'ٱ': 'a', 'ء': '', 'ؤ': 'u', 'ئ': 'i',
  'ب': 'b', 'ت': 't', 'ث': 'th', 'ج': 'j', 'ح': 'h', 'خ': 'kh', 'د': 'd', 'ذ': 'dh',
  'ر': 'r', 'ز': 'z', 'س': 's', 'ش': 'sh', 'ص': 's', 'ض': 'd', 'ط': 't', 'ظ': 'z',
  'ع': '', 'غ': 'gh', 'ف': 'f', 'ق': 'q', 'ك': 'k', 'ل': 'l', 'م': 'm', 'ن': 'n',
  'ه': 'h', 'ة': 'a', 'و': 'w', 'ى': 'a', 'ي': 'y', 'پ': 'p', 'چ': 'ch', 'ڤ': 'v', 'گ': 'g', 'ک': 'k', 'ی': 'y',
};
/** Short vowels (harakat), shadda, sukun, tanwin and tatweel carry no identity. */
const ARABIC_MARKS = /[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED\u0640]/g;
const ARABIC_LETTER = /[\u0600-\u06FF]/;

/** Letters that NFKD does not decompose into a base letter plus a mark. */
const LATIN_SPECIAL: Readonly<Record<string, string>> = {
  'ß': 'ss', 'æ': 'ae', 'œ': 'oe', 'ø': 'o', 'đ': 'd', 'ð': 'd', 'þ': 'th', 'ł': 'l', 'ı': 'i', 'ŋ': 'ng', 'ɛ': 'e', 'ɔ': 'o',
};

/** True when the text holds Arabic-script letters (kept apart so both sides in Arabic can be compared as written). */
export function hasArabicScript(text: string): boolean {
  return ARABIC_LETTER.test(text);
}

/** Arabic-script text in the fixed Latin spelling (alef forms, ta marbuta and alef maqsura unified first). */
export function romaniseArabic(text: string): string {
  const stripped = text.replace(ARABIC_MARKS, '');
  let out = '';
  for (const ch of stripped) out += ARABIC_TO_LATIN[ch] ?? ch;
  return out;
}

/**
 * Lower-case ASCII words separated by single spaces. Apostrophes vanish (N'Diaye = ndiaye, Mu'adh = muadh)
 * because registrars drop them freely; hyphens and other punctuation split words (al-Amin = al amin), and the
 * name parser decides what to glue back together.
 */
export function normaliseText(raw: string | null | undefined): string {
  if (!raw) return '';
  let text = hasArabicScript(raw) ? romaniseArabic(raw) : raw;
  text = text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  let out = '';
  for (const ch of text) out += LATIN_SPECIAL[ch] ?? ch;
  return out
    .replace(/['’‘`´ʼʻ]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Normalised text with no spaces: "Nyan Deng" and "Nyandeng" become one string. */
export function compactText(raw: string | null | undefined): string {
  return normaliseText(raw).replace(/ /g, '');
}
