/** A JSON object (not null, not an array): what a parsed request body or file must be before its fields are read. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
