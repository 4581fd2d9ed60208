/**
 * @module
 * Bytes of isolate memory per remembered token: our verifier (`src/session/jwt.ts`, bundled
 * for Node, V8 as in workerd) fills its memory with `count` never-seen tokens of the bench's
 * shape; the heap is measured after a full GC with the memory held, then again with it dropped.
 * The token strings are counted (the memory keeps them alive) and are flat, as a header's are.
 *
 * Run as a child process: `node --expose-gc remembered-bytes.mjs <bundle> <count>` prints JSON.
 * `rememberedBytes()` builds the bundle and runs it.
 */
import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'

/** Builds the verifier for Node and measures in a child process with `--expose-gc`. */
export async function rememberedBytes({ outdir, root, count = 2000 }) {
  const { build } = await import('esbuild')
  const entry = join(outdir, 'remembered-entry.mjs')
  await writeFile(
    entry,
    `export { createJwtVerifier } from ${JSON.stringify(join(root, 'src/session/jwt.ts'))}\n` +
      `export { KeyStore } from ${JSON.stringify(join(root, 'src/keys/key-store.ts'))}\n` +
      `export { SignJWT, generateKeyPair, exportJWK } from 'jose'\n`
  )
  const bundle = join(outdir, 'remembered-bundle.mjs')
  await build({
    entryPoints: [entry],
    outfile: bundle,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
    nodePaths: [join(root, 'node_modules')],
  })
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', new URL(import.meta.url).pathname, bundle, String(count)], {
    timeout: 120_000,
  })
  return JSON.parse(stdout)
}

async function child(bundle, count) {
  const { createJwtVerifier, KeyStore, SignJWT, generateKeyPair, exportJWK } = await import(bundle)
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true })
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'RS256', use: 'sig' }
  const projectId = 'P2benchmemory000000000000000'
  const keys = new KeyStore({ fetchKeys: async () => ({ keys: [jwk] }) })
  const now = Math.floor(Date.now() / 1000)
  // Flat strings, as a token read from a request header is (a concatenation would be a rope).
  const flat = (text) => Buffer.from(text, 'latin1').toString('latin1')
  let tokens = []
  for (let i = 0; i < count; i++) {
    const payload = { drn: 'DS', amr: ['webauthn'], roles: [], permissions: [], tenants: {}, jti: `bench-memory-${i}` }
    const jwt = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'RS256', kid: 'bench', typ: 'JWT' })
      .setSubject(`U2bench${i}`)
      .setIssuer(projectId)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(privateKey)
    tokens.push(flat(jwt))
  }
  const tokenChars = tokens[0].length
  let verifier = createJwtVerifier({ projectId, clockToleranceSeconds: 5, keys, cacheSize: count })
  await verifier.verifyJwt(tokens[0])
  const settle = async () => {
    for (let i = 0; i < 4; i++) {
      globalThis.gc()
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    return process.memoryUsage().heapUsed
  }
  for (const token of tokens) {
    const result = await verifier.verifyJwt(token)
    if (!result.ok) throw new Error(`token refused: ${result.reason}`)
  }
  tokens = undefined
  const held = await settle()
  verifier = createJwtVerifier({ projectId, clockToleranceSeconds: 5, keys, cacheSize: count })
  const dropped = await settle()
  process.stdout.write(JSON.stringify({ count, tokenChars, bytesPerToken: (held - dropped) / count }))
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  child(process.argv[2], Number(process.argv[3])).catch((error) => {
    process.stderr.write(String(error?.stack ?? error))
    process.exit(1)
  })
}
