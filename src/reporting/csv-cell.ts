/**
 * One CSV cell for a file people open in a spreadsheet. Text a spreadsheet would run as a formula (leading =,
 * +, -, @, tab or CR: ids and messages echo client input) gets a leading apostrophe, as OWASP advises for CSV
 * exports; quotes, commas and line breaks are quoted. The API's CSV answers (src/serving/codecs/csv-batch.ts)
 * and the console's download (in the browser) share it, so both neutralise the same cells the same way.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
