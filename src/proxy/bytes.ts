/** How much of a too-large request body is read and dropped, so its connection can carry the next request. */
export const DROP_BODY_BYTES = 16 * 1024 * 1024;

/**
 * Reads a body of unknown length: at most `max` bytes, or null when it is longer, the rest cancelled. A request body
 * is read to its end instead, up to `dropUpTo` bytes in all (then left to the host): a connection whose request was
 * answered before its body ended cannot carry the next request (wrangler dev broke it, Node left it hanging), and
 * cancelling closes it under the answer.
 */
export async function readAtMost(body: ReadableStream<Uint8Array>, max: number, dropUpTo = 0): Promise<Uint8Array<ArrayBuffer> | null> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      if (!dropUpTo) await reader.cancel().catch(() => {});
      else await dropRest(reader, dropUpTo - size);
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

/**
 * Reads and drops up to `limit` more bytes: true when that was the end; past it, false and the rest left unread
 * (the lock released).
 */
export async function dropRest(reader: ReadableStreamDefaultReader<Uint8Array>, limit: number): Promise<boolean> {
  for (let dropped = 0; dropped <= limit;) {
    const { done, value } = await reader.read();
    if (done) return true;
    dropped += value.byteLength;
  }
  reader.releaseLock();
  return false;
}
