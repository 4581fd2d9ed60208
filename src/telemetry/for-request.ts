/**
 * @module
 * The telemetry of an HTTP request, made on first use and kept in the context.
 */
import type { Context } from 'hono'
import type { AppEnv } from '../context'
import { Telemetry } from './telemetry'

export function telemetryOf(c: Context<AppEnv>): Telemetry {
  let telemetry = c.get('telemetry')
  if (!telemetry) {
    telemetry = new Telemetry(c.env?.METRICS, executionContextOf(c), c.req.raw.headers)
    c.set('telemetry', telemetry)
  }
  return telemetry
}

/** Hono throws when there is none (`app.request` in a unit test). */
function executionContextOf(c: Context): ExecutionContext | undefined {
  try {
    return c.executionCtx as ExecutionContext
  } catch {
    return undefined
  }
}
