/**
 * A seeded generator of child identity records in the interchange format, with the phenomena the engine is
 * built for (issue #5, record-linkage.md §4–5): transliteration variants of Arabic, French and African names,
 * particles written or not, given/family order swaps, ages estimated instead of dates, 1 January placeholders,
 * missing parents' names, and siblings and twins who share family name, parents and place (the near-misses).
 * Every record carries its true child id in `child_id`. For tests and benchmarks only.
 */
import { seededRandom } from './fellegi-sunter.ts';
import type { Row } from './settings.ts';
import { REALISTIC_NOISE, realisticChildren, type NoiseMix } from './synthetic-population.ts';

/** Spelling variants of one name, as different registrars write it. */
const GIVEN_MALE: readonly string[][] = [
  ['Mohamed', 'Muhammad', 'Mahamat', 'Mouhamed', 'Mohammed'], ['Abderrahmane', 'Abdel Rahman', 'Abdulrahman', 'Abd al-Rahman'],
  ['Youssouf', 'Yusuf', 'Yousouf'], ['Ousmane', 'Usman', 'Ousman'], ['Ibrahim', 'Ibrahima', 'Brahim'], ['Dieudonné', 'DIEUDONNE', 'Dieudonne'],
  ['Abdoulaye', 'Abdullahi', 'Abdoulay'], ['Hassan', 'Assane', 'Hasan'], ['Ahmed', 'Ahmad', 'Amadou'], ['Jean-Pierre', 'Jean Pierre'],
  ['Idriss', 'Idris', 'Driss'], ['Moussa', 'Musa', 'Mousa'], ['Souleymane', 'Sulayman', 'Suleiman'], ['Adam', 'Adama', 'Adum'],
  ['Deng', 'Deng'], ['Garang', 'Garang'], ['Emmanuel', 'Emanuel'], ['Issa', 'Isa'], ['Khalid', 'Khaled', 'Halid'], ['Omar', 'Oumar', 'Umar'],
];
const GIVEN_FEMALE: readonly string[][] = [
  ['Fatima', 'Fatime', 'Fatouma', 'Fatuma'], ['Aminata', 'Aminatou', 'Aminah'], ['Nyandeng', 'Nyan Deng', 'Nyandeng'], ['Aïcha', 'Aisha', 'Aicha', 'Aissa'],
  ['Khadija', 'Kadidja', 'Khadidja'], ['Mariam', 'Maryam', 'Mariama'], ['Hawa', 'Awa', 'Hawaa'], ['Zeinab', 'Zaynab', 'Zainab'],
  ['Achol', 'Achol'], ['Marie-Claire', 'Marie Claire'], ['Halima', 'Halimé', 'Alima'], ['Safiya', 'Safia', 'Saffiya'],
  ['Nyakim', 'Nya Kim'], ['Esther', 'Ester'], ['Hadiza', 'Hadiza', 'Hadiza'], ['Ramatou', 'Ramatu', 'Ramata'],
];
const FAMILY: readonly string[][] = [
  ['Ould Ahmed', 'Ahmed', 'Ould Ahmad'], ['Ag Mohamed', 'Mohamed', 'Ag Mahamat'], ['Tshibangu', 'Tchibangu'], ['Ouamba', 'Wamba'],
  ['Ben Ali', 'Ali', 'Bin Ali'], ['El-Amin', 'Elamin', 'al Amin'], ['Diallo', 'Dialo'], ['Traoré', 'TRAORE', 'Traore'],
  ['Mayen', 'Mayen'], ['Kuol', 'Kuol'], ['Abdallah', 'Abdalla', 'Abdulla'], ['Haroun', 'Harun', 'Aroun'], ['Nkurunziza', 'Nkurunziza'],
  ['Mahamat Saleh', 'Mahamat Salih', 'Mohamed Saleh'], ['Kabila', 'Kabila'], ['Ngandu', 'Ngandou'], ['Walet Intalla', 'Intalla'],
  ['Coulibaly', 'Kulibali', 'Koulibaly'], ['Abakar', 'Abbakar', 'Aboubakar'], ['Malong', 'Malong'], ['Yacoub', 'Yakub', 'Yaqub'],
  ['Ndiaye', "N'Diaye", 'Diaye'], ['Mbaye', 'Baye'], ['Sow', 'Sow'], ['Keita', 'Keïta'], ['Bangura', 'Bangoura'], ['Kamara', 'Camara'],
];
const ADULT_MALE = GIVEN_MALE;
const ADULT_FEMALE = GIVEN_FEMALE;

/**
 * Beyond 5,000 children a fixed list of 20 names per sex is not a population: a country-sized caseload has
 * thousands of names. Tail names are built from syllables, each with the spellings registrars produce
 * (ou/u, k/c, a doubled consonant, a final e), and are drawn more often the larger the caseload.
 */
const SYLLABLES = ['ma', 'ha', 'ka', 'ba', 'di', 'lo', 'ngo', 'nya', 'zu', 'ri', 'te', 'so', 'mu', 'ki', 'wa', 'ya', 'tou', 'ra', 'sa', 'fa', 'na', 'dje', 'bou', 'li', 'go', 'ke'];

function tailName(rand: () => number): string[] {
  const count = rand() < 0.6 ? 2 : 3;
  let base = '';
  for (let k = 0; k < count; k++) base += SYLLABLES[Math.floor(rand() * SYLLABLES.length)]!;
  const title = (x: string): string => x[0]!.toUpperCase() + x.slice(1);
  const variants = new Set([base, base.replace(/ou/g, 'u'), base.replace(/k([aou])/g, 'c$1'), base.replace(/([bdgkmnrst])a/, '$1$1a'), `${base}e`]);
  return [...variants].map(title);
}

function tailPool(size: number, seed: number): string[][] {
  const rand = seededRandom(seed);
  return Array.from({ length: size }, () => tailName(rand));
}

export interface SyntheticOptions {
  children: number; seed?: number;
  /**
   * 'realistic' (default): naming communities, patronymic names, Zipf-like name frequencies, the father's full
   * name, blanks by form, typos (synthetic-population.ts). 'sparse': the first generator, kept unchanged (one
   * mixed list of names drawn uniformly, every field blanked independently, no typos); docs/linkage.md compares them.
   */
  profile?: 'realistic' | 'sparse';
  /** Realistic profile only: the noise mix (REALISTIC_NOISE by default; ALTERNATE_NOISE for robustness checks). */
  noise?: Partial<NoiseMix>;
  /** Realistic profile only: add the true household (`household_id`) to every row, for error analysis. */
  withHousehold?: boolean;
  /** Sparse profile only. */
  siblingRate?: number; twinRate?: number; maxRecordsPerChild?: number;
}

function isoDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

export function syntheticChildren(options: SyntheticOptions): Row[] {
  if ((options.profile ?? 'realistic') === 'realistic') return realisticChildren(options.children, options.seed ?? 7, { ...REALISTIC_NOISE, ...options.noise }, options.withHousehold);
  return sparseChildren(options);
}

/** The first generator ('sparse' profile), unchanged: the same rows for the same options as before. */
function sparseChildren(options: SyntheticOptions): Row[] {
  const rand = seededRandom(options.seed ?? 7);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const siblingRate = options.siblingRate ?? 0.3;
  const twinRate = options.twinRate ?? 0.05;
  const maxRecords = options.maxRecordsPerChild ?? 3;
  const rows: Row[] = [];
  const baseDay = Math.floor(Date.UTC(2008, 0, 1) / 86_400_000);
  const regBase = Math.floor(Date.UTC(2019, 0, 1) / 86_400_000);
  let family: { name: string[]; father: string[]; mother: string[]; admin1: string; admin2: string; village: string; birth: number } | null = null;
  // A larger caseload comes from a larger territory: 5,000 children live in 6 provinces of 8 districts with 400
  // village names, and each tenfold more children spans about √10 times more of each (same numbers up to 5,000).
  const spread = Math.sqrt(Math.max(1, options.children / 5000));
  const provinces = Math.round(6 * spread);
  const districts = Math.min(89, Math.round(8 * spread));
  const villages = Math.round(400 * spread * spread);
  // Up to 5,000 children the lists above are the whole population (unchanged); beyond, a share 1 − 1/spread of
  // names come from a tail of 50·spread² names per list (a fixed seed, so the tail is the same every run).
  const tailShare = 1 - 1 / spread;
  const tails = spread > 1 ? [tailPool(Math.round(50 * spread * spread), 11), tailPool(Math.round(50 * spread * spread), 12), tailPool(Math.round(50 * spread * spread), 13)] : null;
  const name = (list: readonly string[][], tail: number): string[] => (tails && rand() < tailShare ? pick(tails[tail]!) : pick(list));
  for (let child = 0; child < options.children; child++) {
    const sibling = family !== null && rand() < siblingRate;
    const twin = sibling && rand() < twinRate / siblingRate;
    if (!sibling || !family) {
      const a1 = 10 + Math.floor(rand() * provinces);
      family = {
        name: name(FAMILY, 0), father: name(ADULT_MALE, 1), mother: name(ADULT_FEMALE, 2),
        admin1: `SS${a1}`, admin2: `SS${a1}${10 + Math.floor(rand() * districts)}`, village: `village ${Math.floor(rand() * villages)}`,
        birth: baseDay + Math.floor(rand() * 3650),
      };
    }
    const sex = rand() < 0.5 ? 'M' : 'F';
    const given = name(sex === 'M' ? GIVEN_MALE : GIVEN_FEMALE, sex === 'M' ? 1 : 2);
    const birth = twin ? family.birth : sibling ? family.birth + (rand() < 0.5 ? -1 : 1) * (500 + Math.floor(rand() * 1500)) : family.birth;
    if (!sibling) family.birth = birth;
    const records = 1 + Math.floor(rand() * maxRecords);
    for (let r = 0; r < records; r++) {
      const registered = Math.max(birth + 400, regBase + Math.floor(rand() * 2000));
      const age = Math.max(0, Math.floor((registered - birth) / 365.25) + (rand() < 0.4 ? (rand() < 0.5 ? -1 : 1) : 0));
      const dobMode = rand();
      const year = new Date(birth * 86_400_000).getUTCFullYear();
      let givenName = pick(given);
      let familyName = pick(family.name);
      if (rand() < 0.08) [givenName, familyName] = [familyName, givenName];
      rows.push({
        record_id: `C${child}-R${r}`, child_id: `C${child}`,
        given_name: givenName, family_name: rand() < 0.05 ? undefined : familyName, other_names: undefined,
        sex: rand() < 0.05 ? 'U' : sex,
        date_of_birth: dobMode < 0.4 ? isoDay(birth) : dobMode < 0.55 ? `${year}-01-01` : dobMode < 0.6 ? `${year}` : undefined,
        age_years: String(age), registration_date: isoDay(registered),
        father_name: rand() < 0.3 ? undefined : pick(family.father), mother_name: rand() < 0.4 ? undefined : pick(family.mother),
        place_of_origin: rand() < 0.3 ? undefined : family.village, admin1: family.admin1, admin2: rand() < 0.2 ? undefined : family.admin2,
        registering_agency: pick(['UNICEF', 'ICRC', 'SCI', 'IRC']),
      });
    }
  }
  return rows;
}
