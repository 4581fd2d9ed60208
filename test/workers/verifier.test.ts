/**
 * The verifier core (src/session/jwt.ts + src/keys/key-store.ts) with keys minted in the test: every token
 * rule of docs/threat-model.md §E, the key store's fetch bounds, and the verified-token memory.
 * The emulator-backed, whole-Worker versions are in session.test.ts and jwks.test.ts.
 */
import { base64url, exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK } from 'jose'
import { describe, expect, it, vi } from 'vitest'
import { KeyStore, type KeyStoreOptions } from '../../src/keys/key-store'
import { createJwtVerifier, type JwtVerifierOptions } from '../../src/session/jwt'

const PID = 'P2verifiertest0000000000000A'
const NOW = 1_800_000_000
const KID = 'SK2real'

const real = await generateKeyPair('RS256', { extractable: true })
const attacker = await generateKeyPair('RS256', { extractable: true })
const realJwk: JWK = { ...(await exportJWK(real.publicKey)), kid: KID, alg: 'RS256', use: 'sig' }

function claims(overrides: Record<string, unknown> = {}) {
  return { iss: `https://api.descope.com/${PID}`, sub: 'U2user', iat: NOW - 10, exp: NOW + 600, drn: 'DS', amr: ['webauthn'], ...overrides }
}

async function sign(payload: Record<string, unknown>, header: Record<string, unknown> = {}, key: CryptoKey | Uint8Array = real.privateKey) {
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: KID, typ: 'JWT', ...header } as never).sign(key)
}

/** A verifier on a frozen clock, with a key store whose fetches the test counts and controls. */
function setup(options: { jwks?: () => unknown; verifier?: Partial<JwtVerifierOptions>; store?: Partial<KeyStoreOptions> } = {}) {
  const clock = { ms: NOW * 1000 }
  const counter = { fetches: 0 }
  const keys = new KeyStore({
    fetchKeys: async () => {
      counter.fetches++
      await new Promise((resolve) => setTimeout(resolve, 5))
      return options.jwks ? options.jwks() : { keys: [realJwk] }
    },
    now: () => clock.ms,
    ...options.store,
  })
  const verifier = createJwtVerifier({ projectId: PID, clockToleranceSeconds: 5, keys, now: () => clock.ms, ...options.verifier })
  return { verifier, keys, clock, counter }
}

/** Signs any header with the real key, bypassing jose's own checks (e.g. an unknown `crit`). */
async function signRaw(header: Record<string, unknown>, payload: Record<string, unknown>) {
  const input = `${base64url.encode(JSON.stringify(header))}.${base64url.encode(JSON.stringify(payload))}`
  const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', real.privateKey, new TextEncoder().encode(input))
  return `${input}.${base64url.encode(new Uint8Array(signature))}`
}

function unsigned(payload: Record<string, unknown>, header: Record<string, unknown>) {
  const encode = (value: unknown) => base64url.encode(JSON.stringify(value))
  return `${encode(header)}.${encode(payload)}.`
}

describe('session token rules', () => {
  const { verifier } = setup()

  async function reason(token: string) {
    const result = await verifier.verifyJwt(token)
    return result.ok ? 'ok' : result.reason
  }

  it('should accept a valid RS256 session token with every issuer form Descope issues (bare, conformance, custom domain) (T28)', async () => {
    for (const iss of [PID, `https://api.descope.com/${PID}`, `https://auth.example.com/v1/apps/${PID}`, `https://auth.example.com/${PID}/`]) {
      const result = await verifier.verifyJwt(await sign(claims({ iss, roles: ['admin'], tenants: { T1: { roles: ['r'], permissions: ['p'] } }, su: true })))
      expect(result).toMatchObject({
        ok: true,
        session: { userId: 'U2user', roles: ['admin'], tenants: { T1: { roles: ['r'], permissions: ['p'] } }, stepUp: true },
      })
    }
  })

  it('should refuse issuers that do not end with the project ID (T28)', async () => {
    for (const iss of [
      `https://api.descope.com/${PID}/x`,
      'P2otherproject00000000000000A',
      `https://api.descope.com/P2otherproject00000000000000A`,
      `${PID}x`,
      `https://x${PID}`,
      '',
      42,
      undefined,
    ]) {
      expect(await reason(await sign(claims({ iss })))).toBe('issuer')
    }
  })

  it('should apply the clock tolerance to exp and honour nbf (T27)', async () => {
    expect(await reason(await sign(claims({ exp: NOW - 6 })))).toBe('expired')
    expect(await reason(await sign(claims({ exp: NOW - 5 })))).toBe('expired')
    expect(await reason(await sign(claims({ exp: NOW - 4 })))).toBe('ok')
    expect(await reason(await sign(claims({ nbf: NOW + 60 })))).toBe('not_yet_valid')
    expect(await reason(await sign(claims({ nbf: NOW + 4 })))).toBe('ok')
  })

  it('should require a numeric exp and a user: dsub, else sub', async () => {
    expect(await reason(await sign(claims({ exp: undefined })))).toBe('claims')
    expect(await reason(await sign(claims({ exp: 'never' })))).toBe('claims')
    expect(await reason(await sign(claims({ exp: 0 })))).toBe('expired')
    expect(await reason(await sign(claims({ sub: undefined })))).toBe('claims')
    expect(await reason(await sign(claims({ sub: undefined, dsub: '' })))).toBe('claims')
    expect(await reason(await sign(claims({ iat: 'yesterday' })))).toBe('claims')
    // `empty_claim_policy: delete` may remove `sub` while `dsub` carries the user.
    expect(await verifier.verifyJwt(await sign(claims({ sub: undefined, dsub: 'U2dsub' })))).toMatchObject({ ok: true, session: { userId: 'U2dsub' } })
  })

  it('should refuse a refresh token (drn DSR) or a token without drn as a session (T29)', async () => {
    expect(await reason(await sign(claims({ drn: 'DSR' })))).toBe('token_kind')
    expect(await reason(await sign(claims({ drn: undefined })))).toBe('token_kind')
    const refresh = await verifier.verifyJwt(await sign(claims({ drn: 'DSR' })), { kind: 'refresh' })
    expect(refresh.ok).toBe(true)
    expect((await verifier.verifyJwt(await sign(claims()), { kind: 'refresh' })).ok).toBe(false)
  })

  it('should refuse alg none, and HS256 keyed with the public key in any form (T23, T24)', async () => {
    expect(await reason(unsigned(claims(), { alg: 'none', kid: KID }))).toBe('malformed')
    expect(await reason(`${unsigned(claims(), { alg: 'none', kid: KID })}AAAA`)).toBe('algorithm')
    const pem = new TextEncoder().encode(await exportSPKI(real.publicKey))
    const n = base64url.decode(realJwk.n as string)
    const jwkJson = new TextEncoder().encode(JSON.stringify(realJwk))
    for (const secret of [pem, n, jwkJson]) {
      expect(await reason(await sign(claims(), { alg: 'HS256' }, secret))).toBe('algorithm')
    }
  })

  it('should refuse a token signed by another key with the real kid, and a tampered payload', async () => {
    expect(await reason(await sign(claims(), {}, attacker.privateKey))).toBe('signature')
    const [header, , signature] = (await sign(claims())).split('.')
    const forged = base64url.encode(JSON.stringify(claims({ roles: ['admin'] })))
    expect(await reason(`${header}.${forged}.${signature}`)).toBe('signature')
  })

  it('should ignore jku, x5u and an embedded jwk (T32)', async () => {
    const jwk = await exportJWK(attacker.publicKey)
    expect(await reason(await sign(claims(), { jku: 'http://127.0.0.1:9/jwks', x5u: 'http://127.0.0.1:9/x5u', jwk }, attacker.privateKey))).toBe('signature')
  })

  it('should refuse missing, empty and over-long kids', async () => {
    expect(await reason(await sign(claims(), { kid: undefined }))).toBe('missing_kid')
    expect(await reason(await sign(claims(), { kid: '' }))).toBe('missing_kid')
    expect(await reason(await sign(claims(), { kid: 42 }))).toBe('missing_kid')
    expect(await reason(await sign(claims(), { kid: 'k'.repeat(300) }))).toBe('missing_kid')
  })

  it('should refuse garbage, wrong segment counts, JWE, oversized tokens and unknown crit (T31)', async () => {
    const good = await sign(claims())
    for (const token of ['', 'garbage', 'a.b', 'a.b.c.d', 'a.b.c.d.e', `${good}.x`, good.replace(/\./g, '..'), `${good.slice(0, 20)}*${good.slice(21)}`]) {
      expect(await reason(token)).toMatch(/^(malformed|too_large)$/)
    }
    expect(await reason('a'.repeat(20_000))).toBe('too_large')
    expect(await reason(await sign(claims({ pad: 'x'.repeat(9_000) })))).toBe('too_large')
    expect(await reason(await signRaw({ alg: 'RS256', kid: KID }, claims()))).toBe('ok')
    expect(await reason(await signRaw({ alg: 'RS256', kid: KID, crit: ['exp'], exp: 1 }, claims()))).toBe('malformed')
  })
})

describe('algorithms other than RS256 against a key published without alg (T25)', () => {
  it('should refuse PS256 and ES256 signed with that key and accept RS256', async () => {
    const { publicKey } = real
    const noAlg = { ...(await exportJWK(publicKey)), kid: 'SK2noalg' }
    const ec = await generateKeyPair('ES256', { extractable: true })
    const ecJwk = { ...(await exportJWK(ec.publicKey)), kid: 'SK2ec' }
    const { verifier } = setup({ jwks: () => ({ keys: [noAlg, ecJwk] }) })
    const ps = await generateKeyPair('PS256', { extractable: true })
    // PS256 with the same RSA private key material: import it for PS256.
    const rsaPrivate = await crypto.subtle.exportKey('jwk', real.privateKey)
    const asPss = await crypto.subtle.importKey('jwk', { ...rsaPrivate, alg: 'PS256' }, { name: 'RSA-PSS', hash: 'SHA-256' }, false, ['sign'])
    expect((await verifier.verifyJwt(await sign(claims(), { alg: 'PS256', kid: 'SK2noalg' }, asPss))).ok).toBe(false)
    expect((await verifier.verifyJwt(await sign(claims(), { alg: 'PS256', kid: 'SK2noalg' }, ps.privateKey))).ok).toBe(false)
    expect((await verifier.verifyJwt(await sign(claims(), { alg: 'ES256', kid: 'SK2ec' }, ec.privateKey))).ok).toBe(false)
    expect((await verifier.verifyJwt(await sign(claims(), { kid: 'SK2noalg' }))).ok).toBe(true)
  })

  it('should configure an audience check only when set', async () => {
    const { verifier } = setup({ verifier: { audience: PID } })
    expect((await verifier.verifyJwt(await sign(claims({ aud: PID })))).ok).toBe(true)
    expect((await verifier.verifyJwt(await sign(claims({ aud: [PID, 'other'] })))).ok).toBe(true)
    expect(await verifier.verifyJwt(await sign(claims({ aud: 'other' })))).toMatchObject({ ok: false, reason: 'audience' })
    expect(await verifier.verifyJwt(await sign(claims()))).toMatchObject({ ok: false, reason: 'audience' })
  })
})

describe('key store', () => {
  it('should fetch once for a cold burst of 16 concurrent verifications', async () => {
    const { verifier, counter } = setup()
    const token = await sign(claims())
    const results = await Promise.all(Array.from({ length: 16 }, () => verifier.verifyJwt(token)))
    expect(results.every((result) => result.ok)).toBe(true)
    expect(counter.fetches).toBe(1)
  })

  it('should fetch at most once more for 100 concurrent forged kids, and once per cooldown (T26)', async () => {
    const { verifier, counter, clock } = setup()
    expect((await verifier.verifyJwt(await sign(claims()))).ok).toBe(true)
    const forged = await Promise.all(Array.from({ length: 100 }, (_, i) => sign(claims(), { kid: `forged-${i}` }, attacker.privateKey)))
    const results = await Promise.all(forged.map((token) => verifier.verifyJwt(token)))
    expect(results.every((result) => !result.ok && result.reason === 'unknown_kid')).toBe(true)
    expect(counter.fetches).toBe(2)
    clock.ms += 10_000
    await Promise.all(forged.map((token) => verifier.verifyJwt(token)))
    expect(counter.fetches).toBe(2)
    clock.ms += 21_000
    await Promise.all(forged.map((token) => verifier.verifyJwt(token)))
    expect(counter.fetches).toBe(3)
  })

  it('should answer unavailable (503) when cold and the endpoint fails or answers garbage (T33)', async () => {
    const bad: unknown[] = [
      null,
      {},
      { keys: null },
      { keys: [null] },
      '<html>',
      { keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: KID }] },
      { keys: [{ ...realJwk, d: 'AQAB' }] },
    ]
    for (const document of bad) {
      const { verifier } = setup({ jwks: () => document })
      expect(await verifier.verifyJwt(await sign(claims()))).toMatchObject({ ok: false, status: 503, code: 'unavailable' })
    }
    const { verifier } = setup({
      jwks: () => {
        throw new Error('down')
      },
    })
    expect(await verifier.verifyJwt(await sign(claims()))).toMatchObject({ ok: false, status: 503 })
  })

  it("should pause as long as a 429's Retry-After asks before fetching again, with or without keys (T66)", async () => {
    // The Descope client against the emulator: its 429 and Retry-After are the real thing.
    const { createDescopeClient } = await import('../../src/descope/client')
    const { EMULATOR_URL, emulatorControl, newProjectId } = await import('../support/edge')
    const projectId = newProjectId()
    const emulator = emulatorControl(projectId)
    const client = createDescopeClient({ baseUrl: EMULATOR_URL, projectId, timeoutMs: 2000 })
    const clock = { ms: Date.now() }
    const keys = new KeyStore({ fetchKeys: () => client.keys(), now: () => clock.ms })
    await emulator.fault({ route: 'GET /v2/keys', status: 429, headers: { 'Retry-After': '30' }, times: 1 })
    expect(await keys.get('SK2any')).toEqual({ unavailable: true })
    // Past the 5 s pause after an ordinary failure, still within Descope's 30 s: no second fetch.
    clock.ms += 10_000
    expect(await keys.get('SK2any')).toEqual({ unavailable: true })
    expect(await emulator.count('GET /v2/keys')).toBe(1)
    clock.ms += 21_000
    expect(await keys.get('SK2any')).toEqual({ unknown: true })
    expect(await emulator.count('GET /v2/keys')).toBe(2)
    // With keys: an unknown kid does not re-fetch during the pause either (the cooldown alone is 30 s).
    await emulator.fault({ route: 'GET /v2/keys', status: 429, headers: { 'Retry-After': '120' }, times: 1 })
    clock.ms += 31_000
    expect(await keys.get('SK2other')).toEqual({ unknown: true })
    clock.ms += 31_000
    expect(await keys.get('SK2third')).toEqual({ unknown: true })
    expect(await emulator.count('GET /v2/keys')).toBe(3)
  })

  it('should keep the last good keys when the endpoint fails after warm-up (T33)', async () => {
    let down = false
    const { verifier, clock, counter } = setup({
      jwks: () => {
        if (down) throw new Error('down')
        return { keys: [realJwk] }
      },
      verifier: { cacheSize: 0 },
    })
    expect((await verifier.verifyJwt(await sign(claims()))).ok).toBe(true)
    down = true
    clock.ms += 6 * 60_000 // past max age: a refresh is attempted and fails
    expect((await verifier.verifyJwt(await sign(claims({ exp: NOW + 3600 })))).ok).toBe(true)
    expect(counter.fetches).toBe(2)
    // Within the retry pause no new attempt is made.
    expect((await verifier.verifyJwt(await sign(claims({ exp: NOW + 3600 })))).ok).toBe(true)
    expect(counter.fetches).toBe(2)
  })

  it('should accept a rotated-in kid after one re-fetch and refuse a removed kid after the re-fetch (T34)', async () => {
    const next = await generateKeyPair('RS256', { extractable: true })
    const nextJwk = { ...(await exportJWK(next.publicKey)), kid: 'SK2next', alg: 'RS256' }
    let published: JWK[] = [realJwk]
    const { verifier, counter } = setup({ jwks: () => ({ keys: published }) })
    const old = await sign(claims())
    expect((await verifier.verifyJwt(old)).ok).toBe(true)
    published = [nextJwk]
    expect((await verifier.verifyJwt(await sign(claims(), { kid: 'SK2next' }, next.privateKey))).ok).toBe(true)
    expect(counter.fetches).toBe(2)
    // The old token was remembered as verified; the key set changed, so it is checked again.
    expect(await verifier.verifyJwt(old)).toMatchObject({ ok: false, reason: 'unknown_kid' })
  })

  it('should say how the key set stands for readiness: fresh, stale (kept after a failure), none', async () => {
    let down = false
    const { keys, clock, counter } = setup({
      jwks: () => {
        if (down) throw new Error('down')
        return { keys: [realJwk] }
      },
    })
    expect(await keys.ensure()).toBe('fresh')
    expect(await keys.ensure()).toBe('fresh')
    expect(counter.fetches).toBe(1)
    down = true
    clock.ms += 6 * 60_000
    expect(await keys.ensure()).toBe('stale')
    expect(counter.fetches).toBe(2)
    const cold = setup({ jwks: () => ({ keys: [] }) })
    expect(await cold.keys.ensure()).toBe('none')
  })

  it('should report each fetch from Descope to the request that made it, with its outcome and duration', async () => {
    let down = false
    const { keys, clock } = setup({
      jwks: () => {
        clock.ms += 30 // the fetch takes 30 ms on the store's clock
        if (down) throw new Error('down')
        return { keys: [realJwk] }
      },
    })
    const reports: unknown[] = []
    const scope = { waitUntil: () => {}, keySetFetched: (fetch: unknown) => reports.push(fetch) }
    await keys.get(KID, scope)
    await keys.get(KID, scope)
    down = true
    clock.ms += 6 * 60_000
    await keys.get(KID, scope)
    expect(reports).toEqual([
      { ok: true, durationMs: 30, haveKeys: true },
      { ok: false, reason: 'down', durationMs: 30, haveKeys: true },
    ])
  })

  it('should drop a removed kid once the key set reaches its max age', async () => {
    let published: JWK[] = [realJwk]
    const { verifier, clock } = setup({ jwks: () => ({ keys: published }) })
    const token = await sign(claims({ exp: NOW + 3600 }))
    expect((await verifier.verifyJwt(token)).ok).toBe(true)
    const other = await generateKeyPair('RS256', { extractable: true })
    published = [{ ...(await exportJWK(other.publicKey)), kid: 'SK2other', alg: 'RS256' }]
    clock.ms += 4 * 60_000
    expect((await verifier.verifyJwt(token)).ok).toBe(true)
    clock.ms += 2 * 60_000
    expect((await verifier.verifyJwt(token)).ok).toBe(false)
  })
})

describe('verified-token memory', () => {
  it('should serve a repeated token without a second signature check, and never a tampered one', async () => {
    const { verifier } = setup()
    const token = await sign(claims())
    const signatureChecks = vi.spyOn(crypto.subtle, 'verify')
    const first = await verifier.verifyJwt(token)
    // The spy sees the first check; the repeat must not make one.
    expect(signatureChecks).toHaveBeenCalledTimes(1)
    signatureChecks.mockClear()
    const second = await verifier.verifyJwt(token)
    expect(signatureChecks).not.toHaveBeenCalled()
    signatureChecks.mockRestore()
    expect(first.ok && second.ok).toBe(true)
    if (first.ok && second.ok) {
      // Equal, never shared: each caller gets its own copy (test/workers/session-memory.test.ts).
      expect(second.session).toEqual(first.session)
      expect(second.session.claims).not.toBe(first.session.claims)
      expect(second.session.roles).not.toBe(first.session.roles)
    }
    const [header, payload, signature] = token.split('.') as [string, string, string]
    const flipped = signature.slice(0, -2) + (signature.at(-2) === 'A' ? 'B' : 'A') + signature.at(-1)
    expect((await verifier.verifyJwt(`${header}.${payload}.${flipped}`)).ok).toBe(false)
    const forgedPayload = base64url.encode(JSON.stringify(claims({ sub: 'U2admin' })))
    expect((await verifier.verifyJwt(`${header}.${forgedPayload}.${signature}`)).ok).toBe(false)
  })

  it('should stop serving a remembered token once it expires', async () => {
    const { verifier, clock } = setup()
    const token = await sign(claims({ exp: NOW + 10 }))
    expect((await verifier.verifyJwt(token)).ok).toBe(true)
    clock.ms += 14_000
    expect((await verifier.verifyJwt(token)).ok).toBe(true)
    clock.ms += 1_000
    expect(await verifier.verifyJwt(token)).toMatchObject({ ok: false, reason: 'expired' })
  })

  it('should stay bounded', async () => {
    const { verifier } = setup({ verifier: { cacheSize: 3 } })
    const tokens = await Promise.all([1, 2, 3, 4, 5].map((i) => sign(claims({ n: i }))))
    const signatureChecks = vi.spyOn(crypto.subtle, 'verify')
    for (const token of tokens) expect((await verifier.verifyJwt(token)).ok).toBe(true)
    for (const token of tokens) expect((await verifier.verifyJwt(token)).ok).toBe(true)
    // Five tokens in turn through a memory of three: each was dropped before it came back.
    expect(signatureChecks).toHaveBeenCalledTimes(10)
    expect((await verifier.verifyJwt(tokens[4]!)).ok).toBe(true)
    expect(signatureChecks).toHaveBeenCalledTimes(10)
    signatureChecks.mockRestore()
  })
})
