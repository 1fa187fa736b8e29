import { useMemo, useState } from 'preact/hooks';
import { count, percent } from './format.js';
import { NOT_SCORED, sheetRow, type ScoredFile } from './file-scoring.js';

const PAGE_SIZE = 50;

type SortKey = 'risk' | 'row' | 'customer';
type Decision = 'all' | 'churn' | 'stay';

/** The scored rows, highest risk first: sortable, filterable by customer id and decision, a page at a time. */
export function ScoredTable({ file, onOpen }: { file: ScoredFile; onOpen: (row: number) => void }) {
  const [sort, setSort] = useState<{ key: SortKey; descending: boolean }>({ key: 'risk', descending: true });
  const [search, setSearch] = useState('');
  const [decision, setDecision] = useState<Decision>('all');
  const [page, setPage] = useState(0);

  const order = useMemo(() => {
    const needle = search.trim().toLowerCase();
    const ids = file.idColumn >= 0 ? file.rows.map((r) => r[file.idColumn] ?? '') : undefined;
    const picked: number[] = [];
    for (let i = 0; i < file.rows.length; i++) {
      const churn = file.churn[i]!;
      if (churn === NOT_SCORED) continue;
      if (decision === 'churn' && churn !== 1) continue;
      if (decision === 'stay' && churn !== 0) continue;
      if (needle !== '' && !(ids?.[i] ?? '').toLowerCase().includes(needle)) continue;
      picked.push(i);
    }
    const sign = sort.descending ? -1 : 1;
    const p = file.probabilities;
    if (sort.key === 'risk') picked.sort((a, b) => sign * (p[a]! - p[b]!) || a - b);
    else if (sort.key === 'row') picked.sort((a, b) => sign * (a - b));
    else picked.sort((a, b) => sign * (ids?.[a] ?? '').localeCompare(ids?.[b] ?? '') || a - b);
    return picked;
  }, [file, file.done, sort, search, decision]);

  const pages = Math.max(1, Math.ceil(order.length / PAGE_SIZE));
  const shown = Math.min(page, pages - 1);
  const slice = order.slice(shown * PAGE_SIZE, (shown + 1) * PAGE_SIZE);
  const header = (key: SortKey, label: string) => {
    const active = sort.key === key;
    return (
      <th scope="col" aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
        <button type="button" class="sort" onClick={() => { setSort({ key, descending: active ? !sort.descending : key === 'risk' }); setPage(0); }}>
          {label} <span aria-hidden="true">{active ? (sort.descending ? '▼' : '▲') : '↕'}</span>
        </button>
      </th>
    );
  };

  return (
    <div class="scored-table" data-testid="scored-table">
      <div class="table-controls">
        <div class="control">
          <label for="table-search">Find a customer id</label>
          <input id="table-search" type="search" value={search} onInput={(e) => { setSearch((e.currentTarget as HTMLInputElement).value); setPage(0); }} />
        </div>
        <div class="control">
          <label for="table-decision">Show</label>
          <select id="table-decision" value={decision} onChange={(e) => { setDecision((e.currentTarget as HTMLSelectElement).value as Decision); setPage(0); }}>
            <option value="all">all scored customers</option>
            <option value="churn">likely to churn</option>
            <option value="stay">not likely to churn</option>
          </select>
        </div>
        <p class="table-count" role="status">{count(order.length)} customers{order.length > 0 ? `; showing ${count(shown * PAGE_SIZE + 1)}–${count(shown * PAGE_SIZE + slice.length)}` : ''}</p>
      </div>
      <div class="table-scroll">
        <table>
          <caption class="visually-hidden">Scored customers</caption>
          <thead>
            <tr>
              {header('row', 'Row')}
              {header('customer', 'Customer')}
              {header('risk', 'Churn probability')}
              <th scope="col">Decision</th>
              <th scope="col"><span class="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {slice.map((i) => {
              const p = file.probabilities[i]!;
              const id = file.idColumn >= 0 ? file.rows[i]![file.idColumn] ?? '' : '';
              return (
                <tr data-row={i}>
                  <td>{sheetRow(i)}</td>
                  <td>{id}</td>
                  <td class="number"><span class="risk-bar" style={{ width: `${Math.round(p * 60)}px` }} aria-hidden="true" />{percent(p)}</td>
                  <td>{file.churn[i] === 1 ? 'likely to churn' : 'not likely'}</td>
                  <td><button type="button" class="link" onClick={() => onOpen(i)}>Open<span class="visually-hidden"> row {sheetRow(i)}{id === '' ? '' : ` (${id})`}</span></button></td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <nav class="pager" aria-label="Pages of the table">
        <button type="button" disabled={shown === 0} onClick={() => setPage(shown - 1)}>Previous page</button>
        <span>page {shown + 1} of {pages}</span>
        <button type="button" disabled={shown >= pages - 1} onClick={() => setPage(shown + 1)}>Next page</button>
      </nav>
    </div>
  );
}
