/**
 * The identity-linkage engine's public surface, for the identity service and the `tutela match` command.
 * Pure: rows and settings in, scored pairs, explanations and clusters out; nothing here touches the store.
 */
export { linkRecords, modelFits, type Decision, type EmSession, type LinkageResult, type LinkOptions } from './engine.ts';
export { CHILD_IDENTITY_SETTINGS, FAKE_1000_SETTINGS, febrlSettings, HISTORICAL_50K_SETTINGS } from './reference-settings.ts';
export { DEFAULT_THRESHOLDS, validateSettings, type BlockingRule, type ComparisonSpec, type LinkageSettings, type Row } from './settings.ts';
export { LinkageInputError } from './prepared.ts';
export { probabilityOf, type FieldExplanation, type FsModel, type PairExplanation } from './scoring.ts';
export { clusterPairs, type Clustering, type ReviewItem } from './cluster.ts';
export { bcubed, blockingRecall, clusterPairMetrics, pairMetricsAt, type Truth } from './evaluation.ts';
export { normaliseText } from './normalise.ts';
export { parseName } from './names.ts';
export { nameKeys } from './phonetic.ts';
export { birthInterval, parseBirthDate, type BirthInterval } from './dates.ts';
