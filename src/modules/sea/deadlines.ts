import type { AlertKind, Outcome, ReferralEntity } from './vocabulary.ts';

/**
 * Investigation timers (domain.md §5.2). Pure: dates in, due dates out, no clock of its own (the caller
 * passes today), so tests and the CLI can ask "what is overdue on date X".
 *   referred_on → ms_response_due (+10 working days, TCC only) → nio_appointed_on →
 *   investigation_due (+90 days for a NIO; +180 otherwise, the SG's six months; +90 when urgent)
 * Due dates are computed at read time, never stored: a mission that changes its deadlines sees every
 * open allegation under the new ones at once.
 */
export interface DeadlineSettings {
  tcc_response_working_days: number;
  nio_investigation_days: number;
  investigation_days: number;
  urgent_investigation_days: number;
}

export const DEFAULT_DEADLINES: DeadlineSettings = {
  tcc_response_working_days: 10,
  nio_investigation_days: 90,
  investigation_days: 180,
  urgent_investigation_days: 90,
};

export interface TimerFacts {
  referral_entity: ReferralEntity | null;
  referred_on: string | null;
  ms_response_on: string | null;
  nio_appointed_on: string | null;
  urgent: boolean;
  outcome: Outcome;
}

export interface Deadlines {
  ms_response_due: string | null;
  investigation_due: string | null;
  overdue: AlertKind[];
}

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
const iso = (d: Date) => d.toISOString().slice(0, 10);

export function addDays(date: string, days: number): string {
  const d = day(date);
  d.setUTCDate(d.getUTCDate() + days);
  return iso(d);
}

/** Monday to Friday; public holidays differ by Member State and are not modelled. */
export function addWorkingDays(date: string, days: number): string {
  const d = day(date);
  for (let left = days; left > 0;) {
    d.setUTCDate(d.getUTCDate() + 1);
    const wd = d.getUTCDay();
    if (wd !== 0 && wd !== 6) left--;
  }
  return iso(d);
}

export function deadlinesOf(f: TimerFacts, s: DeadlineSettings, today: string): Deadlines {
  const open = f.outcome === 'pending';
  const msDue = f.referral_entity === 'tcc' && f.referred_on ? addWorkingDays(f.referred_on, s.tcc_response_working_days) : null;
  let invDue: string | null = null;
  if (f.referred_on) {
    const nio = f.referral_entity === 'tcc';
    // For a NIO the clock starts at appointment; until then it runs from the referral, so a TCC that
    // never appoints one does not stop the clock.
    const start = nio ? f.nio_appointed_on ?? f.referred_on : f.referred_on;
    const days = f.urgent ? s.urgent_investigation_days : nio ? s.nio_investigation_days : s.investigation_days;
    invDue = addDays(start, days);
  }
  const overdue: AlertKind[] = [];
  if (open && msDue && !f.ms_response_on && msDue < today) overdue.push('ms_response_overdue');
  if (open && invDue && invDue < today) overdue.push('investigation_overdue');
  return { ms_response_due: msDue, investigation_due: invDue, overdue };
}

export const todayOf = (now: Date) => iso(now);
