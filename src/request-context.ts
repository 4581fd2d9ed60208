/**
 * @module
 * The Worker's helpers over a Hono context (`(c, …)`): the request's telemetry and Descope calls
 * mapped to the browser API's errors. Worker-only: the package's code takes a `Telemetry` instead.
 */
import type { Context } from 'hono'
import type { AppEnv } from './context.ts'
import { callUpstream, type UpstreamStep, toBrowserError } from './descope/http-errors.ts'
import { getExecutionContext } from './lib/execution-context.ts'
import { Telemetry } from './telemetry/telemetry.ts'

/** The request's telemetry, made on first use and kept in the context. */
export function getTelemetry(c: Context<AppEnv>): Telemetry {
  let telemetry = c.get('telemetry')
  if (!telemetry) {
    telemetry = new Telemetry(c.env?.METRICS, getExecutionContext(c), c.req.raw.headers)
    c.set('telemetry', telemetry)
  }
  return telemetry
}

/** Turns an error thrown while calling Descope into the browser API's error; logs and counts it. */
export function toHttpError(c: Context<AppEnv>, error: unknown, step: UpstreamStep): unknown {
  return toBrowserError(getTelemetry(c), error, step)
}

/** Calls Descope; a failure is thrown as the browser API's error for this step. */
export function upstream<T>(c: Context<AppEnv>, step: UpstreamStep, call: () => Promise<T>): Promise<T> {
  return callUpstream(getTelemetry(c), step, call)
}
