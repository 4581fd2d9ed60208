/**
 * The emulator as the workerd tests see it (through Miniflare's outboundService): the software
 * authenticator runs in workerd, per-project isolation holds, a `reset` fault makes the
 * caller's body read fail, and a `tokensOf` fault answers another user's valid tokens.
 */
import { describe, expect, it } from 'vitest'
import { SoftwareAuthenticator } from '../support/authenticator'
import { EMULATOR_URL, ORIGIN, emulatorControl, newProjectId } from '../support/edge'

function post(projectId: string, path: string, body: unknown) {
  return fetch(`${EMULATOR_URL}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${projectId}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })
}

describe('emulator in workerd', () => {
  it('should sign up and in with the software authenticator running in workerd', async () => {
    const projectId = newProjectId()
    const authenticator = new SoftwareAuthenticator({ alg: 'RS256', attestation: 'packed' })
    const loginId = 'workerd@example.com'
    const start = (await (await post(projectId, '/v1/auth/webauthn/signup/start', { user: { loginId }, origin: ORIGIN })).json()) as Record<string, string>
    const created = await authenticator.create(JSON.parse(start.options ?? ''), ORIGIN)
    const signedUp = await post(projectId, '/v1/auth/webauthn/signup/finish', { transactionId: start.transactionId, response: JSON.stringify(created) })
    expect(signedUp.status).toBe(200)

    const signIn = (await (await post(projectId, '/v1/auth/webauthn/signin/start', { loginId, origin: ORIGIN })).json()) as Record<string, string>
    const asserted = await authenticator.get(JSON.parse(signIn.options ?? ''), ORIGIN)
    const signedIn = await post(projectId, '/v1/auth/webauthn/signin/finish', { transactionId: signIn.transactionId, response: JSON.stringify(asserted) })
    expect(await signedIn.json()).toMatchObject({ firstSeen: false, user: { loginIds: [loginId] } })

    // Another project knows nothing of this user.
    const elsewhere = await post(newProjectId(), '/v1/auth/webauthn/signin/start', { loginId, origin: ORIGIN })
    expect(elsewhere.status).toBe(400)
    await expect(emulatorControl(projectId).count('POST /v1/auth/webauthn/signin/finish')).resolves.toBe(1)
  })

  it('should fail the body read on a reset fault', async () => {
    const projectId = newProjectId()
    await emulatorControl(projectId).fault({ route: 'GET /v2/keys', reset: true, times: 1 })
    await expect(fetch(`${EMULATOR_URL}/v2/keys/${projectId}`).then((response) => response.text())).rejects.toThrow()
    expect((await fetch(`${EMULATOR_URL}/v2/keys/${projectId}`)).status).toBe(200)
  })

  it("should answer a refresh with another user's new, valid session on a tokensOf fault, a refresh JWT only with rotation", async () => {
    const projectId = newProjectId()
    const control = emulatorControl(projectId)
    const other = await control.createUser({ loginId: 'other@example.com' })
    const refresh = () =>
      post(projectId, '/v1/auth/refresh', {}).then(async (response) => [response.status, (await response.json()) as Record<string, any>] as const)
    const subjectOf = (jwt: string) => JSON.parse(atob(jwt.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))).sub

    await control.fault({ route: 'POST /v1/auth/refresh', tokensOf: other, times: 1 })
    const [status, body] = await refresh()
    // No rotation: no refresh JWT, which Descope's default shape says with an empty field.
    expect([status, subjectOf(body.sessionJwt), body.user.userId, body.refreshJwt]).toEqual([200, other, other, ''])
    expect((await refresh())[0]).toBe(401) // once only: then the caller's own (missing) token counts

    await control.settings({ refresh_token_rotation: true })
    await control.fault({ route: 'POST /v1/auth/refresh', tokensOf: other, times: 1 })
    const [, rotated] = await refresh()
    expect(subjectOf(rotated.refreshJwt)).toBe(other)
    expect((await control.refresh(rotated.refreshJwt)).status).toBe(200) // valid at Descope too

    await control.fault({ route: 'POST /v1/auth/refresh', tokensOf: 'U2nobody', times: 1 })
    expect((await refresh())[0]).toBe(404)
    await expect(control.fault({ route: 'POST /v1/auth/refresh', tokensOf: '' })).rejects.toThrow(/400/)
  })
})
