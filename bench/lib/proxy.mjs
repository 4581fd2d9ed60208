/**
 * @module
 * Proxy overhead of a passkey sign-in: start + finish through our Worker (origin rule, body
 * checks, KV transaction, token checks, cookies) against the same two calls sent straight to the
 * emulator, one flow at a time, the software authenticator answering in between (its signing
 * time is left out of both). KV time comes from the probe Worker's timed `TRANSACTIONS` binding.
 */
import { join } from 'node:path'
import { ORIGIN } from './stack.mjs'

const SAMPLES = 40
const WARMUP = 5

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
}

/** Answers `{skipped}` when the passkey routes or the software authenticator have not landed. */
export async function proxyOverhead({ urls, projectId, outdir, buildForNode, exists }) {
  if (!exists('test/support/authenticator.ts')) return { skipped: 'test/support/authenticator.ts does not exist yet' }
  const { SoftwareAuthenticator } = await import(join('file://', await buildForNode('test/support/authenticator.ts', join(outdir, 'authenticator.mjs'))))
  const authenticator = new SoftwareAuthenticator({ alg: 'ES256' })
  const worker = urls['ours-probe']
  const loginId = `bench-${Date.now()}@example.com`

  // Sign up once through the Worker; a 404/405 means the passkey routes are still stubs.
  const signup = await workerFlow(worker, 'signup', { loginId, name: 'Bench' }, (options) => authenticator.create(options, ORIGIN))
  if (!signup.ok) return { skipped: `sign-up through the Worker failed (${signup.status})` }

  const direct = []
  const through = []
  let kvMs = 0
  let kvCalls = 0
  await fetch(`${worker}/__bench/kv`).then((response) => response.arrayBuffer())
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    const straight = await directFlow(urls.emulator, projectId, loginId, (options) => authenticator.get(options, ORIGIN))
    const proxied = await workerFlow(worker, 'signin', { loginId }, (options) => authenticator.get(options, ORIGIN))
    if (!straight.ok || !proxied.ok) return { skipped: `sign-in failed (direct ${straight.status}, through the Worker ${proxied.status})` }
    const kv = await (await fetch(`${worker}/__bench/kv`)).json()
    if (i < WARMUP) continue
    direct.push(straight.ms)
    through.push(proxied.ms)
    kvMs += kv.kvMs
    kvCalls += kv.kvCalls
  }
  const summary = (list) => ({ p50: percentile(list, 50), p99: percentile(list, 99) })
  const added = through.map((ms, i) => ms - direct[i])
  const addedP50Ms = percentile(added, 50)
  return {
    samples: SAMPLES,
    direct: summary(direct),
    worker: summary(through),
    addedP50Ms,
    addedP99Ms: percentile(added, 99),
    kvMsPerFlow: kvMs / SAMPLES,
    kvCallsPerFlow: kvCalls / SAMPLES,
    kvShareOfAdded: addedP50Ms > 0 ? kvMs / SAMPLES / addedP50Ms : null,
  }
}

/** start → authenticator → finish through the Worker's browser API; only the two calls are timed. */
async function workerFlow(base, flow, startBody, answer) {
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
  const t = performance.now()
  const finish = await fetch(`${base}/auth/passkey/${flow}/finish`, {
    method: 'POST',
    headers: { ...headers, Cookie: cookie },
    body: JSON.stringify({ transactionId: started.transactionId, response }),
  })
  const finished = await finish.json().catch(() => ({}))
  ms += performance.now() - t
  return finish.status === 200 ? { ok: true, ms } : { ok: false, status: `finish ${finish.status} ${finished?.error?.code ?? ''}` }
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
  const t = performance.now()
  const finish = await fetch(`${emulator}/v1/auth/webauthn/signin/finish`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ transactionId: started.transactionId, response: JSON.stringify(response) }),
  })
  await finish.arrayBuffer()
  ms += performance.now() - t
  return finish.status === 200 ? { ok: true, ms } : { ok: false, status: `finish ${finish.status}` }
}
