/**
 * Reading a table's row as the object the code uses: a snake_case column becomes its camelCase
 * field, and a JSON column its value. One rule for every table whose rows are mapped this way, so
 * a row's mapping names only the columns that are not read as they are.
 */

/** `spirii_id` -> `spiriiId`, as a type. */
type Camel<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S;

/** A row's columns under their camelCase names, each with its column's type, but for those left out. */
export type CamelRow<Row, Omitted extends keyof Row = never> = { [K in Exclude<keyof Row, Omitted> & string as Camel<K>]: Row[K] };

const camelNames = new Map<string, string>();

function camelName(column: string): string {
  let name = camelNames.get(column);
  if (name === undefined) {
    name = column.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
    camelNames.set(column, name);
  }
  return name;
}

/**
 * A row's columns as they are, under their camelCase names and in the table's order, but for
 * those the caller reads otherwise (`omit`: it sets them itself, or they are bookkeeping). The
 * row's type is the table: a column it does not name is not there.
 */
export function camelRow<Row extends object, Omitted extends keyof Row & string = never>(row: Row, omit: readonly Omitted[] = []): CamelRow<Row, Omitted> {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) if (!(omit as readonly string[]).includes(column)) out[camelName(column)] = value;
  return out as CamelRow<Row, Omitted>;
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
