import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { ChurnError } from '../errors.js';
import { importanceOfExplained, type GlobalImportance } from '../explain/global-importance.js';
import { parseCsvRecords } from '../features/csv-records.js';
import { bundledDataFile } from '../model/bundled-model.js';
import type { DataPlane } from '../serving/data-plane.js';
import type { BatchResult } from '../serving/predictions.js';
import { syntheticRecord } from '../serving/synthetic-record.js';

/** Customers explained for the console's global importance: enough for stable means, a fraction of a second to compute. */
const IMPORTANCE_SAMPLE = 1000;
/** Records explained per turn of the event loop, so requests keep being answered meanwhile. */
const EXPLAIN_CHUNK = 200;

/**
 * Real customers for the console, from the data file the project ships, when it fits the schema of one data
 * plane's model (every input a column of the file; only the records the model accepts). A model trained on other
 * data gets none: its sample customer is then a synthetic record, and it has no global importance here.
 * One per data plane: a swapped-in model gets its own sample and its own importance.
 */
export class ConsoleSamples {
  private customers: Record<string, unknown>[] | undefined;
  /** Why there are no customers, for the 404 of global importance. */
  private noCustomers = '';
  private importance: Promise<GlobalImportance> | undefined;

  constructor(private readonly plane: DataPlane, private readonly dataFile = bundledDataFile) {}

  /** The valid records of the data file under the model's schema (read on first use). */
  private sample(): Record<string, unknown>[] {
    if (this.customers !== undefined) return this.customers;
    this.customers = [];
    const { schema, runtime: { encoder } } = this.plane;
    let parsed;
    try {
      parsed = parseCsvRecords(readFileSync(this.dataFile, 'utf8'), schema);
    } catch (error) {
      // The image ships the model without the data file; an installed package has it.
      this.noCustomers = (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? `this installation has no sample customers (${basename(this.dataFile)} is not here)`
        : `the sample customers' file cannot be read (${(error as Error).message})`;
      return this.customers;
    }
    // Every input must be a column of the file: a model whose inputs merely share a name or two with it (all
    // nullable, as a foreign model's are) would otherwise get "customers" made mostly of missing values.
    if (parsed.missingColumns.length > 0) {
      this.noCustomers = 'no sample of customers fits this model\'s feature schema';
      return this.customers;
    }
    const scratch = new Float64Array(encoder.width);
    // Only what the model reads (and the id): the label column of the training data is not the console's to show.
    const fields = [schema.idField, ...schema.features.map((f) => f.name)];
    this.customers = parsed.records
      .filter((record) => encoder.encode(record, scratch, 0) === undefined)
      .map((record) => Object.fromEntries(fields.filter((name) => name in record).map((name) => [name, record[name]])));
    return this.customers;
  }

  /** A random real customer, or a synthetic record every schema accepts when there are none. */
  customer(): { record: Record<string, unknown>; synthetic: boolean } {
    const customers = this.sample();
    if (customers.length === 0) return { record: syntheticRecord(this.plane.schema), synthetic: true };
    return { record: customers[Math.floor(Math.random() * customers.length)]!, synthetic: false };
  }

  /**
   * Mean |exact contribution| per feature over evenly spaced sample customers, computed once (a failure is not
   * kept: the next call tries again).
   */
  globalImportance(): Promise<GlobalImportance> {
    this.importance ??= this.computeImportance().catch((error: unknown) => {
      this.importance = undefined;
      throw error;
    });
    return this.importance;
  }

  /** Through the data plane, as REST batches with explanations: the same validation, scoring and explanations as /predict/batch. */
  private async computeImportance(): Promise<GlobalImportance> {
    const { plane } = this;
    if (!plane.scoresRecords || !plane.explains) {
      throw new ChurnError('NOT_FOUND', `this ${plane.card.format} ${plane.card.task} model cannot explain churn predictions, so it has no global importance`);
    }
    const customers = this.sample();
    if (customers.length === 0) {
      throw new ChurnError('NOT_FOUND', `${this.noCustomers || 'no sample customer is valid for this model'}, so global importance cannot be computed here; run churn-predictor explain over your data`);
    }
    const step = Math.max(1, Math.floor(customers.length / IMPORTANCE_SAMPLE));
    const picked = customers.filter((_, i) => i % step === 0).slice(0, IMPORTANCE_SAMPLE);
    const chunk = Math.min(EXPLAIN_CHUNK, plane.maxBatchSize);
    const results: BatchResult[] = [];
    for (let first = 0; first < picked.length; first += chunk) {
      // Sample customers are not traffic: kept out of the drift window and the payload log.
      const outcome = await plane.predictBatch(picked.slice(first, first + chunk), { explain: true, monitored: false }, 'rest');
      results.push(...outcome.results);
      await yieldToEventLoop();
    }
    return importanceOfExplained(results);
  }
}
