/**
 * Reading a table's row as the object the code uses: a snake_case column becomes its camelCase
 * field, and a JSON column its value. One rule for every table whose rows are mapped this way, so
 * a row's mapping names only the columns that are not read as they are.
 */

/** `spirii_id` -> `spiriiId`, as a type. */
type Camel<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S;

/** A row's columns under their camelCase names, each with its column's type, but for those left out. */
export type CamelRow<Row, Omitted extends keyof Row = never> = { [K in Exclude<keyof Row, Omitted> & string as Camel<K>]: Row[K] };

/**
 * The reader of one table's rows: each column as it is, under its camelCase name and in the
 * table's order, but for those the caller reads otherwise (`omit`: it sets them itself, or they
 * are bookkeeping), as `camelRow<TableRow>()(omit)`. The row's type is the table. The columns are taken from the first row read
 * (every row of a table has the same), so a row costs one plain copy.
 */
export const camelRow =
  <Row extends object>() =>
  <Omitted extends keyof Row & string = never>(omit: readonly Omitted[] = []): ((row: Row) => CamelRow<Row, Omitted>) => {
  let columns: string[] | null = null;
  let names: string[] = [];
  return (row) => {
    if (columns === null) {
      columns = Object.keys(row).filter((column) => !(omit as readonly string[]).includes(column));
      names = columns.map((column) => column.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase()));
    }
    const out: Record<string, unknown> = {};
    const values = row as Record<string, unknown>;
    for (let i = 0; i < columns.length; i++) out[names[i]!] = values[columns[i]!];
    return out as CamelRow<Row, Omitted>;
  };
}

/** A JSON column's value; null when the column is empty or holds no valid JSON (a row damaged or written by hand). */
export function jsonColumn<T>(text: string | null | undefined): T | null {
  if (!text) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}
