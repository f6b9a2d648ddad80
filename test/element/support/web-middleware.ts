// Mounts a Web-standard handler `(Request) => Promise<Response>` in the test runner's dev server (Koa).
// The Request's signal aborts when the browser goes away before the answer, so handlers can see aborted fetches.
import type { Middleware } from 'koa';
import sirv from 'sirv';
import { dropped } from './test-proxy.js';

export function webMiddleware(handler: (request: Request) => Promise<Response>, matches: (path: string) => boolean): Middleware {
  return async (ctx, next) => {
    if (!matches(ctx.path)) return next();
    const controller = new AbortController();
    ctx.res.on('close', () => {
      if (!ctx.res.writableFinished) controller.abort();
    });
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
    const request = new Request(new URL(ctx.url, `http://${ctx.host}`), {
      method: ctx.method,
      headers: Object.entries(ctx.req.headers).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])),
      body: ctx.method === 'GET' || ctx.method === 'HEAD' ? undefined : Buffer.concat(chunks),
      signal: controller.signal,
    });
    const response = await handler(request);
    if (controller.signal.aborted) {
      ctx.status = 204; // the browser is gone: nothing is sent (and the runner logs no 404)
      ctx.respond = false;
      return;
    }
    const body = Buffer.from(await response.arrayBuffer());
    if (dropped.has(response)) {
      // Headers and half the body, then a cut: fetch() resolves and reading the body fails. (Cutting before
      // the headers would make Chromium silently resend the request on a new connection.)
      ctx.respond = false;
      ctx.res.writeHead(response.status, { 'content-type': 'application/json', 'content-length': String(body.length + 100) });
      ctx.res.write(body.subarray(0, Math.ceil(body.length / 2)), () => setTimeout(() => ctx.req.socket.destroy(), 20));
      return;
    }
    ctx.status = response.status;
    response.headers.forEach((value, key) => ctx.set(key, value));
    ctx.body = body;
  };
}

/**
 * Serves the files under `prefix` as a static host or CDN does, Range requests answered `206` (sirv). The runner's
 * own file server answers every Range request with the whole file (`200`), which WebKitGTK's GStreamer refuses
 * ("unexpected 200 HTTP status code for range request"), failing a video at random once several load at once.
 */
export function staticFiles(prefix: string): Middleware {
  const serve = sirv('.', { dev: true });
  return (ctx, next) => {
    if (!ctx.path.startsWith(prefix)) return next();
    return new Promise<void>((resolve, reject) => {
      ctx.res.on('close', () => resolve());
      ctx.respond = false;
      serve(ctx.req, ctx.res, () => {
        ctx.respond = true;
        next().then(resolve, reject);
      });
    });
  };
}
