#!/usr/bin/env node
// `npm run soak`: fault and load run of the Worker in plain workerd (Miniflare, 127.0.0.1 only;
// never `wrangler dev`), with the local Descope emulator as upstream. Bounded in time (~90 s) and
// in count; stops by itself and exits non-zero when an invariant breaks. Phases:
//   steady     mixed sign-ups, sign-ins, protected calls, edge refreshes and sign-outs, against
//              the emulator's default answer shapes (`"refreshJwt": ""`, logout with empty fields)
//   replay     each finish sent 5× in parallel, then 5× in sequence
//   faults     rotating upstream faults (latency, timeout, 5xx, 429, garbage, resets) under load
//   jwks       JWKS down / slow / garbage while a cold Worker takes a burst, then recovery
//   kv         KV get/put/delete throwing at random (soak-only wrapper binding) under load
//   limits     one IP and one login ID flooding the start routes
// Figures: requests sent/answered/open, statuses, latency, upstream calls, faults, replays,
// sessions per finish, server errors, secrets in logs. docs/threat-model.md (section R) keeps the last run's.
import { build } from 'esbuild'
import { mkdir, writeFile } from 'node:fs/promises'
import { cpus, totalmem } from 'node:os'
import { dirname, join } from 'node:path'
import { bundleEmulator, bundleWorker, COMPATIBILITY_DATE, EMULATOR_DURABLE_OBJECTS, loadMiniflare, ROOT } from './lib/workerd.mjs'

const OUT = join(ROOT, '.wrangler/soak')
const ORIGIN = 'https://app.example.com'
const EMULATOR_BASE = 'http://emulator.localhost'
const PROJECT = 'P2soakmain000000000000000000'.slice(0, 28)
const JWKS_PROJECT = 'P2soakjwks000000000000000000'.slice(0, 28)
const DEADLINE = Date.now() + 150_000
const REQUEST_TIMEOUT_MS = 10_000
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 12)
const PHASE_SECONDS = Number(process.env.SOAK_PHASE_SECONDS ?? 12)
const LIMITS = { ip: 40, login: 20 }
const JWT = /eyJ[A-Za-z0-9_-]{10,}\./

const log = (line) => process.stdout.write(`[soak] ${line}\n`)

// ---- build: the Worker behind a soak-only KV wrapper, the emulator, the authenticator ------------

await mkdir(OUT, { recursive: true })
// The wrapper takes `/__soak/kv` to set a failure rate; everything else goes to the real Worker
// with a TRANSACTIONS binding that throws on the chosen operations. One wrapped env per env, so
// the Worker's config cache (per env object) still works.
await writeFile(
  join(OUT, 'entry-source.js'),
  `import worker from '../../src/index.ts'
let fault = { rate: 0, ops: [] }
const wrapped = new WeakMap()
function wrap(env) {
  if (!wrapped.has(env)) {
    const kv = new Proxy(env.TRANSACTIONS, { get(target, op) {
      const value = Reflect.get(target, op)
      if (typeof value !== 'function') return value
      return (...args) => fault.ops.includes(op) && Math.random() < fault.rate
        ? Promise.reject(new Error('KV ' + op.toUpperCase() + ' failed: 429 Too Many Requests'))
        : value.apply(target, args)
    } })
    wrapped.set(env, { ...env, TRANSACTIONS: kv })
  }
  return wrapped.get(env)
}
export default { async fetch(request, env, ctx) {
  if (new URL(request.url).pathname === '/__soak/kv') { fault = await request.json(); return new Response('ok') }
  return worker.fetch(request, wrap(env), ctx)
} }
`
)
await bundleWorker('.wrangler/soak/entry-source.js', join(OUT, 'entry.js'))
const emulatorBundle = await bundleEmulator(join(OUT, 'emulator.js'))
await build({
  entryPoints: [join(ROOT, 'test/support/authenticator.ts')],
  outfile: join(OUT, 'authenticator.mjs'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
})
const { SoftwareAuthenticator } = await import(join(OUT, 'authenticator.mjs'))

// ---- serve ------------------------------------------------------------------------------------

const logLines = []
const { Miniflare, Log, LogLevel } = await loadMiniflare()
const edgeOptions = (name, projectId, limits) => ({
  name,
  modules: true,
  scriptPath: join(OUT, 'entry.js'),
  modulesRoot: OUT,
  compatibilityDate: COMPATIBILITY_DATE,
  bindings: {
    DESCOPE_PROJECT_ID: projectId,
    DESCOPE_BASE_URL: EMULATOR_BASE,
    ALLOWED_ORIGINS: ORIGIN,
    DESCOPE_TIMEOUT_MS: '1000',
    RATE_LIMITS: 'required',
  },
  kvNamespaces: ['TRANSACTIONS'],
  ratelimits: {
    RATE_LIMIT_IP: { namespace_id: `${name}-ip`, simple: { limit: limits.ip, period: 60 } },
    RATE_LIMIT_LOGIN_ID: { namespace_id: `${name}-login`, simple: { limit: limits.login, period: 60 } },
  },
  outboundService: 'emulator',
  unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
})
const mf = new Miniflare({
  host: '127.0.0.1',
  port: 0,
  cf: false,
  log: new Log(LogLevel.WARN),
  // Every line the Workers log (workerd's structured logs) is kept and scanned for secrets at the end.
  handleStructuredLogs({ message }) {
    logLines.push(...message.split('\n').filter(Boolean))
  },
  workers: [
    edgeOptions('edge', PROJECT, LIMITS),
    edgeOptions('edge-jwks', JWKS_PROJECT, { ip: 100000, login: 100000 }),
    {
      name: 'emulator',
      modules: true,
      scriptPath: emulatorBundle,
      modulesRoot: dirname(emulatorBundle),
      compatibilityDate: COMPATIBILITY_DATE,
      durableObjects: EMULATOR_DURABLE_OBJECTS,
      unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
    },
  ],
})
const watchdog = setTimeout(
  () => {
    log('deadline passed: stopping')
    finish(2)
  },
  DEADLINE - Date.now() + 10_000
)
await mf.ready
const url = {}
for (const name of ['edge', 'edge-jwks', 'emulator']) url[name] = (await mf.unsafeGetDirectURL(name)).href.replace(/\/$/, '')
for (const [name, value] of Object.entries(url)) if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(value)) throw new Error(`not loopback: ${name} ${value}`)
log(`workerd up: edge ${url.edge}, emulator ${url.emulator}`)

// ---- the client ---------------------------------------------------------------------------------

const figures = {
  sent: 0,
  answered: 0,
  failedToAnswer: 0,
  statuses: {},
  latencies: [],
  faultsInjected: {},
  replay: { transactions: 0, parallelAccepted: 0, parallelExtraAccepted: 0, sequentialAccepted: 0 },
  finishes: { legitimateOk: 0, sessionCookies: 0, wrongSessionCount: 0 },
  refreshes: { ok: 0, refused: 0, failedWithoutFault: 0 },
  signOuts: { ok: 0, oldRefreshAccepted: 0 },
  serverErrors: 0,
  unexplained5xx: 0,
  limits: {},
  jwks: {},
}
let open = 0
let faultActive = false
const secrets = new Set()
const keep = (value) => typeof value === 'string' && value.length >= 12 && secrets.add(value)

/** One request to a Worker, with a timeout; counts everything. */
async function call(base, path, { method = 'POST', body, jar, headers = {} } = {}) {
  const sent = { ...headers }
  if (method === 'POST') Object.assign(sent, { 'Content-Type': 'application/json', Origin: ORIGIN })
  if (jar?.size) sent.Cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ')
  figures.sent++
  open++
  const started = performance.now()
  try {
    const response = await fetch(base + path, {
      method,
      headers: sent,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    })
    const text = await response.text()
    figures.answered++
    figures.latencies.push(performance.now() - started)
    figures.statuses[response.status] = (figures.statuses[response.status] ?? 0) + 1
    if (response.status === 500) figures.serverErrors++
    if (response.status >= 500 && !faultActive) figures.unexplained5xx++
    const cookies = response.headers.getSetCookie()
    for (const line of cookies) {
      const [pair] = line.split(';')
      const at = pair.indexOf('=')
      const name = pair.slice(0, at)
      const value = decodeURIComponent(pair.slice(at + 1))
      keep(value)
      if (jar) /Max-Age=0/i.test(line) || !value ? jar.delete(name) : jar.set(name, value)
    }
    let json
    try {
      json = JSON.parse(text)
    } catch {}
    keep(json?.transactionId)
    return { status: response.status, json, cookies }
  } catch (error) {
    figures.failedToAnswer++
    return { status: 0, error }
  } finally {
    open--
  }
}

const ip = () => `198.18.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`
const newLoginId = () => `soak-${crypto.randomUUID().slice(0, 10)}@example.com`

/** A legitimate user's browser: its IP, cookie jar and authenticator. */
function browser(authenticator = new SoftwareAuthenticator()) {
  return { ip: ip(), jar: new Map(), authenticator }
}
const headersOf = (b) => ({ 'CF-Connecting-IP': b.ip })

/** Counts the session cookies of a successful finish: exactly one __Host-DS per legitimate finish. */
function countFinish(result) {
  if (result.status !== 200) return
  figures.finishes.legitimateOk++
  const sessions = result.cookies.filter((line) => /^__Host-DS=[^;]+/.test(line)).length
  figures.finishes.sessionCookies += sessions
  if (sessions !== 1) figures.finishes.wrongSessionCount++
}

async function signUp(b, loginId = newLoginId()) {
  keep(loginId)
  const start = await call(url.edge, '/auth/passkey/signup/start', { body: { loginId }, jar: b.jar, headers: headersOf(b) })
  if (start.status !== 200) return undefined
  const response = await b.authenticator.create(start.json.options, ORIGIN)
  const finish = await call(url.edge, '/auth/passkey/signup/finish', {
    body: { transactionId: start.json.transactionId, response },
    jar: b.jar,
    headers: headersOf(b),
  })
  countFinish(finish)
  return finish.status === 200 ? loginId : undefined
}

async function prepareSignIn(b, loginId) {
  const start = await call(url.edge, '/auth/passkey/signin/start', { body: { loginId }, jar: b.jar, headers: headersOf(b) })
  if (start.status !== 200) return undefined
  try {
    return { transactionId: start.json.transactionId, response: await b.authenticator.get(start.json.options, ORIGIN) }
  } catch {
    return undefined
  }
}

async function signIn(b, loginId) {
  const prepared = await prepareSignIn(b, loginId)
  if (!prepared) return
  countFinish(await call(url.edge, '/auth/passkey/signin/finish', { body: prepared, jar: b.jar, headers: headersOf(b) }))
}

async function protectedCall(b) {
  const path = ['/api/hello', '/auth/session', '/api/hello', '/auth/me'][Math.floor(Math.random() * 4)]
  await call(url.edge, path, { method: 'GET', jar: b.jar, headers: headersOf(b) })
}

/** An edge refresh with the browser's refresh cookie (no session cookie: as after 10 minutes). */
async function refresh(b) {
  if (!b.jar.has('__Host-DSR')) return
  const calm = !faultActive
  const jar = new Map(b.jar)
  jar.delete('__Host-DS')
  const result = await call(url.edge, '/auth/refresh', { jar, headers: headersOf(b) })
  if (result.status === 200) {
    figures.refreshes.ok++
    b.jar.set('__Host-DS', jar.get('__Host-DS'))
  } else if (result.status === 401) figures.refreshes.refused++
  else if (calm && !faultActive) figures.refreshes.failedWithoutFault++
}

/** Signs the browser out at Descope, checks its old refresh token is refused, and signs it in again. */
async function signOutAndIn(user) {
  const old = user.b.jar.get('__Host-DSR')
  if (!old) return
  const calm = !faultActive
  const result = await call(url.edge, '/auth/logout', { jar: user.b.jar, headers: headersOf(user.b) })
  if (result.status === 200) {
    figures.signOuts.ok++
    const again = await call(url.edge, '/auth/refresh', { jar: new Map([['__Host-DSR', old]]), headers: headersOf(user.b) })
    if (calm && !faultActive && again.status === 200) figures.signOuts.oldRefreshAccepted++
  }
  await signIn(user.b, user.loginId)
}

/** `CONCURRENCY` workers doing a mixed load until `seconds` have passed. */
async function mixedLoad(users, seconds) {
  const until = Math.min(Date.now() + seconds * 1000, DEADLINE)
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < until) {
        const dice = Math.random()
        const user = users[Math.floor(Math.random() * users.length)]
        if (dice < 0.2) {
          const b = browser()
          const loginId = await signUp(b)
          if (loginId && users.length < 200) users.push({ loginId, b })
        } else if (dice < 0.5) await signIn(browser(user.b.authenticator), user.loginId)
        else if (dice < 0.65) await refresh(user.b)
        else if (dice < 0.68) await signOutAndIn(user)
        else await protectedCall(user.b)
      }
    })
  )
}

async function emulator(projectId, method, path, body) {
  const response = await fetch(`${url.emulator}/emulator/${projectId}${path}`, {
    method,
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  })
  return response.json()
}

async function injectFault(projectId, name, fault) {
  figures.faultsInjected[name] = (figures.faultsInjected[name] ?? 0) + 1
  await emulator(projectId, 'DELETE', '/faults')
  await emulator(projectId, 'POST', '/faults', fault)
}

// ---- phases -------------------------------------------------------------------------------------

let exitCode = 0
try {
  const phaseTimes = {}
  const phase = async (name, run) => {
    const started = Date.now()
    log(`phase ${name}`)
    await run()
    phaseTimes[name] = `${((Date.now() - started) / 1000).toFixed(1)} s`
  }

  const users = []
  await phase('setup', async () => {
    for (let index = 0; index < 12; index++) {
      const b = browser()
      const loginId = await signUp(b)
      if (loginId) users.push({ loginId, b })
    }
    if (users.length === 0) throw new Error('no user could sign up')
  })

  await phase('steady', () => mixedLoad(users, PHASE_SECONDS * 2))

  await phase('replay', async () => {
    for (let index = 0; index < 30; index++) {
      const user = users[index % users.length]
      const b = browser(user.b.authenticator)
      const prepared = await prepareSignIn(b, user.loginId)
      if (!prepared) continue
      figures.replay.transactions++
      const jar = new Map(b.jar)
      const parallel = await Promise.all(
        Array.from({ length: 5 }, () => call(url.edge, '/auth/passkey/signin/finish', { body: prepared, jar: new Map(jar), headers: headersOf(b) }))
      )
      const accepted = parallel.filter((result) => result.status === 200)
      figures.replay.parallelAccepted += accepted.length
      figures.replay.parallelExtraAccepted += Math.max(0, accepted.length - 1)
      for (const result of accepted) countFinish(result)
      for (let again = 0; again < 5; again++) {
        const result = await call(url.edge, '/auth/passkey/signin/finish', { body: prepared, jar: new Map(jar), headers: headersOf(b) })
        if (result.status === 200) figures.replay.sequentialAccepted++
      }
    }
  })

  await phase('faults', async () => {
    const carousel = [
      ['latency 300 ms', { route: '*', latencyMs: 300 }],
      ['5xx', { route: '*', status: 503, body: { errorCode: 'E000503', errorDescription: 'down' } }],
      ['429', { route: '*', status: 429, headers: { 'Retry-After': '3' }, body: { errorCode: 'E130429' } }],
      ['garbage', { route: '*', status: 200, body: '<html>garbage</html>' }],
      ['reset', { route: '*', reset: true }],
      ['timeout (latency 1.5 s > 1 s)', { route: '*', latencyMs: 1500 }],
      ['500', { route: '*', status: 500, body: { errorCode: 'E000500' } }],
    ]
    faultActive = true
    const load = mixedLoad(users, PHASE_SECONDS * 1.5)
    const until = Date.now() + PHASE_SECONDS * 1500
    for (let index = 0; Date.now() < until; index++) {
      const [name, fault] = carousel[index % carousel.length]
      await injectFault(PROJECT, name, { ...fault, route: fault.route === '*' ? '*' : fault.route })
      await new Promise((resolve) => setTimeout(resolve, 1500))
    }
    await load
    await emulator(PROJECT, 'DELETE', '/faults')
    faultActive = false
  })

  await phase('jwks', async () => {
    // A cold Worker (its own project, never called yet) takes bursts while the JWKS fails.
    const now = Math.floor(Date.now() / 1000)
    const good = (await emulator(JWKS_PROJECT, 'POST', '/sign', { payload: { sub: 'U1', iss: JWKS_PROJECT, iat: now, exp: now + 600, drn: 'DS' } })).jwt
    const bad = (await emulator(JWKS_PROJECT, 'POST', '/sign', { payload: { sub: 'U1', iss: JWKS_PROJECT, iat: now, exp: now + 600, drn: 'DSR' } })).jwt
    keep(good)
    keep(bad)
    const burst = async (label, count = 100) => {
      const results = await Promise.all(
        Array.from({ length: count }, (_, index) =>
          call(url['edge-jwks'], '/api/hello', { method: 'GET', headers: { Authorization: `Bearer ${index % 5 === 0 ? bad : good}` } }).then((result) => ({
            result,
            bad: index % 5 === 0,
          }))
        )
      )
      const summary = {}
      for (const { result, bad: isBad } of results) {
        const key = `${isBad ? 'refresh-as-session' : 'valid'} ${result.status}`
        summary[key] = (summary[key] ?? 0) + 1
        if (isBad && result.status === 200) figures.jwks.badTokenAccepted = (figures.jwks.badTokenAccepted ?? 0) + 1
      }
      figures.jwks[label] = summary
    }
    faultActive = true
    for (const [name, fault] of [
      ['jwks 500', { route: 'GET /v2/keys', status: 500 }],
      ['jwks garbage', { route: 'GET /v2/keys', status: 200, body: '{"keys":[null]}' }],
      ['jwks reset', { route: 'GET /v2/keys', reset: true }],
      ['jwks slow 3.5 s', { route: 'GET /v2/keys', latencyMs: 3500 }],
    ]) {
      await injectFault(JWKS_PROJECT, name, fault)
      await burst(`cold, ${name}`)
      // After a failed fetch the key store waits 5 s before the next one (src/keys/key-store.ts).
      await new Promise((resolve) => setTimeout(resolve, 5_200))
    }
    await emulator(JWKS_PROJECT, 'DELETE', '/faults')
    await burst('recovered')
    await injectFault(JWKS_PROJECT, 'jwks 500 (warm)', { route: 'GET /v2/keys', status: 500 })
    await burst('warm, jwks 500')
    await emulator(JWKS_PROJECT, 'DELETE', '/faults')
    faultActive = false
    figures.jwks.fetches = (await emulator(JWKS_PROJECT, 'GET', '/calls')).calls['GET /v2/keys'] ?? 0
  })

  await phase('kv', async () => {
    faultActive = true
    figures.faultsInjected['KV get/put/delete throw 20%'] = 1
    await fetch(`${url.edge}/__soak/kv`, { method: 'POST', body: JSON.stringify({ rate: 0.2, ops: ['get', 'put', 'delete'] }) })
    await mixedLoad(users, PHASE_SECONDS)
    await fetch(`${url.edge}/__soak/kv`, { method: 'POST', body: JSON.stringify({ rate: 0, ops: [] }) })
    faultActive = false
  })

  await phase('limits', async () => {
    // Wait out the end of a 60 s window so the flood is counted in one window.
    const left = 60_000 - (Date.now() % 60_000)
    if (left < 4_000) await new Promise((resolve) => setTimeout(resolve, left + 100))
    const flood = async (label, make) => {
      const statuses = {}
      for (let index = 0; index < 60; index++) {
        const { path, body, headers } = make(index)
        const result = await call(url.edge, path, { body, headers })
        statuses[result.status] = (statuses[result.status] ?? 0) + 1
      }
      figures.limits[label] = statuses
    }
    const attacker = `203.0.113.${Math.floor(Math.random() * 250)}`
    await flood(`one IP, 60 starts (limit ${LIMITS.ip}/60 s)`, () => ({
      path: '/auth/passkey/signin/start',
      body: { loginId: newLoginId() },
      headers: { 'CF-Connecting-IP': attacker },
    }))
    const victim = newLoginId()
    keep(victim)
    await flood(`one login ID from 60 IPs (limit ${LIMITS.login}/60 s)`, (index) => ({
      path: `/auth/passkey/${index % 2 ? 'signin' : 'signup-in'}/start`,
      body: { loginId: index % 3 ? victim.toUpperCase() : victim },
      headers: { 'CF-Connecting-IP': ip() },
    }))
  })

  // ---- figures --------------------------------------------------------------------------------
  const calls = await emulator(PROJECT, 'GET', '/calls')
  const sorted = [...figures.latencies].sort((a, b) => a - b)
  const pct = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))].toFixed(1) : 'n/a')
  await new Promise((resolve) => setTimeout(resolve, 300))
  const logText = logLines.join('\n')
  const leaked = [...secrets].filter((secret) => logText.includes(secret)).length + (JWT.test(logText) ? 1 : 0)
  const report = {
    date: new Date().toISOString(),
    machine: `${cpus().length} cores (${cpus()[0]?.model.trim()}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`,
    phases: phaseTimes,
    requests: { sent: figures.sent, answered: figures.answered, noAnswer: figures.failedToAnswer, stillOpen: open },
    statuses: figures.statuses,
    latencyMs: { p50: pct(50), p95: pct(95), p99: pct(99) },
    upstreamCalls: calls.calls,
    faultsInjected: figures.faultsInjected,
    replays: figures.replay,
    sessions: { ...figures.finishes, perLegitimateFinish: figures.finishes.legitimateOk ? figures.finishes.sessionCookies / figures.finishes.legitimateOk : 0 },
    refreshes: figures.refreshes,
    signOuts: figures.signOuts,
    jwks: figures.jwks,
    rateLimits: figures.limits,
    serverErrors: { status500: figures.serverErrors, fiveHundredsWithoutFault: figures.unexplained5xx },
    logs: { linesScanned: logLines.length, secretsWatched: secrets.size, secretsFound: leaked },
  }
  console.log(JSON.stringify(report, null, 2))
  const broken = [
    open !== 0 && 'requests still open',
    figures.failedToAnswer !== 0 && 'requests without an answer',
    figures.serverErrors !== 0 && 'HTTP 500 answers',
    figures.unexplained5xx !== 0 && '5xx without an injected fault',
    figures.replay.sequentialAccepted !== 0 && 'sequential replays accepted',
    figures.finishes.wrongSessionCount !== 0 && 'a finish minted other than one session',
    figures.refreshes.ok === 0 && 'no edge refresh succeeded',
    figures.refreshes.failedWithoutFault !== 0 && 'a refresh failed without an injected fault',
    figures.signOuts.ok === 0 && 'no sign-out succeeded',
    figures.signOuts.oldRefreshAccepted !== 0 && 'a signed-out refresh token refreshed',
    figures.jwks.badTokenAccepted && 'a refresh token accepted as a session',
    leaked !== 0 && 'secrets in logs',
  ].filter(Boolean)
  if (broken.length) {
    log(`FAILED: ${broken.join(', ')}`)
    exitCode = 1
  } else log('all invariants held')
} catch (error) {
  log(`error: ${error.stack ?? error}`)
  exitCode = 1
}
await finish(exitCode)

async function finish(code) {
  clearTimeout(watchdog)
  await mf.dispose().catch(() => {})
  process.exit(code)
}
