/**
 * @module
 * The session layer as a library (docs/session.md): protect Hono routes with `requireSession()`
 * or check a request in a handler with `authenticate(c)`; verify a token yourself with
 * `verifierFor(config, descope)`, or, outside workerd, `createTokenVerifier` with a `KeyStore`.
 * The RPC entrypoint for other Workers is `SessionVerifier` in `./entrypoint` (exported by the
 * Worker's `src/index.ts`).
 */
export { verifierFor } from './for-config'
export { KeyStore } from './jwks'
export { authenticate, type RequireSessionOptions, requireSession } from './middleware'
export type { SessionRequirements } from './policy'
export type { Session, TenantGrants } from './types'
export { createTokenVerifier, type VerifyResult } from './verify'
