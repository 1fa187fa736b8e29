import en from 'zod/v4/locales/en.js';
import * as z from 'zod/mini';

// zod's mini build: the same checks and messages as its classic one, in a twelfth of the code the server loads
// at every start (60 KB bundled instead of 760 KB; docs/server.md, Start-up). It has no messages until a locale
// is given. Every shape here checks a file once (a manifest, a feature schema, a reference profile), so zod's
// compiled fast path, which generates and compiles code on an object shape's first parse, costs more than it
// saves: checking the bundled model's manifest took 11-14 ms with it and 4-7 ms without, at every start.
z.config({ ...en(), jitless: true });

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
export function checkShape<T>(shape: z.ZodMiniType<T>, value: unknown, root = ''): ShapeCheck<T> {
  const result = z.safeParse(shape, value, { reportInput: true });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, problems: result.error.issues.map((issue) => `"${fieldPath(root, issue.path)}" ${issueText(issue)}`) };
}

/** The problems checkShape finds; empty when the value conforms. */
export function shapeProblems(shape: z.ZodMiniType, value: unknown, root = ''): string[] {
  const check = checkShape(shape, value, root);
  return check.ok ? [] : check.problems;
}
