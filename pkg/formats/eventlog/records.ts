/**
 * Plain-object records keyed by text from the file (band labels, cost-centre names). A key such as `__proto__` or
 * `constructor` must be an ordinary own entry, not Object.prototype's, so reads check own properties and the one
 * key that plain assignment cannot create is defined explicitly.
 */
export function ownValue<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    record[key] = value;
  }
}
