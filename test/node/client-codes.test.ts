/**
 * passkey-edge/client's `ErrorCode` type (JSDoc in static/client/api.js) against the browser
 * API's description (static/openapi.json, `ErrorBody`): one list of codes, so a code the edge
 * adds is a type error for clients, not a surprise.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import openapi from '../../static/openapi.json'

/** The client's own codes: no answer at all, or an answer that is not the edge's JSON. */
const CLIENT_CODES = ['network_error', 'unexpected_response']

describe('passkey-edge/client error codes', () => {
  it('should type exactly the codes static/openapi.json documents, plus the client’s own', () => {
    const source = readFileSync(new URL('../../static/client/api.js', import.meta.url), 'utf8')
    const typedef = /@typedef \{([^}]*)\} ErrorCode/.exec(source)?.[1] ?? ''
    const typed = [...typedef.matchAll(/'([a-z_]+)'/g)].map(([, code]) => code)
    const documented = openapi.components.schemas.ErrorBody.properties.error.properties.code.enum
    expect(typed.sort()).toEqual([...documented, ...CLIENT_CODES].sort())
  })
})
