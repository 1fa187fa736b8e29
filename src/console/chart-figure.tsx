import { useEffect, useRef } from 'preact/hooks';
import { chartTable, type ChartSpec } from '../reporting/chart-spec.js';
import { drawChart } from '../reporting/browser/uplot-charts.js';

/**
 * A chart drawn with the reports' own code (src/reporting/browser), described for screen readers by its
 * caption, with its numbers in a table a click away: a canvas alone says nothing to a screen reader.
 */
export function ChartFigure({ spec, testId }: { spec: ChartSpec; testId?: string }) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (container.current === null) return undefined;
    const chart = drawChart(container.current, spec);
    return () => chart.destroy();
  }, [spec]);
  const table = chartTable(spec);
  return (
    <figure class="chart-figure" data-testid={testId}>
      <div ref={container} class="chart" role="img" aria-label={table.caption} />
      <details>
        <summary>Show the numbers of “{spec.title}”</summary>
        <div class="table-scroll">
          <table>
            <caption>{table.caption}</caption>
            <thead><tr>{table.header.map((h) => <th scope="col">{h}</th>)}</tr></thead>
            <tbody>{table.rows.map((row) => <tr>{row.map((c) => <td>{c}</td>)}</tr>)}</tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
