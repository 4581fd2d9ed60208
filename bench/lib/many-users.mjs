/**
 * @module
 * The many-users row: 100,000 users, each request's token drawn Zipf(1.1)
 * (bench/lib/zipf.mjs). The floor and ours get the very same token stream, under load and in the
 * in-isolate probe; ours' memory of verified tokens is what this row tests.
 *
 * - The stream is `STREAM_LENGTH` requests long and is replayed in a loop; only its distinct
 *   users are signed. For memories up to 8,192 tokens its hit rate equals that of an endless
 *   stream (checked by simulation, `memoryCurve`), because a user seen once per loop is gone
 *   from the memory before the loop comes round.
 * - Load: autocannon rounds, interleaved with the floor's, each request the stream's next token.
 * - In-isolate: µs per request over the stream (after a warm-up of the memory), and the memory's
 *   hit rate over the same requests (ours-probe's `/__bench/memory` counts).
 * - Node: the hit rate against memory size over 1,000,000 requests, and the bytes a
 *   remembered token costs (remembered-bytes.mjs), which together size the memory.
 */
import { createSign, generateKeyPairSync } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { buildForNode } from './build.mjs'
import { USERS, ZIPF_S, compact, fifoHitRate, zipfStream } from './zipf.mjs'

export const STREAM_LENGTH = 40_000
/** In-isolate: requests to warm the memory, then requests per timed run (3 runs, median). */
const WARM = 8_000
const TIMED = 8_000

/**
 * The key that signs the many users' tokens, and the Worker that serves its JWKS to the Workers
 * of this row (their outbound service): thousands of tokens are signed here in Node, far faster
 * than one emulator call each. RS256, 2048 bits, as Descope's keys.
 */
export async function streamSigner(outdir) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const kid = 'bench-many-users'
  const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] }
  const scriptPath = join(outdir, 'many-users-keys.js')
  await writeFile(scriptPath, 'export default { fetch: (request, env) => Response.json(env.JWKS) }\n')
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const header = part({ alg: 'RS256', kid, typ: 'JWT' })
  const sign = (payload) => {
    const input = `${header}.${part(payload)}`
    return `${input}.${createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')}`
  }
  return { sign, keysWorker: { name: 'many-users-keys', scriptPath, bindings: { JWKS: jwks } } }
}

/** Signs one token per distinct user of the stream; `payloadFor(rank)` gives its claims. */
export function streamTokens(sign, payloadFor, log) {
  const { ranks, order } = compact(zipfStream(STREAM_LENGTH))
  const started = performance.now()
  const tokens = ranks.map((rank) => sign(payloadFor(rank)))
  log(`  signed ${ranks.length} distinct users' tokens in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  return { tokens, order: Array.from(order), distinct: ranks.length }
}

/**
 * µs per request of a Worker's protected route on the stream (in-isolate probe), and for ours
 * the memory's hit rate over the timed requests.
 */
export async function streamProbe({ url, stream, memoryUrl, post }) {
  const body = (offset, n) => ({
    n,
    init: { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ tokens: stream.tokens, order: stream.order, offset }) },
  })
  const warm = body(0, WARM)
  await post(`${url}?n=${warm.n}`, warm.init)
  // Each read answers the counts since the one before.
  if (memoryUrl) await (await fetch(memoryUrl)).arrayBuffer()
  const runs = []
  for (let run = 0; run < 3; run++) {
    const timed = body(WARM + run * TIMED, TIMED)
    runs.push(await post(`${url}?n=${timed.n}`, timed.init))
  }
  const after = memoryUrl ? await (await fetch(memoryUrl)).json() : undefined
  const hits = after?.hits
  const checks = after?.checks
  return { runs, hitRate: after ? hits / (hits + checks) : undefined, hits, checks }
}

/**
 * Hit rate against memory size over 1,000,000 Zipf requests: the memory's own code (CLOCK,
 * `src/lib/clock-cache.ts`, bundled for Node) beside FIFO, and CLOCK on the looped bench stream.
 */
export async function memoryCurve(outdir, sizes = [1024, 2048, 4096, 8192, 16384]) {
  const { clockCache } = await import(pathToFileURL(await buildForNode('src/lib/clock-cache.ts', join(outdir, 'clock-cache.mjs'))).href)
  const stream = zipfStream(1_000_000, { seed: 61 })
  const loop = zipfStream(STREAM_LENGTH)
  const looped = Uint32Array.from({ length: 160_000 }, (_, i) => loop[i % loop.length])
  const clock = (list, size, warm) => {
    const memory = clockCache(size)
    let hits = 0
    for (let i = 0; i < list.length; i++) {
      if (memory.get(list[i]) !== undefined) {
        if (i >= warm) hits++
      } else memory.set(list[i], true)
    }
    return hits / (list.length - warm)
  }
  return sizes.map((size) => ({
    size,
    fifo: fifoHitRate(stream, size, 200_000),
    clock: clock(stream, size, 200_000),
    clockLooped: clock(looped, size, 40_000),
  }))
}

export { USERS, ZIPF_S }
