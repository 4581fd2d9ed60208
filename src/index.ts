/**
 * @module
 * The Worker entry: the Hono app as the default export, and the `SessionVerifier` RPC entrypoint
 * for other Workers (service bindings).
 */
import { createApp } from './app.ts'

export default createApp()
export { SessionVerifier } from './package/entrypoint.ts'
