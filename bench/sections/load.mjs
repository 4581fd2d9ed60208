/**
 * @module
 * Throughput and latency: a 1 s warm-up per route, then interleaved rounds (the order rotated
 * each round), and the JWKS fetches all those rounds caused (steady state: none expected).
 */
import { load } from '../lib/load.mjs'
import { PROTECTED, ROUTES } from '../lib/workers.mjs'
import { log, summary, timedRound } from '../lib/util.mjs'

export async function loadRounds({ args, stack, emulator, projects, tokens, urlFor, headersFor, results }) {
  log(`load: ${ROUTES.length} routes x ${args.rounds} rounds x ${args.seconds}s, ${args.connections} connections`)
  const options = (route, seconds) => ({ url: urlFor(route), connections: args.connections, seconds, headers: headersFor(route, tokens[route.worker]) })
  for (const route of ROUTES) await load(options(route, 1))
  for (const name of PROTECTED) await emulator(projects[name]).resetCalls()
  const rounds = Object.fromEntries(ROUTES.map((route) => [route.id, []]))
  for (let round = 0; round < args.rounds; round++) {
    for (let i = 0; i < ROUTES.length; i++) {
      const route = ROUTES[(i + round * 3) % ROUTES.length]
      rounds[route.id].push(await timedRound(stack, route.id, round, options(route, args.seconds)))
    }
  }
  results.routes = Object.fromEntries(ROUTES.map((route) => [route.id, { label: route.label, ...summary(rounds[route.id]) }]))
  // Per 10,000 requests; ours: the header and cookie rounds together.
  results.steady = {}
  for (const name of PROTECTED) {
    const requests = ROUTES.filter((route) => route.worker === name).reduce((sum, route) => sum + results.routes[route.id].requests, 0)
    const fetches = await emulator(projects[name]).count('GET /v2/keys')
    results.steady[name] = { fetches, requests, per10k: (fetches * 10_000) / requests }
  }
}
