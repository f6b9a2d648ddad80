import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import type { NavtalkAvatar, NavtalkStatusDetail } from '../../src/index.js';
import { FIXTURE_VIDEO } from './support/script.js';
import { failure, mount, part, ready, statusLog } from './support/helpers.js';
import { waitUntil } from './support/wait.js';
import { testProxy, type TestProxy } from './support/proxy.js';

const TEXT = { character: 'navtalk.Leo', text: 'Hello there.', voice: 'echo' };
/** A task that stays processing, so it is still running (its long-poll held) when the test acts. */
const FOREVER = { timeline: [{ status: 'processing' as const, at: 0 }] };

const aborted = async (proxy: TestProxy, method: string) =>
  (await proxy.requests()).filter((r) => r.method === method && r.aborted).length;

describe('status and events', () => {
  it('goes idle -> submitting -> started -> processing -> done, with bubbling, composed events', async () => {
    const proxy = await testProxy();
    const seen: NavtalkStatusDetail[] = [];
    const onStatus = (e: Event) => seen.push((e as CustomEvent<NavtalkStatusDetail>).detail);
    document.addEventListener('navtalk-status', onStatus);
    try {
      const el = await mount({ endpoint: proxy.endpoint, trigger: 'manual', ...TEXT });
      expect(el.status).to.equal('idle');
      expect(el.getAttribute('status')).to.equal('idle');
      el.generate();
      const readyEvent = await oneEvent(el, 'navtalk-ready');
      expect(readyEvent.bubbles && readyEvent.composed).to.equal(true);
      expect(readyEvent.detail).to.deep.equal({ resultUrl: FIXTURE_VIDEO, taskId: 'task-1' });
      expect(seen).to.deep.equal([
        { status: 'submitting', taskId: null },
        { status: 'started', taskId: 'task-1' },
        { status: 'processing', taskId: 'task-1' },
        { status: 'done', taskId: 'task-1' },
      ]);
      expect([el.status, el.taskId, el.resultUrl, el.error]).to.deep.equal(['done', 'task-1', FIXTURE_VIDEO, null]);
      await el.updateComplete;
      expect(el.getAttribute('status')).to.equal('done');
      expect(part<HTMLVideoElement>(el, 'video')!.getAttribute('src')).to.equal(FIXTURE_VIDEO);
    } finally {
      document.removeEventListener('navtalk-status', onStatus);
    }
  });

  it('goes straight from submitting to done on a cache hit', async () => {
    const proxy = await testProxy({ timeline: [{ status: 'done', at: 0 }] });
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'manual', ...TEXT });
    const log = statusLog(el);
    el.generate();
    await ready(el);
    expect(log).to.deep.equal(['submitting', 'done']);
    expect(await proxy.polls()).to.have.length(0);
  });

  it('reports a failed generation as failed + navtalk-error with the element code and the proxy message', async () => {
    const proxy = await testProxy({
      timeline: [{ status: 'started', at: 0 }, { status: 'failed', at: 100 }],
      failure: { code: 'generation_failed', message: 'NavTalk could not find a face.' },
    });
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'manual', ...TEXT });
    const log = statusLog(el);
    el.generate();
    const error = await failure(el);
    expect(error).to.deep.equal({ code: 'generation_failed', message: 'NavTalk could not find a face.' });
    expect(log).to.deep.equal(['submitting', 'started', 'failed']);
    expect(el.error).to.deep.equal(error);
    expect(el.resultUrl).to.equal(null);
  });

  it('has read-only status, taskId and error; resultUrl is settable (result-url) and reads back', async () => {
    const el = await mount({ trigger: 'manual' });
    for (const key of ['status', 'taskId', 'error'] as const) {
      expect(() => ((el as unknown as Record<string, unknown>)[key] = 'x')).to.throw(TypeError);
    }
    el.resultUrl = 'https://cdn.example.com/made.mp4';
    expect([el.resultUrl, el.status]).to.deep.equal(['https://cdn.example.com/made.mp4', 'idle']);
    await el.updateComplete;
    expect(el.getAttribute('result-url')).to.equal(null); // a property set is not reflected, like the other inputs
  });
});

describe('aborting', () => {
  it('aborts the running task when an input changes, and starts anew with the new input', async () => {
    const proxy = await testProxy(FOREVER);
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...TEXT });
    await waitUntil(() => el.status === 'processing', 'processing', { timeout: 3000 });
    await waitUntil(async () => (await proxy.polls()).length === 1, 'a long-poll is held');
    el.text = 'Something else.';
    await waitUntil(async () => (await aborted(proxy, 'GET')) === 1, 'the held poll is aborted');
    await waitUntil(async () => (await proxy.posts()).length === 2, 'a new POST');
    expect((await proxy.posts())[1]!.body).to.deep.equal({ character_name: 'navtalk.Leo', content: 'Something else.', voice: 'echo' });
  });

  it('aborts a POST still in flight when an input changes', async () => {
    const proxy = await testProxy({ post: [{ delayMs: 10_000 }] });
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...TEXT });
    await waitUntil(async () => (await proxy.posts()).length === 1, 'the POST arrives');
    el.voice = 'nova';
    await waitUntil(async () => (await aborted(proxy, 'POST')) === 1, 'the first POST is aborted');
    await ready(el);
    expect((await proxy.posts()).map((p) => (p.body as { voice: string }).voice)).to.deep.equal(['echo', 'nova']);
  });

  it('aborts when the element is removed from the page', async () => {
    const proxy = await testProxy(FOREVER);
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...TEXT });
    await waitUntil(async () => (await proxy.polls()).length === 1, 'a long-poll is held');
    el.remove();
    await waitUntil(async () => (await aborted(proxy, 'GET')) === 1, 'the poll is aborted');
    expect(el.status).to.equal('idle');
  });

  it('cancel() aborts, returns to idle with a Play button, and does not restart by itself', async () => {
    const proxy = await testProxy(FOREVER);
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...TEXT });
    await waitUntil(async () => (await proxy.polls()).length === 1, 'a long-poll is held');
    el.cancel();
    await waitUntil(async () => (await aborted(proxy, 'GET')) === 1, 'the poll is aborted');
    await el.updateComplete;
    expect(el.status).to.equal('idle');
    expect(part(el, 'play')).to.exist;
    expect(await proxy.posts()).to.have.length(1);
  });
});

describe('identical avatars share one task', () => {
  it('sends one POST for two identical avatars and gives both the result', async () => {
    const proxy = await testProxy();
    const attrs = `endpoint="${proxy.endpoint}" trigger="load" character="navtalk.Leo" text="Same" voice="echo"`;
    const box = await fixture<HTMLElement>(`<div><navtalk-avatar ${attrs}></navtalk-avatar><navtalk-avatar ${attrs}></navtalk-avatar></div>`);
    const [a, b] = [...box.querySelectorAll('navtalk-avatar')] as NavtalkAvatar[];
    expect(await Promise.all([ready(a!), ready(b!)])).to.deep.equal([FIXTURE_VIDEO, FIXTURE_VIDEO]);
    expect(a!.taskId).to.equal(b!.taskId);
    expect(await proxy.posts()).to.have.length(1);
  });

  it('keeps the task for the others when one leaves; the last one leaving aborts it', async () => {
    const proxy = await testProxy(FOREVER);
    const attrs = `endpoint="${proxy.endpoint}" trigger="load" character="navtalk.Leo" text="Shared" voice="echo"`;
    const box = await fixture<HTMLElement>(`<div><navtalk-avatar ${attrs}></navtalk-avatar><navtalk-avatar ${attrs}></navtalk-avatar></div>`);
    const [a, b] = [...box.querySelectorAll('navtalk-avatar')] as NavtalkAvatar[];
    await waitUntil(async () => (await proxy.polls()).length === 1, 'a long-poll is held');
    a!.remove();
    expect(b!.status).to.equal('processing');
    // A late third avatar joins the running task and learns its status at once.
    const c = await fixture<NavtalkAvatar>(html`<navtalk-avatar endpoint=${proxy.endpoint} trigger="load" character="navtalk.Leo" text="Shared" voice="echo"></navtalk-avatar>`);
    // It first looks for a kept copy (WebKitGTK takes seconds over that 404 on a loaded machine), then joins.
    await waitUntil(() => c.status === 'processing', 'the late avatar shares the task', { timeout: 10_000 });
    expect(c.taskId).to.equal(b!.taskId);
    expect(await aborted(proxy, 'GET')).to.equal(0);
    b!.remove();
    expect(await aborted(proxy, 'GET')).to.equal(0);
    c.remove();
    await waitUntil(async () => (await aborted(proxy, 'GET')) === 1, 'the last one leaving aborts');
    expect(await proxy.posts()).to.have.length(1);
  });

  it('does not join a task that already failed: a new identical avatar starts afresh', async () => {
    const proxy = await testProxy({ post: [{ http: 503, error: { code: 'unavailable', message: 'Down.' } }] });
    const make = () => fixture<NavtalkAvatar>(html`<navtalk-avatar endpoint=${proxy.endpoint} trigger="load" character="navtalk.Leo" text="Again" voice="echo"></navtalk-avatar>`);
    await failure(await make());
    await ready(await make());
    expect(await proxy.posts()).to.have.length(2);
  });
});

describe('triggers', () => {
  it('visible (the default) waits until the avatar nears the viewport', async () => {
    const proxy = await testProxy();
    const box = await fixture<HTMLElement>(html`<div>
      <div style="height: 400vh"></div>
      <navtalk-avatar endpoint=${proxy.endpoint} character="navtalk.Leo" text="Scroll" voice="echo"></navtalk-avatar>
    </div>`);
    const el = box.querySelector('navtalk-avatar')!;
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    expect(el.status).to.equal('idle');
    expect(await proxy.requests()).to.have.length(0);
    el.scrollIntoView();
    await ready(el);
    expect(await proxy.posts()).to.have.length(1);
    window.scrollTo(0, 0);
  });

  it('click shows a Play button and sends nothing until it is pressed', async () => {
    const proxy = await testProxy();
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'click', ...TEXT });
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    expect(await proxy.requests()).to.have.length(0);
    part(el, 'play')!.click();
    await ready(el);
    expect(await proxy.posts()).to.have.length(1);
  });

  it('manual sends nothing and shows no button until generate()', async () => {
    const proxy = await testProxy();
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'manual', ...TEXT });
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    expect(await proxy.requests()).to.have.length(0);
    expect(part(el, 'play')).to.equal(null);
    el.generate();
    await ready(el);
    expect(await proxy.posts()).to.have.length(1);
  });
});

describe('retry', () => {
  it('the retry button sends the request again after a failure', async () => {
    const proxy = await testProxy({ post: [{ http: 503, error: { code: 'unavailable', message: 'Down for a moment.' } }] });
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...TEXT });
    expect((await failure(el)).code).to.equal('proxy_error');
    await el.updateComplete;
    part(el, 'retry')!.click();
    await ready(el);
    expect(await proxy.posts()).to.have.length(2);
  });

  it('generate() after a failure is a Try again: the request once more, asking the proxy to recheck (it remembers failures)', async () => {
    const failed = { task_id: 'task-1', status: 'failed', error: { code: 'generation_failed', message: 'Try later.' } };
    const proxy = await testProxy({ poll: [{ body: failed }] });
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...TEXT });
    expect(await failure(el)).to.deep.equal({ code: 'generation_failed', message: 'Try later.' });
    el.generate();
    await ready(el);
    const posts = await proxy.posts();
    expect(posts.map((p) => new URL(p.url, location.href).search)).to.deep.equal(['', '?recheck=1']);
    expect(posts[1]!.body).to.deep.equal(posts[0]!.body);
  });
});
