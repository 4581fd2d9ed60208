/**
 * @module
 * Proxy overhead of a passkey sign-in: start + finish through our Worker (origin rule, body
 * checks, KV transaction, token checks, cookies) and through the sign-in floor
 * (bench/workers/signin-floor.ts: the least a KV-backed, single-use proxy must do), against the
 * same two calls sent straight to the emulator, one flow at a time, the software authenticator
 * answering in between (its signing time is left out of all three). KV time comes from each
 * Worker's timed `TRANSACTIONS` binding (bench/workers/timed-kv.ts).
 *
 * Two ways through each Worker, the three flows of a sample back to back: the finish lands in the
 * isolate of its start (`ours-probe` both times), or in another isolate (start on `ours-probe`,
 * finish on `ours-probe-b`: same KV namespace, separate memory), as when the finish reaches
 * another machine of the location; the floor likewise (`signin-floor`, `signin-floor-b`). The
 * target reads what ours adds over the floor, on the slower way.
 */
import { join } from 'node:path'
import { buildForNode } from './build.mjs'
import { ORIGIN } from './stack.mjs'

const SAMPLES = 100
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

/** KV ms since the last read, summed over some Worker instances (workers/timed-kv.ts). */
async function readKv(bases) {
  const sides = await Promise.all(bases.map(async (base) => (await fetch(`${base}/__bench/kv`)).json()))
  return sides.reduce((sum, side) => sum + side.kvMs, 0)
}

/** Answers `{skipped}` when a sign-in fails (the run's check then shows the target as SKIP). */
export async function proxyOverhead({ urls, projectId, outdir, cpuNs, kvDelayMs = 0 }) {
  const { SoftwareAuthenticator } = await import(join('file://', await buildForNode('test/support/authenticator.ts', join(outdir, 'authenticator.mjs'))))
  const authenticator = new SoftwareAuthenticator({ alg: 'ES256' })
  const worker = urls['ours-probe']
  const other = urls['ours-probe-b']
  const floor = urls['signin-floor']
  const floorOther = urls['signin-floor-b']
  const ours = [worker, other]
  const floors = [floor, floorOther]
  // Each KV call of the four isolates waits this long first (0: Miniflare's KV as it is).
  const setDelay = async (ms) => {
    for (const base of [...ours, ...floors]) await (await fetch(`${base}/__bench/kv?delay=${ms}`)).arrayBuffer()
  }
  await setDelay(kvDelayMs)
  const loginId = `bench-${Date.now()}@example.com`

  // Sign up once through the Worker: the user every sign-in below uses.
  const signup = await workerFlow(worker, 'signup', { loginId, name: 'Bench' }, (options) => authenticator.create(options, ORIGIN))
  if (!signup.ok) return { skipped: `sign-up through the Worker failed (${signup.status})` }

  const ways = { sameIsolate: { finish: worker, floorFinish: floor }, otherIsolate: { finish: other, floorFinish: floorOther } }
  for (const way of Object.values(ways)) Object.assign(way, { through: [], floor: [], direct: [], kvMs: 0, floorKvMs: 0 })
  const sign = (options) => authenticator.get(options, ORIGIN)
  await readKv([...ours, ...floors])
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    for (const way of Object.values(ways)) {
      // The three flows of a sample in turn, the order rotated each sample: in a fixed order one
      // flow would always follow the same other one (its garbage, its KV writes landing).
      const flows = [
        ['direct', () => directFlow(urls.emulator, projectId, loginId, sign)],
        ['through', () => workerFlow(worker, 'signin', { loginId }, sign, way.finish)],
        ['floor', () => workerFlow(floor, 'signin', { loginId }, sign, way.floorFinish)],
      ]
      const sample = {}
      for (let k = 0; k < flows.length; k++) {
        const [name, flow] = flows[(i + k) % flows.length]
        const before = await cpuNs()
        sample[name] = await flow()
        // workerd's CPU during the flow (the emulator's and KV's included, as for every flow).
        if (before !== undefined) sample[name].cpuMs = ((await cpuNs()) - before) / 1e6
      }
      const failed = Object.entries(sample).filter(([, flow]) => !flow.ok)
      if (failed.length > 0) return { skipped: `sign-in failed: ${failed.map(([name, flow]) => `${name} ${flow.status}`).join(', ')}` }
      const [kvMs, floorKvMs] = [await readKv(ours), await readKv(floors)]
      if (i < WARMUP) continue
      for (const name of ['direct', 'through', 'floor']) way[name].push(sample[name])
      way.kvMs += kvMs / SAMPLES
      way.floorKvMs += floorKvMs / SAMPLES
    }
  }
  const p50 = (values) => percentile(values, 50)
  const summary = (flows) => ({
    p50: p50(flows.map((flow) => flow.ms)),
    p99: percentile(
      flows.map((flow) => flow.ms),
      99
    ),
  })
  // Per-sample differences, paired: the flows of one sample ran back to back.
  const minus = (flows, base, part) => flows.map((flow, i) => flow[part] - base[i][part])
  const result = { samples: SAMPLES, kvDelayMs }
  for (const [name, way] of Object.entries(ways)) {
    result[name] = {
      direct: summary(way.direct),
      worker: summary(way.through),
      floor: summary(way.floor),
      // Ours over the floor, what the target reads; the start and the finish apart (p50 of each, so not a sum).
      overFloor: {
        p50Ms: p50(minus(way.through, way.floor, 'ms')),
        p99Ms: percentile(minus(way.through, way.floor, 'ms'), 99),
        startP50Ms: p50(minus(way.through, way.floor, 'startMs')),
        finishP50Ms: p50(minus(way.through, way.floor, 'finishMs')),
      },
      // workerd CPU per flow: where wall time can go on 2 cores.
      cpuMs: way.direct[0].cpuMs === undefined ? undefined : { floor: p50(way.floor.map((f) => f.cpuMs)), ours: p50(way.through.map((f) => f.cpuMs)) },
      kvMsPerFlow: way.kvMs,
      floorKvMsPerFlow: way.floorKvMs,
    }
  }
  // The figure the target reads: the slower way.
  result.overFloorP50Ms = Math.max(result.sameIsolate.overFloor.p50Ms, result.otherIsolate.overFloor.p50Ms)
  await setDelay(0)
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
