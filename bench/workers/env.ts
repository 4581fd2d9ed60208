/**
 * @module
 * Bindings of the peer Workers: which emulator project they check tokens for.
 */

export interface PeerEnv {
  /** The emulator project whose keys this Worker trusts (each peer has its own, so key fetches are counted apart). */
  PROJECT_ID: string
  /** Where the emulator answers (routed in-process by Miniflare's outbound service). */
  DESCOPE_BASE_URL: string
}

/** `<base>/v2/keys/<projectId>`, Descope's JWKS address. */
export const jwksUrl = (env: PeerEnv): string => `${env.DESCOPE_BASE_URL}/v2/keys/${env.PROJECT_ID}`

/** The issuers Descope uses for a project: the bare ID or the base URL + `/<projectId>`. */
export const issuers = (env: PeerEnv): string[] => [env.PROJECT_ID, `${env.DESCOPE_BASE_URL}/${env.PROJECT_ID}`]

/** The bearer token of a request, if any. */
export function bearer(request: Request): string | undefined {
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(request.headers.get('Authorization') ?? '')
  return match?.[1]
}
