/**
 * @module
 * A `Map` with a size limit for isolate memory that strangers can fill (one entry per token
 * they send): inserting a new key beyond the limit drops the oldest entries first.
 */

export class BoundedMap<K, V> extends Map<K, V> {
  /** @param maxSize at least 1: the most entries kept. */
  constructor(readonly maxSize: number) {
    super()
  }

  override set(key: K, value: V): this {
    if (!this.has(key)) {
      for (const oldest of this.keys()) {
        if (this.size < this.maxSize) break
        this.delete(oldest)
      }
    }
    return super.set(key, value)
  }
}
