import { readFileSync } from 'node:fs';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { ChurnError } from '../errors.js';
import { explanationOf } from '../explain/explainer.js';
import { importanceOfExplained, type GlobalImportance } from '../explain/global-importance.js';
import { parseCsvRecords } from '../features/csv-records.js';
import { compileRecordEncoder } from '../features/record-encoder.js';
import type { FeatureSchema } from '../features/schema.js';
import { bundledDataFile } from '../model/bundled-model.js';
import type { ModelRuntime } from '../model/runtimes/model-runtime.js';
import { syntheticRecord } from './model-service.js';

/** Customers explained for the console's global importance: enough for stable means, a fraction of a second to compute. */
const IMPORTANCE_SAMPLE = 1000;
/** Records explained per turn of the event loop, so requests keep being answered meanwhile. */
const EXPLAIN_CHUNK = 200;

/**
 * Real customers for the console, from the data file the project ships, when it fits the served model's schema
 * (every input a column of the file; only the records the schema accepts). A model trained on other data gets none:
 * its sample customer is then a synthetic record, and it has no global importance here.
 */
export class ConsoleSamples {
  private customers: Record<string, unknown>[] | undefined;
  private importance: Promise<GlobalImportance> | undefined;

  constructor(private readonly schema: FeatureSchema, private readonly runtime: ModelRuntime, private readonly dataFile = bundledDataFile) {}

  /** The valid records of the data file under this schema (read on first use). */
  private sample(): Record<string, unknown>[] {
    if (this.customers !== undefined) return this.customers;
    this.customers = [];
    let parsed;
    try {
      parsed = parseCsvRecords(readFileSync(this.dataFile, 'utf8'), this.schema);
    } catch {
      return this.customers;
    }
    // Every input must be a column of the file: a model whose inputs merely share a name or two with it (all
    // nullable, as a foreign model's are) would otherwise get "customers" made mostly of missing values.
    if (parsed.missingColumns.length > 0) return this.customers;
    const encoder = compileRecordEncoder(this.schema);
    const scratch = new Float64Array(encoder.width);
    // Only what the model reads (and the id): the label column of the training data is not the console's to show.
    const fields = [this.schema.idField, ...this.schema.features.map((f) => f.name)];
    this.customers = parsed.records
      .filter((record) => encoder.encode(record, scratch, 0) === undefined)
      .map((record) => Object.fromEntries(fields.filter((name) => name in record).map((name) => [name, record[name]])));
    return this.customers;
  }

  /** A random real customer, or a synthetic record every schema accepts when there are none. */
  customer(): { record: Record<string, unknown>; synthetic: boolean } {
    const customers = this.sample();
    if (customers.length === 0) return { record: syntheticRecord(this.schema), synthetic: true };
    return { record: customers[Math.floor(Math.random() * customers.length)]!, synthetic: false };
  }

  /** Mean |exact contribution| per feature over evenly spaced sample customers, computed once. */
  globalImportance(): Promise<GlobalImportance> {
    this.importance ??= this.computeImportance();
    return this.importance;
  }

  private async computeImportance(): Promise<GlobalImportance> {
    const { explain } = this.runtime;
    if (explain === undefined) {
      throw new ChurnError('NOT_FOUND', `${this.runtime.description.format} models cannot explain their predictions, so they have no global importance`);
    }
    const customers = this.sample();
    if (customers.length === 0) throw new ChurnError('NOT_FOUND', 'no sample of customers fits this model\'s feature schema, so global importance cannot be computed here; run churn-predictor explain over your data');
    const step = Math.max(1, Math.floor(customers.length / IMPORTANCE_SAMPLE));
    const picked = customers.filter((_, i) => i % step === 0).slice(0, IMPORTANCE_SAMPLE);
    const names = this.runtime.description.inputs.map((input) => input.name);
    const explained: { explanation: ReturnType<typeof explanationOf> }[] = [];
    for (let first = 0; first < picked.length; first += EXPLAIN_CHUNK) {
      const records = picked.slice(first, first + EXPLAIN_CHUNK);
      const { data, width } = await explain.call(this.runtime, records);
      records.forEach((record, r) => {
        const row = data.subarray(r * width, (r + 1) * width);
        let margin = row[width - 1]!;
        for (let i = 0; i < width - 1; i++) margin += row[i]!;
        explained.push({ explanation: explanationOf(record, names, row, row[width - 1]!, margin) });
      });
      await yieldToEventLoop();
    }
    return importanceOfExplained(explained);
  }
}
