/**
 * @module
 * `waitUntil` of a request, where there is one.
 */
import type { Context } from 'hono'

/** Extends a request's life for work that must finish even if the client goes away. */
export type WaitUntil = (promise: Promise<unknown>) => void

/** The request's `ctx.waitUntil`, or `undefined` without an execution context (`app.request` in a unit test). */
export function waitUntilOf(c: Context): WaitUntil | undefined {
  try {
    const ctx = c.executionCtx
    return (promise) => ctx.waitUntil(promise)
  } catch {
    return undefined
  }
}
