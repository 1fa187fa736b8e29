import { ChurnError, type FieldError } from '../errors.js';
import type { TreeModel } from './tree-model.js';

const codeMaps = new WeakMap<TreeModel, readonly (ReadonlyMap<string, number> | undefined)[]>();

function codesOf(model: TreeModel): readonly (ReadonlyMap<string, number> | undefined)[] {
  let maps = codeMaps.get(model);
  if (maps === undefined) {
    maps = model.inputs.map((input) => (input.categories === undefined ? undefined : new Map(input.categories.map((c, i) => [c, i]))));
    codeMaps.set(model, maps);
  }
  return maps;
}

/**
 * Reads records (objects keyed by `names`, default the model's input names, or arrays in column order) into the
 * row-major matrix the tree-model evaluator takes. null or absent is missing (NaN). A categorical input with
 * category names (LightGBM pandas_categorical, XGBoost >= 3.1) takes a name, which becomes its code, and a name
 * the model never saw is missing, as pandas makes it before the library sees it; numbers are codes, as the
 * libraries read them from arrays. XGBoost refuses values beyond float32's range, so they are INVALID_RECORD
 * (reason range) here; any other bad field is too, with its path, all fields of all records at once.
 */
export function treeModelMatrix(model: TreeModel, records: readonly unknown[], names: readonly string[] = model.inputs.map((i) => i.name)): Float64Array {
  const width = model.columns;
  const codes = codesOf(model);
  const float32 = model.arithmetic === 'float32';
  const x = new Float64Array(records.length * width);
  let errors: FieldError[] | undefined;
  const bad = (path: string, reason: FieldError['reason'], message: string) => { (errors ??= []).push({ path, reason, message }); };
  for (let r = 0; r < records.length; r++) {
    const record = records[r];
    const isArray = Array.isArray(record);
    if (isArray) {
      if (record.length !== width) { bad(`/${r}`, 'type', `expected ${width} values, got ${record.length}`); continue; }
    } else if (typeof record !== 'object' || record === null) {
      bad(`/${r}`, 'not_object', 'a record must be an object or an array of values');
      continue;
    }
    for (let c = 0; c < width; c++) {
      const v: unknown = isArray ? record[c] : (record as Record<string, unknown>)[names[c]!];
      const at = r * width + c;
      if (v === null || v === undefined) x[at] = NaN;
      else if (typeof v === 'number') {
        if (!Number.isFinite(v)) bad(`/${r}/${names[c]}`, 'not_finite', 'must be finite (send null for missing)');
        else if (float32 && !Number.isFinite(Math.fround(v))) bad(`/${r}/${names[c]}`, 'range', 'is beyond float32, which XGBoost reads');
        else x[at] = v;
      } else if (typeof v === 'string' && codes[c] !== undefined) {
        x[at] = codes[c]!.get(v) ?? NaN;
      } else {
        bad(`/${r}/${names[c]}`, 'type', codes[c] !== undefined ? `must be a category name or code, got ${typeof v}` : `must be a number, got ${typeof v}`);
      }
    }
  }
  if (errors !== undefined) throw new ChurnError('INVALID_RECORD', `${errors.length} invalid field(s)`, errors);
  return x;
}
