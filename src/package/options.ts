/**
 * @module
 * The package's options, each written once: `SessionOptions` says whose sessions to accept and
 * how they arrive (`createVerifier()` takes it as is, `descopeSession()` as values or functions of
 * the app's env); `CheckOptions` (session/types.ts, shared with this Worker's `requireSession()`)
 * says how one request is checked. Types only.
 */
import type { CheckOptions } from '../session/types.ts'

export type { CheckOptions }

/** Whose sessions a check accepts, and how they arrive. */
export interface SessionOptions {
  /** The Descope project ID (`P…`). */
  projectId: string
  /** Descope's API base (a custom domain, or the emulator); by default derived from the project ID's region. */
  baseUrl?: string
  /** Require this `aud` in session tokens. */
  audience?: string
  /** Session cookie name; `__Host-DS` by default (a sibling subdomain cannot plant it; plain `DS` is Descope's name). */
  sessionCookie?: string
  /** Refresh cookie name; `__Host-DSR` by default. */
  refreshCookie?: string
  /**
   * Origins that may send cookie-authenticated requests with unsafe methods (POST, PUT, PATCH,
   * DELETE…) besides the request's own: exact origins like `https://app.example.com`, as an array
   * or comma-separated (docs/session.md, "Cross-site requests").
   */
  allowedOrigins?: string | string[]
}

/** A value, or a function of the app's env (Workers bindings and vars; whatever the runtime passes elsewhere). */
export type EnvValue<T, Bindings> = T | ((env: Bindings) => T)

/** Each option a value or a function of the app's env (one that may answer `undefined`: the default). */
export type EnvValues<Options, Bindings> = { [Name in keyof Options]: EnvValue<Options[Name] | undefined, Bindings> }

/** `descopeSession()`'s options: `SessionOptions` and `CheckOptions`, each a value or a function of the app's env. */
// biome-ignore lint/suspicious/noExplicitAny: an app without typed bindings gets untyped `(env) => env.X` options, as Hono's own default
export type DescopeSessionOptions<Bindings = any> = EnvValues<SessionOptions & CheckOptions, Bindings>

/** @deprecated Renamed `SessionOptions` (`createVerifier()`'s options, and `descopeSession()`'s as values). */
export type VerifierOptions = SessionOptions
