/**
 * A refresh shared from memory (docs/threat-model.md, T59). The edge keeps a refresh's result for
 * a few seconds, so that a page's parallel requests share one call to Descope. With refresh-token
 * rotation that result sat under the old token R0: a sign-out with the rotated R1 forgot only R1,
 * and whoever held R0 got a fresh session after the user signed out, Descope never seeing R0
 * reused. Now a sign-out forgets both, and a shared result goes only to the browser that asked
 * (the same session cookie).
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { ORIGIN, REFRESH_COOKIE, SESSION_COOKIE, edgeFor } from '../support/edge'
import { Browser, jwtPayload, newLoginId, setCookiesOf } from './passkey-helpers'

const edge = edgeFor()
const now = () => Math.floor(Date.now() / 1000)

beforeAll(async () => {
  await edge.emulator.settings({ refresh_token_rotation: true })
})

/** A signed-up browser whose session cookie has expired: its expired session and refresh token R0. */
async function expiredBrowser() {
  const browser = new Browser(edge)
  await browser.signUp(newLoginId('sharing'))
  const session = browser.jar.cookies.get(SESSION_COOKIE)!
  const expired = await edge.emulator.sign({ ...jwtPayload(session), iat: now() - 700, exp: now() - 60 })
  return { expired, r0: browser.jar.cookies.get(REFRESH_COOKIE)! }
}

const hello = (cookie: string) => edge.fetch('/api/hello', { headers: { Cookie: cookie } })

describe('a refresh shared from memory (T59)', () => {
  it('should not outlive a sign-out with the rotated token: R0 then gets no session', async () => {
    const { expired, r0 } = await expiredBrowser()
    const refreshed = await hello(`${SESSION_COOKIE}=${expired}; ${REFRESH_COOKIE}=${r0}`)
    expect(refreshed.status).toBe(200)
    const r1 = setCookiesOf(refreshed).find((cookie) => cookie.name === REFRESH_COOKIE)!.value
    expect(r1).not.toBe(r0)
    // The user signs out, the browser presenting R1 as it now holds.
    expect((await edge.fetch('/auth/logout', { method: 'POST', headers: { Origin: ORIGIN, Cookie: `${REFRESH_COOKIE}=${r1}` } })).status).toBe(200)
    // Whoever kept R0 (and even the expired session beside it) gets nothing from memory: Descope is asked and refuses R0.
    await edge.emulator.resetCalls()
    expect((await hello(`${SESSION_COOKIE}=${expired}; ${REFRESH_COOKIE}=${r0}`)).status).toBe(401)
    expect((await edge.emulator.calls())['POST /v1/auth/refresh']).toBe(1)
  })

  it('should share a result only with the browser that asked, not with another holding the same refresh token', async () => {
    const { expired, r0 } = await expiredBrowser()
    expect((await hello(`${SESSION_COOKIE}=${expired}; ${REFRESH_COOKIE}=${r0}`)).status).toBe(200)
    // The same browser a moment later (same expired cookie) still shares the result…
    await edge.emulator.resetCalls()
    expect((await hello(`${SESSION_COOKIE}=${expired}; ${REFRESH_COOKIE}=${r0}`)).status).toBe(200)
    expect((await edge.emulator.calls())['POST /v1/auth/refresh'] ?? 0).toBe(0)
    // …a copy of R0 alone, or beside another session cookie, does not: Descope sees R0 reused.
    expect((await hello(`${REFRESH_COOKIE}=${r0}`)).status).toBe(401)
    expect((await edge.fetch('/auth/refresh', { method: 'POST', headers: { Origin: ORIGIN, Cookie: `${REFRESH_COOKIE}=${r0}` } })).status).toBe(401)
    expect((await edge.emulator.calls())['POST /v1/auth/refresh']).toBe(1)
  })
})
