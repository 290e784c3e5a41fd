import type { Role } from '../../platform/context.ts';
import type { VerificationLevel, VerificationStatus } from './vocabulary.ts';

/**
 * The one table of allowed verification moves, the same at every level. Leaving a decided status
 * goes back through `pending` (a re-opening, which must say why), so no verdict flips silently.
 */
export const TRANSITIONS: Readonly<Record<VerificationStatus, readonly VerificationStatus[]>> = {
  pending: ['verified', 'not_verified', 'not_mrm', 'did_not_occur'],
  not_verified: ['pending', 'verified', 'not_mrm', 'did_not_occur'],
  verified: ['pending'],
  not_mrm: ['pending'],
  did_not_occur: ['pending'],
};

/** Who may decide at each level. The task force's final level is the authoritative status. */
export const LEVEL_ROLES: Readonly<Record<VerificationLevel, readonly Role[]>> = {
  focal_point: ['monitor', 'verifier'],
  technical: ['verifier'],
  final: ['verifier'],
};

const PREVIOUS_LEVEL: Readonly<Record<VerificationLevel, VerificationLevel | null>> = {
  focal_point: null,
  technical: 'focal_point',
  final: 'technical',
};

export interface LevelState { status: VerificationStatus; date: string | null }
export type VerificationState = Record<VerificationLevel, LevelState>;

export interface TransitionRequest { level: VerificationLevel; to: VerificationStatus; date: string; note: string }

/** Returns why a transition is refused, or null when it is allowed. Pure: the service enforces it. */
export function refuseTransition(state: VerificationState, req: TransitionRequest): { rule: string; field: string } | null {
  const from = state[req.level].status;
  if (!TRANSITIONS[from].includes(req.to)) {
    return { field: 'status', rule: `${req.level}: ${from} → ${req.to} is not allowed; from ${from} the allowed moves are ${TRANSITIONS[from].join(', ') || 'none'}` };
  }
  if (req.to === 'pending' && req.note.trim().length === 0) {
    return { field: 'note', rule: 're-opening a decided status needs a note saying why' };
  }
  const previous = PREVIOUS_LEVEL[req.level];
  if (req.to !== 'pending' && previous) {
    const below = state[previous];
    if (below.status === 'pending') {
      return { field: 'level', rule: `${req.level} cannot decide before ${previous} has (it is pending)` };
    }
    if (req.to === 'verified' && below.status !== 'verified') {
      return { field: 'status', rule: `${req.level} can verify only what ${previous} verified (it is ${below.status})` };
    }
    if (below.date && req.date < below.date) {
      return { field: 'date', rule: `${req.level} date ${req.date} is before the ${previous} date ${below.date}` };
    }
  }
  // A level is frozen while the level above it has decided: change the top first, then work down.
  const above = (Object.keys(PREVIOUS_LEVEL) as VerificationLevel[]).find((l) => PREVIOUS_LEVEL[l] === req.level);
  if (above && state[above].status !== 'pending') {
    return { field: 'level', rule: `${above} has decided ${state[above].status}: re-open ${above} before changing ${req.level}` };
  }
  // Time runs forward within a level: a new decision or re-opening is not dated before the last one.
  const own = state[req.level].date;
  if (own && req.date < own) {
    return { field: 'date', rule: `${req.level} was last decided on ${own}; a later change cannot be dated ${req.date}` };
  }
  return null;
}
