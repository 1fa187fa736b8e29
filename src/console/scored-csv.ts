import { csvCell } from '../reporting/csv-cell.js';
import { NOT_SCORED, type ScoredFile } from './file-scoring.js';

/**
 * The scored file to download: every row as it came, in file order, with churnProbability, churn and error
 * appended. Cells a spreadsheet would run as formulas are neutralised exactly as the API's CSV answers are.
 * A row with another number of cells than the header is cut or padded to it, so the file stays rectangular; its
 * error column says how many cells it had.
 */
export function scoredCsv(file: ScoredFile): string {
  const lines = [[...file.header, 'churnProbability', 'churn', 'error'].map(csvCell).join(',')];
  file.rows.forEach((row, i) => {
    const p = file.probabilities[i]!;
    const churn = file.churn[i]!;
    const fitted = file.header.map((_, c) => row[c] ?? '');
    const cells = [...fitted.map(csvCell), Number.isNaN(p) ? '' : String(p), churn === NOT_SCORED ? '' : churn === 1 ? 'true' : 'false', csvCell(file.errors.get(i) ?? '')];
    lines.push(cells.join(','));
  });
  return `${lines.join('\n')}\n`;
}
