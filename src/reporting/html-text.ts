/** Text made safe inside HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * JSON to place inside a `<script type="application/json">` element: `<` is written as \u003c, so no value
 * (a customer's text, a profile name) can close the element early. JSON.parse reads it back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** A table with a header row; every cell is escaped. */
export function htmlTable(header: readonly string[], rows: readonly (readonly string[])[], caption?: string): string {
  const cells = (row: readonly string[], tag: string) => row.map((c) => `<${tag}>${escapeHtml(c)}</${tag}>`).join('');
  const title = caption === undefined ? '' : `<caption>${escapeHtml(caption)}</caption>`;
  return `<table>${title}<thead><tr>${cells(header, 'th')}</tr></thead><tbody>${rows.map((r) => `<tr>${cells(r, 'td')}</tr>`).join('')}</tbody></table>`;
}
