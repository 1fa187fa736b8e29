import { numberLiteral } from '../foundation/number-literal.js';
import { ID_MAX_LENGTH, type CategoricalPlan, type FieldPlan, type NumericPlan } from './field-plans.js';

/**
 * Checks a record and writes its encoding into `out[offset ..]`, as the record encoder's loop does for a valid
 * record: true when every field is valid (the encoding written), false at the first field that is not (the encoding
 * partly written; the loop then runs to say why).
 */
export type RecordCheck = (record: unknown, out: Float64Array, offset: number) => boolean;

/**
 * Above this many features and categories the generated function grows past what V8 optimises (it would then run
 * slower than the loop).
 */
const MAX_GENERATED_PARTS = 2_000;

/**
 * The encoder's valid path as generated JavaScript, one straight run of code per feature: each field read by its
 * own name (a monomorphic load where the loop's `record[plan.key]` is a megamorphic one), each category matched by
 * a `switch`. Measured under callgrind on the bundled schema: about 7,000 of the loop's instructions per record
 * become about 1,000 (docs/server.md, Performance). Undefined for a schema too large to generate, or when code
 * generation is switched off (--disallow-code-generation-from-strings).
 *
 * Names and categories reach the source as JSON string literals (JSON.stringify escapes quotes, backslashes and
 * line ends, so no text from the artifact can end the literal), and bounds as number literals.
 */
export function generateRecordCheck(plans: readonly FieldPlan[], idKey: string): RecordCheck | undefined {
  const parts = plans.reduce((n, plan) => n + 1 + (plan.kind === 'categorical' ? plan.categories.length : 0), 0);
  if (parts > MAX_GENERATED_PARTS) return undefined;
  const body = plans.map((plan) => (plan.kind === 'numeric' ? numericSource(plan) : categoricalSource(plan)));
  const source = `"use strict";return function recordCheck(r,out,o){
if(typeof r!=="object"||r===null||Array.isArray(r))return false;
let v;
${body.join('\n')}
v=r[${JSON.stringify(idKey)}];
if(v!==undefined&&v!==null&&(typeof v!=="string"||v.length>${ID_MAX_LENGTH}))return false;
return true;};`;
  try {
    return new Function(source)() as RecordCheck;
  } catch {
    return undefined;
  }
}

function numericSource(plan: NumericPlan): string {
  // v-v===0: finite (NaN and both infinities give NaN).
  const valid = [`v>=${numberLiteral(plan.minimum)}`, `v<=${numberLiteral(plan.maximum)}`, 'v-v===0'];
  if (plan.integer) valid.push('Number.isInteger(v)');
  const missing = plan.nullable ? `else if(v===undefined||v===null)out[o+${plan.column}]=NaN;` : '';
  return `v=r[${JSON.stringify(plan.key)}];
if(typeof v==="number"){if(!(${valid.join('&&')}))return false;out[o+${plan.column}]=v;}${missing}else return false;`;
}

function categoricalSource(plan: CategoricalPlan): string {
  const read = `v=r[${JSON.stringify(plan.key)}];if(typeof v!=="string")return false;`;
  // An open categorical takes any string and has no column.
  if (plan.categories.length === 0) return read;
  const columns = new Map<string, number[]>();
  plan.categories.forEach((category, c) => { columns.set(category, [...(columns.get(category) ?? []), plan.firstColumn + c]); });
  const zeroes = plan.categories.map((_, c) => `out[o+${plan.firstColumn + c}]=0;`).join('');
  const cases = [...columns].map(([category, hot]) => `case ${JSON.stringify(category)}:${hot.map((column) => `out[o+${column}]=1;`).join('')}break;`).join('');
  return `${read}${zeroes}switch(v){${cases}default:return false;}`;
}
