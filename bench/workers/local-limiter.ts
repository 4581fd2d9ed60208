/**
 * @module
 * A stand-in for the Workers Rate Limiting binding inside the probe isolate: a fixed-window count
 * per key, in memory. Production's limiter is a counter local to the machine (no network call on
 * the request path); Miniflare's answers each `limit()` with a fetch to a Durable Object, a
 * subrequest and another isolate per call that production does not pay. Leaving the binding out
 * is no better: the Worker then logs `rate_limit_unbound` on every start. The sign-in row reads
 * our Worker with this instead (bench/README.md, "Sign-in latency").
 */

/** The binding's one method, as `src/request/rate-limit.ts` calls it. */
export interface Limiter {
  limit(options: { key: string }): Promise<{ success: boolean }>
}

export function localLimiter(limit: number, periodSeconds: number, now: () => number = Date.now): Limiter {
  const windows = new Map<string, { start: number; count: number }>()
  return {
    async limit({ key }) {
      const at = now()
      let window = windows.get(key)
      if (!window || at - window.start >= periodSeconds * 1000) {
        window = { start: at, count: 0 }
        windows.set(key, window)
      }
      window.count++
      return { success: window.count <= limit }
    },
  }
}
