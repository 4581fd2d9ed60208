/**
 * @module
 * Sign-in latency (lib/proxy.mjs): start + finish through ours, through the sign-in floor and
 * straight to the emulator; once with Miniflare's KV as it is (in this process, so its time is
 * CPU a sign-in competes with whether it waits or not), once with each KV call a round trip away.
 */
import { proxyOverhead } from '../lib/proxy.mjs'
import { REMOTE_KV_MS } from '../lib/stack.mjs'
import { log } from '../lib/util.mjs'

export async function signIn({ stack, urls, projects, out, results }) {
  const run = (kvDelayMs) => proxyOverhead({ urls, projectId: projects['ours-probe'], outdir: out, cpuNs: stack.cpuNs, kvDelayMs })
  log('sign-in proxy overhead')
  results.proxy = await run(0)
  if (results.proxy.skipped) return results.notes.push(`proxy overhead skipped: ${results.proxy.skipped}`)
  log(`sign-in proxy overhead, each KV call ${REMOTE_KV_MS} ms away`)
  results.proxyRemoteKv = await run(REMOTE_KV_MS)
}
