import { ChurnError } from '../errors.js';
import { compileRecordEncoder } from '../features/record-encoder.js';
import type { ReferenceProfile } from '../model/reference-profile.js';
import type { FeatureSchema } from '../features/schema.js';
import { buildReferenceProfile } from './reference-profile-builder.js';

export interface ProfiledData {
  profile: ReferenceProfile;
  /** Records the model scored (the profile's rows), and records its schema refused (left out). */
  scored: number;
  refused: number;
}

/** What profiling needs of a data plane (the server's PredictionService has it): its schema and batch scoring. */
export interface ScoringService {
  readonly schema: FeatureSchema;
  readonly scoresRecords: boolean;
  readonly card: { readonly name: string };
  predictBatch(records: readonly unknown[], pointer?: string): { count: number; failed: number; results: readonly object[] }
    | Promise<{ count: number; failed: number; results: readonly object[] }>;
}

/**
 * The reference profile of a model on a data set: each record the model's data plane accepts is scored by it and
 * counted into the bins, exactly as served traffic will be. The data should be what the model was trained on.
 */
export async function profileModel(service: ScoringService, records: readonly unknown[], source: string): Promise<ProfiledData> {
  if (!service.scoresRecords) throw new ChurnError('INVALID_ARGUMENT', `${service.card.name} is not a binary classifier: drift monitoring needs a churn probability to profile`);
  const outcome = await service.predictBatch(records, '/rows');
  const encoder = compileRecordEncoder(service.schema);
  const x = new Float64Array((outcome.count - outcome.failed) * encoder.width);
  const scores: number[] = [];
  outcome.results.forEach((result, i) => {
    if (!('churnProbability' in result) || typeof result.churnProbability !== 'number') return;
    encoder.encode(records[i], x, scores.length * encoder.width);
    scores.push(result.churnProbability);
  });
  if (scores.length === 0) throw new ChurnError('DATA_INVALID', `${source}: no record of the file is valid for the model; nothing to profile`);
  return { profile: buildReferenceProfile({ schema: service.schema, x, rows: scores.length, scores, source }), scored: scores.length, refused: outcome.failed };
}
