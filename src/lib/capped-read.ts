/**
 * @module
 * Reading a body with a byte limit that holds whatever `Content-Length` claims: the stream is
 * read chunk by chunk and cancelled as soon as it passes the limit.
 */

/**
 * The stream's bytes, or `undefined` (and the stream cancelled) when it is longer than
 * `maxBytes`. A `null` body reads as no bytes. Errors of the stream itself are rethrown.
 */
export async function readCapped(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array | undefined> {
  if (!body) return new Uint8Array(0)
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel()
      return undefined
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}
