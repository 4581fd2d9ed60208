/**
 * @module
 * `passkey-edge/session`: the session check of this Worker for any Hono app and any runtime
 * (Workers, Node ≥ 20, Bun, Deno; no `nodejs_compat`). docs/session.md says how to use it.
 *
 * This file is the package's public surface: what it exports is kept on purpose.
 */
export {
  descopeSession,
  requireAccess,
  requireSession,
  type AccessOptions,
  type RequirementOptions,
  type SessionVariables,
} from './descope-session'
export type { CheckOptions, DescopeSessionOptions, EnvValue, EnvValues, SessionOptions, VerifierOptions } from './options'
export { createVerifier, type Verifier } from './standalone'
export type { RequestCheckOptions, SessionFailureCode, VerifyFailure, VerifyOutcome } from './outcome-types'
export type { SessionRequirements } from '../session/policy'
export type { ClaimValue, Session, TenantGrants } from '../session/types'
