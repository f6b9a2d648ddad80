import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { DROP_BODY_BYTES, dropRest } from '../proxy/bytes.js';
import { isReusableAnswer } from '../proxy/handler.js';

type WebHandler = (request: Request) => Promise<Response>;

export interface NodeListenerOptions {
  /**
   * The public origin of this server (e.g. `https://api.example.com`) when it sits behind a reverse proxy: the
   * proxy builds the URLs of stored videos from the request's URL. Default: `http://` + the Host header.
   */
  publicOrigin?: string;
  /**
   * How long (ms) this process answers a repeat of a POST the handler answered `done` (the same URL, Origin,
   * Content-Type and body bytes) from memory, without building a Web Request: every viewer of a page sends the
   * same bytes for its finished video. A result deleted or remade meanwhile is seen this much later at most.
   * 0 turns it off. Default 1000.
   */
  reuseDoneAnswersMs?: number;
  /** The clock, in ms (for tests). */
  now?: () => number;
}

/** Bodies up to this size (declared) are read whole before the handler sees them; larger or undeclared ones are streamed. */
const WHOLE_BODY_BYTES = 64 * 1024;
/** Reused answers: at most this many, for bodies up to this size (a spoken script; not an uploaded recording). */
const REUSED_ANSWERS = 1000;
const REUSED_BODY_BYTES = 16 * 1024;

interface KeptAnswer { until: number; status: number; headers: Record<string, string>; body: Buffer }

/** The request body for `new Request`: a Buffer when small and declared, else a stream (the handler caps its reading). */
async function bodyOf(req: IncomingMessage): Promise<Buffer | ReadableStream<Uint8Array>> {
  const declared = Number(req.headers['content-length']);
  if (!Number.isSafeInteger(declared) || declared > WHOLE_BODY_BYTES) {
    return Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>;
  }
  // Events rather than `for await`: this runs for every cache hit, and the async iterator costs more than the read.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => resolve(Buffer.concat(chunks));
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= declared) return void chunks.push(chunk);
      // More than declared: stop reading; the handler sees what was declared, and rejects it if it is not JSON.
      req.removeAllListeners('data').removeListener('end', done).pause();
      done();
    });
    req.once('end', done);
    req.once('error', reject);
  });
}

/** Everything of a POST that its answer depends on (the client's address does not: a done answer admits nothing). */
const answerKey = (req: IncomingMessage, body: Buffer): string =>
  `${req.headers.host}\n${req.url}\n${req.headers.origin}\n${req.headers['content-type']}\n${body.toString('latin1')}`;

/**
 * The Web-standard proxy handler as a node:http listener (`createServer(nodeListener(proxy))`, or an Express
 * route): the request body is streamed in, the answer (a video included) streamed out.
 */
export function nodeListener(handler: WebHandler, options: NodeListenerOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const reuseMs = options.reuseDoneAnswersMs ?? 1000;
  const now = options.now ?? Date.now;
  const kept = new Map<string, KeptAnswer>();
  const keep = (key: string, answer: KeptAnswer) => {
    kept.delete(key);
    if (kept.size >= REUSED_ANSWERS) kept.delete(kept.keys().next().value!);
    kept.set(key, answer);
  };

  return (req, res) => {
    const origin = options.publicOrigin ?? `http://${req.headers.host ?? 'localhost'}`;
    const method = req.method ?? 'GET';
    void (async () => {
      try {
        const body = method !== 'GET' && method !== 'HEAD' ? await bodyOf(req) : undefined;
        const key = reuseMs > 0 && method === 'POST' && Buffer.isBuffer(body) && body.length <= REUSED_BODY_BYTES
          ? answerKey(req, body)
          : undefined;
        const repeat = key === undefined ? undefined : kept.get(key);
        if (repeat && repeat.until > now()) {
          res.writeHead(repeat.status, repeat.headers);
          res.end(repeat.body);
          return;
        }
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers)) {
          if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
        }
        const aborted = new AbortController();
        // Only a client gone before the answer aborts the request (an AbortError is not free to make).
        res.once('close', () => res.writableFinished || aborted.abort());
        const request = new Request(`${origin}${req.url ?? '/'}`, {
          method, headers, signal: aborted.signal, ...(body === undefined ? {} : { body, duplex: 'half' }),
        } as RequestInit);
        const response = await handler(request);
        const answerHeaders = Object.fromEntries(response.headers);
        if (body !== undefined && !req.complete) {
          // Answered before the body was read to its end (a refusal of a large body): the rest must be read before the
          // next request on this connection can be. A bounded rest is read and dropped after the answer, keeping the
          // connection; a larger or unreadable one (or more bytes than declared) ends the connection instead.
          const declared = Number(req.headers['content-length']);
          const drainable = !Buffer.isBuffer(body) && !body.locked && !(declared > DROP_BODY_BYTES);
          if (drainable) {
            res.once('finish', () => void dropRest(body.getReader(), DROP_BODY_BYTES).then((whole) => whole || req.socket.destroy(), () => req.socket.destroy()));
          } else {
            answerHeaders.connection = 'close';
            res.once('finish', () => req.socket.destroy());
          }
        }
        if (!response.body) {
          res.writeHead(response.status, answerHeaders);
          res.end();
        } else if (/json/.test(response.headers.get('content-type') ?? '')) {
          // JSON answers whole (web streams cost more than the answer); videos streamed.
          const bytes = Buffer.from(await response.arrayBuffer());
          answerHeaders['content-length'] = String(bytes.length);
          if (key !== undefined && isReusableAnswer(response)) {
            keep(key, { until: now() + reuseMs, status: response.status, headers: answerHeaders, body: bytes });
          }
          res.writeHead(response.status, answerHeaders);
          res.end(bytes);
        } else {
          res.writeHead(response.status, answerHeaders);
          await pipeline(Readable.fromWeb(response.body as unknown as NodeReadableStream<Uint8Array>), res);
        }
      } catch {
        // The handler answers its own errors; this is a client gone mid-answer, or a broken stream.
        if (!res.headersSent) res.writeHead(500);
        res.destroy();
      }
    })();
  };
}
