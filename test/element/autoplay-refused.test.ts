// What Safari does differently, in every engine: iOS in Low Power Mode and Safari's "Never Auto-Play" refuse
// autoplay even muted, and older Safari has no requestVideoFrameCallback. No engine here does either, so this
// file makes the page do it the way Safari signals it: play() without a user gesture rejects with
// NotAllowedError, muted or not. A real click (sendMouse) is a gesture, as a tap is on iOS.
import { sendMouse } from '@web/test-runner-commands';
import { expect } from '@open-wc/testing';
import type { NavtalkAvatar } from '../../src/index.js';
import { mount, part, ready } from './support/helpers.js';
import { waitUntil } from './support/wait.js';
import { testProxy } from './support/proxy.js';

const TEXT = { character: 'navtalk.Leo', text: 'Hello from an iPhone.', voice: 'echo' };
const FIXTURE_VIDEO = new URL('/test/fixtures/avatar.mp4', location.href).href;

// A play() made while a real click is dispatched is the tap's own; after it, as before it, play() is refused
// (the browser's activation outlives the click, and would let the next test's autoplay through).
let tapping = false;
addEventListener('click', (event) => {
  tapping = event.isTrusted;
  setTimeout(() => (tapping = false));
}, true);
const realPlay = HTMLMediaElement.prototype.play;
const refused: string[] = [];
HTMLMediaElement.prototype.play = function play(this: HTMLMediaElement) {
  if (tapping) return realPlay.call(this);
  refused.push(this.muted ? 'muted' : 'with sound');
  // Safari's own words for it.
  return Promise.reject(new DOMException('The request is not allowed by the user agent or the platform in the current context, possibly because the user denied permission.', 'NotAllowedError'));
};

/** A real click in the middle of an element's part. */
async function tap(el: NavtalkAvatar, name: string): Promise<void> {
  const rect = part(el, name)!.getBoundingClientRect();
  await sendMouse({ type: 'click', position: [Math.round(rect.x + rect.width / 2), Math.round(rect.y + rect.height / 2)] });
}
const advancing = (video: HTMLVideoElement) =>
  waitUntil(() => !video.paused && video.currentTime > 0.3, 'the video plays', { timeout: 5000 });

/** Waits until the avatar has given up on autoplay: a Play button over its first frame, and no error. */
async function refusedAutoplay(el: NavtalkAvatar, errors: unknown[]): Promise<HTMLVideoElement> {
  const video = part<HTMLVideoElement>(el, 'video')!;
  await waitUntil(() => part(el, 'play') && video.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA, 'a Play button over the first frame', { timeout: 5000 });
  expect(refused).to.include('muted');
  expect(video.paused).to.equal(true);
  expect([el.status, el.error, errors]).to.deep.equal(['done', null, []]);
  expect(part(el, 'unmute'), 'no "Tap for sound" on a video that is not playing').to.equal(null);
  return video;
}

describe('autoplay refused even muted (iOS Low Power Mode, Safari "Never Auto-Play")', () => {
  beforeEach(() => {
    refused.length = 0;
  });

  it('a generated video shows its first frame and a Play button, no error; a tap plays it with sound', async () => {
    const proxy = await testProxy({ timeline: [{ status: 'done', at: 0 }] });
    const errors: unknown[] = [];
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', autoplay: true, ...TEXT });
    el.addEventListener('navtalk-error', (e) => errors.push(e.detail));
    await ready(el);
    await el.updateComplete;
    const video = await refusedAutoplay(el, errors);
    expect(refused.slice(0, 2)).to.deep.equal(['with sound', 'muted']);

    await tap(el, 'play');
    await advancing(video);
    expect(video.muted).to.equal(false);
    await el.updateComplete;
    expect([part(el, 'play'), part(el, 'unmute')]).to.deep.equal([null, null]);
  });

  it('a video made in advance (result-url) does the same, with no request to the proxy', async () => {
    const proxy = await testProxy();
    const errors: unknown[] = [];
    const el = await mount({ endpoint: proxy.endpoint, 'result-url': FIXTURE_VIDEO, trigger: 'load', autoplay: true, ...TEXT });
    el.addEventListener('navtalk-error', (e) => errors.push(e.detail));
    await ready(el);
    await el.updateComplete;
    const video = await refusedAutoplay(el, errors);
    await tap(el, 'play');
    await advancing(video);
    expect(video.muted).to.equal(false);
    expect([...(await proxy.posts()), ...(await proxy.polls())]).to.have.length(0);
  });

  it('an avatar the page asked to be muted stays muted when tapped', async () => {
    const proxy = await testProxy({ timeline: [{ status: 'done', at: 0 }] });
    const errors: unknown[] = [];
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', autoplay: true, muted: true, ...TEXT });
    await ready(el);
    await el.updateComplete;
    const video = await refusedAutoplay(el, errors);
    // Never with sound (the script's lookup, a video too, was asked to play muted as well).
    expect(new Set(refused)).to.deep.equal(new Set(['muted']));
    await tap(el, 'play');
    await advancing(video);
    expect(video.muted).to.equal(true);
  });
});

describe('no requestVideoFrameCallback (Safari before 15.4)', () => {
  it('still reveals the video and plays it', async () => {
    const proto = HTMLVideoElement.prototype as Partial<HTMLVideoElement>;
    const rvfc = Object.getOwnPropertyDescriptor(HTMLVideoElement.prototype, 'requestVideoFrameCallback');
    delete proto.requestVideoFrameCallback;
    try {
      const proxy = await testProxy({ timeline: [{ status: 'done', at: 0 }] });
      const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...TEXT });
      await ready(el);
      await el.updateComplete;
      await tap(el, 'play');
      const video = part<HTMLVideoElement>(el, 'video')!;
      await advancing(video);
      const box = video.getBoundingClientRect();
      const style = getComputedStyle(video);
      expect([box.width > 0, box.height > 0, style.visibility, style.opacity, style.display]).to.deep.equal([true, true, 'visible', '1', 'block']);
      // Nothing of the element's is drawn over the playing video.
      expect(el.shadowRoot!.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2)).to.equal(video);
    } finally {
      if (rvfc) Object.defineProperty(HTMLVideoElement.prototype, 'requestVideoFrameCallback', rvfc);
    }
  });
});
