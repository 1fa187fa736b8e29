import { config, type z } from 'zod';

// Every shape here checks a file once (a manifest, a feature schema, a reference profile), so zod's compiled fast
// path, which generates and compiles code on an object shape's first parse, costs more than it saves: checking the
// bundled model's manifest took 11-14 ms with it and 4-7 ms without, at every start.
config({ jitless: true });

/** `metrics.test.rocAuc`, `schema.features[3].categories`: where a problem is, as a reader would write it. */
export function fieldPath(root: string, path: readonly PropertyKey[]): string {
  let text = root;
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text === '' ? '(the whole document)' : text;
}

function issueText(issue: z.core.$ZodIssue): string {
  // A field that is absent reads better as "missing" than as "expected number, received undefined".
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'is missing';
  return issue.message.replace(/^Invalid input: /, '');
}

export type ShapeCheck<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/**
 * Checks a value against a zod schema once: the parsed value, or every problem as `"<field>" <what is wrong>`.
 * `root` prefixes the paths (`schema` for a feature schema inside a manifest).
 */
export function checkShape<T>(shape: z.ZodType<T>, value: unknown, root = ''): ShapeCheck<T> {
  const result = shape.safeParse(value, { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problems: result.error.issues.map((issue) => `"${fieldPath(root, issue.path)}" ${issueText(issue)}`) };
}

/** The problems checkShape finds; empty when the value conforms. */
export function shapeProblems(shape: z.ZodType, value: unknown, root = ''): string[] {
  const check = checkShape(shape, value, root);
  return check.ok ? [] : check.problems;
}
