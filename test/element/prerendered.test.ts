// result-url: a video made in advance, played with no proxy call. No user gesture in this file.
import { expect, oneEvent } from '@open-wc/testing';
import type { NavtalkAvatar, NavtalkReadyEvent } from '../../src/index.js';
import { failure, mount, part, ready, statusLog } from './support/helpers.js';
import { waitUntil } from './support/wait.js';
import { testProxy } from './support/proxy.js';
import { FIXTURE_VIDEO } from './support/script.js';

const SCRIPT = { character: 'navtalk.Leo', text: 'Made before you came.', voice: 'echo' };
const RESULT = new URL(FIXTURE_VIDEO, location.href).href;

const readies = (el: NavtalkAvatar) => {
  const seen: NavtalkReadyEvent['detail'][] = [];
  el.addEventListener('navtalk-ready', (e) => seen.push(e.detail));
  return seen;
};
const playing = (video: HTMLVideoElement) =>
  waitUntil(() => !video.paused && video.currentTime > 0.3, 'the video plays', { timeout: 5000 });

describe('result-url', () => {
  it('plays the video made in advance (muted autoplay) with no request to the proxy; navtalk-ready fires once', async () => {
    const proxy = await testProxy();
    const el = document.createElement('navtalk-avatar');
    const seen = readies(el);
    const statuses = statusLog(el);
    for (const [name, value] of Object.entries({ endpoint: proxy.endpoint, ...SCRIPT, 'result-url': RESULT, autoplay: '', muted: '', trigger: 'load' })) {
      el.setAttribute(name, value);
    }
    document.body.appendChild(el);
    try {
      await ready(el);
      await el.updateComplete;
      const video = part<HTMLVideoElement>(el, 'video')!;
      expect(video.getAttribute('src')).to.equal(RESULT);
      await playing(video);
      expect(seen).to.deep.equal([{ resultUrl: RESULT, taskId: null }]);
      expect(statuses).to.deep.equal(['done']);
      expect(el.resultUrl).to.equal(RESULT);
      // Captions still come from the text.
      await waitUntil(() => video.textTracks.length === 1, 'captions from the text');
      expect(await proxy.requests()).to.deep.equal([]);
    } finally {
      el.remove();
    }
  });

  it('autoplay with sound refused (no gesture here): the video that started loading at connect plays muted, with "Tap for sound"', async () => {
    const proxy = await testProxy();
    const el = await mount({ endpoint: proxy.endpoint, ...SCRIPT, 'result-url': RESULT, trigger: 'load', autoplay: true });
    await ready(el);
    await el.updateComplete;
    const video = part<HTMLVideoElement>(el, 'video')!;
    await playing(video);
    await waitUntil(() => part(el, 'unmute') !== null, 'the "Tap for sound" button');
    expect(video.muted).to.equal(true);
    expect(part(el, 'play')).to.equal(null);
    part<HTMLButtonElement>(el, 'unmute')!.click();
    await el.updateComplete;
    expect(part(el, 'unmute')).to.equal(null);
    expect(await proxy.requests()).to.deep.equal([]);
  });

  it('with trigger="click": the Play button plays it, still with no request', async () => {
    const proxy = await testProxy();
    const el = await mount({ endpoint: proxy.endpoint, ...SCRIPT, 'result-url': RESULT, trigger: 'click', muted: true });
    const seen = readies(el);
    expect(el.status).to.equal('idle');
    part<HTMLButtonElement>(el, 'play')!.click();
    await ready(el);
    await el.updateComplete;
    await playing(part<HTMLVideoElement>(el, 'video')!);
    expect(seen).to.have.length(1);
    expect(await proxy.requests()).to.deep.equal([]);
  });

  it('set as a property (as frameworks do), and changed: the new video plays', async () => {
    const proxy = await testProxy();
    const el = await mount({ endpoint: proxy.endpoint, ...SCRIPT, trigger: 'load', muted: true, autoplay: true, 'result-url': `${RESULT}?first` });
    await ready(el);
    const next = oneEvent(el, 'navtalk-ready');
    el.resultUrl = `${RESULT}?second`;
    expect((await next).detail.resultUrl).to.equal(`${RESULT}?second`);
    await el.updateComplete;
    await playing(part<HTMLVideoElement>(el, 'video')!);
    expect(await proxy.requests()).to.deep.equal([]);
  });

  it('a result-url that cannot load, on an avatar with inputs: one generation instead, which plays', async () => {
    const proxy = await testProxy({ timeline: [{ status: 'done', at: 0 }] });
    const el = await mount({ endpoint: proxy.endpoint, ...SCRIPT, 'result-url': '/no-such-prerendered.mp4', trigger: 'load', autoplay: true, muted: true });
    const statuses = statusLog(el);
    await waitUntil(() => el.taskId !== null && el.status === 'done', 'the fallback generation is done', { timeout: 5000 });
    await el.updateComplete;
    await playing(part<HTMLVideoElement>(el, 'video')!);
    const posts = await proxy.posts();
    expect(posts.map((p) => p.body)).to.deep.equal([{ character_name: 'navtalk.Leo', content: SCRIPT.text, voice: 'echo' }]);
    expect(statuses).to.deep.equal(['submitting', 'done']);
    expect(el.error).to.equal(null);
  });

  it('a result-url that cannot load, on an avatar without inputs: a clear invalid_input, no request', async () => {
    const proxy = await testProxy();
    const el = await mount({ endpoint: proxy.endpoint, 'result-url': '/no-such-prerendered.mp4', trigger: 'load' });
    const error = await failure(el);
    expect(error).to.deep.equal({
      code: 'invalid_input',
      message: 'result-url could not be loaded. Set one visual source: video-url, image-url or character.',
    });
    expect(await proxy.requests()).to.deep.equal([]);
  });
});
