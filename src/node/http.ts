import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';

type WebHandler = (request: Request) => Promise<Response>;

export interface NodeListenerOptions {
  /**
   * The public origin of this server (e.g. `https://api.example.com`) when it sits behind a reverse proxy: the
   * proxy builds the URLs of stored videos from the request's URL. Default: `http://` + the Host header.
   */
  publicOrigin?: string;
}

/** Bodies up to this size (declared) are read whole before the handler sees them; larger or undeclared ones are streamed. */
const WHOLE_BODY_BYTES = 64 * 1024;

/** The request body for `new Request`: a Buffer when small and declared, else a stream (the handler caps its reading). */
async function bodyOf(req: IncomingMessage): Promise<{ body: BodyInit; duplex?: 'half' }> {
  const declared = Number(req.headers['content-length']);
  if (!Number.isSafeInteger(declared) || declared > WHOLE_BODY_BYTES) {
    return { body: Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>, duplex: 'half' };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    // More than declared: stop reading; the handler sees what was declared, and rejects it if it is not JSON.
    if (size > declared) break;
    chunks.push(chunk as Buffer);
  }
  return { body: Buffer.concat(chunks) };
}

/**
 * The Web-standard proxy handler as a node:http listener (`createServer(nodeListener(proxy))`, or an Express
 * route): the request body is streamed in, the answer (a video included) streamed out.
 */
export function nodeListener(handler: WebHandler, options: NodeListenerOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const origin = options.publicOrigin ?? `http://${req.headers.host ?? 'localhost'}`;
    const method = req.method ?? 'GET';
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const aborted = new AbortController();
    // Only a client gone before the answer aborts the request (an AbortError is not free to make).
    res.once('close', () => res.writableFinished || aborted.abort());
    void (async () => {
      try {
        const request = new Request(`${origin}${req.url ?? '/'}`, {
          method, headers, signal: aborted.signal, ...(method !== 'GET' && method !== 'HEAD' ? await bodyOf(req) : {}),
        } as RequestInit);
        const response = await handler(request);
        res.writeHead(response.status, Object.fromEntries(response.headers));
        if (!response.body) res.end();
        // JSON answers whole (web streams cost more than the answer); videos streamed.
        else if (/json/.test(response.headers.get('content-type') ?? '')) res.end(Buffer.from(await response.arrayBuffer()));
        else await pipeline(Readable.fromWeb(response.body as unknown as NodeReadableStream<Uint8Array>), res);
      } catch {
        // The handler answers its own errors; this is a client gone mid-answer, or a broken stream.
        if (!res.headersSent) res.writeHead(500);
        res.destroy();
      }
    })();
  };
}
