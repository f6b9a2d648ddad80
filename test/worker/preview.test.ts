// Character previews on the Worker (`GET /?preview=NAME`): fetched from NavTalk (the mock) once, kept in R2, served
// with long caching; bad names and unknown characters cost no second upstream call.
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { BAD_PREVIEW_NAMES, ORIGIN, PREVIEW_RULE, previewRequest } from '../proxy/cases.js';
import { ENDPOINT, MOCK_URL, client, errorOf, mock, useMock } from './helpers.js';

useMock();

const FACE = async () => new Uint8Array(await (await fetch(`${MOCK_URL}/samples/face.png`)).arrayBuffer());

describe('previews on the Worker', () => {
  it('fetches the PNG once into R2 and serves it from there, to this isolate and to a fresh handler alike', async () => {
    const worker = client();
    const first = await worker.call(previewRequest(ENDPOINT, 'navtalk.Leo', { origin: ORIGIN }));
    expect(first.status).toBe(200);
    expect(new Uint8Array(await first.arrayBuffer())).toEqual(await FACE());
    expect(['content-type', 'cache-control', 'x-content-type-options', 'access-control-allow-origin'].map((k) => first.headers.get(k)))
      .toEqual(['image/png', 'public, max-age=604800', 'nosniff', ORIGIN]);
    const kept = await env.RESULTS.head('preview.navtalk.Leo');
    expect([kept?.httpMetadata?.contentType, kept?.customMetadata]).toEqual(['image/png', { method: 'preview', character: 'navtalk.Leo' }]);
    expect(first.headers.get('etag')).toBe(`"${kept!.etag}"`);
    expect((await mock.previewCalls()).map((c) => c.path)).toEqual(['/uploadFiles/navtalk.Leo.png']);

    expect((await worker.call(previewRequest(ENDPOINT, 'navtalk.Leo'))).status).toBe(200);
    expect((await worker.call(previewRequest(ENDPOINT, 'navtalk.Leo', { 'if-none-match': first.headers.get('etag')! }))).status).toBe(304);
    // Another handler (its own memory): R2 has it, so NavTalk is not asked.
    const fresh = client({ UPSTREAM_TIMEOUT_MS: '1400' });
    expect((await fresh.call(previewRequest(ENDPOINT, 'navtalk.Leo'))).status).toBe(200);
    expect(await mock.calls()).toHaveLength(1);
  });

  it('bad names are 400 with the protocol\'s rule, and NavTalk is never asked', async () => {
    const worker = client({ ALLOWED_CHARACTERS: '' });
    for (const name of BAD_PREVIEW_NAMES) {
      const answer = await worker.call(previewRequest(ENDPOINT, name));
      expect(answer.status, name).toBe(400);
      expect((await errorOf(answer)).message.startsWith(PREVIEW_RULE)).toBe(true);
    }
    expect(await mock.calls()).toEqual([]);
  });

  it('an unknown character is 404 and remembered: the second ask costs nothing, and nothing is kept', async () => {
    const worker = client({ ALLOWED_CHARACTERS: '' });
    for (let i = 0; i < 2; i++) {
      const answer = await worker.call(previewRequest(ENDPOINT, 'navtalk.Nobody'));
      expect([answer.status, answer.headers.get('cache-control'), (await errorOf(answer)).code]).toEqual([404, 'public, max-age=300', 'not_found']);
    }
    expect(await mock.previewCalls()).toHaveLength(1);
    expect(await env.RESULTS.head('preview.navtalk.Nobody')).toBeNull();
  });
});
