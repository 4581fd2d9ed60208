/**
 * @module
 * Our Worker (`src/index.ts`, unchanged) behind two bench-only routes:
 * - `GET /__bench/verify?n=N` (the probe): µs per session check, `/api/hello` minus `/healthz`;
 * - `GET /__bench/kv`: milliseconds spent in the `TRANSACTIONS` KV binding since the last read,
 *   and the number of calls — the KV share of a sign-in through the Worker;
 * - `POST /__bench/breakdown {tokens}`: where a fresh (never seen) token's check spends its time:
 *   jose's `jwtVerify` alone with the cached key, then the session verifier (`verifierFor`), then
 *   the verifier again on the same tokens (its memory of verified tokens).
 * Throughput is measured on the plain production bundle; this wrapper serves the timings only.
 */
import { jwtVerify, decodeProtectedHeader } from 'jose'
import { readConfig } from '../../src/config'
import { clientFor } from '../../src/descope/for-config'
import type { Env } from '../../src/env'
import worker from '../../src/index'
import { keyStoreForConfig, verifierFor } from '../../src/session/for-config'
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

const probed = withProbe<Env>({ fetch: (request, env, ctx) => worker.fetch(request, envFor(env), ctx) }, { openPath: '/healthz' })

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    if (new URL(request.url).pathname === '/__bench/kv') {
      const body = { kvMs, kvCalls }
      kvMs = 0
      kvCalls = 0
      return Response.json(body)
    }
    if (new URL(request.url).pathname === '/__bench/breakdown') return breakdown(request, env)
    return probed.fetch(request, env, ctx)
  },
}

/** µs per token of each stage of the check, over the given never-seen tokens. */
async function breakdown(request: Request, env: Env): Promise<Response> {
  const { tokens } = (await request.json()) as { tokens: string[] }
  const config = readConfig(envFor(env))
  const descope = clientFor(config)
  const verifier = verifierFor(config, descope)
  const first = await verifier.verify(tokens[0] as string)
  if (!first.ok) return Response.json({ error: first.reason }, { status: 500 })
  const list = tokens.slice(1)
  const kid = decodeProtectedHeader(list[0] as string).kid as string
  const key = keyStoreForConfig(config, descope).peek(kid)
  if (!key) return Response.json({ error: 'no key' }, { status: 500 })
  // The verifier checks the issuer itself (Descope's rule, after jwtVerify): jose alone does not.
  const options = { algorithms: ['RS256'], clockTolerance: 5, requiredClaims: ['exp', 'sub'] }
  const stage = async (task: (token: string) => Promise<unknown>) => {
    const start = performance.now()
    for (const token of list) await task(token)
    return ((performance.now() - start) * 1000) / list.length
  }
  const joseAlone = await stage((token) => jwtVerify(token, key, options))
  const verifierFresh = await stage((token) => verifier.verify(token))
  const verifierRemembered = await stage((token) => verifier.verify(token))
  return Response.json({ n: list.length, joseAlone, verifierFresh, verifierRemembered })
}
