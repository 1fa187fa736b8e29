import { useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError, type ConsoleSettings, type Prediction } from './api.js';
import { CustomerForm, recordOf, valuesOf, type FormValues } from './customer-form.js';
import { PredictionView, type PreviousScore } from './prediction-view.js';

/** Typing in a number field re-scores once the typing pauses; a choice re-scores at once. */
const TYPING_PAUSE_MS = 250;

/** Field errors by field name, from the server's JSON Pointer paths (`/tenure`); the rest are for the whole form. */
function errorsByField(error: ApiError): { fields: Record<string, string[]>; other: string[] } {
  const fields: Record<string, string[]> = {};
  const other: string[] = [];
  for (const detail of error.details) {
    const name = detail.path.split('/')[1]?.replace(/~1/g, '/').replace(/~0/g, '~');
    if (name === undefined || name === '') other.push(detail.message);
    else (fields[name] ??= []).push(detail.message);
  }
  return { fields, other };
}

export interface CustomerPageProps {
  settings: ConsoleSettings;
  /** A record to open (from a row of a scored file): filled in and scored at once. */
  opened?: { record: Record<string, unknown> } | undefined;
  onUnauthorized: (error: ApiError) => void;
}

/** Score one customer, and see the score move as fields change. */
export function CustomerPage({ settings, opened, onUnauthorized }: CustomerPageProps) {
  const { schema } = settings;
  const [values, setValues] = useState<FormValues>({});
  const [prediction, setPrediction] = useState<Prediction>();
  const [previous, setPrevious] = useState<PreviousScore>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string>();
  const latest = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const current = useRef<{ prediction?: Prediction }>({});
  current.current.prediction = prediction;

  const score = async (next: FormValues, changed?: string) => {
    const request = ++latest.current;
    setBusy(true);
    try {
      const answer = await api.predict(recordOf(schema, next), settings.explains);
      if (request !== latest.current) return;
      const before = current.current.prediction;
      setPrevious(before === undefined ? undefined : { probability: before.churnProbability, ...(changed === undefined ? {} : { changed }) });
      setPrediction(answer);
      setFieldErrors({});
      setFormError(undefined);
    } catch (error) {
      if (request !== latest.current) return;
      if (!(error instanceof ApiError)) throw error;
      if (error.status === 401) { onUnauthorized(error); return; }
      const { fields, other } = errorsByField(error);
      setFieldErrors(fields);
      const count = Object.keys(fields).length;
      setFormError(count > 0 ? `The server did not accept ${count} field${count === 1 ? '' : 's'}: see the messages under ${count === 1 ? 'it' : 'them'}.${other.length > 0 ? ` ${other.join(' ')}` : ''}`
        : `${error.message} (${error.code})`);
    } finally {
      if (request === latest.current) setBusy(false);
    }
  };

  const change = (name: string, value: string, immediate: boolean) => {
    const next = { ...values, [name]: value };
    setValues(next);
    // Once there is a score, every change re-scores: "what if this customer moved to a one-year contract?"
    if (current.current.prediction === undefined && Object.keys(fieldErrors).length === 0) return;
    clearTimeout(timer.current);
    if (immediate) void score(next, name);
    else timer.current = setTimeout(() => void score(next, name), TYPING_PAUSE_MS);
  };

  const sample = async () => {
    try {
      const { record, synthetic } = await api.sampleCustomer();
      const next = valuesOf(schema, record);
      setValues(next);
      setNote(synthetic ? 'No real customers fit this model\'s schema here: this is a made-up record every field accepts.' : undefined);
      setPrevious(undefined);
      setPrediction(undefined);
      current.current.prediction = undefined;
      await score(next);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) onUnauthorized(error);
      else setFormError(error instanceof Error ? error.message : String(error));
    }
  };

  useEffect(() => {
    if (opened === undefined) return;
    const next = valuesOf(schema, opened.record);
    setValues(next);
    setPrediction(undefined);
    setPrevious(undefined);
    current.current.prediction = undefined;
    void score(next);
  }, [opened]);

  useEffect(() => () => clearTimeout(timer.current), []);

  return (
    <div class="customer-page">
      <section class="panel form-panel" aria-labelledby="form-heading">
        <h2 id="form-heading">Customer</h2>
        <p class="hint">Fill in the fields (or take a sample customer) and score. After the first score, any change re-scores at once.</p>
        {note !== undefined && <p class="note">{note}</p>}
        {formError !== undefined && <p class="form-error" role="alert" data-testid="form-error">{formError}</p>}
        <CustomerForm schema={schema} values={values} fieldErrors={fieldErrors} onChange={change} onSubmit={() => void score(values)} onSample={() => void sample()} busy={busy} />
      </section>
      <section class="panel result-panel" aria-labelledby="result-heading" aria-busy={busy}>
        <h2 id="result-heading">Churn risk</h2>
        <div aria-live="polite">
          {prediction === undefined
            ? <p class="placeholder">No score yet.</p>
            : <PredictionView prediction={prediction} {...(previous === undefined ? {} : { previous })} schema={schema} />}
        </div>
        {!settings.explains && prediction !== undefined && <p class="hint">This model cannot explain its scores, so there are no reasons or contributions.</p>}
      </section>
    </div>
  );
}
