/**
 * @module
 * The request's execution context (`waitUntil`), where the runtime has one.
 */
import type { Context } from 'hono'

/** Hono throws when there is none (another runtime, or `app.request` in a unit test). */
export function getExecutionContext(c: Context): ExecutionContext | undefined {
  try {
    return c.executionCtx as ExecutionContext
  } catch {
    return undefined
  }
}
