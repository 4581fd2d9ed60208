/**
 * The verified-token memory (src/session/jwt.ts) through a real Hono app, the package's
 * `descopeSession()` and `createVerifier()`: whatever a caller does to the session it was handed,
 * the next request with the same token sees the token's own claims.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app'
import { requireSession } from '../../src/session/middleware'
import { descopeSession } from '../../src/package/descope-session'
import { createVerifier } from '../../src/package/standalone'
import { EMULATOR_URL, edgeFor } from '../support/edge'

const edge = edgeFor()
const now = () => Math.floor(Date.now() / 1000)

describe('verified-token memory (T52)', () => {
  it('should keep the remembered session out of reach of a handler that edits its own', async () => {
    const app = createApp()
    // A careless handler: edits every part of its session in place.
    app.get('/t/edit', requireSession(), (c) => {
      const session = c.var.session
      session.roles.push('admin')
      session.permissions.push('delete')
      session.amr.push('pwd')
      session.tenants.T1 = { roles: ['owner'], permissions: [] }
      session.tenants.T0?.roles.push('owner')
      ;(session.claims.roles as string[]).push('admin')
      session.claims.su = true
      return c.json({ ok: true })
    })
    app.get('/t/admin', requireSession({ roles: ['admin'] }), (c) => c.json({ ok: true }))
    app.get('/t/owner', requireSession({ tenant: 'T0', roles: ['owner'] }), (c) => c.json({ ok: true }))
    app.get('/t/session', requireSession(), (c) => c.json(c.var.session))
    // One env object: the configuration, and so the verifier and its memory, is per env object.
    const bindings = { ...env, DESCOPE_PROJECT_ID: edge.projectId }
    const call = async (path: string, token: string) => {
      const ctx = createExecutionContext()
      const headers = { Authorization: `Bearer ${token}` }
      const response = await app.fetch(new Request(`https://edge.example${path}`, { headers }), bindings, ctx)
      await waitOnExecutionContext(ctx)
      return response
    }
    const sign = (n: number) =>
      edge.emulator.sign({
        iss: edge.projectId,
        sub: 'U2memory',
        iat: now() - 5,
        exp: now() + 600,
        drn: 'DS',
        amr: ['webauthn'],
        roles: ['user'],
        permissions: ['read'],
        tenants: { T0: { roles: ['member'], permissions: [] } },
        n,
      })
    const visible = async (token: string) => {
      const { roles, permissions, amr, tenants, stepUp, claims } = (await (await call('/t/session', token)).json()) as Record<string, any>
      return { roles, permissions, amr, tenants, stepUp, claimRoles: claims.roles, su: claims.su }
    }
    const pristine = {
      roles: ['user'],
      permissions: ['read'],
      amr: ['webauthn'],
      tenants: { T0: { roles: ['member'], permissions: [] } },
      stepUp: false,
      claimRoles: ['user'],
      su: undefined,
    }

    // Edited on its first verification (a new token), then again when served from memory.
    const token = await sign(1)
    for (const round of ['fresh', 'remembered']) {
      expect((await call('/t/edit', token)).status).toBe(200)
      expect((await call('/t/admin', token)).status, round).toBe(403)
      expect((await call('/t/owner', token)).status, round).toBe(403)
      expect(await visible(token), round).toEqual(pristine)
    }
  })

  it("should keep it out of reach in the package's descopeSession() and createVerifier() too", async () => {
    const token = await edge.emulator.sign({ iss: edge.projectId, sub: 'U2package', iat: now() - 5, exp: now() + 600, drn: 'DS', roles: ['user'] })
    const options = { projectId: edge.projectId, baseUrl: EMULATOR_URL }
    const app = new Hono<{ Variables: { session: { roles: string[] } } }>()
    app.use(descopeSession(options))
    app.get('/edit', (c) => {
      c.var.session.roles.push('admin')
      return c.json({ ok: true })
    })
    app.get('/roles', (c) => c.json(c.var.session.roles))
    const headers = { Authorization: `Bearer ${token}` }
    for (let round = 0; round < 2; round++) {
      expect((await app.request('/edit', { headers })).status).toBe(200)
      expect(await (await app.request('/roles', { headers })).json()).toEqual(['user'])
    }
    const verifier = createVerifier(options)
    for (let round = 0; round < 2; round++) {
      const outcome = await verifier.verify(token)
      expect(outcome.ok && outcome.session.roles).toEqual(['user'])
      if (outcome.ok) outcome.session.roles.push('admin')
    }
  })
})
