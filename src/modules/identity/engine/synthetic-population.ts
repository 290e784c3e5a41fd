/**
 * The "realistic" profile of the generated child records (synthetic-children.ts; docs/linkage.md says why each
 * choice differs from the older "sparse" profile). Children come from naming communities, each with its own
 * names and naming custom, instead of one mixed list:
 * - Sahel/Sudan Arabic and South Sudanese (Dinka, Nuer) children carry their father's given name as second name
 *   (patronymic), sometimes with a filiation particle (Ould Ahmed, Ag Mohamed, Walet Intalla);
 * - Central African (DRC) and West African children carry a family name.
 * Names follow a Zipf-like frequency (a few very common names, then rarer ones) plus a tail of less common
 * names, as any caseload does. The father's name is written in full (his given name and his father's) on most
 * forms, his given name alone on the others. How many fields are blank depends on the form: a tracing form
 * always asks for the parents, a release list handed over by an armed group has little besides a name and age.
 */
import { seededRandom } from './fellegi-sunter.ts';
import type { Row } from './settings.ts';

type Names = readonly (readonly string[])[];

interface Community {
  share: number;
  male: Names;
  female: Names;
  /** Family names; null = patronymic (the child's second name is the father's given name). */
  family: Names | null;
  /** Whether forms write a filiation particle before the father's name (Ould Ahmed, Walet Intalla). */
  particles?: boolean;
}

const COMMUNITIES: readonly Community[] = [
  { // Sahel and Sudan, Arabic names; patronymic
    share: 0.35,
    male: [['Mahamat', 'Mohamed', 'Muhammad', 'Mouhamed', 'Mohammed'], ['Abakar', 'Abbakar', 'Aboubakar'], ['Ahmat', 'Ahmed', 'Ahmad'], ['Moussa', 'Musa', 'Mousa'],
      ['Issa', 'Isa'], ['Hassan', 'Assane', 'Hasan'], ['Abderrahmane', 'Abdel Rahman', 'Abdulrahman', 'Abd al-Rahman'], ['Youssouf', 'Yusuf', 'Yousouf'],
      ['Brahim', 'Ibrahim'], ['Haroun', 'Harun', 'Aroun'], ['Idriss', 'Idris', 'Driss'], ['Oumar', 'Omar', 'Umar'], ['Adoum', 'Adum', 'Adam'],
      ['Souleymane', 'Sulayman', 'Suleiman'], ['Yacoub', 'Yakub', 'Yaqub'], ['Khalid', 'Khaled', 'Halid'], ['Djibrine', 'Jibrin', 'Djibrin'],
      ['Abdelkerim', 'Abdel Karim', 'Abdulkarim'], ['Ali', 'Aly'], ['Hussein', 'Houssein', 'Husein']],
    female: [['Fatime', 'Fatima', 'Fatouma', 'Fatuma'], ['Khadija', 'Kadidja', 'Khadidja'], ['Hawa', 'Awa', 'Hawaa'], ['Achta', 'Achta', 'Acheta'],
      ['Mariam', 'Maryam', 'Mariama'], ['Aïcha', 'Aisha', 'Aicha', 'Aissa'], ['Zeinab', 'Zaynab', 'Zainab'], ['Halima', 'Halimé', 'Alima'],
      ['Amina', 'Aminah', 'Aminata'], ['Safiya', 'Safia', 'Saffiya'], ['Zara', 'Zahra', 'Zahara'], ['Mahadjir', 'Mahajir'], ['Asseta', 'Assita']],
    family: null, particles: true,
  },
  { // South Sudan (Dinka, Nuer); patronymic
    share: 0.2,
    male: [['Deng'], ['Garang'], ['Majok', 'Madjok'], ['Akol', 'Akoul'], ['Kuol', 'Kuol'], ['Mayen'], ['Malong'], ['Chol', 'Tchol'], ['Bol', 'Boll'],
      ['Mabior', 'Mabiour'], ['Makuei', 'Makwei'], ['Gatluak', 'Gatluac'], ['Ruot', 'Ruoth'], ['Thon', 'Thong'], ['Lual', 'Loual'], ['Manyang', 'Manyan']],
    female: [['Nyandeng', 'Nyan Deng'], ['Achol', 'Atchol'], ['Nyakim', 'Nya Kim'], ['Ayen', 'Ayenn'], ['Abuk', 'Abouk'], ['Nyabol', 'Nya Bol'],
      ['Adut', 'Adout'], ['Nyaluak', 'Nyalouak'], ['Akech', 'Aketch'], ['Nyibol', 'Nyi Bol'], ['Awut', 'Awout']],
    family: null,
  },
  { // Central Africa (DRC, CAR), French given names and a family name
    share: 0.25,
    male: [['Dieudonné', 'DIEUDONNE', 'Dieudonne'], ['Jean-Pierre', 'Jean Pierre'], ['Emmanuel', 'Emanuel'], ['Patrick', 'Patrik'], ['Christian', 'Kristian'],
      ['Josué', 'Josue'], ['Jean de Dieu', 'Jean-de-Dieu'], ['Fiston'], ['Blaise'], ['Héritier', 'Heritier'], ['Prince'], ['Exaucé', 'Exauce']],
    female: [['Marie-Claire', 'Marie Claire'], ['Esther', 'Ester'], ['Grâce', 'Grace'], ['Chantal', 'Shantal'], ['Divine'], ['Sarah', 'Sara'],
      ['Rachel', 'Rashel'], ['Nadège', 'Nadege'], ['Françoise', 'Francoise'], ['Jeanne'], ['Bénédicte', 'Benedicte']],
    family: [['Tshibangu', 'Tchibangu'], ['Ouamba', 'Wamba'], ['Kabila'], ['Ngandu', 'Ngandou'], ['Mukendi', 'Moukendi'], ['Ilunga', 'Illunga'],
      ['Kasongo', 'Kassongo'], ['Nkurunziza'], ['Mbuyi', 'Mbouyi'], ['Kalala'], ['Tshisekedi', 'Tchisekedi'], ['Lukusa', 'Loukoussa'], ['Kabongo'],
      ['Mulumba', 'Moulumba'], ['Ngoy', 'Ngoie'], ['Kanku', 'Kankou'], ['Banza'], ['Mutombo', 'Moutombo']],
  },
  { // West Africa and the Sahel's western part, with family names
    share: 0.2,
    male: [['Mamadou', 'Mahamadou'], ['Ibrahima', 'Ibrahim', 'Brahima'], ['Ousmane', 'Usman', 'Ousman'], ['Moussa', 'Musa'], ['Abdoulaye', 'Abdoulay', 'Abdullahi'],
      ['Amadou', 'Ahmadou'], ['Seydou', 'Seidou'], ['Boubacar', 'Boubakar'], ['Souleymane', 'Suleiman'], ['Adama', 'Adamou'], ['Lamine', 'Lamin'], ['Salif', 'Salifou']],
    female: [['Aminata', 'Aminatou'], ['Fatoumata', 'Fatimata', 'Fatouma'], ['Mariama', 'Mariam'], ['Awa', 'Hawa'], ['Kadiatou', 'Kadidiatou'],
      ['Ramatou', 'Ramatu', 'Ramata'], ['Hadiza', 'Hadiza'], ['Assetou', 'Assetu'], ['Oumou', 'Umu'], ['Rokia', 'Rokiatou'], ['Djeneba', 'Dieneba']],
    family: [['Diallo', 'Dialo'], ['Traoré', 'TRAORE', 'Traore'], ['Coulibaly', 'Kulibali', 'Koulibaly'], ['Ndiaye', "N'Diaye", 'Diaye'], ['Mbaye', 'Baye'],
      ['Sow', 'Sow'], ['Keita', 'Keïta'], ['Bangura', 'Bangoura'], ['Kamara', 'Camara'], ['Diarra', 'Diara'], ['Cissé', 'Cisse', 'Sissé'],
      ['Touré', 'Toure'], ['Sangaré', 'Sangare'], ['Konaté', 'Konate'], ['Ouédraogo', 'Ouedraogo', 'Wedraogo'], ['Sylla', 'Sila']],
  },
];

/** The noise a registration adds. Two mixes are defined so accuracy is never measured on one noise recipe only. */
export interface NoiseMix {
  /** Share of name fields written with one keyboard error (a letter dropped, doubled, swapped or replaced). */
  nameTypo: number;
  /** Share of records with given and family name in the other order. */
  swap: number;
  /** Written date of birth: exact day, 1 January placeholder, year only; the rest has an age only. */
  exactDate: number; placeholderDate: number; yearOnly: number;
  /** Share of written exact dates with a one-digit typo or day and month exchanged. */
  dateTypo: number;
  /** Share of ages guessed one year off (two years off for adolescents, a tenth of those). */
  ageOff: number;
  /** Multiplies every form's blank rates. */
  blankScale: number;
  /** Share of names drawn from the tail of less common names. */
  tailShare: number;
  /** Zipf exponent of name frequencies within a community's list. */
  zipf: number;
  /** Share of forms writing the father's full name (else his given name only). */
  fatherFull: number;
  /**
   * Share of records naming another place of origin than the family's (the town where the child last lived, a
   * camp); half as many name another district of the same province.
   */
  otherPlace: number;
  siblingRate: number; twinRate: number;
}

export const REALISTIC_NOISE: NoiseMix = {
  nameTypo: 0.03, swap: 0.08, exactDate: 0.35, placeholderDate: 0.15, yearOnly: 0.05, dateTypo: 0.03, ageOff: 0.4,
  blankScale: 1, tailShare: 0.3, zipf: 0.8, fatherFull: 0.6, otherPlace: 0.1, siblingRate: 0.3, twinRate: 0.025,
};

/** An independently chosen mix (more typos and swaps, fewer dates, more blanks, flatter names) for robustness checks. */
export const ALTERNATE_NOISE: NoiseMix = {
  nameTypo: 0.06, swap: 0.12, exactDate: 0.25, placeholderDate: 0.2, yearOnly: 0.1, dateTypo: 0.05, ageOff: 0.5,
  blankScale: 1.25, tailShare: 0.2, zipf: 0.6, fatherFull: 0.45, otherPlace: 0.15, siblingRate: 0.35, twinRate: 0.035,
};

/** A form's blank rates (share of records where the field is empty). */
interface Form { agency: string; share: number; family: number; father: number; mother: number; village: number; admin2: number; date: number }

const FORMS: readonly Form[] = [
  // Tracing (ICRC RCM, tracing requests): the parents and the home village are what tracing needs.
  { agency: 'ICRC', share: 0.2, family: 0.02, father: 0.1, mother: 0.15, village: 0.1, admin2: 0.05, date: 1 },
  // Case management (CPIMS+).
  { agency: 'UNICEF', share: 0.3, family: 0.03, father: 0.2, mother: 0.25, village: 0.2, admin2: 0.1, date: 1 },
  // Interim care centre registration.
  { agency: 'SCI', share: 0.2, family: 0.05, father: 0.25, mother: 0.35, village: 0.3, admin2: 0.2, date: 1 },
  { agency: 'IRC', share: 0.15, family: 0.05, father: 0.25, mother: 0.35, village: 0.3, admin2: 0.2, date: 1 },
  // Release list handed over at a separation from an armed group: a name, an age, sometimes more.
  { agency: 'DDR', share: 0.15, family: 0.1, father: 0.6, mother: 0.8, village: 0.5, admin2: 0.3, date: 0.4 },
];

const SYLLABLES = ['ma', 'ha', 'ka', 'ba', 'di', 'lo', 'ngo', 'nya', 'zu', 'ri', 'te', 'so', 'mu', 'ki', 'wa', 'ya', 'tou', 'ra', 'sa', 'fa', 'na', 'dje', 'bou', 'li', 'go', 'ke'];

function tailName(rand: () => number): string[] {
  let base = '';
  for (let k = rand() < 0.6 ? 2 : 3; k > 0; k--) base += SYLLABLES[Math.floor(rand() * SYLLABLES.length)]!;
  const variants = new Set([base, base.replace(/ou/g, 'u'), base.replace(/k([aou])/g, 'c$1'), `${base}e`]);
  return [...variants].map((x) => x[0]!.toUpperCase() + x.slice(1));
}

/** One keyboard error: a letter dropped, doubled, exchanged with the next, or replaced. */
function typo(name: string, rand: () => number): string {
  if (name.length < 4) return name;
  const i = 1 + Math.floor(rand() * (name.length - 2));
  const kind = Math.floor(rand() * 4);
  if (kind === 0) return name.slice(0, i) + name.slice(i + 1);
  if (kind === 1) return name.slice(0, i) + name[i] + name.slice(i);
  if (kind === 2) return name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2);
  return name.slice(0, i) + 'aeioulnrst'[Math.floor(rand() * 10)] + name.slice(i + 1);
}

function isoDay(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

export function realisticChildren(children: number, seed: number, noise: NoiseMix, withHousehold = false): Row[] {
  const rand = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const spread = Math.sqrt(Math.max(1, children / 5000));
  const tail = Array.from({ length: Math.round(300 * spread * spread) }, () => tailName(rand));
  const zipfPick = (list: Names): readonly string[] => {
    if (rand() < noise.tailShare) return pick(tail);
    let total = 0;
    for (let r = 1; r <= list.length; r++) total += r ** -noise.zipf;
    let x = rand() * total;
    for (let r = 1; r <= list.length; r++) if ((x -= r ** -noise.zipf) <= 0) return list[r - 1]!;
    return list[list.length - 1]!;
  };
  const write = (variants: readonly string[]): string => (rand() < noise.nameTypo ? typo(pick(variants), rand) : pick(variants));
  const chooseBy = <T extends { share: number }>(list: readonly T[]): T => {
    let x = rand();
    for (const item of list) if ((x -= item.share) <= 0) return item;
    return list[list.length - 1]!;
  };
  const provinces = Math.round(6 * spread);
  const districts = Math.min(89, Math.round(8 * spread));
  const villages = Math.round(400 * spread * spread);
  const baseDay = Math.floor(Date.UTC(2008, 0, 1) / 86_400_000);
  const regBase = Math.floor(Date.UTC(2019, 0, 1) / 86_400_000);
  const rows: Row[] = [];
  type Family = { community: Community; family: readonly string[]; father: readonly string[]; grandfather: readonly string[]; mother: readonly string[];
    motherFather: readonly string[]; given: (readonly string[])[]; admin1: string; admin2: string; village: string; birth: number };
  let family: Family | null = null;
  let household = -1;
  for (let child = 0; child < children; child++) {
    const sibling = family !== null && rand() < noise.siblingRate;
    const twin = sibling && rand() < noise.twinRate / noise.siblingRate;
    if (!sibling || !family) {
      household++;
      const community = chooseBy(COMMUNITIES);
      const father = zipfPick(community.male);
      const a1 = 10 + Math.floor(rand() * provinces);
      family = {
        community, father, grandfather: zipfPick(community.male), mother: zipfPick(community.female), motherFather: zipfPick(community.male),
        family: community.family ? zipfPick(community.family) : father, given: [],
        admin1: `SS${a1}`, admin2: `SS${a1}${10 + Math.floor(rand() * districts)}`, village: `village ${Math.floor(rand() * villages)}`,
        birth: baseDay + Math.floor(rand() * 3650),
      };
    }
    const f = family;
    const sex = rand() < 0.5 ? 'M' : 'F';
    // Parents do not give two of their children the same name: a sibling with the brother's name would be a
    // namesake twice over (same name, same parents, same village), which registrations do not show.
    if (!sibling) f.given = [];
    let given = zipfPick(sex === 'M' ? f.community.male : f.community.female);
    for (let attempt = 0; attempt < 20 && f.given.includes(given); attempt++) given = zipfPick(sex === 'M' ? f.community.male : f.community.female);
    f.given.push(given);
    const birth = twin ? f.birth : sibling ? f.birth + (rand() < 0.5 ? -1 : 1) * (500 + Math.floor(rand() * 1500)) : f.birth;
    if (!sibling) f.birth = birth;
    const year = new Date(birth * 86_400_000).getUTCFullYear();
    const records = 1 + Math.floor(rand() * 3);
    for (let r = 0; r < records; r++) {
      const form = chooseBy(FORMS);
      const blank = (rate: number): boolean => rand() < rate * noise.blankScale;
      const registered = Math.max(birth + 400, regBase + Math.floor(rand() * 2000));
      const trueAge = Math.floor((registered - birth) / 365.25);
      const off = rand() < noise.ageOff ? (rand() < 0.5 ? -1 : 1) * (trueAge >= 12 && rand() < 0.1 ? 2 : 1) : 0;
      let givenName = write(given);
      // Patronymic families: the second name is the father's, written with a filiation particle on some forms.
      let familyName = write(f.family);
      if (f.community.particles && rand() < 0.2) familyName = `${pick(sex === 'M' ? ['Ould', 'Ag', 'Ben'] : ['Walet', 'Mint', 'Bint'])} ${familyName}`;
      if (rand() < noise.swap) [givenName, familyName] = [familyName, givenName];
      const fatherName = rand() < noise.fatherFull ? `${write(f.father)} ${write(f.community.family ? f.family : f.grandfather)}` : write(f.father);
      const motherName = rand() < noise.fatherFull / 2 ? `${write(f.mother)} ${write(f.motherFather)}` : write(f.mother);
      const dateMode = rand() / form.date;
      let date: string | undefined;
      if (dateMode < noise.exactDate) {
        date = isoDay(birth);
        if (rand() < noise.dateTypo) date = rand() < 0.5 && Number(date.slice(8)) <= 12 ? `${date.slice(0, 5)}${date.slice(8)}-${date.slice(5, 7)}` : `${date.slice(0, 9)}${(Number(date[9]) + 1) % 10}`;
      } else if (dateMode < noise.exactDate + noise.placeholderDate) date = `${year}-01-01`;
      else if (dateMode < noise.exactDate + noise.placeholderDate + noise.yearOnly) date = `${year}`;
      rows.push({
        record_id: `C${child}-R${r}`, child_id: `C${child}`,
        given_name: givenName, family_name: blank(form.family) ? undefined : familyName, other_names: undefined,
        sex: rand() < 0.05 ? 'U' : sex, date_of_birth: date, age_years: String(Math.max(0, trueAge + off)), registration_date: isoDay(registered),
        father_name: blank(form.father) ? undefined : fatherName, mother_name: blank(form.mother) ? undefined : motherName,
        place_of_origin: blank(form.village) ? undefined : rand() < noise.otherPlace ? `village ${Math.floor(rand() * villages)}` : f.village,
        admin1: f.admin1, admin2: blank(form.admin2) ? undefined : rand() < noise.otherPlace / 2 ? `${f.admin1}${10 + Math.floor(rand() * districts)}` : f.admin2,
        registering_agency: form.agency,
        ...(withHousehold ? { household_id: `H${household}`, twin: twin ? 'yes' : undefined } : {}),
      });
    }
  }
  return rows;
}
