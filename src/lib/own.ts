/**
 * A table's own entry for a key that came from outside (a provider's genre, a word of a title,
 * a URL segment), or undefined. A plain `table[key]` answers "constructor", "toString" or
 * "__proto__" with what every object inherits.
 */
export function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
