/**
 * @module
 * The test-control API under `/emulator/:projectId/…` (never part of Descope's API): call counts,
 * faults, key rotation, clock offset, signing arbitrary tokens, project settings and users made
 * outside passkey flows. See emulator/README.md.
 */
import { Hono } from 'hono'
import type { ProjectEnv } from './context'
import { ApiError, malformed, userExists } from './errors'
import { createdUser, patchedUser } from './managed-users'
import { isRecord, readBody } from './request'
import { mergeSettings } from './settings'
import type { Fault } from './store'
import { signJwt } from './tokens'
import { userResponse } from './users'

export const control = new Hono<ProjectEnv>()

control.get('/calls', async (c) => c.json({ calls: await c.env.store.calls() }))

control.delete('/calls', async (c) => {
  await c.env.store.resetCalls()
  return c.json({ calls: {} })
})

control.get('/faults', async (c) => c.json({ faults: await c.env.store.faults() }))

control.post('/faults', async (c) => {
  const fault = readFault(await readBody(c.req.raw))
  const faults = [...(await c.env.store.faults()), fault]
  await c.env.store.putFaults(faults)
  return c.json({ faults })
})

control.delete('/faults', async (c) => {
  await c.env.store.putFaults([])
  return c.json({ faults: [] })
})

control.post('/keys/rotate', async (c) => {
  const body = await readBody(c.req.raw)
  // Descope's "Rotate" keeps the previous keys listed; "Rotate and Revoke" (`revoke: true`) drops them.
  const key = await c.env.store.rotateKeys(body.revoke !== true)
  return c.json({ kid: key.kid })
})

control.post('/clock', async (c) => {
  const { offsetSeconds } = await readBody(c.req.raw)
  if (typeof offsetSeconds !== 'number' || !Number.isFinite(offsetSeconds)) throw malformed('offsetSeconds must be a number')
  await c.env.store.setClockOffset(Math.trunc(offsetSeconds))
  return c.json({ offsetSeconds: Math.trunc(offsetSeconds), now: c.env.store.now() })
})

control.post('/sign', async (c) => {
  const body = await readBody(c.req.raw)
  if (!isRecord(body.payload)) throw malformed('payload must be an object')
  const { current } = await c.env.store.signingKeys()
  // `null` in the header override removes a field (e.g. `{kid: null}` for a token without kid).
  const header: Record<string, unknown> = { alg: 'RS256', kid: current.kid, typ: 'JWT', ...(isRecord(body.header) ? body.header : {}) }
  for (const [name, value] of Object.entries(header)) if (value === null) delete header[name]
  return c.json({ jwt: await signJwt(header, body.payload, current) })
})

/** Emails the project "sent" (magic links), newest first: where tests and `npm run dev` users find the link. */
control.get('/outbox', async (c) => c.json({ emails: await c.env.store.outbox() }))

control.delete('/outbox', async (c) => {
  await c.env.store.clearOutbox()
  return c.json({ emails: [] })
})

control.get('/settings', (c) => c.json(c.env.store.settings()))

/** Merges Descope-named settings into the project's (emulator/src/settings.ts) and answers all of them. */
control.put('/settings', async (c) => {
  const settings = mergeSettings(c.env.store.settings(), await readBody(c.req.raw))
  await c.env.store.putSettings(settings)
  return c.json(settings)
})

control.post('/users', async (c) => {
  const { store } = c.env
  const user = createdUser(await readBody(c.req.raw), store.now())
  if (await store.userByLoginId(user.loginIds[0] ?? '')) throw userExists()
  await store.putUser(user)
  return c.json({ userId: user.userId })
})

control.get('/users/:userId', async (c) => c.json(userResponse(await existingUser(c.env.store, c.req.param('userId')))))

control.patch('/users/:userId', async (c) => {
  const { store } = c.env
  const body = await readBody(c.req.raw)
  const user = patchedUser(await existingUser(store, c.req.param('userId')), body)
  await store.putUser(user)
  return c.json(userResponse(user))
})

control.delete('/users/:userId/passkeys', async (c) => {
  const { store } = c.env
  return c.json(userResponse(await store.removePasskeys(await existingUser(store, c.req.param('userId')))))
})

async function existingUser(store: ProjectEnv['Bindings']['store'], userId: string) {
  const user = await store.user(userId)
  if (!user) throw new ApiError(404, 'E062108', 'User not found', 'No user with this ID')
  return user
}

function readFault(body: Record<string, unknown>): Fault {
  const { route, status, headers, latencyMs, reset, tokensOf, times } = body
  if (typeof route !== 'string' || !(route === '*' || /^[A-Z]+ \/\S*$/.test(route))) throw malformed('route must be "METHOD /path" or "*"')
  const fault: Fault = { route }
  if (status !== undefined) {
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599) throw malformed('status must be 200–599')
    fault.status = status
  }
  if (body.body !== undefined) {
    if (typeof body.body !== 'string' && !isRecord(body.body)) throw malformed('body must be a string or an object')
    fault.body = body.body
  }
  if (headers !== undefined) {
    const valid = (value: unknown) => typeof value === 'string' || (Array.isArray(value) && value.every((one) => typeof one === 'string'))
    if (!isRecord(headers) || !Object.values(headers).every(valid)) throw malformed('headers must map names to strings or lists of strings')
    fault.headers = headers as Record<string, string | string[]>
  }
  if (latencyMs !== undefined) {
    if (typeof latencyMs !== 'number' || latencyMs < 0 || latencyMs > 120_000) throw malformed('latencyMs must be 0–120000')
    fault.latencyMs = latencyMs
  }
  if (reset !== undefined) fault.reset = reset === true
  if (tokensOf !== undefined) {
    if (typeof tokensOf !== 'string' || tokensOf === '') throw malformed('tokensOf must be a user ID')
    fault.tokensOf = tokensOf
  }
  if (times !== undefined) {
    if (typeof times !== 'number' || !Number.isInteger(times) || times < 1) throw malformed('times must be a positive integer')
    fault.times = times
  }
  return fault
}
