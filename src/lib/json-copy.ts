/**
 * @module
 * A deep copy of a JSON-shaped value (what `JSON.parse` makes: plain objects, arrays, strings,
 * numbers, booleans, `null`).
 *
 * Why not `structuredClone`: it serializes and deserializes, ~3× the time of this walk on a
 * session (bench/README.md, "Many users"), and the verified-token memory copies on every hit.
 * `Object.fromEntries` defines properties rather than assigning them, so an own `"__proto__"`
 * key (JSON may carry one) stays a key and never becomes the copy's prototype.
 */
export function copyJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return value.map(copyJson) as T
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, copyJson(item)])) as T
}
