/**
 * @module
 * Waiting for work another request started, without awaiting its promise.
 *
 * workerd does not let one request await I/O (or a promise settled by I/O) that another request
 * started: the waiter hangs or is cancelled with the other request. So requests that want to
 * share one JWKS fetch or one refresh call rendezvous through plain module-scope data instead:
 * the leader writes its result into a variable, the followers look at it on their own timers.
 */

/**
 * Resolves `true` as soon as `done()` holds, checking on this request's own timers (2 ms,
 * doubling, at most 25 ms apart); resolves `false` once `limitMs` have passed.
 */
export async function pollUntil(done: () => boolean, limitMs: number, now: () => number = Date.now): Promise<boolean> {
  const deadline = now() + limitMs
  let delay = 2
  while (!done()) {
    if (now() >= deadline) return false
    await new Promise((resolve) => setTimeout(resolve, delay))
    delay = Math.min(delay * 2, 25)
  }
  return true
}
