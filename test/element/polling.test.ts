import { expect } from '@open-wc/testing';
import { failure, mount, part, ready } from './support/helpers.js';
import { waitUntil } from './support/wait.js';
import { testProxy } from './support/proxy.js';
import type { RecordedRequest } from './support/script.js';

const TEXT = { character: 'navtalk.Leo', text: 'Polling.', voice: 'echo' };
const gaps = (requests: RecordedRequest[]) => requests.slice(1).map((r, i) => r.at - requests[i]!.at);
const query = (r: RecordedRequest) => Object.fromEntries(new URL(r.url, location.origin).searchParams);

describe('polling', () => {
  it('long-polls with wait and the last seen status when the proxy holds requests', async () => {
    const proxy = await testProxy({
      timeline: [{ status: 'started', at: 0 }, { status: 'processing', at: 300 }, { status: 'done', at: 700 }],
    });
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...TEXT });
    await ready(el);
    const polls = await proxy.polls();
    expect(polls.map(query)).to.deep.equal([
      { task_id: 'task-1', wait: '25', status: 'started' },
      { task_id: 'task-1', wait: '25', status: 'processing' },
    ]);
  });

  it('falls back on growing, jittered backoff when the proxy answers wait requests at once', async function () {
    this.timeout(20_000);
    const proxy = await testProxy({ longPoll: false, timeline: [{ status: 'processing', at: 0 }, { status: 'done', at: 5600 }] });
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...TEXT });
    await ready(el);
    const polls = await proxy.polls();
    // The first poll asked for a long-poll; once answered at once with no change, plain polls follow.
    expect(query(polls[0]!)).to.have.keys(['task_id', 'wait', 'status']);
    for (const poll of polls.slice(1)) expect(query(poll)).to.deep.equal({ task_id: 'task-1' });
    // 1 s, 1.6 s, 2.56 s, each +-20 %, plus up to 600 ms for the round trip (WebKitGTK beside other suites). A slow
    // round trip may make one gap look shorter than the one before; the third is always longer than the first.
    const [a, b, c] = gaps(polls);
    expect(polls.length).to.be.at.least(4);
    expect(a).to.be.within(800, 1800);
    expect(b).to.be.within(1280, 2520);
    expect(c).to.be.within(2048, 3670);
    expect(a).to.be.lessThan(c!);
  });

  it('honours Retry-After in seconds on a 503 poll', async () => {
    const proxy = await testProxy({
      timeline: [{ status: 'processing', at: 0 }, { status: 'done', at: 200 }],
      poll: [{ http: 503, error: { code: 'unavailable', message: 'Busy.' }, headers: { 'retry-after': '2' } }],
    });
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...TEXT });
    await ready(el);
    const [gap] = gaps(await proxy.polls());
    expect(gap).to.be.within(1950, 2600);
  });

  it('honours Retry-After as an HTTP date on a 429 poll', async () => {
    // An absolute time, in whole seconds: the next poll waits for it however long the first one took to come.
    const retryAt = new Date(Date.now() + 4000);
    retryAt.setMilliseconds(0);
    const proxy = await testProxy({
      timeline: [{ status: 'processing', at: 0 }, { status: 'done', at: 200 }],
      poll: [{ http: 429, error: { code: 'rate_limited', message: 'Slow down.' }, headers: { 'retry-after': retryAt.toUTCString() } }],
    });
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...TEXT });
    await ready(el);
    const [first, second] = await proxy.polls();
    expect(first!.at, 'the 429 came before the date').to.be.below(retryAt.getTime());
    // Browser and proxy read the same clock. The wait is rounded up to whole seconds: up to 1 s late, plus slack
    // for a loaded machine.
    expect(second!.at - retryAt.getTime()).to.be.within(-50, 2000);
  });

  it('retries polls after a dropped connection and a 502, then finishes', async () => {
    const proxy = await testProxy({
      timeline: [{ status: 'processing', at: 0 }, { status: 'done', at: 100 }],
      poll: [{ drop: true }, { http: 502, error: { code: 'upstream_failed', message: 'Bad gateway.' }, headers: { 'retry-after': '0' } }],
    });
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...TEXT });
    await ready(el);
    expect(await proxy.polls()).to.have.length(3);
    expect(await proxy.posts()).to.have.length(1);
  });

  it('gives up after a bounded number of failed polls in a row', async () => {
    const busy = { http: 503, error: { code: 'unavailable', message: 'Still down.' }, headers: { 'retry-after': '0' } };
    const proxy = await testProxy({ timeline: [{ status: 'processing', at: 0 }], poll: Array(8).fill(busy) });
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...TEXT });
    expect(await failure(el)).to.deep.include({ code: 'proxy_error', message: 'Still down.' });
    expect(await proxy.polls()).to.have.length(5);
  });

  it('times out after the timeout attribute, asking for no longer a wait than is left', async () => {
    // The poll is held 5 s, past the deadline: held only the 1 s it asks for, it would end 5-30 ms (the POST's
    // round trip) after the deadline, and a busy machine delaying the browser's timer that long let the
    // answer win the race (seen once in Firefox), so nothing was left to cut.
    const proxy = await testProxy({ timeline: [{ status: 'processing', at: 0 }], poll: [{ delayMs: 5000 }] });
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', timeout: '1', ...TEXT });
    const started = performance.now();
    expect(await failure(el)).to.deep.equal({ code: 'timeout', message: 'No video after 1 s.' });
    expect(performance.now() - started).to.be.within(800, 6000); // not before the timeout; loose above for loaded CI machines
    expect(query((await proxy.polls())[0]!).wait).to.equal('1');
    await waitUntil(async () => (await proxy.polls()).every((p) => p.aborted), 'the held poll is cut at the deadline', { timeout: 5000 });
  });
});

describe('the POST is never sent twice on its own', () => {
  it('a dropped POST ends in network with a retry button; only the button sends it again', async () => {
    const proxy = await testProxy({ post: [{ drop: true }] });
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...TEXT });
    expect((await failure(el)).code).to.equal('network');
    await el.updateComplete;
    await new Promise((resolve) => setTimeout(resolve, 1500)); // longer than the first backoff step
    expect(await proxy.posts()).to.have.length(1);
    part(el, 'retry')!.click();
    await ready(el);
    expect(await proxy.posts()).to.have.length(2);
  });

  it('a 503 POST is not retried either', async () => {
    const proxy = await testProxy({ post: [{ http: 503, error: { code: 'unavailable', message: 'Busy.' }, headers: { 'retry-after': '1' } }] });
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...TEXT });
    expect(await failure(el)).to.deep.equal({ code: 'proxy_error', message: 'Busy.', retryAfter: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await proxy.posts()).to.have.length(1);
  });
});

describe('proxy errors map to the element codes', () => {
  const cases: Array<[string, Parameters<typeof testProxy>[0], { code: string; message?: string; retryAfter?: number }]> = [
    ['401 signature_required', { post: [{ http: 401, error: { code: 'signature_required', message: 'Sign it.' } }] }, { code: 'unauthorized', message: 'Sign it.' }],
    ['403 origin_not_allowed', { post: [{ http: 403, error: { code: 'origin_not_allowed', message: 'Not here.' } }] }, { code: 'unauthorized' }],
    ['403 without a body', { post: [{ http: 403, raw: '' }] }, { code: 'unauthorized', message: 'The proxy answered HTTP 403.' }],
    ['429 rate_limited', { post: [{ http: 429, error: { code: 'rate_limited', message: 'Easy.' }, headers: { 'retry-after': '30' } }] }, { code: 'rate_limited', retryAfter: 30 }],
    ['429 budget_exhausted', { post: [{ http: 429, error: { code: 'budget_exhausted', message: 'Done for today.' } }] }, { code: 'rate_limited' }],
    ['400 invalid_input', { post: [{ http: 400, error: { code: 'invalid_input', message: 'voice is not allowed here.' } }] }, { code: 'invalid_input', message: 'voice is not allowed here.' }],
    ['an unknown code', { post: [{ http: 500, error: { code: 'gremlins', message: '?' } }] }, { code: 'proxy_error' }],
    ['a garbled 200', { post: [{ raw: '<html>hi</html>' }] }, { code: 'proxy_error' }],
    ['a task state of the wrong shape', { post: [{ body: { id: 'x', state: 'ok' } }] }, { code: 'proxy_error' }],
    ['done without a video_url', { post: [{ body: { task_id: 't', status: 'done' } }] }, { code: 'proxy_error' }],
    ['a garbled poll', { poll: [{ raw: 'nope' }] }, { code: 'proxy_error' }],
    ['404 for the task', { poll: [{ http: 404, error: { code: 'not_found', message: 'No task.' } }] }, { code: 'proxy_error', message: 'No task.' }],
  ];
  for (const [name, script, expected] of cases) {
    it(name, async () => {
      const proxy = await testProxy(script);
      const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...TEXT });
      expect(await failure(el)).to.deep.include(expected);
      expect(await proxy.posts()).to.have.length(1);
    });
  }

  it('rate_limited tells when to try again, counting down', async () => {
    const proxy = await testProxy({ post: [{ http: 429, error: { code: 'rate_limited', message: 'Easy.' }, headers: { 'retry-after': '3' } }] });
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...TEXT });
    await failure(el);
    await el.updateComplete;
    const text = () => part(el, 'error')!.textContent!.replace(/\s+/g, ' ');
    expect(text()).to.contain('Too many videos are being made right now. Try again in 3 s.');
    await waitUntil(() => text().includes('Try again in 2 s.'), 'the countdown moves', { timeout: 2000 });
    await waitUntil(() => !text().includes('Try again in'), 'the countdown ends', { timeout: 4000 });
    expect(part(el, 'retry')).to.exist;
  });
});
