import { CHILD_IDENTITY_SETTINGS, linkRecords, type FsModel } from './engine/index.ts';
import { syntheticChildren } from './engine/synthetic-children.ts';

/**
 * The model a small mission's run uses. EM needs hundreds of true pairs to learn m; a mission with a few
 * dozen children has not got them and learns nonsense (measured: an obvious variant pair scored 0.2). Below
 * MIN_RECORDS_TO_TRAIN a run scores with a model trained once per process on the generated reference set
 * (same settings, the phenomena of issue #5), and says so on the run (`model_source`).
 */
export const MIN_RECORDS_TO_TRAIN = 2000;

let reference: Promise<{ model: FsModel; records: number }> | null = null;

/**
 * The reference model with its prior moved to `records` records. λ is the chance that two random records are
 * one child; with a few records per child whatever the file's size, it falls as 1/(n − 1), so a prior learnt on
 * the reference set's thousands of records would make a small mission's matches look far too unlikely. The
 * prior stops rising at PRIOR_FLOOR_RECORDS: on a few dozen records it would outweigh the weak evidence of
 * records that share little but their sex (measured: unrelated pairs at 0.3 on 13 records).
 */
const PRIOR_FLOOR_RECORDS = 200;

export async function referenceModel(records: number): Promise<FsModel> {
  reference ??= (async () => {
    const rows = syntheticChildren({ children: 1500, seed: 7 }).map(({ child_id: _child, ...row }) => row);
    return { model: (await linkRecords(rows, CHILD_IDENTITY_SETTINGS, { threads: 1 })).model, records: rows.length };
  })();
  const { model, records: trainedOn } = await reference;
  const lambda = Math.min(0.5, (model.lambda * (trainedOn - 1)) / (Math.max(records, PRIOR_FLOOR_RECORDS) - 1));
  return { ...model, lambda, priorWeight: Math.log2(lambda / (1 - lambda)) };
}
