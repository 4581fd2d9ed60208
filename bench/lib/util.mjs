/**
 * @module
 * Small helpers every section shares: logging, medians, a `fetch` that survives a reused
 * keep-alive socket, the in-isolate probe's answer, and one timed load round.
 */
import { load } from './load.mjs'

export const log = (...parts) => process.stderr.write(`[bench] ${parts.join(' ')}\n`)

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** One route's rounds of load: medians of rate, latency and CPU, totals of requests and failures. */
export function summary(list) {
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

/** One load round with workerd's CPU per request (the emulator's included: same process). */
export async function timedRound(stack, name, round, options) {
  const before = await stack.cpuNs()
  const result = await load(options)
  result.cpuUs = before === undefined ? undefined : ((await stack.cpuNs()) - before) / 1000 / result.requests
  log(
    `  round ${round + 1} ${name.padEnd(12)} ${Math.round(result.rps)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, workerd ${Math.round(result.cpuUs)} µs CPU/req${result.non2xx ? `, ${result.non2xx} non-2xx` : ''}`
  )
  return result
}

/** `fetch` that retries once: workerd may close an idle keep-alive connection as the client reuses it. */
export async function fetchRetry(url, init) {
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

/** The in-isolate probe's µs per verification (bench/workers/probe.ts). */
export async function verifyProbe(url, init) {
  const response = await fetchRetry(url, init)
  const body = await response.json()
  if (response.status !== 200) throw new Error(`${url}: ${response.status} ${JSON.stringify(body)}`)
  return body.usPerVerification
}

/** `count` tokens signed by the emulator, 8 at a time. */
export async function signMany(emulator, count, payloadFor) {
  const list = new Array(count)
  let next = 0
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next++; i < count; i = next++) list[i] = await emulator.sign(payloadFor(i))
    })
  )
  return list
}
