/**
 * @module
 * The session layer as a library: protect Hono routes with `requireSession()`, or verify a token
 * yourself with `verifierFor(config, descope)` / `createVerifier(...)`. The RPC entrypoint for
 * other Workers is `SessionVerifier` in `./entrypoint` (exported by the Worker's `src/index.ts`).
 * See docs/session.md.
 */
export { requireSession, authenticate, type RequireSessionOptions } from './middleware'
export { checkRequirements, type SessionRequirements } from './policy'
export { createVerifier, MAX_TOKEN_LENGTH, type TokenVerifier, type VerifyResult, type VerifierOptions, type RejectReason } from './verify'
export { KeyStore, type KeyStoreOptions } from './jwks'
export { verifierFor, keyStoreForConfig } from './for-config'
export { locateToken } from './token'
export type { Session, TenantGrants } from './types'
