/**
 * @module
 * The package's options, each written once: `SessionOptions` says whose sessions to accept and
 * how they arrive (`createVerifier()` takes it as is, `descopeSession()` as values or functions of
 * the app's env); `CheckOptions` says how one request is checked. Types only.
 */

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

/** How one request's session is checked. */
export interface CheckOptions {
  /**
   * Refresh a session cookie that is missing or merely expired with the refresh cookie (one call
   * to Descope). Bearer tokens never are. Default `true` in `descopeSession()`, which sets the new
   * cookies on the answer; `false` where the new cookies come back in `setCookie` for you to set
   * (`verifyRequest()`), since a rotated refresh token that misses the browser signs the user out.
   */
  refresh?: boolean
  /**
   * Refuse (403 `origin_not_allowed`) a request the cookies authenticate whose method is not GET,
   * HEAD or OPTIONS unless its `Origin` is its own or an allowed one, or `Sec-Fetch-Site` is
   * `same-origin` (docs/session.md, "Cross-site requests"). Default `true`. `false` gives up this
   * CSRF defence: a sibling subdomain (same site, so `SameSite=Strict` cookies go along) could then
   * post as the signed-in user. Without a method the request is taken to change something.
   */
  checkOrigin?: boolean
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
