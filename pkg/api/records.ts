/**
 * Plain-object records keyed by text from outside: label names from requests and uploads, band labels and
 * cost-centre names from files. A key such as `__proto__` or `constructor` must be an ordinary own entry, never
 * Object.prototype's: reads check own properties and the one key that plain assignment cannot create is defined
 * explicitly. The records stay plain objects (JSON, spreads and deep equality treat them as any other). Browser-safe.
 */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    record[key] = value;
  }
}

/** A plain record of the entries, each an own entry (`__proto__` included). */
export function recordOf<T>(entries: Iterable<readonly [string, T]> = []): Record<string, T> {
  const record: Record<string, T> = {};
  for (const [k, v] of entries) {
    setOwn(record, k, v);
  }
  return record;
}
