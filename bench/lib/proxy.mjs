/**
 * @module
 * Proxy overhead of a passkey sign-in: start + finish through our Worker (origin rule, body
 * checks, KV transaction, token checks, cookies) against the same two calls sent straight to the
 * emulator, one flow at a time, the software authenticator answering in between (its signing
 * time is left out of both). KV time comes from the probe Worker's timed `TRANSACTIONS` binding.
 *
 * Two ways through the Worker, interleaved with the direct flow: the finish lands in the isolate
 * of its start (`ours-probe` both times), or in another isolate (start on `ours-probe`, finish on
 * `ours-probe-b`: same KV namespace, separate memory), as when the finish reaches another machine
 * of the location. The target is read on the second, the slower.
 */
import { join } from 'node:path'
import { ORIGIN } from './stack.mjs'

const SAMPLES = 40
const WARMUP = 5
/**
 * The user's ceremony, untimed: a human takes seconds; 50 ms is far less, and far more than the
 * start's KV write (not awaited, docs/storage-schema.md), whose latency the table shows.
 */
const CEREMONY_MS = 50
const ceremony = () => new Promise((resolve) => setTimeout(resolve, CEREMONY_MS))

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

/** Answers `{skipped}` when the passkey routes or the software authenticator have not landed. */
export async function proxyOverhead({ urls, projectId, outdir, buildForNode, exists, kvDelayMs = 0 }) {
  if (!urls['ours-probe-b']) return { skipped: 'no second isolate (ours-probe-b)' }
  if (!exists('test/support/authenticator.ts')) return { skipped: 'test/support/authenticator.ts does not exist yet' }
  const { SoftwareAuthenticator } = await import(join('file://', await buildForNode('test/support/authenticator.ts', join(outdir, 'authenticator.mjs'))))
  const authenticator = new SoftwareAuthenticator({ alg: 'ES256' })
  const worker = urls['ours-probe']
  // Each KV call of both probe isolates waits this long first (0: Miniflare's KV as it is).
  for (const base of [worker, urls['ours-probe-b']]) await (await fetch(`${base}/__bench/kv?delay=${kvDelayMs}`)).arrayBuffer()
  const loginId = `bench-${Date.now()}@example.com`

  // Sign up once through the Worker; a 404/405 means the passkey routes are still stubs.
  const signup = await workerFlow(worker, 'signup', { loginId, name: 'Bench' }, (options) => authenticator.create(options, ORIGIN))
  if (!signup.ok) return { skipped: `sign-up through the Worker failed (${signup.status})` }

  const other = urls['ours-probe-b']
  const ways = { sameIsolate: { finish: worker }, otherIsolate: { finish: other } }
  for (const way of Object.values(ways)) Object.assign(way, { through: [], direct: [], kv: { ms: 0, calls: 0, byOp: {} } })
  const readKv = async () => {
    const [a, b] = await Promise.all([worker, other].map(async (base) => (await fetch(`${base}/__bench/kv`)).json()))
    const byOp = {}
    for (const side of [a, b])
      for (const [op, figure] of Object.entries(side.byOp ?? {})) {
        byOp[op] ??= { ms: 0, calls: 0 }
        byOp[op].ms += figure.ms
        byOp[op].calls += figure.calls
      }
    return { ms: a.kvMs + b.kvMs, calls: a.kvCalls + b.kvCalls, byOp }
  }
  await readKv()
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    for (const way of Object.values(ways)) {
      const straight = await directFlow(urls.emulator, projectId, loginId, (options) => authenticator.get(options, ORIGIN))
      const proxied = await workerFlow(worker, 'signin', { loginId }, (options) => authenticator.get(options, ORIGIN), way.finish)
      if (!straight.ok || !proxied.ok) return { skipped: `sign-in failed (direct ${straight.status}, through the Worker ${proxied.status})` }
      const kv = await readKv()
      if (i < WARMUP) continue
      way.direct.push(straight)
      way.through.push(proxied)
      way.kv.ms += kv.ms
      way.kv.calls += kv.calls
      for (const [op, figure] of Object.entries(kv.byOp)) {
        way.kv.byOp[op] ??= { ms: 0, calls: 0 }
        way.kv.byOp[op].ms += figure.ms / SAMPLES
        way.kv.byOp[op].calls += figure.calls / SAMPLES
      }
    }
  }
  const summary = (list) => ({ p50: percentile(list, 50), p99: percentile(list, 99) })
  const result = { samples: SAMPLES, kvDelayMs }
  for (const [name, way] of Object.entries(ways)) {
    const added = (part) => way.through.map((flow, i) => flow[part] - way.direct[i][part])
    const addedP50Ms = percentile(added('ms'), 50)
    result[name] = {
      direct: summary(way.direct.map((flow) => flow.ms)),
      worker: summary(way.through.map((flow) => flow.ms)),
      addedP50Ms,
      addedP99Ms: percentile(added('ms'), 99),
      // Where the added time is: the start and the finish apart (p50 of each, so not a sum).
      addedStartP50Ms: percentile(added('startMs'), 50),
      addedFinishP50Ms: percentile(added('finishMs'), 50),
      kvMsPerFlow: way.kv.ms / SAMPLES,
      kvCallsPerFlow: way.kv.calls / SAMPLES,
      kvByOp: way.kv.byOp,
    }
  }
  // The figure the target reads: the slower way.
  result.addedP50Ms = Math.max(result.sameIsolate.addedP50Ms, result.otherIsolate.addedP50Ms)
  for (const base of [worker, other]) await (await fetch(`${base}/__bench/kv?delay=0`)).arrayBuffer()
  return result
}

/** start → authenticator → finish through the Worker's browser API; only the two calls are timed. */
async function workerFlow(base, flow, startBody, answer, finishBase = base) {
  const headers = { 'Content-Type': 'application/json', Origin: ORIGIN }
  let ms = performance.now()
  const start = await fetch(`${base}/auth/passkey/${flow}/start`, { method: 'POST', headers, body: JSON.stringify(startBody) })
  const started = await start.json().catch(() => ({}))
  ms = performance.now() - ms
  if (start.status !== 200) return { ok: false, status: `start ${start.status} ${started?.error?.code ?? ''}` }
  const cookie = start.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ')
  const response = await answer(started.options)
  await ceremony()
  const t = performance.now()
  const finish = await fetch(`${finishBase}/auth/passkey/${flow}/finish`, {
    method: 'POST',
    headers: { ...headers, Cookie: cookie },
    body: JSON.stringify({ transactionId: started.transactionId, response }),
  })
  const finished = await finish.json().catch(() => ({}))
  const finishMs = performance.now() - t
  return finish.status === 200
    ? { ok: true, ms: ms + finishMs, startMs: ms, finishMs }
    : { ok: false, status: `finish ${finish.status} ${finished?.error?.code ?? ''}` }
}

/** The same sign-in as Descope's API takes it, straight to the emulator. */
async function directFlow(emulator, projectId, loginId, answer) {
  const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${projectId}` }
  let ms = performance.now()
  const start = await fetch(`${emulator}/v1/auth/webauthn/signin/start`, { method: 'POST', headers, body: JSON.stringify({ loginId, origin: ORIGIN }) })
  const started = await start.json()
  ms = performance.now() - ms
  if (start.status !== 200) return { ok: false, status: `start ${start.status}` }
  const response = await answer(JSON.parse(started.options))
  await ceremony()
  const t = performance.now()
  const finish = await fetch(`${emulator}/v1/auth/webauthn/signin/finish`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ transactionId: started.transactionId, response: JSON.stringify(response) }),
  })
  await finish.arrayBuffer()
  const finishMs = performance.now() - t
  return finish.status === 200 ? { ok: true, ms: ms + finishMs, startMs: ms, finishMs } : { ok: false, status: `finish ${finish.status}` }
}
