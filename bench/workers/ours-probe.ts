/**
 * @module
 * Our Worker (`src/index.ts`, unchanged) behind two bench-only routes:
 * - `GET /__bench/verify?n=N` (the probe): µs per session check, `/api/hello` minus `/healthz`;
 * - `GET /__bench/kv[?delay=N]`: the time spent in the `TRANSACTIONS` KV binding, and the delay of
 *   each KV call (bench/workers/timed-kv.ts) — the KV share of a sign-in through the Worker;
 * - `GET /__bench/memory`: how many session checks since the last read were answered from the
 *   memory of verified tokens (`hits`) and how many verified a signature (`checks`): requests to
 *   the protected route, and `crypto.subtle.verify` calls, counted here (the many-users row reads
 *   the hit rate from them);
 * - `POST /__bench/breakdown {tokens}`: where a fresh (never seen) token's check spends its time:
 *   jose's `jwtVerify` alone with the cached key, then the session verifier (`getWorkerSetup`), then
 *   the verifier again on the same tokens (its memory of verified tokens), and the deep copy of a
 *   session the memory hands out (`copyJson`) against `structuredClone`.
 * Throughput is measured on the plain production bundle; this wrapper serves the timings only.
 */
import { jwtVerify, decodeProtectedHeader } from 'jose'
import { readConfig } from '../../src/config'
import type { Env } from '../../src/env'
import worker from '../../src/index'
import { copyJson } from '../../src/lib/json-copy'
import { getWorkerSetup } from '../../src/session/worker-setup'
import { localLimiter } from './local-limiter'
import { withProbe } from './probe'
import { kvReport, timedKv } from './timed-kv'

/** Signature checks and protected-route requests since the last `/__bench/memory`. */
let signatureChecks = 0
let protectedRequests = 0
const subtleVerify = crypto.subtle.verify.bind(crypto.subtle)
crypto.subtle.verify = (...args: Parameters<SubtleCrypto['verify']>) => {
  signatureChecks++
  return subtleVerify(...args)
}

/** Copies timed per kind in the breakdown. */
const COPY_ROUNDS = 50_000

// Config is cached per env object (src/config.ts): hand the app the same wrapped env every time.
const wrapped = new WeakMap<object, Env>()
function envFor(env: Env): Env {
  let result = wrapped.get(env)
  if (!result) {
    result = {
      ...env,
      TRANSACTIONS: env.TRANSACTIONS && timedKv(env.TRANSACTIONS),
      // Bound (and required: bench/lib/workers.mjs), with a limiter that costs what production's local
      // one does (local-limiter.ts); limits far above the bench's traffic, so never a 429.
      RATE_LIMIT_IP: localLimiter(1_000_000, 60) as unknown as RateLimit,
      RATE_LIMIT_LOGIN_ID: localLimiter(1_000_000, 60) as unknown as RateLimit,
    }
    wrapped.set(env, result)
  }
  return result
}

const probed = withProbe<Env>(
  {
    fetch(request, env, ctx) {
      if (new URL(request.url).pathname === '/api/hello') protectedRequests++
      return worker.fetch(request, envFor(env), ctx)
    },
  },
  { openPath: '/healthz' }
)

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const path = new URL(request.url).pathname
    if (path === '/__bench/kv') return kvReport(new URL(request.url))
    if (path === '/__bench/memory') {
      // One signature check per request the memory did not answer (every token here is valid).
      const body = { hits: protectedRequests - signatureChecks, checks: signatureChecks }
      signatureChecks = 0
      protectedRequests = 0
      return Response.json(body)
    }
    if (path === '/__bench/breakdown') return breakdown(request, env)
    return probed.fetch(request, env, ctx)
  },
}

/** µs per token of each stage of the check, over the given never-seen tokens. */
async function breakdown(request: Request, env: Env): Promise<Response> {
  const { tokens } = (await request.json()) as { tokens: string[] }
  const config = readConfig(envFor(env))
  const { verifier, keys } = getWorkerSetup(config)
  const first = await verifier.verifyJwt(tokens[0] as string)
  if (!first.ok) return Response.json({ error: first.reason }, { status: 500 })
  const list = tokens.slice(1)
  const kid = decodeProtectedHeader(list[0] as string).kid as string
  const key = keys.peek(kid)
  if (!key) return Response.json({ error: 'no key' }, { status: 500 })
  // jose's own checks only; our verifier adds the issuer rule (issuerMatches) and the rest.
  const options = { algorithms: ['RS256'], clockTolerance: 5, requiredClaims: ['exp', 'sub'] }
  const stage = async (task: (token: string) => Promise<unknown>) => {
    const start = performance.now()
    for (const token of list) await task(token)
    return ((performance.now() - start) * 1000) / list.length
  }
  const joseAlone = await stage((token) => jwtVerify(token, key, options))
  const verifierFresh = await stage((token) => verifier.verifyJwt(token))
  const verifierRemembered = await stage((token) => verifier.verifyJwt(token))
  // What the memory's copy of a session costs (it hands each caller its own), against structuredClone.
  const remembered = await verifier.verifyJwt(list[0] as string)
  if (!remembered.ok) return Response.json({ error: remembered.reason }, { status: 500 })
  const copy = (clone: (session: unknown) => unknown) => {
    // Many more rounds than tokens, after a warm-up: one copy takes a few µs, the clock ticks in ms.
    for (let i = 0; i < COPY_ROUNDS / 10; i++) clone(remembered.session)
    const start = performance.now()
    for (let i = 0; i < COPY_ROUNDS; i++) clone(remembered.session)
    return ((performance.now() - start) * 1000) / COPY_ROUNDS
  }
  const sessionCopy = copy(copyJson)
  const sessionStructuredClone = copy(structuredClone)
  return Response.json({ n: list.length, joseAlone, verifierFresh, verifierRemembered, sessionCopy, sessionStructuredClone })
}
