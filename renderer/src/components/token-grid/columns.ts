/** The Tokens grid's columns: their headings in order, which of them sort (the sorts GET /v2/tokens has), and what a click on one does. */
import { tokens, type SortField } from '../../state/tokens.svelte';
import type { t } from './grid.messages';

export interface Column {
  heading: Parameters<typeof t>[0];
  /** The cell's look: a right-aligned number or a yes/no flag. */
  kind?: 'num' | 'flag';
  sort?: SortField;
}

/** In the DOM's order; the pick column (the row's checkbox) comes after them and is shown first. */
export const COLUMNS: readonly Column[] = [
  { heading: 'id', kind: 'num', sort: 'id' },
  { heading: 'identifier' },
  { heading: 'label' },
  { heading: 'type' },
  { heading: 'customer' },
  { heading: 'active', kind: 'flag' },
  { heading: 'roaming', kind: 'flag' },
  { heading: 'priority', kind: 'flag' },
  { heading: 'validFrom', sort: 'validFrom' },
  { heading: 'expires', sort: 'expiresAt' },
  { heading: 'updated', sort: 'updatedAt' },
];

/** A click on a sortable header: that column, or the other direction. */
export function sortOn(field: SortField): void {
  if (tokens.filters.sortBy === field) tokens.filters.sortDirection = tokens.filters.sortDirection === 'asc' ? 'desc' : 'asc';
  else {
    tokens.filters.sortBy = field;
    tokens.filters.sortDirection = field === 'id' ? 'desc' : 'asc';
  }
  void tokens.reload();
}

export const sortMark = (field: string) => (tokens.filters.sortBy === field ? (tokens.filters.sortDirection === 'asc' ? '↑' : '↓') : '');
export const ariaSort = (field: string) =>
  tokens.filters.sortBy === field ? (tokens.filters.sortDirection === 'asc' ? 'ascending' : 'descending') : undefined;
