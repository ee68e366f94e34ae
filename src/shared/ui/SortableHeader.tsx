import { Icon } from '@grafana/ui';
import { nextSort, type SortDirection, type SortState } from '../domain/sortRows';

interface Props<K extends string> {
  column: K;
  label: string;
  sort: SortState<K>;
  onSort: (next: SortState<K>) => void;
  /** Direction on first click: `asc` for names, `desc` (default) for sizes and rates. */
  initial?: SortDirection;
  title?: string;
}

/** A table header cell that sorts by its column; `aria-sort` says how the table is sorted now. */
export function SortableHeader<K extends string>({ column, label, sort, onSort, initial, title }: Props<K>) {
  const active = sort.key === column;
  return (
    <th aria-sort={active ? (sort.direction === 'asc' ? 'ascending' : 'descending') : 'none'} title={title}>
      <button
        type="button"
        onClick={() => onSort(nextSort(sort, column, initial))}
        style={{ background: 'none', border: 'none', padding: 0, color: 'inherit', font: 'inherit', cursor: 'pointer' }}
      >
        {label}
        {active && <Icon name={sort.direction === 'asc' ? 'arrow-up' : 'arrow-down'} size="sm" />}
      </button>
    </th>
  );
}
