// passkey-edge's session check in plain Node (>= 20): no Workers APIs, no Cache API, no
// ctx.waitUntil — the keys are cached in this process. Two ways: createVerifier() for any code,
// and descopeSession() in a Hono app (here called with app.request, as a Node server would).
//
//   DESCOPE_PROJECT_ID=P2… node node/verify-token.mjs <session token>
//
// Prints one JSON line per check; exits 1 when the token is refused.
import { Hono } from 'hono'
import { createVerifier, descopeSession } from 'passkey-edge/session'

const token = process.argv[2] ?? ''
/** @type {import('passkey-edge/session').SessionOptions} One options object for both. */
const options = { projectId: process.env.DESCOPE_PROJECT_ID ?? '', baseUrl: process.env.DESCOPE_BASE_URL }

const outcome = await createVerifier(options).verify(token)
console.log(
  JSON.stringify({
    check: 'createVerifier',
    ...(outcome.ok ? { ok: true, userId: outcome.session.userId } : { ok: false, status: outcome.status, code: outcome.code }),
  })
)

/** @type {Hono<{ Variables: import('passkey-edge/session').SessionVariables }>} */
const app = new Hono()
app.use('*', descopeSession(options))
app.get('/me', (c) => c.json({ userId: c.var.session.userId }))
const response = await app.request('/me', { headers: { Authorization: `Bearer ${token}` } })
console.log(JSON.stringify({ check: 'descopeSession', status: response.status, body: await response.json() }))

process.exitCode = outcome.ok && response.ok ? 0 : 1
