/**
 * @module
 * Many users: a population of `USERS` session tokens, each request's token drawn Zipf(s) by rank
 * (rank 1 the most active user). The stream is seeded, so every run and every Worker sees the
 * same sequence of users. Only the ranks the stream actually draws get a signed token: a user
 * who never sends a request needs none.
 */

/** The population: distinct users, each with their own valid session token. */
export const USERS = 100_000
/** The exponent of the rank distribution (web traffic is typically 0.8–1.2). */
export const ZIPF_S = 1.1

/** A small seeded PRNG (mulberry32): the same stream on every run. */
function seeded(seed) {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * `length` ranks (0-based: 0 is the most active user) drawn from Zipf(`s`) over `users` ranks,
 * by inverse transform on the cumulative weights.
 * @returns {Uint32Array}
 */
export function zipfStream(length, { users = USERS, s = ZIPF_S, seed = 16 } = {}) {
  const cumulative = new Float64Array(users)
  let total = 0
  for (let rank = 0; rank < users; rank++) cumulative[rank] = total += (rank + 1) ** -s
  const random = seeded(seed)
  const stream = new Uint32Array(length)
  for (let i = 0; i < length; i++) {
    const target = random() * total
    let low = 0
    let high = users - 1
    while (low < high) {
      const middle = (low + high) >>> 1
      if (cumulative[middle] < target) low = middle + 1
      else high = middle
    }
    stream[i] = low
  }
  return stream
}

/**
 * The stream rewritten as indexes into its own list of distinct ranks (first-seen order), so
 * that only `ranks.length` tokens need signing.
 * @returns {{ranks: number[], order: Uint32Array}}
 */
export function compact(stream) {
  const index = new Map()
  const ranks = []
  const order = new Uint32Array(stream.length)
  for (let i = 0; i < stream.length; i++) {
    let at = index.get(stream[i])
    if (at === undefined) {
      at = ranks.length
      index.set(stream[i], at)
      ranks.push(stream[i])
    }
    order[i] = at
  }
  return { ranks, order }
}

/** Hit rate of a FIFO memory of `size` entries on `stream` after `warm` requests: what CLOCK is weighed against. */
export function fifoHitRate(stream, size, warm) {
  const memory = new Set()
  let hits = 0
  for (let i = 0; i < stream.length; i++) {
    if (memory.has(stream[i])) {
      if (i >= warm) hits++
      continue
    }
    if (memory.size >= size) memory.delete(memory.values().next().value)
    memory.add(stream[i])
  }
  return hits / (stream.length - warm)
}
