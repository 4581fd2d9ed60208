/**
 * @module
 * A fixed-size memory that keeps what is used again: CLOCK (second chance), an O(1)
 * approximation of least-recently-used. Not a `Map` dropping its oldest key: V8's holes make that
 * slow to insert into when full, and CLOCK keeps more hits (bench/README.md, "Many users").
 * Keys are never `undefined` (a free slot's key is).
 */
export interface ClockCache<K, V> {
  readonly size: number
  /** The value, marking it used. */
  get(key: K): V | undefined
  delete(key: K): void
  /**
   * Inserts or replaces. A full memory gives up the first slot not used since the hand last
   * passed (or freed); each step clears one flag and each flag is set by one hit, so the walk is
   * O(1) amortized and at most one turn of the ring.
   */
  set(key: K, value: V): void
}

/** A CLOCK memory of at most `capacity` (≥ 1) entries. Closures, not fields: a smaller bundle. */
export function clockCache<K, V>(capacity: number): ClockCache<K, V> {
  const index = new Map<K, number>()
  const keys: Array<K | undefined> = []
  const values: V[] = []
  /** Used since the hand last passed. */
  const used: boolean[] = []
  let hand = 0
  return {
    get size() {
      return index.size
    },
    get(key) {
      const at = index.get(key)
      if (at === undefined) return undefined
      used[at] = true
      return values[at]
    },
    delete(key) {
      const at = index.get(key)
      if (at === undefined) return
      index.delete(key)
      keys[at] = undefined
    },
    set(key, value) {
      let at = index.get(key)
      if (at === undefined) {
        if (keys.length < capacity) {
          at = keys.length
        } else {
          while (used[hand] && keys[hand] !== undefined) {
            used[hand] = false
            hand = (hand + 1) % capacity
          }
          at = hand
          hand = (at + 1) % capacity
          const old = keys[at]
          if (old !== undefined) index.delete(old)
        }
        keys[at] = key
        used[at] = false
        index.set(key, at)
      }
      values[at] = value
    },
  }
}
