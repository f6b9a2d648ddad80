// The element's reactive controllers, each on a small host of its own: what they do apart from the element's view.
import { sendMouse } from '@web/test-runner-commands';
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { waitUntil } from './support/wait.js';
import { LitElement } from 'lit';
import { Generation } from '../../src/element/generation.js';
import { AvatarInputs } from '../../src/element/inputs.js';
import { LoadingClock } from '../../src/element/loading-clock.js';
import { Playback, type VideoOptions } from '../../src/element/playback.js';
import { Visibility } from '../../src/element/visibility.js';
import type { NavtalkStatus } from '../../src/index.js';
import { testProxy } from './support/proxy.js';

const FIXTURE = '/test/fixtures/avatar.mp4';
const OPTIONS: VideoOptions = { label: 'Captions', lang: 'en' };

/** A bare host: renders nothing, counts its updates. */
class Host extends LitElement {
  muted = true;
  updates = 0;
  override updated() {
    this.updates++;
  }
}
customElements.define('controller-host', Host);

/** A host that shows the Playback's video, as the element does. */
class PlaybackHost extends LitElement {
  muted = true;
  playback = new Playback(this, (video) => this.failed.push(video));
  failed: HTMLVideoElement[] = [];
  url: string | null = null;
  override render() {
    return this.url ? this.playback.videoFor(this.url, OPTIONS) : null;
  }
}
customElements.define('playback-host', PlaybackHost);

/** Generation on the element's inputs, with the views it asks for answered by a plain clock. */
class GenerationHost extends AvatarInputs {
  playback = new Playback(this, (video) => this.generation.videoFailed(video));
  clock = new LoadingClock(this);
  generation = new Generation(this, this.playback, {
    videoOptions: (text) => ({ ...OPTIONS, text }),
    loadViews: async () => this.clock,
  });
  override render() {
    const url = this.generation.resultUrl;
    return url ? this.playback.videoFor(url, OPTIONS) : null;
  }
}
customElements.define('generation-host', GenerationHost);

const mountHost = <T extends HTMLElement>(tag: string) => fixture<T>(`<${tag}></${tag}>`);
const statuses = (host: HTMLElement) => {
  const log: NavtalkStatus[] = [];
  host.addEventListener('navtalk-status', (e) => log.push(e.detail.status));
  return log;
};

describe('LoadingClock', () => {
  it('measures from start, counts a Retry-After down in whole seconds, and ticks the host only while run', async () => {
    const host = await mountHost<Host>('controller-host');
    const clock = new LoadingClock(host);
    clock.start();
    expect(clock.elapsed).to.equal(0);
    clock.failed(3);
    expect(clock.retryWait).to.equal(3);
    clock.failed();
    expect(clock.retryWait).to.equal(0);

    const before = host.updates;
    clock.run(true);
    await waitUntil(() => host.updates >= before + 2, 'the running clock updates its host');
    expect(clock.elapsed).to.be.greaterThan(0);
    clock.run(false);
    await host.updateComplete;
    const stopped = host.updates;
    await new Promise((resolve) => setTimeout(resolve, 600)); // a stopped clock: two ticks' time, and no update
    expect(host.updates).to.equal(stopped);
  });

  it('counts nothing while held (a kept copy is looked for), and from start once the proxy is asked', async () => {
    const host = await mountHost<Host>('controller-host');
    const clock = new LoadingClock(host);
    clock.hold();
    clock.run(true);
    await waitUntil(() => clock.now > 0, 'the held clock still ticks');
    expect(clock.elapsed).to.equal(0);
    clock.start();
    await waitUntil(() => clock.elapsed > 0, 'the started clock counts');
    clock.hold();
    expect(clock.elapsed).to.equal(0);
    clock.run(false);
  });

  it('stops ticking when its host leaves the page', async () => {
    const host = await mountHost<Host>('controller-host');
    const clock = new LoadingClock(host);
    clock.run(true);
    host.remove();
    const left = host.updates;
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(host.updates).to.equal(left);
  });
});

describe('Visibility', () => {
  it('is false far below the viewport and turns true, calling back, once the host comes near', async () => {
    const spacer = await fixture<HTMLDivElement>(html`<div style="height: 5000px"></div>`);
    const host = document.createElement('controller-host') as Host;
    host.style.display = 'block';
    host.style.height = '10px';
    spacer.insertAdjacentElement('afterend', host);
    let calls = 0;
    const visibility = new Visibility(host, () => calls++);
    host.requestUpdate();
    await waitUntil(() => calls > 0, 'the observer reports the first position');
    expect(visibility.visible).to.equal(false);
    host.scrollIntoView();
    await waitUntil(() => visibility.visible, 'near the viewport after scrolling');
    host.remove();
    expect(visibility.visible).to.equal(false);
  });
});

describe('Playback', () => {
  it('makes one loading <video> per URL, inline, muted as the host says, before it is rendered', async () => {
    const host = await mountHost<PlaybackHost>('playback-host');
    const video = host.playback.videoFor(FIXTURE, { ...OPTIONS, poster: '/test/fixtures/poster.png' });
    expect(video.isConnected).to.equal(false);
    expect([video.getAttribute('src'), video.getAttribute('playsinline'), video.preload, video.muted, video.poster.endsWith('poster.png')])
      .to.deep.equal([FIXTURE, '', 'auto', true, true]);
    expect(video.part.contains('video')).to.equal(true);
    expect(host.playback.videoFor(FIXTURE, OPTIONS)).to.equal(video);
    expect(host.playback.videoFor(`${FIXTURE}?2`, OPTIONS)).to.not.equal(video);
  });

  it('plays a shown result once it is rendered, and reports ended', async () => {
    const host = await mountHost<PlaybackHost>('playback-host');
    host.url = FIXTURE;
    host.playback.show(FIXTURE, true);
    expect(host.playback.state).to.equal('starting');
    await waitUntil(() => host.playback.state === 'playing', 'playing once rendered');
    const video = host.playback.video()!;
    if (!(video.duration > 0)) await oneEvent(video, 'durationchange');
    video.currentTime = video.duration - 0.1;
    await oneEvent(video, 'ended');
    await waitUntil(() => host.playback.state === 'ended', 'ended');
  });

  it('one avatar speaks at a time: another starting with sound pauses it; muted ones play on', async () => {
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map(() => mountHost<PlaybackHost>('playback-host')));
    for (const host of [a!, b!, c!]) {
      host.url = FIXTURE;
      host.playback.show(FIXTURE, false);
      host.requestUpdate();
      await host.updateComplete;
    }
    const [va, vb, vc] = [a!, b!, c!].map((h) => h.playback.video()!);
    // Sound is allowed once the visitor has interacted with the page (a real click); muted play always is. Unmuting a
    // playing video makes it audible, which is what the exclusivity listens for.
    await sendMouse({ type: 'click', position: [1, 1] });
    await Promise.all([va!.play(), vb!.play(), vc!.play()]);
    va!.muted = false;
    await oneEvent(va!, 'volumechange');
    expect(va!.paused).to.equal(false);
    vb!.muted = false;
    await oneEvent(vb!, 'volumechange');
    await waitUntil(() => va!.paused, 'the first speaker is paused');
    expect([vb!.paused, vc!.paused]).to.deep.equal([false, false]);
  });

  it('a failing video is reported, but not one being tried (a probe)', async () => {
    const host = await mountHost<PlaybackHost>('playback-host');
    const tried = host.playback.probing = host.playback.videoFor('/no-such-probe.mp4', OPTIONS);
    await oneEvent(tried, 'error');
    expect(host.failed).to.deep.equal([]);
    host.playback.probing = undefined;
    const broken = host.playback.videoFor('/no-such-video.mp4', OPTIONS);
    await oneEvent(broken, 'error');
    expect(host.failed).to.deep.equal([broken]);
  });
});

describe('Generation', () => {
  it('trigger="manual" waits for request(), then runs through the proxy and reflects its status', async () => {
    const proxy = await testProxy();
    const host = document.createElement('generation-host') as GenerationHost;
    Object.assign(host, { endpoint: proxy.endpoint, trigger: 'manual', character: 'navtalk.Leo', text: 'Hello there.', voice: 'echo' });
    const log = statuses(host);
    await fixture(html`${host}`);
    expect(host.generation.status).to.equal('idle');
    expect(host.getAttribute('status')).to.equal('idle');
    host.generation.request();
    await oneEvent(host, 'navtalk-ready');
    expect(log).to.deep.equal(['submitting', 'started', 'processing', 'done']);
    expect(host.getAttribute('status')).to.equal('done');
    expect(host.generation.spokenText).to.equal('Hello there.');
    expect((await proxy.posts()).length).to.equal(1);
  });

  it('cancel() stops a running generation and goes back to idle; new inputs start afresh', async () => {
    const proxy = await testProxy({ timeline: [{ status: 'started', at: 0 }] });
    const host = document.createElement('generation-host') as GenerationHost;
    Object.assign(host, { endpoint: proxy.endpoint, trigger: 'load', character: 'navtalk.Leo', audioUrl: 'https://cdn.example.com/hi.mp3' });
    const log = statuses(host);
    await fixture(html`${host}`);
    // The long-poll must have reached the proxy: 'started' is set from the POST's answer, before the poll is sent.
    await waitUntil(async () => host.generation.status === 'started' && (await proxy.polls()).length === 1, 'a long-poll is in flight');
    host.generation.cancel();
    expect([host.generation.status, host.generation.cancelled]).to.deep.equal(['idle', true]);
    expect(log.at(-1)).to.equal('idle');
    await waitUntil(async () => (await proxy.polls()).some((p) => p.aborted), 'the long-poll is aborted');
  });

  it('a video made in advance is done at once, with no request; if it will not load, the inputs are generated', async () => {
    const proxy = await testProxy();
    const host = document.createElement('generation-host') as GenerationHost;
    Object.assign(host, { endpoint: proxy.endpoint, trigger: 'load', character: 'navtalk.Leo', text: 'Made before.', voice: 'echo' });
    host.generation.given = FIXTURE;
    await fixture(html`${host}`);
    expect(host.generation.status).to.equal('done');
    expect(host.generation.resultUrl).to.equal(FIXTURE);
    expect(await proxy.requests()).to.deep.equal([]);

    const fallback = document.createElement('generation-host') as GenerationHost;
    Object.assign(fallback, { endpoint: proxy.endpoint, trigger: 'load', character: 'navtalk.Leo', text: 'Gone.', voice: 'echo' });
    fallback.generation.given = '/no-such-prerender.mp4';
    await fixture(html`${fallback}`);
    await oneEvent(fallback, 'navtalk-ready');
    expect(fallback.generation.resultUrl).to.match(/avatar\.mp4$/);
    expect((await proxy.posts()).map((p) => p.body)).to.deep.equal([{ character_name: 'navtalk.Leo', content: 'Gone.', voice: 'echo' }]);
  });
});
