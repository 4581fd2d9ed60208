/**
 * @module
 * `passkey-edge/rpc`: the types of this Worker's `SessionVerifier` entrypoint, for another Worker
 * bound to it (`Service<SessionVerifier>`). Types only: the code runs in this Worker.
 *
 * This file is the package's public surface: what it exports is kept on purpose.
 */
export type { RemoteOutcome, RemoteSession, SessionVerifier } from './entrypoint.ts'
export type { RequestCheckOptions, SessionFailureCode, VerifyFailure, VerifyOutcome } from './outcome-types.ts'
export type { CheckOptions } from '../session/types.ts'
export type { SessionRequirements } from '../session/policy.ts'
export type { ClaimValue, TenantGrants } from '../session/types.ts'
