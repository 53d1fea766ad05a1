/**
 * The WHERE of a listing, built from its filter with every value bound as a named parameter. One
 * rule for the desk's search (part of a UID or a label, in any case) for the queues that list
 * cards, so the Queue screen, an export and `changes --search` find the same cards.
 */
export class Where {
  private readonly clauses: string[] = [];
  readonly params: Record<string, unknown> = {};

  /** `column IN (…)`, when any values are given. */
  oneOf(column: string, values: readonly string[] | undefined): this {
    if (!values?.length) return this;
    const names = values.map((value, i) => {
      this.params[`${column}${i}`] = value;
      return `@${column}${i}`;
    });
    this.clauses.push(`${column} IN (${names.join(',')})`);
    return this;
  }

  /** `column = value`, when a value is given. */
  equals(column: string, value: number | string | undefined): this {
    if (value === undefined) return this;
    this.params[column] = value;
    this.clauses.push(`${column} = @${column}`);
    return this;
  }

  /** The desk's search: part of the row's UID or label, in any case. */
  uidOrLabel(search: string | undefined): this {
    if (!search) return this;
    this.params.search = search;
    this.clauses.push(`(instr(lower(coalesce(uid, '')), lower(@search)) > 0 OR instr(lower(coalesce(label, '')), lower(@search)) > 0)`);
    return this;
  }

  /** The clauses joined; `1` (every row) when the filter has none. */
  get sql(): string {
    return this.clauses.length ? this.clauses.join(' AND ') : '1';
  }
}
