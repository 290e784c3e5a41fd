import type { z } from 'zod';
import type {
  alertsView, caseCreateBody, reRecruitmentBody, caseloadView, casePage, caseUpdateBody, caseView, consentBody, handoverBody, referralCreateBody, referralPage,
  referralStatusBody, referralView, releaseBody, transitionBody,
} from '../../../../src/modules/cases/schema.ts';
import type {
  bestInterestsBody, bestInterestsView, careView, componentBody, componentUpdateBody, componentView, matchView, placementBody, placementEndBody,
  placementView, reunificationBody, reunificationView, tracingPage, tracingRequestBody, tracingRequestView, visitBody, visitView,
} from '../../../../src/modules/cases/care-schema.ts';

/** The case module's wire shapes, inferred from the server's own zod schemas (one definition, both sides). */
export type CaseView = z.infer<typeof caseView>;
export type CasePage = z.infer<typeof casePage>;
export type CaseCreate = z.input<typeof caseCreateBody>;
export type CaseUpdate = z.input<typeof caseUpdateBody>;
export type CaseTransition = z.input<typeof transitionBody>;
export type CaseloadView = z.infer<typeof caseloadView>;
export type CaseAlerts = z.infer<typeof alertsView>;
export type ConsentInput = z.input<typeof consentBody>;
export type ReleaseInput = z.input<typeof releaseBody>;
export type HandoverInput = z.input<typeof handoverBody>;
export type ReRecruitmentInput = z.input<typeof reRecruitmentBody>;
export type ReferralCreate = z.input<typeof referralCreateBody>;
export type ReferralStatus = z.input<typeof referralStatusBody>;
export type ReferralView = z.infer<typeof referralView>;
export type ReferralPage = z.infer<typeof referralPage>;
export type CareView = z.infer<typeof careView>;
export type PlacementInput = z.input<typeof placementBody>;
export type PlacementEnd = z.input<typeof placementEndBody>;
export type PlacementView = z.infer<typeof placementView>;
export type ComponentInput = z.input<typeof componentBody>;
export type ComponentUpdate = z.input<typeof componentUpdateBody>;
export type ComponentView = z.infer<typeof componentView>;
export type VisitInput = z.input<typeof visitBody>;
export type VisitView = z.infer<typeof visitView>;
export type ReunificationInput = z.input<typeof reunificationBody>;
export type ReunificationView = z.infer<typeof reunificationView>;
export type BestInterestsInput = z.input<typeof bestInterestsBody>;
export type BestInterestsView = z.infer<typeof bestInterestsView>;
export type TracingRequestCreate = z.input<typeof tracingRequestBody>;
export type TracingRequestView = z.infer<typeof tracingRequestView>;
export type TracingPage = z.infer<typeof tracingPage>;
export type MatchView = z.infer<typeof matchView>;
export type TracingRun = { children_compared: number; children_without_tracing_consent: number; items: MatchView[] };
/** Disclosure-controlled figures: nested counts and rates, `null` where withheld. */
export type CaseIndicators = Record<string, unknown>;
