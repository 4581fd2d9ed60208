/**
 * Another Worker (vitest.config.ts, "session-client") protects its route through a service
 * binding to this Worker's `SessionVerifier` entrypoint: RPC `verifyRequest({headers})` and
 * `verify(token)`. The verifier runs with this Worker's own configuration (the test project).
 */
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'
import { emulatorControl, SESSION_COOKIE } from '../support/edge'

/** vitest.config.ts's TEST_PROJECT_ID: the project of the Worker's own bindings. */
const WORKER_PROJECT_ID = 'P2passkeyedgetest0000000000A'
const emulator = emulatorControl(WORKER_PROJECT_ID)
const client = (env as unknown as { SESSION_CLIENT: Fetcher }).SESSION_CLIENT
const now = () => Math.floor(Date.now() / 1000)

function claims(overrides: Record<string, unknown> = {}) {
  return { iss: WORKER_PROJECT_ID, sub: 'U2rpcuser', iat: now() - 5, exp: now() + 600, drn: 'DS', roles: ['viewer'], ...overrides }
}

async function call(headers: Record<string, string>) {
  const response = await client.fetch('https://other-worker.example/reports', { headers })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

describe('SessionVerifier over a service binding', () => {
  it('should give the other Worker the session for a good Bearer token, without the token', async () => {
    const { status, body } = await call({ Authorization: `Bearer ${await emulator.sign(claims())}` })
    expect(status).toBe(200)
    expect(body).toMatchObject({ userId: 'U2rpcuser', session: { userId: 'U2rpcuser', roles: ['viewer'], stepUp: false } })
    expect(body.session).not.toHaveProperty('token')
  })

  it('should read the session cookie of a forwarded request', async () => {
    const { status, body } = await call({ Cookie: `theme=dark; ${SESSION_COOKIE}=${await emulator.sign(claims())}` })
    expect(status).toBe(200)
    expect(body.userId).toBe('U2rpcuser')
  })

  it('should verify a bare token with verify(token)', async () => {
    expect((await call({ 'X-Token': await emulator.sign(claims()) })).status).toBe(200)
    expect(await call({ 'X-Token': await emulator.sign(claims({ drn: 'DSR' })) })).toEqual({ status: 401, body: { error: 'unauthorized' } })
  })

  it('should give a typed failure for a bad, missing or refresh token', async () => {
    expect(await call({ Authorization: 'Bearer not-a-token' })).toEqual({ status: 401, body: { error: 'unauthorized' } })
    expect(await call({})).toEqual({ status: 401, body: { error: 'unauthorized' } })
    expect(await call({ Authorization: `Bearer ${await emulator.sign(claims({ exp: now() - 60 }))}` })).toEqual({
      status: 401,
      body: { error: 'unauthorized' },
    })
    expect(
      await call({ Authorization: `Bearer ${await emulator.sign(claims({ iss: 'https://api.descope.com/P2anotherproject000000000000' }))}` })
    ).toMatchObject({ status: 401 })
  })

  it('should apply requirements such as step-up', async () => {
    const plain = await emulator.sign(claims())
    expect(await call({ Authorization: `Bearer ${plain}`, 'X-Stepup': '1' })).toEqual({ status: 401, body: { error: 'insufficient_user_authentication' } })
    expect((await call({ Authorization: `Bearer ${await emulator.sign(claims({ su: true }))}`, 'X-Stepup': '1' })).status).toBe(200)
  })
})
