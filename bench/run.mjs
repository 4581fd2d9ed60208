#!/usr/bin/env node
/**
 * @module
 * `npm run bench [-- --check] [-- --seconds 5 --rounds 3 --connections 16]`
 *
 * Builds the production Worker and the peer Workers, serves them and the Descope emulator in
 * plain workerd on 127.0.0.1, runs bounded, interleaved load rounds and in-isolate probes, prints
 * a table and writes `bench/results/latest.json` and `latest.md`. With `--check`, exits 1 when one
 * of issue 6's targets is missed. Every target is a ratio or a count from this same run; absolute
 * numbers are printed, never asserted. See bench/README.md.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { cpus, loadavg, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { emulatorControl } from '../test/support/emulator-control.mjs'
import { ROOT, buildEmulator, buildForNode, buildWorkers, clientSize, exists } from './lib/build.mjs'
import { bundleWorker } from '../scripts/lib/workerd.mjs'
import { SAMPLES as COLD_SAMPLES, coldBundles, coldHarnessWorker, coldIsolates } from './lib/cold.mjs'
import { burst, load } from './lib/load.mjs'
import { STREAM_LENGTH, USERS, ZIPF_S, memoryCurve, streamProbe, streamSigner, streamTokens } from './lib/many-users.mjs'
import { rememberedBytes } from './lib/remembered-bytes.mjs'
import { joseInNode } from './lib/node-jose.mjs'
import { proxyOverhead } from './lib/proxy.mjs'
import { checkTargets, markdown, table, versions } from './lib/report.mjs'
import { EMULATOR_BASE, ORIGIN, projectIdFor, sessionClaims, startStack } from './lib/stack.mjs'

const { values: args } = parseArgs({
  options: {
    check: { type: 'boolean', default: false },
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '16' },
    // Development only: serve another emulator bundle (plain JS module Worker).
    'emulator-script': { type: 'string' },
    // Development only: measure some parts (comma-separated: verify, load, flood, users, cold, proxy).
    only: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
})
const SECONDS = Number(args.seconds)
const ROUNDS = Number(args.rounds)
const CONNECTIONS = Number(args.connections)
const FLOOD_SECONDS = 3
/** jose's and the design's re-fetch cooldown on an unknown `kid`. */
const COOLDOWN_SECONDS = 30
const VERIFY_N = 2000
/** The sign-in row's second run: each KV call waits this long first (an I/O wait, not CPU). */
const REMOTE_KV_MS = 20
/** Paired rounds of the many-users row, at least. */
const USERS_MIN_ROUNDS = 5
const FRESH_TOKENS = 1000
const OUT = join(ROOT, '.wrangler/bench')
const ONLY = args.only ? new Set(args.only.split(',')) : undefined
/** Whether a part of the run is measured (all of them unless `--only` names some). */
const measuring = (part) => !ONLY || ONLY.has(part)
const HARD_LIMIT_MS = 9 * 60_000

/** The peer Workers (bench/workers/*.ts); `ours` is the production bundle from wrangler.jsonc. */
const PEERS = [
  { name: 'open', main: 'bench/workers/open.ts' },
  { name: 'floor', main: 'bench/workers/floor.ts' },
  { name: 'jose', main: 'bench/workers/jose.ts' },
  { name: 'node-sdk', main: 'bench/workers/node-sdk.ts', flags: ['nodejs_compat'] },
  { name: 'hono-jwk', main: 'bench/workers/hono-jwk.ts' },
  { name: 'ours-probe', main: 'bench/workers/ours-probe.ts' },
  // Cold-isolate rows only: the package's session check alone, in the peers' Hono app.
  { name: 'ours-session', main: 'bench/workers/ours-session.ts' },
  // Cold-isolate reference only: the open route plus the harness's two hops that ours makes.
  { name: 'open-hops', main: 'bench/workers/open-hops.ts' },
]

/**
 * The sign-in row's reference (bench/README.md, "Sign-in latency"): the least a KV-backed,
 * single-use sign-in proxy must do. Not a peer: it serves no protected route and has no cold row.
 */
const SIGNIN_FLOOR = { name: 'signin-floor', main: 'bench/workers/signin-floor.ts' }

/** The load routes, in table order. `worker` serves it; `token` is where the session token goes. */
const ROUTES = [
  { id: 'open', label: 'open route (no auth)', worker: 'open', token: 'none' },
  { id: 'floor', label: '`crypto.subtle.verify` RS256, cached key (floor)', worker: 'floor', token: 'header' },
  { id: 'jose', label: 'jose + `createRemoteJWKSet`', worker: 'jose', token: 'header' },
  { id: 'node-sdk', label: '@descope/node-sdk `validateSession` (nodejs_compat)', worker: 'node-sdk', token: 'header' },
  { id: 'hono-jwk', label: 'Hono `jwk` with `jwks_uri`', worker: 'hono-jwk', token: 'header' },
  { id: 'ours-header', label: 'ours: `GET /api/hello`, Bearer token', worker: 'ours', token: 'header' },
  { id: 'ours-cookie', label: 'ours: `GET /api/hello`, `__Host-DS` cookie', worker: 'ours', token: 'cookie' },
]
const PROTECTED = ['floor', 'jose', 'node-sdk', 'hono-jwk', 'ours']

const log = (...parts) => process.stderr.write(`[bench] ${parts.join(' ')}\n`)
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** One route's rounds of load: medians of rate, latency and CPU, totals of requests and failures. */
function summary(list) {
  return {
    rps: median(list.map((r) => r.rps)),
    p50: median(list.map((r) => r.p50)),
    p99: median(list.map((r) => r.p99)),
    serverCpuUsPerRequest: list[0].cpuUs === undefined ? undefined : median(list.map((r) => r.cpuUs)),
    requests: list.reduce((sum, r) => sum + r.requests, 0),
    non2xx: list.reduce((sum, r) => sum + r.non2xx, 0),
    errors: list.reduce((sum, r) => sum + r.errors, 0),
    rounds: list.map((r) => Math.round(r.rps)),
  }
}

async function main() {
  const started = Date.now()
  const watchdog = setTimeout(() => {
    log(`gave up after ${HARD_LIMIT_MS / 60_000} minutes`)
    process.exit(2)
  }, HARD_LIMIT_MS)
  watchdog.unref()

  await rm(OUT, { recursive: true, force: true })
  await mkdir(OUT, { recursive: true })
  log('building: wrangler deploy --dry-run for each Worker, esbuild for the emulator and the cold-isolate harness')
  const [bundles, emulatorScript, coldHarness] = await Promise.all([
    buildWorkers(OUT, [...PEERS, SIGNIN_FLOOR]),
    args['emulator-script'] ?? buildEmulator(OUT),
    bundleWorker('bench/workers/cold.ts', join(OUT, 'cold-harness.js')),
  ])

  const projects = Object.fromEntries(
    ['open', 'open-hops', ...PROTECTED, 'ours-probe', 'ours-session', 'zipf', 'cold'].map((name) => [name, projectIdFor(name)])
  )
  const peerBindings = (name, project = name) => ({ PROJECT_ID: projects[project], DESCOPE_BASE_URL: EMULATOR_BASE })
  // Many users: their tokens are signed in Node; these Workers fetch that key set instead of the emulator's.
  const signer = await streamSigner(OUT)
  const manyUsersKeys = { outboundService: signer.keysWorker.name }
  const ourBindings = (name) => ({
    DESCOPE_PROJECT_ID: projects[name],
    DESCOPE_BASE_URL: EMULATOR_BASE,
    ALLOWED_ORIGINS: ORIGIN,
    // As deployed (wrangler.jsonc): the rate limiters are bound and required. Their limits here are
    // far above what the bench sends, so that a sign-in row pays for the limiter call, never a 429.
    RATE_LIMITS: 'required',
  })
  const ourLimits = {
    ratelimits: {
      RATE_LIMIT_IP: { namespace_id: '9901', simple: { limit: 1_000_000, period: 60 } },
      RATE_LIMIT_LOGIN_ID: { namespace_id: '9902', simple: { limit: 1_000_000, period: 60 } },
    },
  }
  const coldCode = await coldBundles(
    bundles,
    PEERS.filter((peer) => peer.name !== 'ours-probe'),
    { projects, emulatorBase: EMULATOR_BASE, origin: ORIGIN }
  )
  const workers = [
    ...PEERS.filter((peer) => peer.name !== 'ours-probe').map((peer) => ({
      name: peer.name,
      scriptPath: bundles[peer.name].scriptPath,
      flags: peer.flags,
      bindings: peerBindings(peer.name),
    })),
    { name: 'ours', scriptPath: bundles.ours.scriptPath, bindings: ourBindings('ours'), kv: ['TRANSACTIONS'], extra: ourLimits },
    { name: 'ours-probe', scriptPath: bundles['ours-probe'].scriptPath, bindings: ourBindings('ours-probe'), kv: ['TRANSACTIONS'] },
    // A second isolate of the same Worker (same project, same KV namespace): a sign-in whose
    // finish lands elsewhere than its start.
    { name: 'ours-probe-b', scriptPath: bundles['ours-probe'].scriptPath, bindings: ourBindings('ours-probe'), kv: ['TRANSACTIONS'] },
    // The sign-in floor, twice likewise, on the project (its user) and the KV namespace of ours-probe.
    ...['signin-floor', 'signin-floor-b'].map((name) => ({
      name,
      scriptPath: bundles[SIGNIN_FLOOR.name].scriptPath,
      bindings: peerBindings(name, 'ours-probe'),
      kv: ['TRANSACTIONS'],
    })),
    // Many users: the floor and ours on one project, so that one token stream serves both.
    signer.keysWorker,
    { name: 'floor-zipf', scriptPath: bundles.floor.scriptPath, bindings: peerBindings('floor-zipf', 'zipf'), extra: manyUsersKeys },
    { name: 'ours-zipf', scriptPath: bundles.ours.scriptPath, bindings: ourBindings('zipf'), kv: ['TRANSACTIONS'], extra: { ...manyUsersKeys, ...ourLimits } },
    {
      name: 'ours-probe-zipf',
      scriptPath: bundles['ours-probe'].scriptPath,
      bindings: ourBindings('zipf'),
      kv: ['TRANSACTIONS'],
      // No limiter binding: the probe brings its own (workers/local-limiter.ts).
      extra: manyUsersKeys,
    },
    coldHarnessWorker(coldHarness, coldCode),
  ]
  log('starting workerd (Miniflare, 127.0.0.1 only)')
  const stack = await startStack({ emulatorScript, workers })
  const results = { notes: [] }
  if (process.env.BENCH_DEBUG) log(JSON.stringify(stack.urls))
  try {
    await measure(stack, projects, results, signer, Object.keys(coldCode))
  } finally {
    await stack.dispose()
  }

  log('jose in plain Node, one core')
  results.nodeJose = await joseInNode(1000)
  results.bundles = Object.fromEntries(
    Object.entries(bundles).map(([name, bundle]) => [name, { bytes: bundle.bytes, gzipBytes: bundle.gzipBytes, parts: bundle.parts }])
  )
  results.client = await clientSize()
  results.meta = {
    date: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      loadAverageAtEnd: loadavg().map((load) => Math.round(load * 100) / 100),
    },
    versions: await versions(),
    load: { tool: 'autocannon', connections: CONNECTIONS, seconds: SECONDS, rounds: ROUNDS, floodSeconds: FLOOD_SECONDS },
    runSeconds: Math.round((Date.now() - started) / 1000),
  }
  results.checks = checkTargets(results)

  process.stdout.write(`${table(results)}\n`)
  if (!args['no-write']) {
    await mkdir(join(ROOT, 'bench/results'), { recursive: true })
    await writeFile(join(ROOT, 'bench/results/latest.json'), `${JSON.stringify(results, null, 2)}\n`)
    await writeFile(join(ROOT, 'bench/results/latest.md'), markdown(results))
    await updateReadme(markdown(results))
    log('wrote bench/results/latest.json, latest.md and the table in bench/README.md')
  }
  const missed = results.checks.filter((check) => !check.pass)
  if (args.check && missed.length > 0) {
    log(`--check: ${missed.length} target(s) missed: ${missed.map((check) => check.name).join('; ')}`)
    process.exitCode = 1
  }
}

/** Everything measured against the running stack. */
async function measure(stack, projects, results, signer, coldWorkers) {
  const { urls } = stack
  // The emulator's test-control API per project, over its direct loopback socket.
  const emulator = (projectId) => emulatorControl(projectId, urls.emulator, { fetch: fetchRetry })
  const now = Math.floor(Date.now() / 1000)
  const claims = (projectId, i = 0) => sessionClaims(projectId, now, i)
  const tokens = {}
  for (const name of [...PROTECTED, 'ours-probe']) tokens[name] = await emulator(projects[name]).sign(claims(projects[name]))
  const headersFor = (route, token) =>
    route.token === 'none' ? {} : route.token === 'cookie' ? { Cookie: `__Host-DS=${token}` } : { Authorization: `Bearer ${token}` }
  const urlFor = (route) => `${urls[route.worker]}/api/hello`

  // 1. Cold burst: 16 simultaneous first requests per Worker, before anything warmed a key cache.
  log('cold burst of 16 per Worker')
  results.coldBurst = {}
  for (const name of PROTECTED) await emulator(projects[name]).resetCalls()
  for (const name of PROTECTED) {
    const route = ROUTES.find((candidate) => candidate.worker === name)
    const statuses = await burst({ url: urlFor(route), count: 16, headers: headersFor(route, tokens[name]) })
    const fetches = await emulator(projects[name]).count('GET /v2/keys')
    results.coldBurst[name] = { fetches, ok: statuses.filter((status) => status === 200).length, of: statuses.length }
    if (results.coldBurst[name].ok !== 16) results.notes.push(`cold burst on ${name}: only ${results.coldBurst[name].ok}/16 answered 200`)
  }

  // Every route must answer 200 before it is timed: a 401 is fast and would flatter it.
  for (const route of ROUTES) {
    const token = tokens[route.worker]
    const response = await fetch(urlFor(route), { headers: headersFor(route, token) })
    await response.arrayBuffer()
    if (response.status !== 200) throw new Error(`${route.id}: GET /api/hello answered ${response.status}, not 200`)
  }

  if (measuring('verify')) await verifyCosts()
  if (measuring('load')) await loadRounds()
  if (measuring('flood')) await flood()
  if (measuring('users')) await manyUsers()
  if (measuring('cold')) await cold()
  // 5. Proxy overhead of a sign-in (start + finish), when the passkey routes and authenticator exist.
  if (measuring('proxy')) {
    log('sign-in proxy overhead')
    results.proxy = await proxyOverhead({ urls, projectId: projects['ours-probe'], outdir: OUT, buildForNode, exists, cpuNs: stack.cpuNs })
    if (results.proxy.skipped) results.notes.push(`proxy overhead skipped: ${results.proxy.skipped}`)
    // The same with KV a network round trip away: Miniflare's KV works in this process, so its
    // time is CPU that a sign-in competes with whether it waits for it or not (bench/README.md).
    log(`sign-in proxy overhead, each KV call ${REMOTE_KV_MS} ms away`)
    results.proxyRemoteKv = await proxyOverhead({
      urls,
      projectId: projects['ours-probe'],
      outdir: OUT,
      buildForNode,
      exists,
      cpuNs: stack.cpuNs,
      kvDelayMs: REMOTE_KV_MS,
    })
  }

  // 2. In-isolate µs per verification: reused token (as one client sends it), then fresh tokens.
  async function verifyCosts() {
    log('in-isolate verification cost')
    results.verify = {}
    const probeOf = (name) => (name === 'ours' ? 'ours-probe' : name)
    for (const name of PROTECTED) {
      const probe = probeOf(name)
      const runs = []
      for (let i = 0; i < 3; i++)
        runs.push(await verifyProbe(`${urls[probe]}/__bench/verify?n=${VERIFY_N}`, { headers: { Authorization: `Bearer ${tokens[probe]}` } }))
      results.verify[name] = { reusedToken: median(runs) }
    }
    {
      const runs = []
      for (let i = 0; i < 3; i++)
        runs.push(await verifyProbe(`${urls['ours-probe']}/__bench/verify?n=${VERIFY_N}`, { headers: { Cookie: `__Host-DS=${tokens['ours-probe']}` } }))
      results.verify.ours.reusedCookie = median(runs)
    }
    // Fresh tokens: a token cache cannot help, so this is the full check. Ours remembers verified
    // tokens, so each of its three runs gets its own set; the peers remember nothing.
    for (const name of ['floor', 'jose', 'ours']) {
      const probe = probeOf(name)
      const runs = []
      let list
      for (let run = 0; run < 3; run++) {
        if (!list || name === 'ours') list = await signMany(emulator(projects[probe]), FRESH_TOKENS, (i) => claims(projects[probe], run * FRESH_TOKENS + i + 1))
        runs.push(
          await verifyProbe(`${urls[probe]}/__bench/verify?n=${list.length - 1}`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ tokens: list }),
          })
        )
      }
      results.verify[name].freshTokens = median(runs)
    }

    // Where ours spends a fresh check's time (jose alone, our verifier, our verifier remembering).
    {
      const list = await signMany(emulator(projects['ours-probe']), FRESH_TOKENS, (i) => claims(projects['ours-probe'], 10 * FRESH_TOKENS + i + 1))
      const response = await fetchRetry(`${urls['ours-probe']}/__bench/breakdown`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ tokens: list }),
      })
      if (response.ok) results.verify.ours.breakdown = await response.json()
      else results.notes.push(`breakdown of our check failed: ${response.status} ${await response.text()}`)
    }
  }

  // 3. Throughput and latency: a warm-up, then interleaved rounds (order rotated each round).
  async function loadRounds() {
    log(`load: ${ROUTES.length} routes x ${ROUNDS} rounds x ${SECONDS}s, ${CONNECTIONS} connections`)
    for (const route of ROUTES) await load({ url: urlFor(route), connections: CONNECTIONS, seconds: 1, headers: headersFor(route, tokens[route.worker]) })
    for (const name of PROTECTED) await emulator(projects[name]).resetCalls()
    const rounds = Object.fromEntries(ROUTES.map((route) => [route.id, []]))
    for (let round = 0; round < ROUNDS; round++) {
      const order = ROUTES.map((_, i) => ROUTES[(i + round * 3) % ROUTES.length])
      for (const route of order) {
        const cpuBefore = await stack.cpuMs()
        const result = await load({ url: urlFor(route), connections: CONNECTIONS, seconds: SECONDS, headers: headersFor(route, tokens[route.worker]) })
        const cpuAfter = await stack.cpuMs()
        // workerd's CPU per request, the emulator included (it runs in the same process).
        result.cpuUs = cpuBefore === undefined ? undefined : ((cpuAfter - cpuBefore) * 1000) / result.requests
        rounds[route.id].push(result)
        log(
          `  round ${round + 1} ${route.id.padEnd(12)} ${Math.round(result.rps)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, workerd ${Math.round(result.cpuUs)} µs CPU/req${result.non2xx ? `, ${result.non2xx} non-2xx` : ''}`
        )
      }
    }
    results.routes = {}
    for (const route of ROUTES) {
      const list = rounds[route.id]
      results.routes[route.id] = { label: route.label, ...summary(list) }
    }
    // Steady-state JWKS fetches, per 10,000 requests (ours: header and cookie rounds together).
    results.steady = {}
    for (const name of PROTECTED) {
      const requests = ROUTES.filter((route) => route.worker === name).reduce((sum, route) => sum + results.routes[route.id].requests, 0)
      const fetches = await emulator(projects[name]).count('GET /v2/keys')
      results.steady[name] = { fetches, requests, per10k: (fetches * 10_000) / requests }
    }
  }

  // 4. Forged-kid flood: well-signed tokens whose `kid` is not in the key set, many different kids.
  async function flood() {
    log(`forged-kid flood, ${FLOOD_SECONDS}s per Worker`)
    results.flood = {}
    for (const name of PROTECTED) {
      const forged = []
      for (let i = 0; i < 64; i++) forged.push(await emulator(projects[name]).sign(claims(projects[name]), { kid: `forged-${i}` }))
      const route = ROUTES.find((candidate) => candidate.worker === name)
      await emulator(projects[name]).resetCalls()
      const result = await load({
        url: urlFor(route),
        connections: CONNECTIONS,
        seconds: FLOOD_SECONDS,
        headers: forged.map((token) => headersFor(route, token)),
      })
      const fetches = await emulator(projects[name]).count('GET /v2/keys')
      results.flood[name] = {
        fetches,
        requests: result.requests,
        seconds: result.seconds,
        rejected: result.non2xx,
        allowed: Math.ceil(result.seconds / COOLDOWN_SECONDS),
      }
      if (result.requests - result.non2xx > 0)
        results.notes.push(`forged-kid flood on ${name}: ${result.requests - result.non2xx} forged requests answered 2xx`)
    }
  }

  // 6. Many users: 100,000 users drawn Zipf(1.1); the floor and ours on the same token stream.
  async function manyUsers() {
    log(`many users: ${USERS.toLocaleString('en-US')} users, Zipf(${ZIPF_S}), a stream of ${STREAM_LENGTH.toLocaleString('en-US')} requests`)
    const stream = streamTokens(signer.sign, (rank) => claims(projects.zipf, rank + 1), log)
    const headers = stream.order.map((at) => ({ Authorization: `Bearer ${stream.tokens[at]}` }))
    const zipfRoutes = [
      { id: 'floor-zipf', url: `${urls['floor-zipf']}/api/hello` },
      { id: 'ours-zipf', url: `${urls['ours-zipf']}/api/hello` },
    ]
    for (const route of zipfRoutes) await load({ url: route.url, connections: CONNECTIONS, seconds: 1, headers })
    const rounds = Object.fromEntries(zipfRoutes.map((route) => [route.id, []]))
    // At least 5 pairs: the target reads a median of per-round ratios, and 3 of them move a lot.
    for (let round = 0; round < Math.max(ROUNDS, USERS_MIN_ROUNDS); round++) {
      for (const route of round % 2 ? [...zipfRoutes].reverse() : zipfRoutes) {
        const cpuBefore = await stack.cpuMs()
        const result = await load({ url: route.url, connections: CONNECTIONS, seconds: SECONDS, headers })
        result.cpuUs = cpuBefore === undefined ? undefined : (((await stack.cpuMs()) - cpuBefore) * 1000) / result.requests
        rounds[route.id].push(result)
        log(
          `  round ${round + 1} ${route.id.padEnd(12)} ${Math.round(result.rps)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, workerd ${Math.round(result.cpuUs)} µs CPU/req${result.non2xx ? `, ${result.non2xx} non-2xx` : ''}`
        )
      }
    }
    results.manyUsers = {
      users: USERS,
      s: ZIPF_S,
      streamLength: STREAM_LENGTH,
      distinctUsers: stream.distinct,
      floor: summary(rounds['floor-zipf']),
      ours: summary(rounds['ours-zipf']),
      // The estimator, fixed before any run of this version (bench/README.md, "Many users"): each
      // round runs the two back to back, so the machine's load, which drifts between rounds,
      // cancels in the round's ratio; the median of those is the figure. The ratio of the
      // medians mixes rounds, and is printed beside it.
      pairedRatio: median(rounds['ours-zipf'].map((result, i) => result.rps / rounds['floor-zipf'][i].rps)),
      ratioOfMedians: median(rounds['ours-zipf'].map((r) => r.rps)) / median(rounds['floor-zipf'].map((r) => r.rps)),
    }
    log('  in-isolate µs per request and memory hit rate on the same stream')
    const post = (url, init) => verifyProbe(url, init)
    const floorProbe = await streamProbe({ url: `${urls['floor-zipf']}/__bench/verify`, stream, post })
    const oursProbe = await streamProbe({
      url: `${urls['ours-probe-zipf']}/__bench/verify`,
      stream,
      memoryUrl: `${urls['ours-probe-zipf']}/__bench/memory`,
      post,
    })
    Object.assign(results.manyUsers.floor, { usPerRequest: median(floorProbe.runs) })
    Object.assign(results.manyUsers.ours, { usPerRequest: median(oursProbe.runs), hitRate: oursProbe.hitRate, hits: oursProbe.hits, checks: oursProbe.checks })
    log('  memory size against hit rate (simulated on 1,000,000 requests) and bytes per remembered token (Node)')
    results.manyUsers.curve = await memoryCurve(OUT)
    results.manyUsers.memory = await rememberedBytes({ outdir: OUT, root: ROOT })
  }

  // 7. Cold isolates: a new isolate per sample, its first request timed, for every Worker.
  async function cold() {
    log(`cold isolates: ${COLD_SAMPLES} new isolates per Worker`)
    const token = (projectId) => emulator(projectId).sign(claims(projectId))
    const shared = {}
    for (const name of ['open', 'ours-session', ...PROTECTED.filter((name) => name !== 'ours')])
      shared[name] = name === 'open' ? '' : await token(projects[name])
    shared.ours = await token(projects.cold)
    // Ours with an empty cache: each isolate its own project (so its own cache entry) and token.
    const fetching = []
    for (let i = 0; i < COLD_SAMPLES; i++) {
      const projectId = projectIdFor(`coldfetch${String(i).padStart(2, '0')}x`)
      fetching.push({ projectId, token: await token(projectId) })
    }
    const harness = urls.cold
    // One isolate of ours first, so the shared cache holds the key set for the "cache" variant.
    await fetch(`${harness}/cold?worker=ours&kv=1&cache=1`, { headers: { Authorization: `Bearer ${shared.ours}` } }).then((response) => response.arrayBuffer())
    const variants = [
      { id: 'open', label: 'open route (no auth)', worker: 'open', verifies: false, reference: true, token: () => '' },
      // Our bundle parsed but never run: what its size alone costs a new isolate (bench/README.md).
      ...(coldWorkers.includes('ours-parsed')
        ? [
            {
              id: 'ours-parsed',
              label: "open route + our bundle's code parsed, never run",
              worker: 'ours-parsed',
              verifies: false,
              reference: true,
              token: () => '',
            },
          ]
        : []),
      // The open route plus the Cache API and KV reads ours makes over RPC here: what those hops cost.
      {
        id: 'open-hops',
        label: "open route + the harness's two hops ours makes (Cache API and KV read over RPC)",
        worker: 'open-hops',
        verifies: false,
        reference: true,
        token: () => '',
        query: () => ({ kv: '1', cache: '1' }),
      },
      { id: 'floor', label: 'floor: `crypto.subtle.verify`, key fetched', worker: 'floor', verifies: true, reference: true, token: () => shared.floor },
      { id: 'jose', label: 'jose + `createRemoteJWKSet`, key set fetched', worker: 'jose', verifies: true, token: () => shared.jose },
      { id: 'node-sdk', label: '@descope/node-sdk, key fetched', worker: 'node-sdk', verifies: true, token: () => shared['node-sdk'] },
      { id: 'hono-jwk', label: 'Hono `jwk`, key set fetched', worker: 'hono-jwk', verifies: true, token: () => shared['hono-jwk'] },
      {
        id: 'ours-cache',
        label: 'ours, key set from the shared cache',
        worker: 'ours',
        ours: true,
        token: () => shared.ours,
        query: () => ({ kv: '1', cache: '1' }),
      },
      // Not in the target: the session check alone, as the package's users take it.
      {
        id: 'ours-session',
        label: 'ours as a library: `descopeSession()` alone, key set fetched',
        worker: 'ours-session',
        ours: true,
        token: () => shared['ours-session'],
      },
      // Each of these isolates names its own project, so finds no key set in the shared cache.
      {
        id: 'ours-fetch',
        label: 'ours, key set fetched (empty cache)',
        worker: 'ours',
        ours: true,
        token: (i) => fetching[i].token,
        query: (i) => ({ kv: '1', cache: '1', project: fetching[i].projectId }),
      },
    ]
    results.cold = await coldIsolates({ harness, variants, cpuNs: stack.cpuNs, log })
  }
}

/** Replaces the README's "latest run" section (between its markers) with this run's Markdown. */
async function updateReadme(latest) {
  const path = join(ROOT, 'bench/README.md')
  const readme = await readFile(path, 'utf8').catch(() => undefined)
  const start = '<!-- latest:start -->'
  const end = '<!-- latest:end -->'
  if (!readme?.includes(start) || !readme.includes(end)) return
  const body = latest.replace(/^# .*\n/, '').trim()
  await writeFile(path, `${readme.slice(0, readme.indexOf(start) + start.length)}\n${body}\n${readme.slice(readme.indexOf(end))}`)
}

/**
 * `fetch` that retries once on a connection closed under it: workerd may close an idle keep-alive
 * connection just as the client reuses it.
 */
async function fetchRetry(url, init) {
  try {
    return await fetch(url, init)
  } catch {
    try {
      return await fetch(url, init)
    } catch (again) {
      throw new Error(`${url}: ${again.cause?.message ?? again.message}`)
    }
  }
}

async function verifyProbe(url, init) {
  const response = await fetchRetry(url, init)
  const body = await response.json()
  if (response.status !== 200) throw new Error(`${url}: ${response.status} ${JSON.stringify(body)}`)
  return body.usPerVerification
}

async function signMany(emulator, count, payloadFor) {
  const list = new Array(count)
  let next = 0
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next++; i < count; i = next++) list[i] = await emulator.sign(payloadFor(i))
    })
  )
  return list
}

main()
  .catch((error) => {
    log(`failed: ${error?.stack ?? error}`)
    process.exitCode = 2
  })
  // Stop by itself even if a socket or timer is left behind.
  .finally(() => setTimeout(() => process.exit(), 100))
