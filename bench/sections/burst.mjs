/**
 * @module
 * First requests: 16 simultaneous first requests per Worker, before anything warmed a key cache
 * (the JWKS fetches they cause), then one request per route that must answer 200 before any is
 * timed (a fast 401 would flatter it).
 */
import { burst } from '../lib/load.mjs'
import { PROTECTED, ROUTES } from '../lib/workers.mjs'
import { log } from '../lib/util.mjs'

export async function firstRequests({ emulator, projects, tokens, urlFor, headersFor, results }) {
  log('cold burst of 16 per Worker')
  results.coldBurst = {}
  for (const name of PROTECTED) await emulator(projects[name]).resetCalls()
  for (const name of PROTECTED) {
    const route = ROUTES.find((candidate) => candidate.worker === name)
    const statuses = await burst({ url: urlFor(route), count: 16, headers: headersFor(route, tokens[name]) })
    const ok = statuses.filter((status) => status === 200).length
    results.coldBurst[name] = { fetches: await emulator(projects[name]).count('GET /v2/keys'), ok, of: statuses.length }
    if (ok !== 16) results.notes.push(`cold burst on ${name}: only ${ok}/16 answered 200`)
  }
  for (const route of ROUTES) {
    const response = await fetch(urlFor(route), { headers: headersFor(route, tokens[route.worker]) })
    await response.arrayBuffer()
    if (response.status !== 200) throw new Error(`${route.id}: GET /api/hello answered ${response.status}, not 200`)
  }
}
