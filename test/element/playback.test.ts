// No real user gesture happens in this file: the browsers' autoplay policy (Chromium's default, Firefox's
// media.autoplay.default=1 from web-test-runner.config.mjs) refuses unmuted play() here.
import { emulateMedia } from '@web/test-runner-commands';
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import type { NavtalkAvatar } from '../../src/index.js';
import { AUDIO, mount, part, ready, retryWebKitDecodeStalls } from './support/helpers.js';
import { waitUntil } from './support/wait.js';
import { testProxy } from './support/proxy.js';

const SPEECH = 'Welcome to our shop. I can help you find the right size, track an order, or answer any question you have about returns.';
const TEXT = { character: 'navtalk.Leo', text: SPEECH, voice: 'echo' };

async function done(attributes: Record<string, string | boolean>, videoUrl?: string): Promise<{ el: NavtalkAvatar; video: HTMLVideoElement }> {
  const proxy = await testProxy({ timeline: [{ status: 'done', at: 0 }], ...(videoUrl ? { videoUrl } : {}) });
  const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...attributes });
  await ready(el);
  await el.updateComplete;
  return { el, video: part<HTMLVideoElement>(el, 'video')! };
}
// Generous: WebKitGTK decodes in software and runs beside the Node suites in npm test (it returns as soon as it plays).
const advancing = (video: HTMLVideoElement) =>
  waitUntil(() => video.currentTime > 0.3, 'the video plays (currentTime advances)', { timeout: 10_000 });
const metadata = async (video: HTMLVideoElement) => {
  if (video.readyState < HTMLMediaElement.HAVE_METADATA) await oneEvent(video, 'loadedmetadata');
};

/**
 * Makes the page prefer reduced motion (or not). Chromium emulates the media feature. Firefox driven over
 * WebDriver BiDi and WebKit over classic WebDriver cannot (puppeteer's emulateMediaFeatures needs CDP, Firefox
 * takes the preference only from a launch-time pref, WebKitGTK from the desktop's settings), so there the test
 * stands in for the visitor's setting by answering the element's matchMedia query, which is how the element
 * reads it.
 */
async function preferReducedMotion(reduce: boolean): Promise<void> {
  if (navigator.userAgent.includes('Chrome/')) {
    await emulateMedia({ reducedMotion: reduce ? 'reduce' : 'no-preference' });
    return;
  }
  window.matchMedia = !reduce ? realMatchMedia : (query) => {
    const list = realMatchMedia.call(window, query);
    return /prefers-reduced-motion:\s*reduce/.test(query) ? Object.create(list, { matches: { value: true } }) : list;
  };
}
const realMatchMedia = window.matchMedia;

describe('playback', () => {
  it('a generated video that cannot load fails clearly with a retry button, not a dead Play button', async () => {
    const proxy = await testProxy({ timeline: [{ status: 'done', at: 0 }], videoUrl: '/no-such-video.mp4' });
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...TEXT });
    const error = await oneEvent(el, 'navtalk-error');
    expect(error.detail).to.deep.equal({ code: 'upstream_failed', message: 'The generated video could not be loaded.' });
    expect(el.status).to.equal('failed');
    await el.updateComplete;
    expect(part(el, 'retry')).to.exist;
  });

  it('Try again after a video that would not load asks the proxy to recheck it (only then), and plays what it answers', async () => {
    const proxy = await testProxy({ timeline: [{ status: 'done', at: 0 }], videoUrl: '/no-such-video.mp4' });
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...TEXT });
    await oneEvent(el, 'navtalk-error');
    await el.updateComplete;
    await proxy.script({ timeline: [{ status: 'done', at: 0 }] }); // the proxy made it again: a video that loads
    part<HTMLButtonElement>(el, 'retry')!.click();
    await ready(el);
    await el.updateComplete;
    const video = part<HTMLVideoElement>(el, 'video')!;
    await metadata(video);
    expect(video.error).to.equal(null);
    const posts = await proxy.posts();
    expect(posts.map((p) => new URL(p.url, location.href).search)).to.deep.equal(['?recheck=1']);
    // A later generation (new inputs) is a plain request again.
    const next = oneEvent(el, 'navtalk-ready');
    el.text = 'Something else.';
    await next;
    expect((await proxy.posts()).map((p) => new URL(p.url, location.href).search)).to.deep.equal(['?recheck=1', '']);
  });

  it('autoplay tries sound, falls back to muted when refused, and offers "Tap for sound"', async () => {
    const { el, video } = await done({ ...TEXT, autoplay: true });
    await advancing(video);
    expect(video.muted).to.equal(true);
    await el.updateComplete;
    const unmute = part<HTMLButtonElement>(el, 'unmute')!;
    expect(unmute.textContent).to.contain('Tap for sound');
    // The attribute, which iOS Safari reads: Firefox has no playsInline property to reflect it.
    expect(video.hasAttribute('playsinline')).to.equal(true);
    unmute.click();
    await el.updateComplete;
    expect(video.muted).to.equal(false);
    expect(part(el, 'unmute')).to.equal(null);
  });

  it('autoplay with muted plays muted, with no sound prompt', async () => {
    const { el, video } = await done({ ...TEXT, autoplay: true, muted: true });
    await advancing(video);
    await el.updateComplete;
    expect(part(el, 'unmute')).to.equal(null);
  });

  it('without autoplay shows a Play button; play() plays (muted here, as the policy refuses sound)', async () => {
    const { el, video } = await done(TEXT);
    expect(video.paused).to.equal(true);
    expect(part(el, 'play')!.textContent).to.contain('Play');
    await el.play();
    await advancing(video);
    await el.updateComplete;
    expect(part(el, 'play')).to.equal(null);
    el.pause();
    expect(video.paused).to.equal(true);
    await waitUntil(() => part(el, 'play'), 'the Play button returns');
  });

  it('offers Replay when the video ends, and replays from the start', async () => {
    const { el, video } = await done({ ...TEXT, muted: true });
    await metadata(video);
    video.currentTime = video.duration - 0.2;
    await el.play();
    await oneEvent(video, 'ended');
    await el.updateComplete;
    const replay = part<HTMLButtonElement>(el, 'replay')!;
    expect(replay.textContent).to.contain('Replay');
    replay.click();
    await waitUntil(() => !video.paused && video.currentTime > 0.2 && video.currentTime < 2, 'plays again from the start', { timeout: 4000 });
  });

  it('applies muted, loop, controls and poster to the video as properties', async () => {
    const poster = new URL('/test/fixtures/poster.png', location.href).href;
    const { el, video } = await done({ ...TEXT, muted: true, loop: true, controls: true, poster });
    expect([video.muted, video.loop, video.controls, video.poster]).to.deep.equal([true, true, true, poster]);
    el.muted = false;
    el.loop = false;
    el.controls = false;
    await el.updateComplete;
    expect([video.muted, video.loop, video.controls]).to.deep.equal([false, false, false]);
  });

  it('does not autoplay when the visitor prefers reduced motion', async () => {
    await preferReducedMotion(true);
    try {
      const { el, video } = await done({ ...TEXT, autoplay: true, muted: true });
      await metadata(video);
      expect(video.paused).to.equal(true);
      expect(part(el, 'play')).to.exist;
    } finally {
      await preferReducedMotion(false);
    }
  });

  it('several autoplay muted avatars all play: a muted video is never paused by another', async function () {
    retryWebKitDecodeStalls(this);
    // Each its own video, as avatars of different scripts have.
    const avatars = await Promise.all(['One.', 'Two.', 'Three.'].map((text, i) =>
      done({ ...TEXT, text, autoplay: true, muted: true, loop: true }, `/test/fixtures/avatar.mp4?avatar=${i + 1}`)));
    await Promise.all(avatars.map(({ video }) => advancing(video)));
    const at = avatars.map(({ video }) => video.currentTime);
    await waitUntil(() => avatars.every(({ video }, i) => video.currentTime > at[i]! + 0.3), 'all three keep advancing', { timeout: 10_000 });
    expect(avatars.map(({ video }) => [video.paused, video.muted])).to.deep.equal([[false, true], [false, true], [false, true]]);
  });
});

describe('captions', () => {
  it('builds a captions track from the text, cues spread over the video, shown while muted', async () => {
    const { el, video } = await done({ ...TEXT, muted: true });
    await waitUntil(() => video.textTracks[0]?.cues?.length, 'the captions are added');
    expect(video.textTracks.length).to.equal(1);
    const track = video.textTracks[0]!;
    expect([track.kind, track.label, track.mode]).to.deep.equal(['captions', 'Captions', 'showing']);
    const cues = [...track.cues!] as VTTCue[];
    expect(cues.length).to.be.at.least(2);
    expect(cues.map((c) => c.text).join(' ')).to.equal(SPEECH);
    expect(cues[0]!.startTime).to.equal(0);
    expect(cues.at(-1)!.endTime).to.be.closeTo(video.duration, 0.01);
    for (let i = 1; i < cues.length; i++) expect(cues[i]!.startTime).to.be.closeTo(cues[i - 1]!.endTime, 1e-6);
    // The track stays showing (WebKit stalls a video whose track is first shown while it plays): the cues go.
    el.muted = false;
    await el.updateComplete;
    await waitUntil(() => track.cues!.length === 0, 'captions hide once the sound is on');
    expect(track.mode).to.equal('showing');
    el.muted = true;
    await el.updateComplete;
    await waitUntil(() => track.cues!.length === cues.length, 'captions come back when it is muted again');
  });

  it('keeps the video playing while its captions come and go (WebKit stalls one whose track is added as it plays)', async () => {
    const { el, video } = await done({ ...TEXT, autoplay: true });
    await advancing(video);
    el.muted = false;
    await el.updateComplete;
    el.muted = true;
    await el.updateComplete;
    const at = video.currentTime;
    await waitUntil(() => video.currentTime > at + 0.3, 'the video keeps advancing', { timeout: 5000 });
  });

  it('adds no captions for audio methods', async () => {
    const { video } = await done({ character: 'navtalk.Leo', 'audio-url': AUDIO['audio-url'], muted: true });
    await metadata(video);
    expect(video.textTracks.length).to.equal(0);
  });

  it('labels the track in the page language and the strings', async () => {
    const proxy = await testProxy({ timeline: [{ status: 'done', at: 0 }] });
    const box = await fixture<HTMLElement>(html`<div lang="de">
      <navtalk-avatar endpoint=${proxy.endpoint} trigger="load" character="navtalk.Leo" text="Hallo zusammen." voice="echo"
        .strings=${{ captions: 'Untertitel' }}></navtalk-avatar></div>`);
    const el = box.querySelector('navtalk-avatar')!;
    await ready(el);
    await el.updateComplete;
    const video = part<HTMLVideoElement>(el, 'video')!;
    // readyState can say "metadata" a moment before loadedmetadata (where the element adds the track) is dispatched.
    await waitUntil(() => video.textTracks.length > 0, 'the captions track is added');
    expect([video.textTracks[0]!.language, video.textTracks[0]!.label]).to.deep.equal(['de', 'Untertitel']);
  });
});
