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
} from './descope-session.ts'
export type { CheckOptions, DescopeSessionOptions, EnvValue, EnvValues, SessionOptions, VerifierOptions } from './options.ts'
export { createVerifier, type Verifier } from './standalone.ts'
export type { RequestCheckOptions, SessionFailureCode, VerifyFailure, VerifyOutcome } from './outcome-types.ts'
export type { SessionRequirements } from '../session/policy.ts'
export type { ClaimValue, Session, TenantGrants } from '../session/types.ts'
