/**
 * Cookie names at the HTTP layer (docs/threat-model.md, T56): the real Worker in workerd behind a
 * socket, the `Cookie` header written as the UTF-8 bytes a browser sends. workerd hands the
 * Worker those bytes decoded as UTF-8, so `\u2000__Host-DS` arrives as U+2000 then `__Host-DS`,
 * a name a sibling subdomain can set with `Domain=` (the browser sees no `__Host-` prefix). The
 * edge compares names byte for byte after removing SP and HTAB only: a look-alike is never read
 * and never makes the real cookie ambiguous. (In Chromium: test/e2e/cookie-tossing.test.ts.)
 */
import { request } from 'node:http'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundleWorker, COMPATIBILITY_DATE, loadMiniflare } from '../../scripts/lib/workerd.mjs'
import { SoftwareAuthenticator } from '../support/authenticator'
import { EMULATOR_HOST_URL, edgeWorkers } from '../support/edge-workers'
import { emulatorControl } from '../support/emulator-control.mjs'

const ORIGIN = 'http://localhost:8787'
const PROJECT_ID = 'P2cookiebytes000000000000000'
/** Names equal to `__Host-DS` after `trim()` or NFKC, never byte for byte. */
const LOOK_ALIKES = ['\u2000__Host-DS', '\u00a0__Host-DS', '\u3000__Host-DS', '\ufeff__Host-DS', '__Host-DS\u205f', '\uff3f\uff3fHost-DS', '__Host\u2010DS']

let dir: string
let miniflare: Awaited<ReturnType<typeof start>>
let url: URL

async function start() {
  dir = await mkdtemp(join(tmpdir(), 'passkey-edge-cookie-bytes-'))
  const workers = await edgeWorkers(dir, { projectId: PROJECT_ID, origin: ORIGIN })
  const readers = await bundleWorker('test/support/readers-worker.ts', join(dir, 'readers.js'))
  const { Miniflare } = await loadMiniflare()
  const instance = new Miniflare({
    workers: [
      workers.edge('edge'),
      {
        name: 'readers',
        modules: true,
        scriptPath: readers,
        modulesRoot: dir,
        compatibilityDate: COMPATIBILITY_DATE,
        bindings: { DESCOPE_PROJECT_ID: PROJECT_ID, DESCOPE_BASE_URL: EMULATOR_HOST_URL },
        serviceBindings: { SESSION: { name: 'edge', entrypoint: 'SessionVerifier' } },
        outboundService: 'emulator',
        routes: ['readers.localhost/*'],
      },
      workers.emulator(),
    ],
  })
  url = await instance.ready
  return instance
}

/** One request over a socket, every header value written as the UTF-8 bytes of its text. */
function send(method: string, path: string, headers: Record<string, string>, body?: string, host = 'localhost:8787') {
  const bytes = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, Buffer.from(value, 'utf8').toString('latin1')]))
  return new Promise<{ status: number; json: Record<string, any>; setCookie: string[] }>((resolve, reject) => {
    const outgoing = request(new URL(path, url), { method, headers: { Host: host, ...bytes } }, (incoming) => {
      let text = ''
      incoming.setEncoding('utf8')
      incoming.on('data', (chunk) => {
        text += chunk
      })
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, json: JSON.parse(text || '{}'), setCookie: incoming.headers['set-cookie'] ?? [] }))
    })
    outgoing.on('error', reject)
    // A Buffer: Node writes headers and a string body in one chunk in the body's encoding, which would re-encode the header bytes.
    outgoing.end(body === undefined ? undefined : Buffer.from(body, 'utf8'))
  })
}

const post = (path: string, body: unknown, cookie = '') =>
  send('POST', path, { 'Content-Type': 'application/json', Origin: ORIGIN, ...(cookie ? { Cookie: cookie } : {}) }, JSON.stringify(body))
const nameValues = (setCookie: string[]) => setCookie.map((line) => line.split(';')[0]!)
const cookieOf = (setCookie: string[], prefix: string) => nameValues(setCookie).find((pair) => pair.startsWith(prefix))!

/** A real user signed up through the edge: its session and refresh tokens. */
async function signUp(name: string) {
  const loginId = `${name}-${crypto.randomUUID().slice(0, 8)}@example.com`
  const start = await post('/auth/passkey/signup/start', { loginId })
  const created = await new SoftwareAuthenticator().create(start.json.options, ORIGIN)
  const finish = await post(
    '/auth/passkey/signup/finish',
    { transactionId: start.json.transactionId, response: created },
    nameValues(start.setCookie).join('; ')
  )
  expect(finish.status).toBe(200)
  const value = (prefix: string) => cookieOf(finish.setCookie, prefix).slice(prefix.length)
  return { userId: finish.json.user.userId as string, session: value('__Host-DS='), refresh: value('__Host-DSR=') }
}

let victim: Awaited<ReturnType<typeof signUp>>
let attacker: Awaited<ReturnType<typeof signUp>>

beforeAll(async () => {
  miniflare = await start()
  victim = await signUp('victim')
  attacker = await signUp('attacker')
}, 60_000)

afterAll(async () => {
  await miniflare?.dispose()
  if (dir) await rm(dir, { recursive: true, force: true })
})

const sessionOf = async (cookie: string) => {
  const { status, json } = await send('GET', '/auth/session', { Cookie: cookie })
  return status === 200 ? json.userId : status
}

describe('cookie names sent as UTF-8 bytes (T56)', () => {
  it('should read what workerd decodes as UTF-8: a Unicode space arrives as itself (the premise of the tests below)', async () => {
    // A name with SP and HTAB around it is the cookie itself (RFC 6265 §5.2)…
    expect(await sessionOf(` \t__Host-DS\t = ${victim.session} `)).toBe(victim.userId)
    // …and the same header with U+2000 before the name is another cookie.
    expect(await sessionOf(`\u2000__Host-DS=${victim.session}`)).toBe(401)
  })

  it('should sign no one in with a look-alike session cookie alone', async () => {
    for (const name of LOOK_ALIKES) expect(await sessionOf(`${name}=${attacker.session}`), JSON.stringify(name)).toBe(401)
  })

  it('should keep the real session cookie unambiguous beside a look-alike, in either order', async () => {
    for (const name of LOOK_ALIKES) {
      expect(await sessionOf(`${name}=${attacker.session}; __Host-DS=${victim.session}`), JSON.stringify(name)).toBe(victim.userId)
      expect(await sessionOf(`__Host-DS=${victim.session}; ${name}=${attacker.session}`), JSON.stringify(name)).toBe(victim.userId)
    }
  })

  it('should refresh nothing from a look-alike refresh cookie alone, and send it nowhere', async () => {
    const emulator = emulatorControl(PROJECT_ID, EMULATOR_HOST_URL, { fetch: (await miniflare.getWorker('emulator')).fetch as never })
    await emulator.resetCalls()
    const hello = await send('GET', '/api/hello', { Cookie: `\u2000__Host-DSR=${attacker.refresh}` })
    expect(hello.status).toBe(401)
    expect(hello.setCookie).toEqual([])
    expect((await post('/auth/refresh', {}, `\u3000__Host-DSR=${attacker.refresh}`)).status).toBe(401)
    expect((await emulator.calls())['POST /v1/auth/refresh'] ?? 0).toBe(0)
  })

  it('should bind a transaction only to its own binding cookie, not to a look-alike of it', async () => {
    const start = await post('/auth/passkey/signup/start', { loginId: `binding-${crypto.randomUUID().slice(0, 8)}@example.com` })
    const binding = cookieOf(start.setCookie, '__Host-ptx-')
    const created = await new SoftwareAuthenticator().create(start.json.options, ORIGIN)
    const finish = (cookie: string) => post('/auth/passkey/signup/finish', { transactionId: start.json.transactionId, response: created }, cookie)
    // The look-alike alone is no binding (and the transaction is not used up by it)…
    expect((await finish(`\u2000${binding}`)).status).toBe(400)
    // …and beside the real cookie it does not make the binding ambiguous.
    expect((await finish(`\u2000${binding}; ${binding}`)).status).toBe(200)
  })

  for (const reader of ['descope-session', 'create-verifier', 'rpc']) {
    it(`should read only the real cookies in the package and over RPC too (${reader})`, async () => {
      const check = async (cookie: string) => {
        const { status, json, setCookie } = await send('GET', `/${reader}`, { Cookie: cookie }, undefined, 'readers.localhost')
        return { result: status === 200 ? json.userId : status, refreshed: setCookie.length > 0 }
      }
      expect(await check(`__Host-DS=${victim.session}`)).toEqual({ result: victim.userId, refreshed: false })
      for (const name of LOOK_ALIKES) {
        expect(await check(`${name}=${attacker.session}`), JSON.stringify(name)).toEqual({ result: 401, refreshed: false })
        expect(await check(`${name}=${attacker.session}; __Host-DS=${victim.session}`), JSON.stringify(name)).toEqual({
          result: victim.userId,
          refreshed: false,
        })
        expect(await check(`${name}R=${attacker.refresh}`), JSON.stringify(name)).toEqual({ result: 401, refreshed: false })
      }
    })
  }
})
