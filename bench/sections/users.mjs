/**
 * @module
 * Many users: 100,000 users drawn Zipf(1.1) (lib/many-users.mjs); the floor and ours under load
 * on the same token stream, the same stream in-isolate, and the memory's size against hit rate.
 */
import { load } from '../lib/load.mjs'
import { STREAM_LENGTH, USERS, ZIPF_S, memoryCurve, streamProbe, streamTokens } from '../lib/many-users.mjs'
import { rememberedBytes } from '../lib/remembered-bytes.mjs'
import { ROOT } from '../lib/build.mjs'
import { log, median, summary, timedRound, verifyProbe } from '../lib/util.mjs'

/** Paired rounds, at least: the target reads a median of per-round ratios, and 3 of them move a lot. */
const MIN_ROUNDS = 5

export async function manyUsers({ args, stack, urls, projects, claims, signer, out, results }) {
  log(`many users: ${USERS.toLocaleString('en-US')} users, Zipf(${ZIPF_S}), a stream of ${STREAM_LENGTH.toLocaleString('en-US')} requests`)
  const stream = streamTokens(signer.sign, (rank) => claims(projects.zipf, rank + 1), log)
  const headers = stream.order.map((at) => ({ Authorization: `Bearer ${stream.tokens[at]}` }))
  const routes = ['floor-zipf', 'ours-zipf']
  const options = (id, seconds) => ({ url: `${urls[id]}/api/hello`, connections: args.connections, seconds, headers })
  for (const id of routes) await load(options(id, 1))
  const rounds = { 'floor-zipf': [], 'ours-zipf': [] }
  for (let round = 0; round < Math.max(args.rounds, MIN_ROUNDS); round++) {
    for (const id of round % 2 ? [...routes].reverse() : routes) rounds[id].push(await timedRound(stack, id, round, options(id, args.seconds)))
  }
  const rps = (id) => rounds[id].map((r) => r.rps)
  results.manyUsers = {
    users: USERS,
    s: ZIPF_S,
    streamLength: STREAM_LENGTH,
    distinctUsers: stream.distinct,
    floor: summary(rounds['floor-zipf']),
    ours: summary(rounds['ours-zipf']),
    // The target's estimator (bench/README.md, "Many users"): the two runs of a round share the
    // machine's load, so their ratio cancels it. The ratio of the medians mixes rounds.
    pairedRatio: median(rps('ours-zipf').map((value, i) => value / rps('floor-zipf')[i])),
    ratioOfMedians: median(rps('ours-zipf')) / median(rps('floor-zipf')),
  }
  log('  in-isolate µs per request and memory hit rate on the same stream')
  const floor = await streamProbe({ url: `${urls['floor-zipf']}/__bench/verify`, stream, post: verifyProbe })
  const ours = await streamProbe({
    url: `${urls['ours-probe-zipf']}/__bench/verify`,
    stream,
    memoryUrl: `${urls['ours-probe-zipf']}/__bench/memory`,
    post: verifyProbe,
  })
  Object.assign(results.manyUsers.floor, { usPerRequest: median(floor.runs) })
  Object.assign(results.manyUsers.ours, { usPerRequest: median(ours.runs), hitRate: ours.hitRate, hits: ours.hits, checks: ours.checks })
  log('  memory size against hit rate (simulated on 1,000,000 requests) and bytes per remembered token (Node)')
  results.manyUsers.curve = await memoryCurve(out)
  results.manyUsers.memory = await rememberedBytes({ outdir: out, root: ROOT })
}
