/**
 * Differential test: a corpus of good and bad session tokens judged by this Worker's validator
 * (src/session/jwt.ts, run here in Node with its in-memory key store, no Cache API) and by the
 * official `@descope/node-sdk` `validateSession`, both against the emulator's JWKS.
 *
 * Every disagreement is declared in the corpus with its reason; the test fails on any other.
 * All declared disagreements are tokens the SDK accepts and this validator refuses; the T numbers
 * in the reasons are threats of docs/threat-model.md.
 */
import DescopeClient from '@descope/node-sdk'
import { base64url, exportJWK, exportSPKI, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { KeyStore } from '../../src/keys/key-store'
import { createJwtVerifier, type JwtVerifier } from '../../src/session/jwt'
import { SoftwareAuthenticator } from '../support/authenticator'
import { emulatorControl, newProjectId } from '../support/emulator-control.mjs'

const ORIGIN = 'https://app.example.com'
const emulatorUrl = inject('emulatorUrl')
const projectId = newProjectId()
const otherProjectId = newProjectId()
const sdk = DescopeClient({ projectId, baseUrl: emulatorUrl })
const now = () => Math.floor(Date.now() / 1000)

function emulatorSign(payload: Record<string, unknown>, header: Record<string, unknown> = {}, project = projectId): Promise<string> {
  return emulatorControl(project, emulatorUrl).sign(payload, header)
}

function claims(overrides: Record<string, unknown> = {}) {
  return { iss: projectId, sub: 'U2differential', iat: now() - 5, exp: now() + 600, drn: 'DS', amr: ['webauthn'], ...overrides }
}

const encode = (value: unknown) => base64url.encode(JSON.stringify(value))

interface Case {
  name: string
  /** The token, or a way to sign it just before it is judged (tokens within the clock tolerance). */
  token: string | (() => Promise<string>)
  /** This validator's verdict. */
  ours: boolean
  /** Set when the SDK judges the other way: why. */
  disagreement?: string
}

async function corpus(): Promise<Case[]> {
  const jwks = (await (await fetch(`${emulatorUrl}/v2/keys/${projectId}`)).json()) as { keys: JWK[] }
  const jwk = jwks.keys[0] as JWK
  const kid = jwk.kid as string
  const attacker = await generateKeyPair('RS256')
  const ec = await generateKeyPair('ES256')
  const pem = await exportSPKI((await importJWK(jwk, 'RS256', { extractable: true })) as Parameters<typeof exportSPKI>[0])
  const good = await emulatorSign(claims())
  const [header, , signature] = good.split('.')

  // A real passkey user: the emulator's session and refresh tokens.
  const start = await sdk.webauthn.signUp.start(`diff-${Date.now()}@example.com`, ORIGIN, 'Diff User')
  const credential = await new SoftwareAuthenticator().create(JSON.parse(start.data!.options), ORIGIN)
  const finish = await sdk.webauthn.signUp.finish(start.data!.transactionId, JSON.stringify(credential))
  const real = finish.data as { sessionJwt: string; refreshJwt: string }

  const sdkAccepts = (why: string) => ({ ours: false, disagreement: why })
  return [
    { name: 'real session token from a passkey sign-up', token: real.sessionJwt, ours: true },
    { name: 'emulator-signed session token', token: good, ours: true },
    { name: 'iss https://api.descope.com/<pid>', token: await emulatorSign(claims({ iss: `https://api.descope.com/${projectId}` })), ours: true },
    { name: 'iss <configured base URL>/<pid>', token: await emulatorSign(claims({ iss: `${emulatorUrl}/${projectId}` })), ours: true },
    { name: 'roles, tenants, su', token: await emulatorSign(claims({ roles: ['admin'], tenants: { T1: { roles: ['r'] } }, su: true })), ours: true },
    { name: 'roles not an array (narrowed to [])', token: await emulatorSign(claims({ roles: 'admin' })), ours: true },
    // Signed when judged: on a busy machine building the corpus takes longer than the tolerance.
    { name: 'expired 2 s ago (within the 5 s tolerance)', token: () => emulatorSign(claims({ exp: now() - 2 })), ours: true },
    { name: 'nbf 3 s ahead (within tolerance)', token: () => emulatorSign(claims({ nbf: now() + 3 })), ours: true },
    {
      name: 'real refresh token (drn DSR) as a session',
      token: real.refreshJwt,
      ...sdkAccepts('the SDK does not check drn: a refresh token passes validateSession (T29)'),
    },
    { name: 'drn DSR as a session', token: await emulatorSign(claims({ drn: 'DSR' })), ...sdkAccepts('the SDK does not check drn (T29)') },
    { name: 'drn missing', token: await emulatorSign(claims({ drn: undefined })), ...sdkAccepts('the SDK does not check drn; we require "DS" (T29)') },
    // Descope's issuer rule: any URL whose last path segment is the project ID (custom domains).
    {
      name: 'iss https://auth.example.com/<pid> (custom domain)',
      token: await emulatorSign(claims({ iss: `https://auth.example.com/${projectId}` })),
      ours: true,
    },
    {
      name: 'iss https://api.descope.com/<pid>/ (trailing slash)',
      token: await emulatorSign(claims({ iss: `https://api.descope.com/${projectId}/` })),
      ours: true,
    },
    { name: 'user ID in dsub, sub overridden', token: await emulatorSign(claims({ sub: 'alice@example.com', dsub: 'U2differential' })), ours: true },
    // `empty_claim_policy: delete` may remove `sub` while `dsub` carries the user.
    { name: 'user ID in dsub, no sub', token: await emulatorSign(claims({ sub: undefined, dsub: 'U2differential' })), ours: true },
    {
      name: 'iss https://evil.example/<pid>/x',
      token: await emulatorSign(claims({ iss: `https://evil.example/${projectId}/x` })),
      ...sdkAccepts('node-sdk also accepts the project ID as the second-to-last segment; Go, Python and we take the last (T28)'),
    },
    {
      name: 'exp missing',
      token: await emulatorSign(claims({ exp: undefined })),
      ...sdkAccepts('the SDK has no required claims: a token without exp never expires (T27)'),
    },
    { name: 'sub missing', token: await emulatorSign(claims({ sub: undefined })), ...sdkAccepts('the SDK does not require sub; a session needs a user ID') },
    { name: 'sub not a string', token: await emulatorSign(claims({ sub: 42 })), ...sdkAccepts('the SDK does not check sub; we need a string user ID') },
    {
      name: 'valid but larger than 8 KiB',
      token: await emulatorSign(claims({ pad: 'x'.repeat(9_000) })),
      ...sdkAccepts('we cap tokens at 8 KiB before parsing (T31); the SDK has no cap'),
    },
    { name: 'expired 6 s ago', token: await emulatorSign(claims({ exp: now() - 6 })), ours: false },
    { name: 'expired an hour ago', token: await emulatorSign(claims({ exp: now() - 3600 })), ours: false },
    { name: 'exp "never"', token: await emulatorSign(claims({ exp: 'never' })), ours: false },
    { name: 'exp 0', token: await emulatorSign(claims({ exp: 0 })), ours: false },
    { name: 'nbf a minute ahead', token: await emulatorSign(claims({ nbf: now() + 60 })), ours: false },
    { name: 'iat not a number', token: await emulatorSign(claims({ iat: 'now' })), ours: false },
    { name: 'iss of another project', token: await emulatorSign(claims({ iss: otherProjectId })), ours: false },
    {
      name: 'iss https://api.descope.com/<other project>',
      token: await emulatorSign(claims({ iss: `https://api.descope.com/${otherProjectId}` })),
      ours: false,
    },
    { name: "another project's token (its own key)", token: await emulatorSign(claims(), {}, otherProjectId), ours: false },
    { name: 'alg none, empty signature', token: `${encode({ alg: 'none', kid })}.${encode(claims())}.`, ours: false },
    { name: 'alg none, some signature', token: `${encode({ alg: 'none', kid })}.${encode(claims())}.e30`, ours: false },
    {
      name: 'HS256 keyed with the public key PEM',
      token: await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid }).sign(new TextEncoder().encode(pem)),
      ours: false,
    },
    {
      name: 'HS256 keyed with the JWK JSON',
      token: await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid }).sign(new TextEncoder().encode(JSON.stringify(jwk))),
      ours: false,
    },
    { name: 'PS256 header, RSA key', token: await emulatorSign(claims(), { alg: 'PS256' }), ours: false },
    {
      name: 'ES256 with an attacker key and the real kid',
      token: await new SignJWT(claims()).setProtectedHeader({ alg: 'ES256', kid }).sign(ec.privateKey),
      ours: false,
    },
    {
      name: 'RS256 with an attacker key and the real kid',
      token: await new SignJWT(claims()).setProtectedHeader({ alg: 'RS256', kid }).sign(attacker.privateKey),
      ours: false,
    },
    {
      name: 'attacker key embedded as jwk with jku',
      token: await new SignJWT(claims())
        .setProtectedHeader({ alg: 'RS256', kid: 'SK2attacker', jwk: await exportJWK(attacker.publicKey), jku: 'http://127.0.0.1:9/jwks' })
        .sign(attacker.privateKey),
      ours: false,
    },
    { name: 'unknown kid', token: await emulatorSign(claims(), { kid: 'SK2unknown' }), ours: false },
    { name: 'missing kid', token: await emulatorSign(claims(), { kid: null }), ours: false },
    { name: 'unknown crit header', token: await emulatorSign(claims(), { crit: ['x-custom'], 'x-custom': 1 }), ours: false },
    { name: 'tampered payload', token: `${header}.${encode(claims({ sub: 'U2admin', roles: ['admin'] }))}.${signature}`, ours: false },
    { name: 'garbage', token: 'not-a-token', ours: false },
    { name: 'two segments', token: `${header}.${encode(claims())}`, ours: false },
    { name: 'five segments (JWE shape)', token: `${header}.a.b.c.d`, ours: false },
  ]
}

async function sdkVerdict(token: string): Promise<boolean> {
  try {
    await sdk.validateSession(token)
    return true
  } catch {
    return false
  }
}

describe('differential: this validator vs @descope/node-sdk validateSession', () => {
  let cases: Case[]
  let verifier: JwtVerifier

  beforeAll(async () => {
    cases = await corpus()
    const keys = new KeyStore({ fetchKeys: async () => (await fetch(`${emulatorUrl}/v2/keys/${projectId}`)).json() })
    verifier = createJwtVerifier({ projectId, clockToleranceSeconds: 5, keys })
  })

  it('should judge a corpus of at least 30 tokens', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30)
  })

  it('should agree with the SDK on every token except the declared disagreements', async () => {
    const rows: { name: string; ours: boolean; sdk: boolean }[] = []
    for (const entry of cases) {
      const token = typeof entry.token === 'string' ? entry.token : await entry.token()
      const result = await verifier.verifyJwt(token)
      rows.push({ name: entry.name, ours: result.ok, sdk: await sdkVerdict(token) })
    }
    const byName = new Map(cases.map((entry) => [entry.name, entry]))
    const unexpected = rows.filter((row) => {
      const entry = byName.get(row.name) as Case
      const sdkExpected = entry.disagreement ? !entry.ours : entry.ours
      return row.ours !== entry.ours || row.sdk !== sdkExpected
    })
    expect(unexpected).toEqual([])
    const disagreements = rows.filter((row) => row.ours !== row.sdk).map((row) => row.name)
    expect(disagreements).toEqual(cases.filter((entry) => entry.disagreement).map((entry) => entry.name))
    // Every disagreement is the SDK being more permissive, never the other way round.
    expect(rows.filter((row) => row.ours && !row.sdk)).toEqual([])
  })
})
