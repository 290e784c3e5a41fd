import { PARTY_CATEGORIES } from '../../reference/schema.ts';
import { VERIFICATION_STATUSES, VICTIM_COUNTED_TYPES, VIOLATION_TYPES, type VerificationStatus, type ViolationType } from '../vocabulary.ts';
import { ISO3_CODES } from './iso3.ts';

/** The columns of `tutela import mrm` (issue #4), one row per violation. Order in the file is free. */
export const MRM_COLUMNS = ['incident_ref', 'violation_type', 'incident_date', 'country', 'admin1', 'admin2', 'latitude', 'longitude',
  'perpetrator', 'perpetrator_category', 'boys', 'girls', 'sex_unknown', 'victim_ref', 'verification_status', 'verification_date'] as const;
export type MrmColumn = (typeof MRM_COLUMNS)[number];
export type RawRow = Record<MrmColumn, string>;

/** A bad cell: the line of the file (1 = header), the column and the rule it broke. */
export interface LineError { line: number; column: string; rule: string }

export interface ImportRow {
  line: number;
  incidentRef: string;
  type: ViolationType;
  dateStart: string;
  dateEnd: string | null;
  country: string;
  admin1: string;
  admin2: string | null;
  coordinates: { latitude: number; longitude: number } | null;
  perpetrators: { name: string; category: string | null }[];
  boys: number;
  girls: number;
  sexUnknown: number;
  victimRef: string | null;
  status: VerificationStatus;
  verifiedOn: string | null;
}

const PCODE = /^[A-Za-z]{2}[A-Za-z0-9_-]{0,30}$/;
const PSEUDONYM = /^[A-Za-z0-9][A-Za-z0-9._:-]{1,63}$/;

export function isCalendarDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Tomorrow (UTC): a record made just after midnight in the field is still "today" there (as in the MRM service). */
let latestCache = { minute: -1, date: '' };
export const latestAllowedDate = () => {
  // Once a minute, not once per row of a large file.
  const minute = Math.floor(Date.now() / 60_000);
  if (minute !== latestCache.minute) latestCache = { minute, date: new Date(Date.now() + 86_400_000).toISOString().slice(0, 10) };
  return latestCache.date;
};

/** Checks one row on its own; returns the row or every rule it breaks. Cross-row rules live in plan.ts. */
export function parseRow(line: number, raw: RawRow): ImportRow | LineError[] {
  const errors: LineError[] = [];
  const fail = (column: MrmColumn, rule: string) => { errors.push({ line, column, rule }); };
  const latest = latestAllowedDate();

  const incidentRef = raw.incident_ref;
  if (!incidentRef) fail('incident_ref', 'required: rows sharing an incident_ref form one incident');
  else if (incidentRef.length > 100) fail('incident_ref', 'at most 100 characters');

  const type = raw.violation_type.toLowerCase() as ViolationType;
  if (!VIOLATION_TYPES.includes(type)) fail('violation_type', `"${raw.violation_type}" is not a violation type; use one of ${VIOLATION_TYPES.join(', ')}`);

  let dateStart = '';
  let dateEnd: string | null = null;
  const [start, end, ...extra] = raw.incident_date.split('/');
  if (!raw.incident_date) fail('incident_date', 'required (YYYY-MM-DD, or a range YYYY-MM-DD/YYYY-MM-DD)');
  else if (extra.length > 0 || !isCalendarDate(start!) || (end !== undefined && !isCalendarDate(end))) {
    fail('incident_date', `"${raw.incident_date}" is not a date written YYYY-MM-DD (or a range YYYY-MM-DD/YYYY-MM-DD)`);
  } else {
    dateStart = start!;
    dateEnd = end ?? null;
    if (dateEnd !== null && dateEnd < dateStart) fail('incident_date', 'the range ends before it starts');
    else if ((dateEnd ?? dateStart) > latest) fail('incident_date', 'is in the future');
  }

  const country = raw.country.toUpperCase();
  if (!/^[A-Z]{3}$/.test(country)) fail('country', `"${raw.country}" is not an ISO 3166-1 alpha-3 code (e.g. COD)`);
  else if (!ISO3_CODES.has(country)) fail('country', `${country} is not an ISO 3166-1 alpha-3 country code`);

  const admin1 = raw.admin1;
  if (!admin1) fail('admin1', 'required: the P-code of the first-level area');
  else if (!PCODE.test(admin1)) fail('admin1', `"${admin1}" is not a P-code (two letters, then letters or digits)`);
  const admin2 = raw.admin2 || null;
  if (admin2 !== null) {
    if (!PCODE.test(admin2)) fail('admin2', `"${admin2}" is not a P-code (two letters, then letters or digits)`);
    else if (admin1 && (!admin2.startsWith(admin1) || admin2 === admin1)) fail('admin2', `${admin2} is not inside ${admin1} (a P-code starts with its parent's P-code)`);
  }

  let coordinates: ImportRow['coordinates'] = null;
  if (raw.latitude || raw.longitude) {
    const lat = Number(raw.latitude);
    const lon = Number(raw.longitude);
    if (!raw.latitude || !raw.longitude) fail(raw.latitude ? 'longitude' : 'latitude', 'latitude and longitude go together: give both or neither');
    else if (!Number.isFinite(lat) || lat < -90 || lat > 90) fail('latitude', `"${raw.latitude}" is not a latitude between -90 and 90`);
    else if (!Number.isFinite(lon) || lon < -180 || lon > 180) fail('longitude', `"${raw.longitude}" is not a longitude between -180 and 180`);
    else coordinates = { latitude: lat, longitude: lon };
  }

  const names = raw.perpetrator ? raw.perpetrator.split(';').map((s) => s.trim()).filter(Boolean) : [];
  const categories = raw.perpetrator_category ? raw.perpetrator_category.split(';').map((s) => s.trim().toLowerCase()) : [];
  for (const c of categories) {
    if (!(PARTY_CATEGORIES as readonly string[]).includes(c)) fail('perpetrator_category', `"${c}" is not a party category; use one of ${PARTY_CATEGORIES.join(', ')}`);
  }
  if (categories.length > 1 && categories.length !== names.length) fail('perpetrator_category', `give one category, or one per perpetrator (${names.length})`);
  if (names.length === 0 && categories.length > 0) fail('perpetrator', 'a perpetrator_category without a perpetrator');
  if (new Set(names.map((n) => n.toLowerCase())).size !== names.length) fail('perpetrator', 'the same party is named twice');
  if (names.some((n) => n.length > 300)) fail('perpetrator', 'a party name has at most 300 characters');
  const perpetrators = names.map((name, i) => ({ name, category: categories.length === 0 ? null : categories[categories.length === 1 ? 0 : i] ?? null }));

  const count = (column: 'boys' | 'girls' | 'sex_unknown') => {
    const v = raw[column];
    if (v === '') return 0;
    if (!/^\d+$/.test(v) || Number(v) > 100000) { fail(column, `"${v}" is not a whole number from 0 to 100000`); return 0; }
    return Number(v);
  };
  const boys = count('boys'), girls = count('girls'), sexUnknown = count('sex_unknown');
  const children = boys + girls + sexUnknown;
  if (VICTIM_COUNTED_TYPES.has(type) && children === 0 && !errors.some((e) => ['boys', 'girls', 'sex_unknown'].includes(e.column))) {
    fail('boys', `${type} is counted in children: give at least one child in boys, girls or sex_unknown`);
  }

  const victimRef = raw.victim_ref || null;
  if (victimRef !== null) {
    if (!PSEUDONYM.test(victimRef)) fail('victim_ref', 'a pseudonymous reference (letters, digits, . _ : -), never a name');
    else if (children !== 1) fail('victim_ref', `a victim_ref names one child, so boys + girls + sex_unknown must be 1 (they are ${children})`);
  }

  const status = (raw.verification_status || 'pending').toLowerCase() as VerificationStatus;
  if (!VERIFICATION_STATUSES.includes(status)) fail('verification_status', `"${raw.verification_status}" is not a status; use one of ${VERIFICATION_STATUSES.join(', ')}`);
  const verifiedOn = raw.verification_date || null;
  if (verifiedOn !== null) {
    if (!isCalendarDate(verifiedOn)) fail('verification_date', `"${verifiedOn}" is not a date written YYYY-MM-DD`);
    else if (verifiedOn > latest) fail('verification_date', 'is in the future');
    else if (dateStart && verifiedOn < dateStart) fail('verification_date', `${verifiedOn} is before the incident date ${dateStart}`);
    if (status === 'pending') fail('verification_date', 'a pending violation has no verification date yet');
  } else if (status !== 'pending' && VERIFICATION_STATUSES.includes(status)) {
    fail('verification_date', `required when the status is ${status}`);
  }

  if (errors.length > 0) return errors;
  return { line, incidentRef, type, dateStart, dateEnd, country, admin1, admin2, coordinates, perpetrators, boys, girls, sexUnknown, victimRef, status, verifiedOn };
}
