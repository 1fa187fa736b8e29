import type { FeatureSchema, FeatureSpec } from '../features/schema.js';

/** The form's raw text per field (what the user typed or chose), keyed by field name. */
export type FormValues = Record<string, string>;

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** Foreign models' schemas are unbounded (±Number.MAX_VALUE): no range to show. */
const bounded = (v: number) => Math.abs(v) < 1e300;

/**
 * The record to send: numbers as numbers, blank numerics as null (missing), blank choices left out. Text that
 * is not a number is sent as typed, so the server's own validation names the field and says what is wrong.
 */
export function recordOf(schema: FeatureSchema, values: FormValues): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  const id = values[schema.idField]?.trim();
  if (id !== undefined && id !== '') record[schema.idField] = id;
  for (const feature of schema.features) {
    const raw = values[feature.name] ?? '';
    if (feature.kind === 'categorical') {
      if (raw !== '') record[feature.name] = raw;
    } else {
      const text = raw.trim();
      record[feature.name] = text === '' ? null : NUMBER.test(text) ? Number(text) : raw;
    }
  }
  return record;
}

/** Form text from a record (a sample customer, a row of a scored file). */
export function valuesOf(schema: FeatureSchema, record: Record<string, unknown>): FormValues {
  const values: FormValues = {};
  for (const name of [schema.idField, ...schema.features.map((f) => f.name)]) {
    const v = record[name];
    values[name] = v === null || v === undefined ? '' : String(v);
  }
  return values;
}

function rangeHint(feature: FeatureSpec): string {
  if (feature.kind !== 'numeric') return '';
  const unit = feature.unit === undefined ? '' : ` ${feature.unit}`;
  const range = bounded(feature.minimum) && bounded(feature.maximum) ? `${feature.minimum} to ${feature.maximum}${unit}` : unit.trim();
  const kind = feature.integer ? 'whole number' : 'number';
  return [`${kind}${range === '' ? '' : `, ${range}`}`, feature.nullable ? 'may be left blank' : ''].filter((s) => s !== '').join('; ');
}

interface FieldProps {
  feature: FeatureSpec;
  value: string;
  errors: readonly string[];
  onChange: (name: string, value: string, immediate: boolean) => void;
}

function Field({ feature, value, errors, onChange }: FieldProps) {
  const id = `field-${feature.name}`;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = errors.length > 0 ? `${errorId} ${hintId}` : hintId;
  const hint = [feature.description, rangeHint(feature)].filter((s) => s !== '').join(' — ');
  return (
    <div class={`field${errors.length > 0 ? ' has-error' : ''}`} data-field={feature.name}>
      <label for={id}>{feature.name}</label>
      {feature.kind === 'categorical' ? (
        <select id={id} name={feature.name} value={value} aria-describedby={describedBy} aria-invalid={errors.length > 0}
          onChange={(e) => onChange(feature.name, (e.currentTarget as HTMLSelectElement).value, true)}>
          <option value="">— choose —</option>
          {feature.categories.map((c) => <option value={c}>{c}</option>)}
        </select>
      ) : (
        <input id={id} name={feature.name} type="number" step={feature.integer ? 1 : 'any'} autoComplete="off" value={value}
          {...(bounded(feature.minimum) ? { min: feature.minimum } : {})} {...(bounded(feature.maximum) ? { max: feature.maximum } : {})}
          placeholder={feature.nullable ? 'blank = missing' : ''} aria-describedby={describedBy} aria-invalid={errors.length > 0}
          onInput={(e) => onChange(feature.name, (e.currentTarget as HTMLInputElement).value, false)} />
      )}
      <p id={hintId} class="hint">{hint}</p>
      {errors.length > 0 && <p id={errorId} class="field-error">{errors.join(' ')}</p>}
    </div>
  );
}

export interface CustomerFormProps {
  schema: FeatureSchema;
  values: FormValues;
  fieldErrors: Record<string, string[]>;
  onChange: (name: string, value: string, immediate: boolean) => void;
  onSubmit: () => void;
  onSample: () => void;
  busy: boolean;
}

/** One control per feature of the schema: a choice for categories, a number field with its range for numerics. */
export function CustomerForm({ schema, values, fieldErrors, onChange, onSubmit, onSample, busy }: CustomerFormProps) {
  const idName = schema.idField;
  return (
    <form class="customer-form" noValidate aria-label="Customer" onSubmit={(e) => { e.preventDefault(); onSubmit(); }}>
      <div class="form-actions">
        <button type="button" class="secondary" onClick={onSample}>Fill with a sample customer</button>
        <button type="submit" disabled={busy}>Score this customer</button>
      </div>
      <div class="fields">
        <div class="field" data-field={idName}>
          <label for="field-id">{idName} <span class="optional">(optional)</span></label>
          <input id="field-id" name={idName} type="text" autoComplete="off" value={values[idName] ?? ''} aria-describedby="field-id-hint"
            onInput={(e) => onChange(idName, (e.currentTarget as HTMLInputElement).value, false)} />
          <p id="field-id-hint" class="hint">Passed through to the answer; not used for scoring.</p>
        </div>
        {schema.features.map((feature) => (
          <Field feature={feature} value={values[feature.name] ?? ''} errors={fieldErrors[feature.name] ?? []} onChange={onChange} />
        ))}
      </div>
    </form>
  );
}
