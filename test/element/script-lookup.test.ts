// A finished script's video through the proxy's `?script=` route: one GET the <video> itself makes, before any POST.
import { expect } from '@open-wc/testing';
import { scriptUrl } from '../../src/protocol/index.js';
import { failure, mount, part, ready, statusLog } from './support/helpers.js';
import { testProxy } from './support/proxy.js';
import { waitUntil } from './support/wait.js';

const SCRIPT = { character: 'navtalk.Leo', text: 'Kept on the proxy.', voice: 'echo' } as const;
const REQUEST = { character_name: SCRIPT.character, content: SCRIPT.text, voice: SCRIPT.voice };

describe('a finished script from the proxy (?script=)', () => {
  it('a kept script plays from one GET: no POST, no poll, done with the script URL and no task id', async () => {
    const proxy = await testProxy({ kept: true });
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...SCRIPT });
    const statuses = statusLog(el);
    const url = await ready(el);
    expect(url).to.equal(scriptUrl(new URL(proxy.endpoint, location.href).href, REQUEST));
    expect(el.taskId).to.equal(null);
    expect(statuses).to.deep.equal(['submitting', 'done']);
    expect(await proxy.lookups()).to.deep.equal([REQUEST]);
    expect(await proxy.requests()).to.deep.equal([]);
    await el.updateComplete;
    // The probe's <video> is the one shown: its data is already on its way.
    expect(part<HTMLVideoElement>(el, 'video')!.getAttribute('src')).to.equal(url);
  });

  it('with autoplay, a kept script starts playing as it loads (as a result-url does), so it plays when shown', async () => {
    const proxy = await testProxy({ kept: true });
    // Which videos are asked to play before navtalk-ready (the old way asked only once rendered, after done).
    const early: string[] = [];
    let isReady = false;
    const play = HTMLMediaElement.prototype.play;
    HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
      if (!isReady) early.push(this.getAttribute('src') ?? '');
      return play.call(this);
    };
    const readyFirst = () => (isReady = true);
    document.addEventListener('navtalk-ready', readyFirst, { once: true });
    let url: string;
    try {
      const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', autoplay: true, muted: true, ...SCRIPT });
      url = await ready(el);
      await el.updateComplete;
      const video = part<HTMLVideoElement>(el, 'video')!;
      expect(video.getAttribute('src')).to.equal(url);
      await waitUntil(() => video.currentTime > 0, 'the kept copy plays', { timeout: 10_000 });
    } finally {
      HTMLMediaElement.prototype.play = play;
      document.removeEventListener('navtalk-ready', readyFirst);
    }
    expect(early).to.deep.equal([url]);
  });

  it('with autoplay, a lookup that misses still plays the video made after it, with no Play button', async () => {
    const proxy = await testProxy();
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', autoplay: true, muted: true, ...SCRIPT });
    expect(await ready(el)).to.match(/\/test\/fixtures\/avatar\.mp4$/);
    await el.updateComplete;
    const video = part<HTMLVideoElement>(el, 'video')!;
    expect(video.getAttribute('src')).to.match(/\/test\/fixtures\/avatar\.mp4$/);
    await waitUntil(() => video.currentTime > 0, 'the made video plays', { timeout: 10_000 });
    expect(part(el, 'play')).to.equal(null);
  });

  it('a script not made yet is looked up once, then POSTed and followed as before', async () => {
    const proxy = await testProxy();
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...SCRIPT });
    expect(await ready(el)).to.match(/\/test\/fixtures\/avatar\.mp4$/);
    expect(el.taskId).to.equal('task-1');
    expect(await proxy.lookups()).to.deep.equal([REQUEST]);
    expect((await proxy.posts()).map((p) => p.body)).to.deep.equal([REQUEST]);
  });

  it('audio sent as base64 is never put in a URL: straight to the POST', async () => {
    const proxy = await testProxy({ kept: true });
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', character: SCRIPT.character, 'audio-base64': 'UklGRiQAAABXQVZF' });
    await ready(el);
    expect(await proxy.lookups()).to.deep.equal([]);
    expect(await proxy.posts()).to.have.length(1);
  });

  it('Try again after a failure asks the proxy to recheck, with no lookup (the lookup would answer the same)', async () => {
    const proxy = await testProxy({ timeline: [{ status: 'started', at: 0 }, { status: 'failed', at: 100 }] });
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...SCRIPT });
    await failure(el);
    await proxy.script({ kept: true });
    el.generate();
    await ready(el);
    expect(await proxy.lookups()).to.deep.equal([]);
    expect((await proxy.posts()).map((p) => p.url)).to.deep.equal([`${proxy.endpoint}?recheck=1`]);
  });

  it('an invalid input is refused before any lookup', async () => {
    const proxy = await testProxy({ kept: true });
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', character: SCRIPT.character, text: SCRIPT.text, voice: 'nobody' });
    expect((await failure(el)).code).to.equal('invalid_input');
    expect(await proxy.lookups()).to.deep.equal([]);
    expect(await proxy.requests()).to.deep.equal([]);
  });
});
