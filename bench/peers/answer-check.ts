/**
 * Before any load, each peer must answer the check rows as the model's own library does, one row per request
 * and all of them in one batch: the servers compared must be doing the same work.
 */
import { request } from 'undici';
import type { PeerRow, RequestFormat } from './peer-servers.js';

/** Probabilities agree to this: XGBoost sums float32 leaves; servers answer in float32 or float64. */
export const agreementTolerance = 1e-6;

export interface AnswerCheck {
  rows: number;
  /** Answers (single and batch) further than the tolerance from the library's. */
  disagreements: number;
  maxAbsoluteDifference: number;
  agrees: boolean;
  /** The first disagreement, for the report. */
  firstDifference?: string;
}

async function post(origin: string, format: RequestFormat, rows: readonly PeerRow[], inputs: readonly string[]): Promise<number[]> {
  const response = await request(`${origin}${format.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(format.body(rows, inputs)),
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`${format.path} answered ${response.statusCode}: ${text.slice(0, 500)}`);
  const probabilities = format.probabilities(JSON.parse(text));
  if (probabilities.length !== rows.length) throw new Error(`${format.path}: ${probabilities.length} probabilities for ${rows.length} rows`);
  return probabilities;
}

export async function checkAnswers(origin: string, single: RequestFormat, batch: RequestFormat, rows: readonly PeerRow[], inputs: readonly string[], expected: readonly number[]): Promise<AnswerCheck> {
  const answers: { how: string; index: number; value: number }[] = [];
  for (const [index, row] of rows.entries()) answers.push({ how: 'single', index, value: (await post(origin, single, [row], inputs))[0]! });
  (await post(origin, batch, rows, inputs)).forEach((value, index) => answers.push({ how: 'batch', index, value }));
  let max = 0;
  let disagreements = 0;
  let firstDifference: string | undefined;
  for (const { how, index, value } of answers) {
    const difference = Math.abs(value - expected[index]!);
    if (!(difference <= max)) max = Number.isNaN(difference) ? Number.POSITIVE_INFINITY : difference;
    if (!(difference <= agreementTolerance)) disagreements++;
    if (!(difference <= agreementTolerance) && firstDifference === undefined) {
      firstDifference = `${how} row ${index} (${String(rows[index]!.record['customerID'])}): answered ${value}, the model's library says ${expected[index]}`;
    }
  }
  return { rows: rows.length, disagreements, maxAbsoluteDifference: max, agrees: firstDifference === undefined, ...(firstDifference === undefined ? {} : { firstDifference }) };
}
