// `GET`/`HEAD {endpoint}?script=...`, an optional part of the protocol (docs/proxy.md), on both hosts: a host answers it
// as the reference handler does, or as any unknown GET (404 or 400), and either way it starts nothing, spends no token
// and calls no NavTalk. The element falls back to its POST on such an answer.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { SAMPLES_DIR } from '../../src/mock/server.js';
import { scriptUrl, type GenerateRequest } from '../../src/protocol/index.js';
import { ORIGIN, signed, textBody } from '../proxy/cases.js';
import { errorOf, generateCalls, stateOf, useHosts, type Client } from './hosts.js';

// One new video a minute per address: a GET that took a token would leave the page's POST none.
const { conformance } = useHosts({ RATE_LIMIT_PER_MINUTE: '1' });

/** What a host without the route answers a GET it does not know. */
const WITHOUT_ROUTE = [400, 404];
/** The query of the script URL of `body` (the hosts' endpoints differ; the query does not). */
const scriptQuery = (body: unknown) => new URL(scriptUrl('http://host.example/', body as GenerateRequest)!).search;

/** The script's answer once the host has copied its video (a 302 to NavTalk's URL until then): every 50 ms, 15 s at most. */
async function onceKept(client: Client, query: string): Promise<Response> {
  for (let tries = 1; ; tries++) {
    const answer = await client.send({ query });
    if (answer.status !== 302 || tries === 300) return answer;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

conformance('optional ?script=: an unmade script is 404 no-store (400 without the route); refusals as its POST\'s; nothing started or spent', async ({ client, mock, t }) => {
  const body = await signed(textBody('conf-script-unmade'));
  const answers = await Promise.all(Array.from({ length: 20 }, () => client.send({ query: scriptQuery(body) })));
  for (const answer of answers) expect(WITHOUT_ROUTE).toContain(answer.status);
  const first = await t.answer('unmade', answers[0]!);
  const implemented = first.status === 404 && (await errorOf(first)).message.includes('not made yet');
  if (implemented) expect(first.headers.get('cache-control')).toBe('no-store');
  const head = await client.send({ method: 'HEAD', query: scriptQuery(body) });
  t.note('HEAD', head.status);
  expect(WITHOUT_ROUTE).toContain(head.status);

  // A refused script gets the POST's answer from a host with the route, a 404 or 400 from one without.
  const plain = textBody('conf-script-refused');
  for (const [label, refused] of [['unsigned', plain], ['bad voice', { ...plain, voice: 'nope' }], ['forged', { ...plain, signature: 'A'.repeat(43) }]] as const) {
    const posted = await client.post(refused);
    const got = await t.answer(label, await client.send({ query: scriptQuery(refused) }));
    if (implemented) expect([got.status, (await errorOf(got)).code], label).toEqual([posted.status, (await errorOf(posted)).code]);
    else expect(WITHOUT_ROUTE).toContain(got.status);
  }
  expect(mock.calls).toEqual([]);
  // The address's one token is still there: none of those GETs took it.
  expect((await stateOf(await t.answer('POST', await client.post(body)))).status).toBe('started');
  expect(generateCalls(mock)).toHaveLength(1);
});

conformance('optional ?script=: a made script is its kept video (200, Range 206, HEAD, cached for good), or 404/400 without the route; 0 NavTalk calls', async ({ client, mock, t }) => {
  const body = await signed(textBody('conf-script-made'));
  const started = await stateOf(await client.post(body));
  expect((await client.settle(started.task_id)).status).toBe('done');
  const calls = mock.calls.length;
  const query = scriptQuery(body);
  const whole = await t.answer('GET', await onceKept(client, query));
  if (WITHOUT_ROUTE.includes(whole.status)) {
    t.note('without the route', whole.status);
  } else {
    const original = readFileSync(new URL('avatar.mp4', SAMPLES_DIR));
    expect(whole.status).toBe(200);
    expect(Buffer.from(await whole.clone().arrayBuffer()).equals(original)).toBe(true);
    expect([whole.headers.get('content-type'), whole.headers.get('cache-control'), whole.headers.get('access-control-allow-origin')])
      .toEqual(['video/mp4', 'public, max-age=31536000, immutable', null]); // a <video> sends no Origin
    const part = await t.answer('Range', await client.send({ query, headers: { range: 'bytes=10-19' } }));
    expect([part.status, part.headers.get('content-range')]).toEqual([206, `bytes 10-19/${original.length}`]);
    expect(Buffer.from(await part.clone().arrayBuffer()).equals(original.subarray(10, 20))).toBe(true);
    const head = await t.answer('HEAD', await client.send({ method: 'HEAD', query, headers: { origin: ORIGIN } }));
    expect([head.status, head.headers.get('content-length'), head.headers.get('access-control-allow-origin')]).toEqual([200, String(original.length), ORIGIN]);
  }
  expect(mock.calls.length).toBe(calls);
  expect(generateCalls(mock)).toHaveLength(1);
});
