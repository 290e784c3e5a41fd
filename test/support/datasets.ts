import fs from 'node:fs';
import path from 'node:path';

/**
 * The public benchmark datasets (FEBRL, Splink, SaTScan fixtures, UCDP events) live beside the project
 * in the workplace's shared folder, not in the repository. A clone elsewhere (CI's, say) finds them
 * through TUTELA_DATASETS_DIR, the folder next to the checkout, or the workplace's fixed place.
 */
const candidates = [
  process.env.TUTELA_DATASETS_DIR,
  path.resolve(import.meta.dirname, '../../../shared/datasets'),
  '/work/shared/datasets',
].filter((p): p is string => !!p);

export const DATASETS = candidates.find((p) => fs.existsSync(path.join(p, 'README.md'))) ?? (() => {
  throw new Error(`benchmark datasets not found (looked in ${candidates.join(', ')}): set TUTELA_DATASETS_DIR`);
})();

export const dataset = (...parts: string[]) => path.join(DATASETS, ...parts);
