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
    res.once('close', () => aborted.abort());
    const hasBody = method !== 'GET' && method !== 'HEAD';
    const request = new Request(`${origin}${req.url ?? '/'}`, {
      method, headers, signal: aborted.signal,
      ...(hasBody ? { body: Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>, duplex: 'half' } : {}),
    } as RequestInit);
    void (async () => {
      try {
        const response = await handler(request);
        res.writeHead(response.status, Object.fromEntries(response.headers));
        if (!response.body) res.end();
        else await pipeline(Readable.fromWeb(response.body as unknown as NodeReadableStream<Uint8Array>), res);
      } catch {
        // The handler answers its own errors; this is a client gone mid-answer, or a broken stream.
        if (!res.headersSent) res.writeHead(500);
        res.destroy();
      }
    })();
  };
}
