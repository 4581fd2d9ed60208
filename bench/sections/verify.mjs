/**
 * @module
 * In-isolate µs per verification (bench/workers/probe.ts): a reused token, as one client sends
 * it, then never-seen tokens, which no cache of verified tokens can help; and where ours spends a
 * fresh check's time (`/__bench/breakdown`).
 */
import { PROTECTED } from '../lib/workers.mjs'
import { fetchRetry, log, median, signMany, verifyProbe } from '../lib/util.mjs'

const VERIFY_N = 2000
const FRESH_TOKENS = 1000
const RUNS = 3

const probeOf = (name) => (name === 'ours' ? 'ours-probe' : name)
const post = (tokens) => ({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ tokens }) })

export async function verifyCosts({ urls, emulator, projects, claims, tokens, results }) {
  log('in-isolate verification cost')
  const reused = async (probe, headers) => {
    const runs = []
    for (let i = 0; i < RUNS; i++) runs.push(await verifyProbe(`${urls[probe]}/__bench/verify?n=${VERIFY_N}`, { headers }))
    return median(runs)
  }
  results.verify = {}
  for (const name of PROTECTED) results.verify[name] = { reusedToken: await reused(probeOf(name), { Authorization: `Bearer ${tokens[probeOf(name)]}` }) }
  results.verify.ours.reusedCookie = await reused('ours-probe', { Cookie: `__Host-DS=${tokens['ours-probe']}` })

  // Ours remembers verified tokens, so each of its runs gets its own set; the peers remember nothing.
  const fresh = (project, run) => signMany(emulator(project), FRESH_TOKENS, (i) => claims(project, run * FRESH_TOKENS + i + 1))
  for (const name of ['floor', 'jose', 'ours']) {
    const probe = probeOf(name)
    const runs = []
    let list
    for (let run = 0; run < RUNS; run++) {
      if (!list || name === 'ours') list = await fresh(projects[probe], run)
      runs.push(await verifyProbe(`${urls[probe]}/__bench/verify?n=${list.length - 1}`, post(list)))
    }
    results.verify[name].freshTokens = median(runs)
  }

  // Where ours spends a fresh check's time: jose alone, our verifier, our verifier remembering.
  const response = await fetchRetry(`${urls['ours-probe']}/__bench/breakdown`, post(await fresh(projects['ours-probe'], 10)))
  if (response.ok) results.verify.ours.breakdown = await response.json()
  else results.notes.push(`breakdown of our check failed: ${response.status} ${await response.text()}`)
}
