/**
 * @module
 * Verification cost in plain Node (one thread, so one core): `jose` `jwtVerify` with an imported
 * key, for RS256, ES256 and EdDSA, the algorithms Descope or a Worker might meet.
 */
import { SignJWT, generateKeyPair, jwtVerify } from 'jose'

/**
 * Verifies one token repeatedly for `ms` milliseconds per algorithm.
 * @returns {Promise<Record<string, {perSecond: number, usPerVerification: number}>>}
 */
export async function joseInNode(ms = 1000) {
  const results = {}
  for (const alg of ['RS256', 'ES256', 'EdDSA']) {
    const { privateKey, publicKey } = await generateKeyPair(alg, { crv: alg === 'EdDSA' ? 'Ed25519' : undefined })
    const now = Math.floor(Date.now() / 1000)
    const token = await new SignJWT({ drn: 'DS' })
      .setProtectedHeader({ alg, kid: 'bench' })
      .setSubject('U2bench')
      .setIssuer('P2bench')
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(privateKey)
    const options = { algorithms: [alg], issuer: 'P2bench' }
    for (let i = 0; i < 200; i++) await jwtVerify(token, publicKey, options)
    let count = 0
    const start = performance.now()
    let elapsed = 0
    while (elapsed < ms) {
      for (let i = 0; i < 50; i++) await jwtVerify(token, publicKey, options)
      count += 50
      elapsed = performance.now() - start
    }
    results[alg] = { perSecond: Math.round((count * 1000) / elapsed), usPerVerification: (elapsed * 1000) / count }
  }
  return results
}
