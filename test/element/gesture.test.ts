// A real click (sendMouse) gives the page a user gesture, which lets video play with sound. Kept apart from
// playback.test.ts, whose tests need the browser to refuse sound.
import { sendMouse } from '@web/test-runner-commands';
import { expect } from '@open-wc/testing';
import type { NavtalkAvatar } from '../../src/index.js';
import { mount, part, ready, retryWebKitDecodeStalls } from './support/helpers.js';
import { waitUntil } from './support/wait.js';
import { testProxy } from './support/proxy.js';

/** A real click in the middle of an element's part. */
async function click(el: NavtalkAvatar, name: string): Promise<void> {
  const rect = part(el, name)!.getBoundingClientRect();
  await sendMouse({ type: 'click', position: [Math.round(rect.x + rect.width / 2), Math.round(rect.y + rect.height / 2)] });
}
const playing = (video: HTMLVideoElement, what: string) => {
  const from = video.currentTime;
  return waitUntil(() => !video.paused && video.currentTime > from + 0.2, what, { timeout: 5000 });
};

describe('trigger="click" with a real click', () => {
  it('generates, then plays with sound without a second tap', async () => {
    const proxy = await testProxy();
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'click', character: 'navtalk.Leo', text: 'You clicked.', voice: 'echo' });
    await click(el, 'play');
    await ready(el);
    await el.updateComplete;
    const video = part<HTMLVideoElement>(el, 'video')!;
    await waitUntil(() => video.currentTime > 0.3, 'the video plays', { timeout: 5000 });
    expect(video.muted).to.equal(false);
    expect(part(el, 'unmute')).to.equal(null);
    expect(await proxy.posts()).to.have.length(1);
  });
});

describe('one audible avatar at a time', () => {
  it('one starting with sound pauses the one that spoke; muted ones play on; unmuting one takes the sound', async function () {
    retryWebKitDecodeStalls(this);
    const proxy = await testProxy({ timeline: [{ status: 'done', at: 0 }] });
    const avatar = async (text: string, extra: Record<string, boolean> = {}) => {
      const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', character: 'navtalk.Leo', text, voice: 'echo', loop: true, ...extra });
      await ready(el);
      await el.updateComplete;
      return { el, video: part<HTMLVideoElement>(el, 'video')! };
    };
    const a = await avatar('First speaker.');
    const b = await avatar('Second speaker.');
    const muted = await avatar('Muted background.', { autoplay: true, muted: true });
    await playing(muted.video, 'the muted avatar autoplays');

    await click(a.el, 'play'); // a real gesture: sound is allowed from now on
    await playing(a.video, 'the first avatar plays');
    expect(a.video.muted).to.equal(false);

    await b.el.play();
    await waitUntil(() => a.video.paused, 'the first avatar stops speaking');
    await playing(b.video, 'the second avatar speaks');
    expect(b.video.muted).to.equal(false);
    await playing(muted.video, 'the muted avatar plays on');

    muted.el.muted = false;
    await waitUntil(() => b.video.paused, 'unmuting the third silences the second');
    await playing(muted.video, 'the unmuted avatar keeps playing, now with sound');
    expect([a.video.paused, b.video.paused, muted.video.muted]).to.deep.equal([true, true, false]);
  });
});
