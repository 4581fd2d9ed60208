/**
 * @module
 * Bounded HTTP load with autocannon (in this process; the Workers run in workerd's own process).
 */
import autocannon from 'autocannon'

/**
 * One fixed-duration round of GETs against `url` with `connections` keep-alive connections.
 * `headers` may be a list: each request then takes the next one (e.g. a flood of different tokens).
 * @returns {Promise<{requests: number, rps: number, p50: number, p99: number, non2xx: number, errors: number, seconds: number}>}
 */
export async function load({ url, connections = 16, seconds = 5, headers = {} }) {
  const options = { url, connections, duration: seconds, pipelining: 1 }
  if (Array.isArray(headers)) {
    let next = 0
    options.requests = [{ method: 'GET', setupRequest: (request) => ({ ...request, headers: headers[next++ % headers.length] }) }]
  } else {
    options.headers = headers
  }
  const result = await autocannon(options)
  const ok = result['2xx'] ?? 0
  const requests = ok + (result.non2xx ?? 0)
  return {
    requests,
    rps: requests / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx ?? 0,
    errors: result.errors ?? 0,
    seconds: result.duration,
  }
}

/** `count` simultaneous GETs (a cold burst), each on its own connection; answers their statuses. */
export async function burst({ url, count, headers }) {
  const responses = await Promise.all(
    Array.from({ length: count }, () =>
      fetch(url, { headers })
        .then(async (response) => {
          await response.arrayBuffer()
          return response.status
        })
        .catch(() => 0)
    )
  )
  return responses
}
