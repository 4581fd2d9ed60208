/**
 * @module
 * A deep copy of a JSON-shaped value (what `JSON.parse` makes: plain objects, arrays, strings,
 * numbers, booleans, `null`).
 *
 * Why not `structuredClone`: it serializes and deserializes, and the verified-token memory copies
 * on every hit; on a session, in workerd, this walk takes 1.8–2.7 µs against 3.1–3.4 µs (the
 * bench's breakdown line; bench/README.md, "Many users"), in Node about a third of the time.
 * `Object.fromEntries` defines properties rather than assigning them, so an own `"__proto__"`
 * key (JSON may carry one) stays a key and never becomes the copy's prototype.
 */
export function copyJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return value.map(copyJson) as T
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, copyJson(item)])) as T
}
