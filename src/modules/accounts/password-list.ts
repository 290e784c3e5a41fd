import { readFileSync } from 'node:fs';

/**
 * The bundled common-password list (common-passwords.txt, where its source is cited) and the
 * normalisations that catch the usual disguises of a listed password. Cracking tools try exactly these
 * mangling rules first, so a listed word with "2025!" appended is no stronger than the word itself.
 */
let list: Set<string> | undefined;

function commonPasswords(): Set<string> {
  // Read on first use, not at import: the CLI and most tests never check a password (≈10k lines, a few ms).
  list ??= new Set(readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
    .split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')));
  return list;
}

const LOOK_ALIKES: Record<string, string> = { '@': 'a', '4': 'a', '8': 'b', '3': 'e', '1': 'i', '!': 'i', '0': 'o', '$': 's', '5': 's', '7': 't', '+': 't', '2': 'z' };
const MIN_CORE = 4; // list entries are at least this long; a shorter core is not a word worth refusing

/** The forms of a password that are looked up in the list. */
export function passwordForms(password: string): string[] {
  const lower = password.normalize('NFKC').toLowerCase();
  const squeezed = lower.replace(/[\s._-]+/g, ''); // "correct horse battery-staple" → one word
  // The word inside decoration: "!!Password2025" → "password"; "p@ssw0rd" keeps its inner symbols.
  const core = squeezed.replace(/^[^\p{L}]+/u, '').replace(/[^\p{L}]+$/u, '');
  const plain = [...core].map((c) => LOOK_ALIKES[c] ?? c).join('');
  const forms = [lower, squeezed, core, plain];
  for (const f of [squeezed, core]) {
    const unit = /^(.+?)\1+$/u.exec(f)?.[1]; // "monkeymonkey" → "monkey"
    if (unit) forms.push(unit);
  }
  return [...new Set(forms)].filter((f) => f.length >= MIN_CORE);
}

export function isCommonPassword(password: string): boolean {
  const set = commonPasswords();
  return passwordForms(password).some((f) => set.has(f));
}

/** Case-insensitive, with or without the username's separators ("jane.doe" in "JaneDoe2025!!"). */
export function containsUsername(password: string, username: string): boolean {
  const lower = password.normalize('NFKC').toLowerCase();
  const name = username.toLowerCase();
  const bare = name.replace(/[._-]+/g, '');
  return lower.includes(name) || (bare.length >= 3 && lower.replace(/[\s._-]+/g, '').includes(bare));
}
