/**
 * @module
 * A time bound for work that has no `AbortSignal` of its own (KV, a JWKS load).
 */

/** Settles like `promise`, or rejects with `Error(message)` once `ms` milliseconds have passed. */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => {
    if (timer !== undefined) clearTimeout(timer)
  })
}

/** True for the errors `AbortSignal.timeout` (or an abort) makes `fetch` and stream reads throw. */
export function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
}
