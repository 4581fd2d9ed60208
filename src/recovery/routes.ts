/**
 * @module
 * Account recovery by an emailed link (docs/recovery.md), on only with `RECOVERY = "email-link"`;
 * off, every path here is a 404.
 *
 * Start answers the same whatever the login ID (no enumeration): the email goes out after the
 * answer, at most once per login ID per cool-down, and Descope's refusal is logged, not shown.
 * The link points at this origin's page: its `URI` is never taken from the body. Finish verifies
 * the link's token at Descope and signs in like every finish (issued tokens checked, cookies set).
 */
import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import type { Hono } from 'hono/tiny'
import type { AppEnv } from '../context.ts'
import { getTelemetry, upstream } from '../request-context.ts'
import { AppError } from '../errors.ts'
import { sha256Hex } from '../lib/crypto.ts'
import { parseLinkToken, parseLoginIdOnly } from '../passkey/input.ts'
import { loginIdKey } from '../passkey/login-id.ts'
import { answerSession } from '../passkey/routes.ts'
import { readJsonObject } from '../request/json-body.ts'
import { requireAllowedOrigin } from '../request/origin.ts'
import { limitByIp, limitRecovery } from '../request/rate-limit.ts'
import { getWorkerSetup } from '../session/worker-setup.ts'
import { checkIssuedTokens } from '../session/issued-tokens.ts'

/** The page that opens a recovery link (the page takes `t` out of its address: static/client/recovery-link.js). */
export const RECOVERY_PATH = '/'
/** One email per login ID per this many seconds, whoever asks. */
export const RECOVERY_COOLDOWN_SECONDS = 600
/** Start bodies hold one login ID. */
const START_MAX_BYTES = 4 * 1024

/** Registers the recovery routes on `routes`, the app at `/auth/recover` (src/app.ts). */
export function recoveryRoutes(routes: Hono<AppEnv>): void {
  routes.use('*', recoveryEnabled)

  /**
   * What the page asks to know whether to offer recovery. Against the local emulator (plain http,
   * which the configuration allows only for localhost) it also says where the emails land.
   */
  routes.get('/method', (c) => {
    const { recovery, baseUrl, projectId } = c.var.config
    const outbox = baseUrl.startsWith('http:') ? `${baseUrl}/emulator/${projectId}/outbox` : undefined
    return c.json({ method: recovery, ...(outbox && { outbox }) })
  })

  routes.post('/start', requireAllowedOrigin(), limitByIp(), async function recoverStart(c) {
    const { loginId } = parseLoginIdOnly(await readJsonObject(c, START_MAX_BYTES))
    await limitRecovery(c, loginId)
    if (await claimCooldown(c, loginId)) getTelemetry(c).waitUntil(sendLink(c, loginId))
    return c.json({ ok: true })
  })

  routes.post('/finish', requireAllowedOrigin(), limitByIp(), async function recoverFinish(c) {
    const { token } = parseLinkToken(await readJsonObject(c, START_MAX_BYTES))
    const tokens = await upstream(c, 'recovery-finish', () => c.var.descope.magicLinkVerify(token))
    const issued = await checkIssuedTokens(getWorkerSetup(c.var.config).verifier, getTelemetry(c), tokens, { step: 'finish' })
    getTelemetry(c).count('recovery', ['finish', 'ok'])
    return answerSession(c, tokens, issued)
  })
}

const recoveryEnabled = createMiddleware<AppEnv>(async function recoveryEnabled(c, next) {
  if (c.var.config.recovery === undefined) throw new AppError('not_found')
  await next()
})

/**
 * True when no link went to this login ID within the cool-down, and marks it sent. Every start
 * reads and writes the same way, known account or not, so the answer's timing says nothing.
 */
async function claimCooldown(c: Context<AppEnv>, loginId: string): Promise<boolean> {
  const kv = c.var.config.transactions
  const key = `recovery:${await sha256Hex(loginIdKey(loginId))}`
  try {
    if ((await kv.get(key)) !== null) return false
    await kv.put(key, '1', { expirationTtl: RECOVERY_COOLDOWN_SECONDS })
    return true
  } catch {
    throw new AppError('unavailable')
  }
}

/** Asks Descope to email the link; a refusal (no such user, no email) is logged and counted only. */
async function sendLink(c: Context<AppEnv>, loginId: string): Promise<void> {
  const URI = new URL(RECOVERY_PATH, c.var.origin).href
  const telemetry = getTelemetry(c)
  try {
    await upstream(c, 'recovery-start', () => c.var.descope.magicLinkSignIn({ loginId, URI }))
    telemetry.count('recovery', ['start', 'sent'])
  } catch {
    telemetry.count('recovery', ['start', 'not_sent'])
  }
}
