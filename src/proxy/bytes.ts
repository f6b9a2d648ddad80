/**
 * Reads a body of unknown length: at most `max` bytes, or null when it is longer, the rest cancelled, or with
 * `leaveRest` left unread for the host: a request body, whose host knows what to do with the rest of it (Node drains
 * it to keep the connection; cancelling it there closed the socket, and under wrangler dev broke the next request).
 */
export async function readAtMost(body: ReadableStream<Uint8Array>, max: number, leaveRest = false): Promise<Uint8Array<ArrayBuffer> | null> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      if (leaveRest) reader.releaseLock();
      else await reader.cancel().catch(() => {});
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
