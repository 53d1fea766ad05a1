/** The Tokens grid's keyboard and pointer: the row the keys are on, moving it, opening a token, and picking rows for a bulk change. */
import { tokens } from '../../state/tokens.svelte';

export interface GridView {
  /** The scrolled element (kept in view as the cursor moves). */
  viewport(): HTMLDivElement | undefined;
  /** Rows a PageDown moves. */
  pageRows(): number;
  /** A row's height (px). */
  readonly row: number;
}

export class GridCursor {
  /** The row the keys are on (aria-activedescendant). */
  active = $state(0);
  private readonly bulk = tokens.bulk;

  constructor(private readonly view: GridView) {}

  private get count(): number {
    return tokens.count ?? 0;
  }

  moveTo(index: number): void {
    if (this.count === 0) return;
    this.active = Math.max(0, Math.min(this.count - 1, index));
    const top = this.active * this.view.row;
    const vp = this.view.viewport()!;
    if (top < vp.scrollTop) vp.scrollTop = top;
    else if (top + this.view.row > vp.scrollTop + vp.clientHeight) vp.scrollTop = top + this.view.row - vp.clientHeight;
  }

  private openAt(index: number): void {
    const token = tokens.at(index);
    if (token) void tokens.open(token.id);
  }

  /** A click picks rows with a modifier (shift: a range, ctrl/cmd: one row), and opens the token without one. */
  onrowclick(event: MouseEvent, index: number): void {
    if (event.shiftKey) {
      event.preventDefault();
      void this.bulk.extendTo(index);
    } else if (event.ctrlKey || event.metaKey) {
      void this.bulk.toggle(index);
    } else {
      this.bulk.anchor = index;
      this.openAt(index);
    }
    this.active = index;
  }

  /** The row's checkbox: its own click, never opening the token. */
  oncheck(event: MouseEvent, index: number): void {
    event.stopPropagation();
    if (event.shiftKey) void this.bulk.extendTo(index);
    else void this.bulk.toggle(index);
    this.active = index;
  }

  onkeydown(event: KeyboardEvent): void {
    const bulk = this.bulk;
    // A sortable header's button takes its own Enter and Space.
    if (event.target instanceof HTMLElement && event.target.closest('button')) return;
    if (event.key === ' ') {
      event.preventDefault();
      if (event.shiftKey) void bulk.extendTo(this.active);
      else void bulk.toggle(this.active);
      return;
    }
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'a') {
      event.preventDefault();
      void bulk.selectAllMatching();
      return;
    }
    if (event.shiftKey && (event.key === 'ArrowDown' || event.key === 'ArrowUp')) {
      event.preventDefault();
      if (bulk.anchor === null) bulk.anchor = this.active;
      this.moveTo(this.active + (event.key === 'ArrowDown' ? 1 : -1));
      void bulk.extendTo(this.active);
      return;
    }
    const page = this.view.pageRows();
    const moves: Record<string, number> = {
      ArrowDown: this.active + 1,
      ArrowUp: this.active - 1,
      PageDown: this.active + page,
      PageUp: this.active - page,
      Home: 0,
      End: this.count - 1,
    };
    if (event.key in moves) {
      event.preventDefault();
      this.moveTo(moves[event.key]!);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      this.openAt(this.active);
    }
  }
}
