/**
 * @module
 * Cold isolates (lib/cold.mjs): a new isolate per sample, its first request timed, for every
 * Worker, with Descope's key set `JWKS_DELAY_MS` away from every isolate that fetches it and the
 * harness's KV `REMOTE_KV_MS` away (bench/README.md, "Cold isolates").
 */
import { SAMPLES, coldIsolates } from '../lib/cold.mjs'
import { JWKS_DELAY_MS, REMOTE_KV_MS, projectIdFor } from '../lib/stack.mjs'
import { log } from '../lib/util.mjs'

const FETCHING_PEERS = ['floor', 'jose', 'node-sdk', 'hono-jwk', 'ours-session']

/** A row of the open route's kind: no token, nothing verified. */
const reference = (id, label, query) => ({ id, label, worker: id, verifies: false, reference: true, token: () => '', query })

export async function coldRows({ stack, urls, emulator, projects, claims, coldWorkers, results }) {
  log(`cold isolates: ${SAMPLES} new isolates per Worker, each JWKS fetch ${JWKS_DELAY_MS} ms away, each KV call ${REMOTE_KV_MS} ms`)
  const token = (projectId) => emulator(projectId).sign(claims(projectId))
  const tokens = { ours: await token(projects.cold) }
  for (const name of FETCHING_PEERS) tokens[name] = await token(projects[name])
  // Ours with an empty cache: each isolate its own project, so its own cache entry, and token.
  const fetching = []
  for (let i = 0; i < SAMPLES; i++) {
    const projectId = projectIdFor(`coldfetch${String(i).padStart(2, '0')}x`)
    fetching.push({ projectId, token: await token(projectId) })
  }
  const far = [projects.cold, ...FETCHING_PEERS.map((name) => projects[name]), ...fetching.map((entry) => entry.projectId)]
  const hops = { kv: '1', cache: '1' }
  const variants = [
    reference('open', 'open route (no auth)'),
    // Our bundle parsed but never run: what its size alone costs a new isolate.
    ...(coldWorkers.includes('ours-parsed') ? [reference('ours-parsed', "open route + our bundle's code parsed, never run")] : []),
    reference('open-hops', "open route + the harness's two hops ours makes (Cache API and KV read over RPC)", () => hops),
    { id: 'floor', label: 'floor: `crypto.subtle.verify`, key fetched', worker: 'floor', verifies: true, reference: true, token: () => tokens.floor },
    { id: 'jose', label: 'jose + `createRemoteJWKSet`, key set fetched', worker: 'jose', verifies: true, token: () => tokens.jose },
    { id: 'node-sdk', label: '@descope/node-sdk, key fetched', worker: 'node-sdk', verifies: true, token: () => tokens['node-sdk'] },
    { id: 'hono-jwk', label: 'Hono `jwk`, key set fetched', worker: 'hono-jwk', verifies: true, token: () => tokens['hono-jwk'] },
    { id: 'ours-cache', label: 'ours, key set from the shared cache', worker: 'ours', ours: true, token: () => tokens.ours, query: () => hops },
    // Not in the target: the session check alone, as the package's users take it (no shared cache).
    {
      id: 'ours-session',
      label: 'ours as a library: `descopeSession()` alone, key set fetched',
      worker: 'ours-session',
      ours: true,
      token: () => tokens['ours-session'],
    },
    // The first isolate of a location: each names its own project, so finds the cache empty.
    {
      id: 'ours-fetch',
      label: 'ours, key set fetched (empty cache)',
      worker: 'ours',
      ours: true,
      token: (i) => fetching[i].token,
      query: (i) => ({ ...hops, project: fetching[i].projectId }),
    },
  ]
  try {
    for (const projectId of far) await emulator(projectId).fault({ route: 'GET /v2/keys', latencyMs: JWKS_DELAY_MS })
    // One isolate of ours first, so that the shared cache holds the key set for `ours-cache`. Its
    // write is a `waitUntil` after the answer, behind a KV read: `settle` keeps the harness's
    // request, which that work lives in, open until it is done.
    await fetch(`${urls.cold}/cold?worker=ours&kv=1&cache=1&settle=500`, { headers: { Authorization: `Bearer ${tokens.ours}` } }).then((response) =>
      response.arrayBuffer()
    )
    // Every `ours-cache` sample must read the cache: one that fetched would be the wrong row.
    const keyFetches = () => emulator(projects.cold).count('GET /v2/keys')
    const fetchedBefore = await keyFetches()
    results.cold = await coldIsolates({ harness: urls.cold, variants, cpuNs: stack.cpuNs, log })
    results.coldDistances = { jwksMs: JWKS_DELAY_MS, kvMs: REMOTE_KV_MS, sharedCacheFetches: (await keyFetches()) - fetchedBefore }
  } finally {
    for (const projectId of far) await emulator(projectId).clearFaults()
  }
}
