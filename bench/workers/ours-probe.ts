/**
 * @module
 * Our Worker (`src/index.ts`, unchanged) behind two bench-only routes:
 * - `GET /__bench/verify?n=N` (the probe): µs per session check, `/api/hello` minus `/healthz`;
 * - `GET /__bench/kv`: milliseconds spent in the `TRANSACTIONS` KV binding since the last read,
 *   and the number of calls — the KV share of a sign-in through the Worker.
 * Throughput is measured on the plain production bundle; this wrapper serves the timings only.
 */
import type { Env } from '../../src/env'
import worker from '../../src/index'
import { withProbe } from './probe'

let kvMs = 0
let kvCalls = 0

/** Times every KV method call, promises included (workerd's clock moves across I/O). */
function timedKv(kv: KVNamespace): KVNamespace {
  return new Proxy(kv, {
    get(target, property) {
      const value = Reflect.get(target, property) as unknown
      if (typeof value !== 'function') return value
      return async (...args: unknown[]) => {
        const start = performance.now()
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args)
        } finally {
          kvMs += performance.now() - start
          kvCalls++
        }
      }
    },
  })
}

// Config is cached per env object (src/config.ts): hand the app the same wrapped env every time.
const wrapped = new WeakMap<object, Env>()
function envFor(env: Env): Env {
  let result = wrapped.get(env)
  if (!result) {
    result = { ...env, TRANSACTIONS: env.TRANSACTIONS && timedKv(env.TRANSACTIONS) }
    wrapped.set(env, result)
  }
  return result
}

const probed = withProbe<Env>(
  { fetch: (request, env, ctx) => worker.fetch(request, envFor(env), ctx) },
  { openPath: '/healthz' }
)

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    if (new URL(request.url).pathname === '/__bench/kv') {
      const body = { kvMs, kvCalls }
      kvMs = 0
      kvCalls = 0
      return Response.json(body)
    }
    return probed.fetch(request, env, ctx)
  },
}
