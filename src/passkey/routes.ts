/**
 * @module
 * `POST /auth/passkey/{signup,signin,signup-in,update}/{start,finish}` (docs/api.md). Start stores a
 * KV record bound to flow, login ID, origin and browser; finish checks and claims it, calls
 * Descope's finish exactly once (never retried) and verifies the tokens before setting cookies.
 * What each step waits for: docs/storage-schema.md, "What the request waits for".
 */
import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import type { Hono } from 'hono/tiny'
import type { AppEnv } from '../context.ts'
import { getTelemetry, toHttpError, upstream } from '../request-context.ts'
import type { JwtResponse, StartResponse } from '../descope/types.ts'
import { AppError } from '../errors.ts'
import { readJsonObject } from '../request/json-body.ts'
import { requireAllowedOrigin } from '../request/origin.ts'
import { limitByIp, limitByLoginId } from '../request/rate-limit.ts'
import { setSessionCookies } from '../session/cookies.ts'
import { getWorkerSetup } from '../session/worker-setup.ts'
import { checkIssuedTokens, type IssuedTokens } from '../session/issued-tokens.ts'
import { authenticate } from '../session/middleware.ts'
import { clearBindingCookie, readBindingCookie, setBindingCookie } from '../transactions/binding-cookie.ts'
import { edgeKey } from '../edge-secret.ts'
import { createTransactionStore, type Flow, LATE_FINISH_GRACE_SECONDS, type NewTransaction, type TransactionRecord } from '../transactions/store.ts'
import { decoyStart, rememberTemplate } from './decoy.ts'
import { parseEmpty, parseFinish, parseLoginIdOnly, parseSignInStart, parseSignUpStart } from './input.ts'
import { ceremonySeconds, parseOptions } from './options.ts'
import { sessionUser } from './session-user.ts'
import { startSignUpOrIn } from './sign-up-or-in.ts'

/** Start bodies hold a login ID and a few profile fields. */
const START_MAX_BYTES = 4 * 1024

/**
 * Counts every finish answered, by flow and outcome (`ok` or the error code): what
 * docs/operations.md's sign-in success rate is computed from. First on the route, so a finish
 * refused for its origin or body counts too.
 */
const countFinish = (flow: Flow) =>
  createMiddleware<AppEnv>(async function countFinish(c, next) {
    await next()
    // Hono hands a thrown error to app.onError inside next(): here it is `c.error`.
    const error = c.error
    const outcome = error === undefined ? 'ok' : error instanceof AppError ? error.code : 'internal_error'
    getTelemetry(c).count('passkey_finish', [flow, outcome])
  })

/** Registers the passkey routes on `routes`, the app at `/auth/passkey` (src/app.ts). */
export function passkeyRoutes(routes: Hono<AppEnv>): void {
  routes.post('/signup/start', requireAllowedOrigin(), limitByIp(), async function signUpStart(c) {
    const { loginId, user } = parseSignUpStart(await readJsonObject(c, START_MAX_BYTES))
    await limitByLoginId(c, loginId)
    const origin = c.var.origin
    const start = await upstream(c, 'signup-start', () => c.var.descope.signUpStart({ loginId, origin, user }))
    return answerStart(c, start, { flow: 'signup', loginId, origin })
  })

  routes.post('/signin/start', requireAllowedOrigin(), limitByIp(), async function signInStart(c) {
    const input = parseSignInStart(await readJsonObject(c, START_MAX_BYTES))
    const origin = c.var.origin
    if (input.kind === 'login-id') {
      const loginId = input.loginId
      await limitByLoginId(c, loginId)
      const start = await signInStartOrDecoy(c, loginId, origin)
      return answerStart(c, start, { flow: 'signin', loginId, origin })
    }
    if (input.kind === 'discoverable') {
      // No login ID (Descope takes an empty one): the options list no credentials, the browser
      // offers its passkeys for this site, and finish signs in whoever owns the chosen one. Nothing
      // here names an account, so there is nothing to hide behind a decoy; the per-IP limit applies.
      const start = await upstream(c, 'signin-start', () => c.var.descope.signInStart({ loginId: '', origin }))
      return answerStart(c, start, { flow: 'signin', loginId: '', origin })
    }
    // Step-up or MFA: the session's user signs in again, with its refresh token as proof.
    await authenticate(c)
    const { userId, loginId, refreshJwt } = await sessionUser(c)
    const loginOptions = { ...(input.stepup && { stepup: true }), ...(input.mfa && { mfa: true }) }
    const start = await upstream(c, 'session', () => c.var.descope.signInStart({ loginId, origin, loginOptions, refreshJwt }))
    return answerStart(c, start, { flow: 'signin', loginId, origin, userId })
  })

  routes.post('/signup-in/start', requireAllowedOrigin(), limitByIp(), async function signUpOrInStart(c) {
    const { loginId } = parseLoginIdOnly(await readJsonObject(c, START_MAX_BYTES))
    await limitByLoginId(c, loginId)
    const origin = c.var.origin
    const start = await startSignUpOrIn(c, loginId, origin)
    return answerStart(c, start, { flow: 'signup-in', loginId, origin, create: start.create }, { create: start.create })
  })

  routes.post('/update/start', requireAllowedOrigin(), limitByIp(), async function updateStart(c) {
    // Session first: a stranger learns nothing about the body rules of this route.
    await authenticate(c)
    parseEmpty(await readJsonObject(c, START_MAX_BYTES))
    const origin = c.var.origin
    const { userId, loginId, refreshJwt } = await sessionUser(c)
    const start = await upstream(c, 'session', () => c.var.descope.updateStart({ loginId, origin, refreshJwt }))
    return answerStart(c, start, { flow: 'update', loginId, origin, userId })
  })

  for (const flow of ['signup', 'signin', 'signup-in'] as const) {
    routes.post(`/${flow}/finish`, countFinish(flow), requireAllowedOrigin(), limitByIp(), async function finish(c) {
      const descope = c.var.descope
      const { record, answer: tokens } = await finishTransaction(c, flow, undefined, (record, response) => {
        const finishInput = { transactionId: record.descopeTransactionId, response }
        const signUp = flow === 'signup' || (flow === 'signup-in' && record.create === true)
        return upstream(c, 'finish', () => (signUp ? descope.signUpFinish(finishInput) : descope.signInFinish(finishInput)))
      })
      // A step-up must sign in the same user it started for.
      const issued = await checkIssuedTokens(getWorkerSetup(c.var.config).verifier, getTelemetry(c), tokens, { expectedUserId: record.userId, step: 'finish' })
      return answerSession(c, tokens, issued)
    })
  }

  /** Add-device finish: the passkey is enrolled for the session's user; no new session. */
  routes.post('/update/finish', countFinish('update'), requireAllowedOrigin(), limitByIp(), async function updateFinish(c) {
    const { userId } = await authenticate(c)
    await finishTransaction(c, 'update', userId, (record, response) =>
      upstream(c, 'finish', () => c.var.descope.updateFinish({ transactionId: record.descopeTransactionId, response }))
    )
    return c.json({ ok: true })
  })
}

/**
 * Reads a finish body, takes its transaction (checked against this flow, origin, browser cookie
 * and, for add-device, session user) and calls Descope's finish once while the transaction's
 * record is deleted. Returns only when both are done: a delete that failed is a 503, even after
 * Descope answered (docs/storage-schema.md, "What the request waits for").
 */
async function finishTransaction<T>(
  c: Context<AppEnv>,
  flow: Flow,
  userId: string | undefined,
  finish: (record: TransactionRecord, response: string) => Promise<T>
) {
  const { transactionId, response } = parseFinish(await readJsonObject(c))
  const secret = await readBindingCookie(c, transactionId)
  // Whatever happens next, this browser's cookie for the transaction has served its purpose.
  await clearBindingCookie(c, transactionId)
  const { record, deleted } = await openTransactionStore(c).take({ transactionId, secret, flow, origin: c.var.origin, userId })
  // The delete completes even if the client goes away while Descope answers (threat model T09).
  getTelemetry(c).waitUntil(deleted.catch(() => undefined))
  const [answer, deletion] = await Promise.allSettled([finish(record, response), deleted])
  if (deletion.status === 'rejected') throw deletion.reason
  if (answer.status === 'rejected') throw answer.reason
  return { record, answer: answer.value }
}

/** Checks Descope's options, stores the transaction, binds it to this browser and answers. */
async function answerStart(
  c: Context<AppEnv>,
  start: StartResponse,
  record: Omit<NewTransaction, 'descopeTransactionId'>,
  extra: Record<string, unknown> = {}
) {
  // Parse before storing: a garbage answer must not leave a record behind.
  const options = parseOptions(start.options, getTelemetry(c))
  // The record's write is not awaited (docs/storage-schema.md), so KV's health would no longer
  // show here, but a decoy start needs the edge secret from KV: every start needs it too, so that
  // a KV fault answers the same 503 for a known login ID as for an unknown one (threat model
  // T51). Kept in the isolate, so this reads KV once per few minutes at most.
  await edgeKey(c.var.config, getTelemetry(c))
  const opened = await openTransactionStore(c).open(
    { ...record, descopeTransactionId: start.transactionId },
    (write) => getTelemetry(c).waitUntil(write),
    ceremonySeconds(options)
  )
  // The cookie outlives the record a little, so a late finish can be told it was late.
  await setBindingCookie(c, opened.transactionId, opened.secret, opened.ttlSeconds + LATE_FINISH_GRACE_SECONDS)
  return c.json({ transactionId: opened.transactionId, options, ...extra })
}

/** Tokens go into cookies only; the body says who signed in and until when. */
export function answerSession(c: Context<AppEnv>, tokens: JwtResponse, issued: IssuedTokens) {
  setSessionCookies(c, c.var.config, issued)
  return c.json({ user: tokens.user ?? null, firstSeen: tokens.firstSeen === true, sessionExpiration: issued.session.expiresAt })
}

/**
 * Sign-in start by login ID. A refusal (unknown user, no passkey for this origin) gets decoy
 * options rather than an error, so start says nothing about the account (src/passkey/decoy.ts).
 */
async function signInStartOrDecoy(c: Context<AppEnv>, loginId: string, origin: string): Promise<StartResponse> {
  try {
    const start = await c.var.descope.signInStart({ loginId, origin })
    getTelemetry(c).waitUntil(rememberTemplate(c.var.config.transactions, origin, start.options))
    return start
  } catch (error) {
    // A refusal maps to 401 (logged with Descope's code); anything else stays an error.
    const mapped = toHttpError(c, error, 'signin-start')
    if (!(mapped instanceof AppError && mapped.status === 401)) throw mapped
    return decoyStart(c.var.config, origin, loginId, getTelemetry(c))
  }
}

function openTransactionStore(c: Context<AppEnv>) {
  const config = c.var.config
  return createTransactionStore(config.transactions, { ttlSeconds: config.transactionTtlSeconds, telemetry: getTelemetry(c) })
}
