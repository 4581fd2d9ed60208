/**
 * @module
 * `GET /healthz` (liveness: the configuration is valid, no I/O) and `GET /readyz` (readiness: KV
 * answers a read, signing keys are held, Descope's passkey domain fits the allowed origins, each
 * within a short timeout). Readiness names parts only, never a binding, URL or error text, and is
 * rate limited per client IP (one KV read per call). docs/operations.md, "Readiness".
 */
import type { Hono } from 'hono/tiny'
import type { AppEnv } from '../context.ts'
import { AppError } from '../errors.ts'
import { withTimeout } from '../lib/timeout.ts'
import { limitByIp } from '../request/rate-limit.ts'
import { getWorkerSetup } from '../session/worker-setup.ts'
import { checkPasskeyDomain } from './passkey-domain.ts'
import { getTelemetry } from '../request-context.ts'

/** How long each readiness check may take: a probe must answer well within its own timeout. */
export const READY_TIMEOUT_MS = 2000
/** A key no request can address (transactions are `tx:<sha256>`) and that is never written. */
const KV_PROBE_KEY = 'readyz:probe'
/** The keys' state as a check: kept past their age is still ready (sessions still verify). */
const KEYS_CHECK = { fresh: 'ok', stale: 'stale', none: 'failed' } as const

/** Registers these routes on `routes`, the app at the root (src/app.ts). */
export function healthRoutes(routes: Hono<AppEnv>): void {
  routes.get('/healthz', (c) => c.json({ ok: true }))

  // Each call reads KV: counted against the client IP's bucket (T58).
  routes.get('/readyz', limitByIp(), async (c) => {
    const { config, descope } = c.var
    const telemetry = getTelemetry(c)
    const [kv, keys, passkeyDomain] = await Promise.all([
      check(config.transactions.get(KV_PROBE_KEY).then(() => 'ok' as const)),
      check(
        getWorkerSetup(config)
          .keys.ensure(telemetry)
          .then((state) => KEYS_CHECK[state])
      ),
      withTimeout(checkPasskeyDomain(descope, `${config.baseUrl}|${config.projectId}`, config.allowedOrigins, telemetry), READY_TIMEOUT_MS, 'not ready').catch(
        () => 'unknown' as const
      ),
    ])
    const checks = { kv, keys, passkeyDomain }
    const failed = Object.keys(checks).filter((part) => ['failed', 'mismatch'].includes(checks[part as keyof typeof checks]))
    if (failed.length === 0) return c.json({ ok: true, checks })
    telemetry.log('error', 'not_ready', checks)
    throw new AppError('unavailable', {
      message: `Not ready: ${failed.map((part) => `${part} ${checks[part as keyof typeof checks]}`).join(', ')}.`,
      details: { checks },
    })
  })
}

/** A check's verdict, `failed` on any error or after `READY_TIMEOUT_MS`. */
function check<T extends string>(work: Promise<T>): Promise<T | 'failed'> {
  return withTimeout(work, READY_TIMEOUT_MS, 'not ready').catch(() => 'failed' as const)
}
