import type { ViolationType } from '../vocabulary.ts';
import { unitsOf, type AttributionGroup, type PartyInfo } from '../reports/counting.ts';

/**
 * The five violations for which the Secretary-General lists a party in the annexes of the annual report
 * on children and armed conflict (Security Council resolutions 1612, 1882, 1998, 2225): killing and
 * maiming, recruitment and use, sexual violence, attacks on schools and hospitals, abduction. Denial of
 * humanitarian access is a grave violation but not a listing trigger.
 */
export const LISTING_TRIGGERS = ['killing_maiming', 'recruitment_use', 'sexual_violence', 'attacks_schools_hospitals', 'abduction'] as const;
export type ListingTrigger = (typeof LISTING_TRIGGERS)[number];

export const TRIGGER_OF: Partial<Record<ViolationType, ListingTrigger>> = {
  killing: 'killing_maiming', maiming: 'killing_maiming', recruitment_use: 'recruitment_use', sexual_violence: 'sexual_violence',
  attack_school: 'attacks_schools_hospitals', attack_hospital: 'attacks_schools_hospitals', abduction: 'abduction',
};

export interface PartyListing {
  party_id: string;
  name: string;
  category: string;
  /** Verified in the year, in the counting rules' units (children, or violations for attacks). */
  verified: Record<ListingTrigger, number>;
  /** The triggers with at least one verified violation attributed to the party in the year. */
  triggers: ListingTrigger[];
}

const zeros = (): Record<ListingTrigger, number> => Object.fromEntries(LISTING_TRIGGERS.map((t) => [t, 0])) as Record<ListingTrigger, number>;

/**
 * Per party, which listing triggers have verified violations: read off the report's per-party
 * attributions for the year (the same counting rules: final status verified, verification date in the
 * year; a jointly attributed violation counts for each party). Parties with none are listed too, empty.
 */
export function listingFromAttributions(attributions: readonly AttributionGroup[], parties: ReadonlyMap<string, PartyInfo>): PartyListing[] {
  const out = new Map<string, PartyListing>();
  for (const [id, p] of parties) out.set(id, { party_id: id, name: p.name, category: p.category, verified: zeros(), triggers: [] });
  for (const a of attributions) {
    const trigger = TRIGGER_OF[a.type];
    if (a.kind !== 'party' || !trigger) continue;
    const row = out.get(a.key);
    if (row) row.verified[trigger] += unitsOf(a.type, a.violations, a.children);
  }
  for (const row of out.values()) row.triggers = LISTING_TRIGGERS.filter((t) => row.verified[t] > 0);
  return [...out.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
