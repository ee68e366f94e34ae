type NumberArray = Int32Array | Uint32Array | Uint8Array | Float64Array;

/** A copy of `a` with room for at least `minLength` elements (capacity doubles, so appends stay amortised O(1)). */
export function grown<T extends NumberArray>(a: T, minLength: number): T {
  let length = Math.max(a.length, 16);
  while (length < minLength) {
    length *= 2;
  }
  const bigger = new (a.constructor as new (length: number) => T)(length);
  bigger.set(a);
  return bigger;
}
