/**
 * @module
 * What the bench serves: the peer Workers (bench/workers/*.ts), the load routes in table order,
 * and every Worker instance with its bindings. `ours` is the production bundle (wrangler.jsonc).
 */
import { coldHarnessWorker } from './cold.mjs'
import { EMULATOR_BASE, ORIGIN, REMOTE_KV_MS, projectIdFor } from './stack.mjs'

export const PEERS = [
  { name: 'open', main: 'bench/workers/open.ts' },
  { name: 'floor', main: 'bench/workers/floor.ts' },
  { name: 'jose', main: 'bench/workers/jose.ts' },
  { name: 'node-sdk', main: 'bench/workers/node-sdk.ts', flags: ['nodejs_compat'] },
  { name: 'hono-jwk', main: 'bench/workers/hono-jwk.ts' },
  // Built as ours is deployed (wrangler.jsonc: no `keep_names`), since it stands for ours.
  { name: 'ours-probe', main: 'bench/workers/ours-probe.ts', keepNames: false },
  // Cold-isolate rows only: the package's session check alone, in the peers' Hono app.
  { name: 'ours-session', main: 'bench/workers/ours-session.ts' },
  // Cold-isolate reference only: the open route plus the harness's two hops that ours makes.
  { name: 'open-hops', main: 'bench/workers/open-hops.ts' },
]

/** The sign-in row's reference (bench/README.md, "Sign-in latency"); serves no protected route. */
export const SIGNIN_FLOOR = { name: 'signin-floor', main: 'bench/workers/signin-floor.ts' }

/** The load routes, in table order. `worker` serves it; `token` is where the session token goes. */
export const ROUTES = [
  { id: 'open', label: 'open route (no auth)', worker: 'open', token: 'none' },
  { id: 'floor', label: '`crypto.subtle.verify` RS256, cached key (floor)', worker: 'floor', token: 'header' },
  { id: 'jose', label: 'jose + `createRemoteJWKSet`', worker: 'jose', token: 'header' },
  { id: 'node-sdk', label: '@descope/node-sdk `validateSession` (nodejs_compat)', worker: 'node-sdk', token: 'header' },
  { id: 'hono-jwk', label: 'Hono `jwk` with `jwks_uri`', worker: 'hono-jwk', token: 'header' },
  { id: 'ours-header', label: 'ours: `GET /api/hello`, Bearer token', worker: 'ours', token: 'header' },
  { id: 'ours-cookie', label: 'ours: `GET /api/hello`, `__Host-DS` cookie', worker: 'ours', token: 'cookie' },
]
export const PROTECTED = ['floor', 'jose', 'node-sdk', 'hono-jwk', 'ours']

/** One emulator project per Worker, so that the emulator counts each one's JWKS fetches apart. */
export const projectIds = () =>
  Object.fromEntries(['open', 'open-hops', ...PROTECTED, 'ours-probe', 'ours-session', 'zipf', 'cold'].map((name) => [name, projectIdFor(name)]))

/** Every Worker instance `startStack` serves, each its own isolate. */
export function servedWorkers({ bundles, projects, signer, coldHarness, coldCode }) {
  const peerBindings = (project) => ({ PROJECT_ID: projects[project], DESCOPE_BASE_URL: EMULATOR_BASE })
  const ourBindings = (project) => ({
    DESCOPE_PROJECT_ID: projects[project],
    DESCOPE_BASE_URL: EMULATOR_BASE,
    ALLOWED_ORIGINS: ORIGIN,
    // As deployed: the rate limiters bound and required, with limits far above the bench's traffic.
    RATE_LIMITS: 'required',
  })
  const ourLimits = {
    ratelimits: {
      RATE_LIMIT_IP: { namespace_id: '9901', simple: { limit: 1_000_000, period: 60 } },
      RATE_LIMIT_LOGIN_ID: { namespace_id: '9902', simple: { limit: 1_000_000, period: 60 } },
    },
  }
  // Many users: their tokens are signed in Node; these Workers fetch that key set instead.
  const manyUsersKeys = { outboundService: signer.keysWorker.name }
  return [
    ...PEERS.filter((peer) => peer.name !== 'ours-probe').map((peer) => ({
      name: peer.name,
      scriptPath: bundles[peer.name].scriptPath,
      flags: peer.flags,
      bindings: peerBindings(peer.name),
    })),
    { name: 'ours', scriptPath: bundles.ours.scriptPath, bindings: ourBindings('ours'), kv: ['TRANSACTIONS'], extra: ourLimits },
    // ours-probe-b: the same Worker again (same project and KV), for a finish in another isolate.
    ...['ours-probe', 'ours-probe-b'].map((name) => ({
      name,
      scriptPath: bundles['ours-probe'].scriptPath,
      bindings: ourBindings('ours-probe'),
      kv: ['TRANSACTIONS'],
    })),
    // The sign-in floor, twice likewise, on ours-probe's project (its user) and KV namespace.
    ...['signin-floor', 'signin-floor-b'].map((name) => ({
      name,
      scriptPath: bundles[SIGNIN_FLOOR.name].scriptPath,
      bindings: peerBindings('ours-probe'),
      kv: ['TRANSACTIONS'],
    })),
    // Many users: the floor and ours on one project, so that one token stream serves both.
    signer.keysWorker,
    { name: 'floor-zipf', scriptPath: bundles.floor.scriptPath, bindings: peerBindings('zipf'), extra: manyUsersKeys },
    { name: 'ours-zipf', scriptPath: bundles.ours.scriptPath, bindings: ourBindings('zipf'), kv: ['TRANSACTIONS'], extra: { ...manyUsersKeys, ...ourLimits } },
    // No limiter binding: the probe brings its own (workers/local-limiter.ts).
    { name: 'ours-probe-zipf', scriptPath: bundles['ours-probe'].scriptPath, bindings: ourBindings('zipf'), kv: ['TRANSACTIONS'], extra: manyUsersKeys },
    coldHarnessWorker(coldHarness, coldCode, { kvDelayMs: REMOTE_KV_MS }),
  ]
}
