import { createUserBody } from '../modules/accounts/schema.ts';
import { createUser } from '../modules/accounts/service.ts';
import { incidentCreateBody, verificationBody } from '../modules/mrm/schema.ts';
import { createIncident, transitionVerification } from '../modules/mrm/service.ts';
import type { VerificationLevel, VerificationStatus, ViolationType } from '../modules/mrm/vocabulary.ts';
import { DEMO_AREAS as A, DEMO_MISSION, DEMO_PARTIES as P, type DemoPartyKey } from '../modules/reference/demo-mission.ts';
import { setupMission } from '../modules/reference/service.ts';
import { systemContext, type RequestContext, type Role } from '../platform/context.ts';
import type { Store } from '../platform/db/store.ts';

/**
 * Demo data for `tutela demo` and the first `npm start`. Everything goes through the services with
 * the acting user's context, so the demo also shows that policy and validation accept it.
 * Records are fictional: no names, pseudonymous references only, confidential text says so.
 * The same seed on the same day gives the same records (ids included); dates count back from today.
 */

class Dice {
  private state: number;
  constructor(seed: number) { this.state = seed >>> 0; }
  /** mulberry32: tiny, fast and good enough for demo data; not for anything secret. */
  float(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number { return lo + Math.floor(this.float() * (hi - lo + 1)); }
  chance(p: number): boolean { return this.float() < p; }
  pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.float() * xs.length)]!; }
  weighted<T>(pairs: readonly (readonly [T, number])[]): T {
    let r = this.float() * pairs.reduce((n, [, w]) => n + w, 0);
    for (const [v, w] of pairs) if ((r -= w) < 0) return v;
    return pairs[pairs.length - 1]![0];
  }
  /** Seeded v4 UUIDs keep a re-seeded demo's links (bookmarks, scripts) stable. */
  uuid(): string {
    const h = Array.from({ length: 16 }, () => this.int(0, 255));
    h[6] = (h[6]! & 0x0f) | 0x40;
    h[8] = (h[8]! & 0x3f) | 0x80;
    const x = h.map((b) => b.toString(16).padStart(2, '0')).join('');
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
  }
}

const DAY_MS = 86_400_000;
const toDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const addDays = (iso: string, n: number) => toDay(Date.parse(`${iso}T00:00:00Z`) + n * DAY_MS);
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const monthYear = (iso: string) => `${MONTHS[Number(iso.slice(5, 7)) - 1]} ${iso.slice(0, 4)}`;

interface Place { pcode: string; label: string; province: string; centre: [number, number]; parties: [DemoPartyKey, number][] }

// Party weights follow who the SG reports attribute most violations to in each area.
const PLACES = {
  djugu: { pcode: A.djugu, label: 'Djugu territory', province: 'Ituri', centre: [1.78, 30.38], parties: [['codeco', 6], ['zaire', 3], ['fardc', 2], ['unidentified', 1]] },
  beni: { pcode: A.beni, label: 'Beni territory', province: 'North Kivu', centre: [0.62, 29.55], parties: [['adf', 7], ['fardc', 2], ['unidentified', 1]] },
  irumu: { pcode: A.irumu, label: 'Irumu territory', province: 'Ituri', centre: [1.30, 29.95], parties: [['fpic', 3], ['adf', 3], ['frpi', 1], ['fardc', 1]] },
  mambasa: { pcode: A.mambasa, label: 'Mambasa territory', province: 'Ituri', centre: [1.20, 29.10], parties: [['adf', 4], ['fardc', 1]] },
  mahagi: { pcode: A.mahagi, label: 'Mahagi territory', province: 'Ituri', centre: [2.25, 30.95], parties: [['codeco', 3], ['zaire', 1]] },
  rutshuru: { pcode: A.rutshuru, label: 'Rutshuru territory', province: 'North Kivu', centre: [-1.15, 29.40], parties: [['m23', 5], ['fdlr', 2], ['nyatura', 1], ['fardc', 1]] },
  masisi: { pcode: A.masisi, label: 'Masisi territory', province: 'North Kivu', centre: [-1.40, 28.85], parties: [['m23', 3], ['nyatura', 3], ['apcls', 2], ['fardc', 1]] },
  lubero: { pcode: A.lubero, label: 'Lubero territory', province: 'North Kivu', centre: [-0.15, 29.10], parties: [['adf', 2], ['ndcr', 1], ['fardc', 1], ['unidentified', 1]] },
  walikale: { pcode: A.walikale, label: 'Walikale territory', province: 'North Kivu', centre: [-1.10, 28.30], parties: [['raiaMutomboki', 2], ['ndcr', 2], ['apcls', 1]] },
} satisfies Record<string, Place>;
const ELSEWHERE: Place[] = [PLACES.irumu, PLACES.mambasa, PLACES.mahagi, PLACES.rutshuru, PLACES.masisi, PLACES.lubero, PLACES.walikale];

const TYPE_WEIGHTS: [ViolationType, number][] = [['killing', 24], ['maiming', 16], ['abduction', 14], ['recruitment_use', 13],
  ['sexual_violence', 11], ['attack_school', 6], ['deprivation_of_liberty', 5], ['attack_hospital', 4], ['denial_humanitarian_access', 4], ['military_use', 3]];

const shortName = (key: DemoPartyKey) => {
  const p = DEMO_MISSION.parties.find((x) => x.id === P[key])!;
  return p.aliases?.[0] ?? p.name;
};

/* ---------- verification plans ---------- */

type Outcome = 'verified' | 'verified_late' | 'not_verified' | 'not_mrm' | 'did_not_occur' | 'pending_none' | 'pending_fp'
  | 'pending_tech' | 'reopened' | 'reverified' | 'upgraded';
interface Step { level: VerificationLevel; status: VerificationStatus; delay: [number, number]; by: 'fp' | 'verifier'; note: string }

const NOTE = {
  fpVerified: 'Two independent sources consistent on the facts and the attribution.',
  fpWeak: 'Single secondary source; could not be corroborated yet.',
  tech: 'Reviewed by the technical working group of the task force.',
  final: 'Endorsed by the country task force.',
  notVerified: 'Information insufficient to meet the verification standard.',
  notMrm: 'No nexus to the armed conflict: the act was attributed to a criminal gang, not a party.',
  didNotOccur: 'Follow-up mission found that the reported event did not take place.',
  reopen: 'Re-opened: new information questions the attribution; reviewing the sources again.',
  reopenTech: 'Re-opened at technical level at the request of the task force.',
};
const fp = (status: VerificationStatus, note: string, delay: [number, number] = [2, 21]): Step => ({ level: 'focal_point', status, delay, by: 'fp', note });
const tech = (status: VerificationStatus, note: string, delay: [number, number] = [5, 45]): Step => ({ level: 'technical', status, delay, by: 'verifier', note });
const fin = (status: VerificationStatus, note: string, delay: [number, number] = [10, 60]): Step => ({ level: 'final', status, delay, by: 'verifier', note });
const VERIFIED_CHAIN = [fp('verified', NOTE.fpVerified), tech('verified', NOTE.tech), fin('verified', NOTE.final)];

function plan(d: Dice, o: Outcome): Step[] {
  switch (o) {
    case 'verified': return VERIFIED_CHAIN;
    case 'verified_late': return [fp('verified', NOTE.fpVerified), tech('verified', NOTE.tech, [30, 90]), fin('verified', NOTE.final, [150, 320])];
    case 'not_verified': return [d.chance(0.5) ? fp('verified', NOTE.fpVerified) : fp('not_verified', NOTE.fpWeak), tech('not_verified', NOTE.notVerified), fin('not_verified', NOTE.notVerified)];
    case 'not_mrm': return [fp('not_mrm', NOTE.notMrm), tech('not_mrm', NOTE.notMrm), fin('not_mrm', NOTE.notMrm)];
    case 'did_not_occur': return [fp(d.pick(['verified', 'not_verified'] as const), NOTE.fpWeak), tech('did_not_occur', NOTE.didNotOccur), fin('did_not_occur', NOTE.didNotOccur)];
    case 'pending_none': return [];
    case 'pending_fp': return [fp('verified', NOTE.fpVerified)];
    case 'pending_tech': return [fp('verified', NOTE.fpVerified), tech('verified', NOTE.tech)];
    case 'reopened': return [...VERIFIED_CHAIN, fin('pending', NOTE.reopen, [30, 120]), ...(d.chance(0.5) ? [tech('pending', NOTE.reopenTech, [1, 10])] : [])];
    case 'reverified': return [...VERIFIED_CHAIN, fin('pending', NOTE.reopen, [30, 120]), fin('verified', NOTE.final, [20, 60])];
    case 'upgraded': return [fp('verified', NOTE.fpVerified), tech('verified', NOTE.tech), fin('not_verified', NOTE.notVerified), fin('verified', 'A second, independent source now corroborates the account.', [40, 150])];
  }
}

function chooseOutcome(d: Dice, ageDays: number): Outcome {
  if (ageDays < 15) return ageDays > 5 && d.chance(0.4) ? 'pending_fp' : 'pending_none';
  if (ageDays < 60) return d.weighted<Outcome>([['pending_none', 2], ['pending_fp', 3], ['pending_tech', 2], ['verified', 2], ['not_verified', 1]]);
  return d.weighted<Outcome>([['verified', 50], ['verified_late', ageDays > 450 ? 10 : 0], ['not_verified', 13], ['not_mrm', 7], ['did_not_occur', 5],
    ['pending_none', 3], ['pending_fp', 3], ['pending_tech', 4], ['reopened', 3], ['reverified', 2], ['upgraded', 3]]);
}
// The first incidents are old and take these outcomes, so even a small demo shows every final status.
const FORCED: Outcome[] = ['verified', 'not_verified', 'not_mrm', 'did_not_occur', 'reopened', 'verified_late', 'pending_tech'];

/* ---------- violation content ---------- */

type Band = '0-5' | '6-10' | '11-13' | '14-17' | 'unknown';
interface Tally { age_band: Band; boys: number; girls: number; sex_unknown: number }
const BAND_AGES: Record<Band, [number, number] | null> = { '0-5': [0, 5], '6-10': [6, 10], '11-13': [11, 13], '14-17': [14, 17], unknown: null };

function tallies(d: Dice, type: ViolationType): Tally[] {
  const rows = new Map<Band, Tally>();
  const add = (band: Band, boys: number, girls: number, unknown = 0) => {
    const t = rows.get(band) ?? { age_band: band, boys: 0, girls: 0, sex_unknown: 0 };
    t.boys += boys; t.girls += girls; t.sex_unknown += unknown;
    rows.set(band, t);
  };
  const anyBand = () => d.weighted<Band>([['0-5', 2], ['6-10', 3], ['11-13', 3], ['14-17', 4], ['unknown', 1]]);
  switch (type) {
    case 'killing': case 'maiming': case 'abduction':
      for (let i = d.int(1, 2); i > 0; i--) {
        const boys = d.int(0, 2), girls = d.int(0, 2);
        add(anyBand(), boys, girls, boys + girls === 0 ? 1 : 0);
      }
      break;
    case 'recruitment_use': add(d.weighted<Band>([['14-17', 7], ['11-13', 3]]), d.int(1, 4), d.chance(0.2) ? 1 : 0); break;
    case 'sexual_violence': add(d.weighted<Band>([['14-17', 5], ['11-13', 3], ['6-10', 1]]), d.chance(0.05) ? 1 : 0, d.chance(0.85) ? 1 : d.int(1, 3)); break;
    case 'deprivation_of_liberty': add('14-17', d.int(1, 3), d.chance(0.1) ? 1 : 0); break;
    default: return [];
  }
  return [...rows.values()].filter((t) => t.boys + t.girls + t.sex_unknown > 0);
}

function details(d: Dice, type: ViolationType, clash: boolean): Record<string, unknown> {
  const weapon = () => d.weighted([['small_arm', 6], ['sharp_weapon', 4], ['light_weapon', 2], ['mortar_rocket', 1], ['erw', 1], ['burned_alive', 1]] as const);
  switch (type) {
    case 'killing': case 'maiming': {
      const w = weapon();
      return {
        context: w === 'erw' ? 'erw' : clash ? 'military_clashes' : d.pick(['military_clashes', 'single_murder'] as const),
        attack_type: w === 'burned_alive' ? 'arson' : w === 'small_arm' ? 'shooting' : 'land_based', weapon_type: w,
        directly_targeted: clash ? 'no' : d.pick(['yes', 'unknown'] as const),
        ...(type === 'maiming' && { consequences: d.weighted([['serious_injury', 4], ['permanent_disability', 1]] as const) }),
      };
    }
    case 'recruitment_use': return { factors: [d.pick(['abduction', 'intimidation', 'financial', 'security', 'family_pressure'] as const)],
      child_role: d.pick(['combatant', 'non_combatant'] as const), roles: [d.pick(['fighter', 'porter', 'cook', 'intelligence'] as const)],
      released: d.pick(['yes', 'no', 'unknown'] as const) };
    case 'sexual_violence': return { forms: [d.weighted([['rape', 5], ['gang_rape', 2], ['sexual_slavery_trafficking', 1], ['forced_marriage', 1]] as const)],
      during_military_operations: d.pick(['yes', 'no', 'unknown'] as const) };
    case 'abduction': return { purposes: [d.pick(['recruitment_use', 'forced_labour', 'extortion', 'unknown'] as const)],
      regained_freedom: d.pick(['yes', 'no', 'unknown'] as const) };
    case 'attack_school': return { attack_kind: d.weighted([['attack_on_school', 4], ['threat_of_attack', 1], ['attack_on_education_personnel', 1]] as const),
      school_type: d.pick(['primary', 'secondary'] as const), facility_impact: d.pick(['serious_damage', 'minor_damage', 'total_destruction'] as const),
      facility_closed: d.pick(['yes', 'partially'] as const), days_closed: d.int(3, 60) };
    case 'attack_hospital': return { attack_kind: d.weighted([['attack_on_hospital', 3], ['attack_on_medical_personnel', 1]] as const),
      facility_type: d.pick(['health_centre', 'hospital', 'dispensary'] as const), facility_impact: d.pick(['serious_damage', 'minor_damage'] as const),
      personnel_injured: d.int(0, 2) };
    case 'denial_humanitarian_access': return { methods: [d.pick(['beneficiary_access_restrictions', 'vehicle_hijacking', 'threats_against_personnel', 'theft'] as const)],
      organisations: [d.pick(['international_ngo', 'national_ngo', 'international'] as const)], aid_types: [d.pick(['food', 'medical_care', 'wash'] as const)] };
    case 'military_use': return { use_type: 'school', purposes: [d.pick(['barracks', 'command_post', 'storage'] as const)] };
    case 'deprivation_of_liberty': return { facility: d.pick(['military_facility', 'prison', 'intelligence_premises'] as const),
      still_detained: d.pick(['yes', 'no'] as const), torture_or_ill_treatment: d.pick(['no', 'unknown'] as const) };
  }
}

const childCount = (t: Tally[]) => t.reduce((n, r) => n + r.boys + r.girls + r.sex_unknown, 0);
const WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
const people = (t: Tally[]) => {
  const sum = (k: 'boys' | 'girls' | 'sex_unknown') => t.reduce((n, r) => n + r[k], 0);
  const [b, g, u] = [sum('boys'), sum('girls'), sum('sex_unknown')];
  const num = (n: number) => WORDS[n] ?? String(n);
  const parts = [b && `${num(b)} ${b === 1 ? 'boy' : 'boys'}`, g && `${num(g)} ${g === 1 ? 'girl' : 'girls'}`, u && `${num(u)} ${u === 1 ? 'child' : 'children'} of unknown sex`].filter(Boolean);
  const text = `${parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : parts[0]} ${b + g + u === 1 ? 'was' : 'were'}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
};
const SENTENCE: Record<ViolationType, (t: Tally[]) => string> = {
  killing: (t) => `${people(t)} killed.`,
  maiming: (t) => `${people(t)} injured.`,
  recruitment_use: (t) => `${people(t)} recruited and used.`,
  sexual_violence: (t) => `${people(t)} subjected to sexual violence.`,
  abduction: (t) => `${people(t)} abducted.`,
  attack_school: () => 'A school was attacked and classes were interrupted.',
  attack_hospital: () => 'A health facility was attacked and care was interrupted.',
  denial_humanitarian_access: () => 'Humanitarian assistance for children was impeded.',
  military_use: () => 'A school was used for military purposes.',
  deprivation_of_liberty: (t) => `${people(t)} detained by state forces for alleged association with an armed group.`,
};
// Victim-counted titles say "children"; the one-child form replaces that word.
const TITLE: Record<ViolationType, string> = {
  killing: 'Children killed in an attack', maiming: 'Children injured', recruitment_use: 'Recruitment and use of children',
  sexual_violence: 'Sexual violence against children', abduction: 'Abduction of children', attack_school: 'Attack on a school',
  attack_hospital: 'Attack on a health facility', denial_humanitarian_access: 'Humanitarian access impeded', military_use: 'Military use of a school',
  deprivation_of_liberty: 'Children detained for alleged association',
};
const title = (type: ViolationType, t: Tally[]) => {
  const text = TITLE[type];
  return childCount(t) !== 1 ? text : text.startsWith('Children') ? text.replace('Children', 'A child') : text.replace('children', 'a child');
};
const LOCATION_TYPE: Partial<Record<ViolationType, string>> = {
  attack_school: 'school', military_use: 'school', attack_hospital: 'health_facility', denial_humanitarian_access: 'road', deprivation_of_liberty: 'detention_facility',
};

/* ---------- seeding ---------- */

interface DemoUser { username: string; display_name: string; role: Role; scope: { country: string | null; areas: string[] } }
const USERS: DemoUser[] = [
  { username: 'admin', display_name: 'Demo administrator', role: 'admin', scope: { country: null, areas: [] } },
  { username: 'monitor.djugu', display_name: 'Demo monitor, Djugu', role: 'monitor', scope: { country: 'COD', areas: [A.djugu] } },
  { username: 'monitor.beni', display_name: 'Demo monitor, Beni', role: 'monitor', scope: { country: 'COD', areas: [A.beni] } },
  { username: 'verifier.cod', display_name: 'Demo verifier, DRC task force', role: 'verifier', scope: { country: 'COD', areas: [] } },
  { username: 'analyst', display_name: 'Demo analyst', role: 'analyst', scope: { country: null, areas: [] } },
];

export async function seedDemo(store: Store, options: { seed?: number; incidents?: number } = {}): Promise<{
  missionId: string; incidents: number; violations: number; users: { username: string; role: Role; password: string }[];
}> {
  const db = store.db;
  const missionId = DEMO_MISSION.missionId;
  const system = systemContext(missionId);
  await setupMission(db, system, DEMO_MISSION);

  const users: { username: string; role: Role; password: string }[] = [];
  const ctxOf = new Map<string, RequestContext>();
  for (const u of USERS) {
    const created = await createUser(db, system, createUserBody.parse({ ...u, scope: { ...u.scope, agency: null } }));
    const v = created.user;
    users.push({ username: v.username, role: v.role, password: created.one_time_password! });
    ctxOf.set(v.username, { actor: { userId: v.id, missionId: v.mission_id, username: v.username, role: v.role, scope: v.scope }, clientAddress: null, requestId: null });
  }
  const verifier = ctxOf.get('verifier.cod')!;

  const d = new Dice(options.seed ?? 1612);
  const total = options.incidents ?? 300;
  const today = toDay(Date.now());
  const refCounters = new Map<string, number>();
  const nextRef = (prefix: 'V' | 'S', year: string) => {
    const n = (refCounters.get(prefix + year) ?? 0) + 1;
    refCounters.set(prefix + year, n);
    return `${prefix}-${year}-${String(n).padStart(4, '0')}`;
  };
  let violationCount = 0;

  for (let i = 0; i < total; i++) {
    const who = d.weighted([['monitor.djugu', 45], ['monitor.beni', 38], ['verifier.cod', 17]] as const);
    const recorder = ctxOf.get(who)!;
    const place: Place = who === 'monitor.djugu' ? PLACES.djugu : who === 'monitor.beni' ? PLACES.beni : d.pick(ELSEWHERE);
    const ageDays = i < FORCED.length ? d.int(450, 700) : d.int(0, 729);
    const dayPrecise = d.chance(0.9);
    let start = addDays(today, -ageDays);
    if (!dayPrecise) start = `${start.slice(0, 8)}01`;
    const year = start.slice(0, 4);

    const types: ViolationType[] = [d.weighted(TYPE_WEIGHTS)];
    const companion: Partial<Record<ViolationType, ViolationType>> = { abduction: 'recruitment_use', killing: 'maiming', attack_school: 'military_use' };
    const c = companion[types[0]!];
    if (c && d.chance(0.4)) types.push(c);
    while (types.length < 3 && d.chance(types.length === 1 ? 0.3 : 0.25)) {
      const t = d.weighted(TYPE_WEIGHTS);
      if (!types.includes(t)) types.push(t);
    }
    const first = i < FORCED.length ? FORCED[i]! : chooseOutcome(d, ageDays);
    // "Not MRM" means no conflict nexus, a finding about the whole event: all its violations share it
    // and no party is named.
    const noParty = first === 'not_mrm';
    const outcomes = types.map((_, k): Outcome => {
      if (k === 0 || noParty) return first;
      const o = chooseOutcome(d, ageDays);
      return o === 'not_mrm' ? 'not_verified' : o;
    });
    const mainParty: DemoPartyKey = noParty ? 'unidentified' : d.weighted(place.parties);
    const clash = !noParty && mainParty !== 'fardc' && types.some((t) => t === 'killing' || t === 'maiming') && d.chance(0.2);
    const end = types.some((t) => t === 'recruitment_use' || t === 'military_use') && d.chance(0.3) ? addDays(start, d.int(1, 30)) : null;
    const endDate = end && end > today ? today : end;
    const firstReported = [addDays(endDate ?? start, d.int(0, 14)), today].sort()[0]!;

    const violations = types.map((type) => {
      const partyKey: DemoPartyKey = type === 'deprivation_of_liberty' && !noParty ? d.weighted([['fardc', 4], ['pnc', 2]] as const) : mainParty;
      const perpetrators = [{ party_id: P[partyKey], attribution_verified: partyKey !== 'unidentified' && d.chance(0.6) }];
      const crossfire = clash && (type === 'killing' || type === 'maiming');
      if (crossfire && partyKey !== 'fardc') perpetrators.push({ party_id: P.fardc, attribution_verified: false });
      const t = tallies(d, type);
      const victims: { ref: string; sex: 'male' | 'female' | 'unknown'; age: number | null; age_estimated: boolean }[] = [];
      if (t.length > 0 && d.chance(0.35)) {
        for (const row of t) {
          for (const [k, sex] of [['boys', 'male'], ['girls', 'female'], ['sex_unknown', 'unknown']] as const) {
            for (let n = Math.min(row[k], d.int(0, 2)); n > 0 && victims.length < 3; n--) {
              const ages = BAND_AGES[row.age_band];
              victims.push({ ref: nextRef('V', year), sex, age: ages ? d.int(ages[0], ages[1]) : null, age_estimated: ages !== null && d.chance(0.4) });
            }
          }
        }
      }
      const sources = Array.from({ length: d.int(1, 3) }, () => ({
        ref: nextRef('S', year),
        category: d.weighted([['primary_witness', 4], ['secondary', 3], ['primary_victim', t.length > 0 ? 2 : 0], ['primary_alleged_perpetrator', 0.3]] as const),
        type: d.weighted([['oral_testimony', 8], ['direct_observation', 2], ['document', 1], ['photo', 1], ['injuries', type === 'maiming' ? 2 : 0]] as const),
        un_trained_monitor: d.chance(0.6),
        reliability: d.weighted([['high', 3], ['medium', 4], ['low', 1], [null, 1]] as const),
        credibility: d.weighted([['high', 3], ['medium', 4], ['low', 1], [null, 1]] as const),
      }));
      return { id: d.uuid(), type, details: details(d, type, crossfire), crossfire, crossborder: 'no', tallies: t, perpetrators, victims, sources };
    });

    const actor = mainParty === 'unidentified' ? 'unidentified armed elements'
      : clash ? `clashes between ${shortName(mainParty)} and FARDC` : shortName(mainParty);
    const narrative = `In ${monthYear(start)}, an incident attributed to ${actor} was reported in ${place.label} (${place.province}). `
      + violations.map((v) => SENTENCE[v.type](v.tallies)).join(' ');
    const coords = d.chance(0.6)
      ? { latitude: +(place.centre[0] + (d.float() - 0.5) * 0.3).toFixed(4), longitude: +(place.centre[1] + (d.float() - 0.5) * 0.3).toFixed(4), precision: 'approximate' }
      : null;
    const decided = outcomes.every((o) => ['verified', 'verified_late', 'not_verified', 'not_mrm', 'did_not_occur', 'reverified', 'upgraded'].includes(o));
    const input = incidentCreateBody.parse({
      id: d.uuid(),
      title: `${title(types[0]!, violations[0]!.tallies)}, ${place.label}`,
      status: decided && ageDays > 365 ? 'closed' : 'open',
      date: { start, end: endDate, precision: dayPrecise ? 'day' : 'month', estimated: !dayPrecise || d.chance(0.05) },
      first_reported_on: firstReported,
      location: { admin_pcode: place.pcode, location_type: LOCATION_TYPE[types[0]!] ?? d.pick(['village', 'village', 'displacement_site', 'field', 'road', 'mining_site']), coordinates: coords },
      narrative: {
        public: narrative,
        confidential: `FICTIONAL DEMO RECORD. Source ${violations[0]!.sources[0]!.ref} gave an account to the monitoring team; no real person or event is described.`,
      },
      violations,
    });
    await createIncident(db, recorder, input);
    violationCount += violations.length;

    for (const [k, v] of violations.entries()) {
      let cursor = firstReported;
      for (const step of plan(d, outcomes[k]!)) {
        const next = addDays(cursor, d.int(step.delay[0], step.delay[1]));
        if (next > today) break; // not yet decided: the record simply stays at its current level
        const ctx = step.by === 'fp' && recorder.actor.role === 'monitor' && d.chance(0.8) ? recorder : verifier;
        await transitionVerification(db, ctx, v.id, verificationBody.parse({ level: step.level, status: step.status, date: next, note: step.note }));
        cursor = next;
      }
    }
  }
  return { missionId, incidents: total, violations: violationCount, users };
}
