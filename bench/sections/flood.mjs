/**
 * @module
 * Forged-kid flood: well-signed tokens whose `kid` is not in the key set, 64 different ones, and
 * the JWKS re-fetches they cause against the 30 s cooldown jose and our design keep.
 */
import { load } from '../lib/load.mjs'
import { PROTECTED, ROUTES } from '../lib/workers.mjs'
import { log } from '../lib/util.mjs'

const FLOOD_SECONDS = 3
const COOLDOWN_SECONDS = 30

export async function flood({ args, emulator, projects, claims, urlFor, headersFor, results }) {
  log(`forged-kid flood, ${FLOOD_SECONDS}s per Worker`)
  results.flood = {}
  for (const name of PROTECTED) {
    const project = emulator(projects[name])
    const forged = []
    for (let i = 0; i < 64; i++) forged.push(await project.sign(claims(projects[name]), { kid: `forged-${i}` }))
    const route = ROUTES.find((candidate) => candidate.worker === name)
    await project.resetCalls()
    const headers = forged.map((token) => headersFor(route, token))
    const result = await load({ url: urlFor(route), connections: args.connections, seconds: FLOOD_SECONDS, headers })
    results.flood[name] = {
      fetches: await project.count('GET /v2/keys'),
      requests: result.requests,
      seconds: result.seconds,
      rejected: result.non2xx,
      allowed: Math.ceil(result.seconds / COOLDOWN_SECONDS),
    }
    if (result.requests > result.non2xx) results.notes.push(`forged-kid flood on ${name}: ${result.requests - result.non2xx} forged requests answered 2xx`)
  }
}
