/**
 * @module
 * The timed KV binding of the sign-in row (bench/README.md, "Sign-in latency"), one rule for every
 * Worker the row measures (`ours-probe`, `signin-floor`):
 * - `timedKv(kv)` times every KV method call, promises included, and first waits the delay set
 *   below, if any;
 * - `GET /__bench/kv` (`kvReport`): milliseconds spent in KV calls since the last read;
 *   `GET /__bench/kv?delay=N`: from now on each KV call first waits N ms (a KV that is a network
 *   round trip away, as in production, instead of Miniflare's in-process one).
 * The figures are per isolate (module state), as each instance of a Worker is.
 */

let kvMs = 0
/** Added to every KV call (`/__bench/kv?delay=N`): an I/O wait, which costs no CPU. */
let kvDelayMs = 0

/** Times every KV method call, promises included (workerd's clock moves across I/O). */
export function timedKv(kv: KVNamespace): KVNamespace {
  return new Proxy(kv, {
    get(target, property) {
      const value = Reflect.get(target, property) as unknown
      if (typeof value !== 'function') return value
      return async (...args: unknown[]) => {
        const start = performance.now()
        try {
          if (kvDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, kvDelayMs))
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args)
        } finally {
          kvMs += performance.now() - start
        }
      }
    },
  })
}

/** `GET /__bench/kv[?delay=N]`: the KV time since the last read (then reset), and sets the delay. */
export function kvReport(url: URL): Response {
  const delay = url.searchParams.get('delay')
  if (delay !== null) kvDelayMs = Number(delay)
  const body = { kvMs }
  kvMs = 0
  return Response.json(body)
}
