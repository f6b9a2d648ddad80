import { expect, fixture, html } from '@open-wc/testing';
import { NavtalkAvatar } from '../../src/index.js';
import { failure, mount, part, ready } from './support/helpers.js';
import { waitUntil } from './support/wait.js';
import { testProxy } from './support/proxy.js';

const TEXT = { character: 'navtalk.Leo', text: 'Hello.', voice: 'echo' };
const POSTER = new URL('/test/fixtures/poster.png', location.href).href;
const posterSrc = (el: NavtalkAvatar) => part<HTMLImageElement>(el, 'poster')?.getAttribute('src');

describe('box and poster', () => {
  it('reserves a square box before any video exists', async () => {
    const el = await mount({ trigger: 'manual', ...TEXT, style: 'width: 240px' });
    const { width, height } = el.getBoundingClientRect();
    expect([width, height]).to.deep.equal([240, 240]);
    el.style.setProperty('--navtalk-aspect-ratio', '16 / 9');
    expect(el.getBoundingClientRect().height).to.equal(135);
  });

  it("uses the poster attribute, else image-url, else the proxy's preview of the character (never NavTalk's host)", async () => {
    const endpoint = 'https://proxy.example/api/navtalk';
    expect(posterSrc(await mount({ trigger: 'manual', endpoint, ...TEXT, poster: POSTER }))).to.equal(POSTER);
    expect(posterSrc(await mount({ trigger: 'manual', endpoint, text: 'Hi', voice: 'echo', 'image-url': POSTER }))).to.equal(POSTER);
    expect(posterSrc(await mount({ trigger: 'manual', endpoint, ...TEXT }))).to.equal(`${endpoint}?preview=navtalk.Leo`);
    const proxy = await testProxy();
    const relative = await mount({ trigger: 'manual', endpoint: `${proxy.endpoint}?site=2`, ...TEXT });
    expect(posterSrc(relative)).to.equal(new URL(`${proxy.endpoint}?site=2&preview=navtalk.Leo`, location.href).href);
    await waitUntil(() => part<HTMLImageElement>(relative, 'poster')!.naturalWidth > 0, 'the preview loads');
    // Without a usable endpoint there is no preview to show.
    expect(posterSrc(await mount({ trigger: 'manual', ...TEXT }))).to.equal(undefined);
    expect(posterSrc(await mount({ trigger: 'manual', endpoint: 'ftp://proxy.example/', ...TEXT }))).to.equal(undefined);
  });

  it('a proxy without the preview route: the image is dropped and the avatar carries on, asking nothing of NavTalk', async () => {
    const proxy = await testProxy({ previews: false, timeline: [{ status: 'done', at: 0 }] });
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'manual', ...TEXT });
    const src = posterSrc(el)!;
    expect(src).to.equal(new URL(`${proxy.endpoint}?preview=navtalk.Leo`, location.href).href);
    await waitUntil(() => !part(el, 'poster'), 'the preview the proxy does not have is dropped');
    expect([el.status, el.error]).to.deep.equal(['idle', null]);
    await el.generate();
    await ready(el);
    const asked = performance.getEntriesByType('resource').map((entry) => entry.name);
    expect(asked).to.include(src);
    expect(asked.filter((name) => name.includes('navtalk.ai'))).to.deep.equal([]);
  });

  it('drops a poster image that fails to load', async () => {
    const el = await mount({ trigger: 'manual', ...TEXT, poster: 'data:image/png;base64,AAAA' });
    await waitUntil(() => !part(el, 'poster'), 'the broken image is removed');
  });

  it('lets slot="poster" replace the poster', async () => {
    const el = await fixture<NavtalkAvatar>(html`<navtalk-avatar trigger="manual" character="navtalk.Leo" text="Hi" voice="echo">
      <img slot="poster" src=${POSTER} alt="Leo, our assistant" />
    </navtalk-avatar>`);
    const slot = el.shadowRoot!.querySelector<HTMLSlotElement>('slot[name="poster"]')!;
    expect(slot.assignedElements().map((e) => e.getAttribute('alt'))).to.deep.equal(['Leo, our assistant']);
  });

  it("keeps the page's own poster under the video until its first frame (no empty box, no other image over it)", async () => {
    const proxy = await testProxy({ timeline: [{ status: 'done', at: 0 }] });
    const el = await fixture<NavtalkAvatar>(html`<navtalk-avatar endpoint=${proxy.endpoint} trigger="load" character="navtalk.Leo" text="Hi" voice="echo">
      <img slot="poster" src=${POSTER} alt="" />
    </navtalk-avatar>`);
    await ready(el);
    await el.updateComplete;
    const slot = el.shadowRoot!.querySelector<HTMLSlotElement>('slot[name="poster"]')!;
    const video = part<HTMLVideoElement>(el, 'video')!;
    expect(slot.assignedElements()).to.have.length(1);
    // Drawn after the slot, over it; with no poster image of its own (the preview) to show instead until it plays.
    expect(slot.compareDocumentPosition(video) & Node.DOCUMENT_POSITION_FOLLOWING).to.not.equal(0);
    expect(video.poster).to.equal('');
    expect(part(el, 'poster')).to.equal(null);
  });

  it('a video made in advance and played at once fetches no default poster image under it', async () => {
    const el = await mount({ endpoint: 'https://proxy.example/api', 'result-url': '/test/fixtures/avatar.mp4', trigger: 'load', ...TEXT });
    await el.updateComplete;
    expect(part(el, 'video')).to.exist;
    expect(part(el, 'poster'), 'no request for the preview of a pre-rendered avatar').to.equal(null);
  });
});

describe('loading UI', () => {
  it('shows progress and elapsed time only after a short delay, and progress only grows', async () => {
    const proxy = await testProxy({ timeline: [{ status: 'started', at: 0 }, { status: 'processing', at: 200 }, { status: 'done', at: 2300 }] });
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...TEXT });
    await waitUntil(() => el.status !== 'idle', 'started');
    expect(part(el, 'progress')).to.equal(null);
    const values: number[] = [];
    await waitUntil(() => part(el, 'progress'), 'the progress bar appears');
    expect(part(el, 'progress')!.getAttribute('aria-label')).to.equal('Video generation progress');
    while (el.status !== 'done') {
      const bar = part<HTMLProgressElement>(el, 'progress');
      if (bar) values.push(bar.value);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Sampled every 100 ms for ~2 s; a loaded machine fires fewer timers, and growth needs only a few samples.
    expect(values.length).to.be.at.least(5);
    expect(values.every((v, i) => i === 0 || v >= values[i - 1]!)).to.equal(true);
    expect(values.at(-1)! > values[0]!).to.equal(true);
    expect(values.at(-1)).to.be.below(95);
  });

  it('shows the status in a polite live region, and the elapsed seconds', async () => {
    const proxy = await testProxy({ timeline: [{ status: 'processing', at: 0 }] });
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...TEXT });
    const status = part(el, 'status')!;
    expect([status.getAttribute('role'), status.getAttribute('aria-live')]).to.deep.equal(['status', 'polite']);
    await waitUntil(() => status.textContent === 'Animating the face…', 'processing is announced');
    await waitUntil(() => part(el, 'elapsed')?.textContent === '1 s', 'elapsed seconds', { timeout: 2500 });
    el.cancel();
  });

  for (const kind of ['kept', 'answered']) {
    it(`never flashes the loading UI on a cache hit (${kind === 'kept' ? 'the script kept' : 'a POST answered done'})`, async () => {
      const proxy = await testProxy({ previews: false, kept: kind === 'kept', timeline: [{ status: 'done', at: 0 }] });
      const el = await mount({ endpoint: proxy.endpoint, trigger: 'manual', ...TEXT });
      // When the POST left and when the loading UI first showed, on the page's clock.
      let postedAt: number | undefined;
      let shownAt: number | undefined;
      const realFetch = window.fetch;
      window.fetch = (input, init) => {
        if (init?.method === 'POST') postedAt ??= performance.now();
        return realFetch(input, init);
      };
      const observer = new MutationObserver(() => {
        if (part(el, 'progress')) shownAt ??= performance.now();
      });
      observer.observe(el.shadowRoot!, { childList: true, subtree: true });
      try {
        el.generate();
        await ready(el);
        await el.updateComplete;
      } finally {
        observer.disconnect();
        window.fetch = realFetch;
      }
      expect(await proxy.posts()).to.have.length(kind === 'kept' ? 0 : 1);
      // A quick answer shows nothing. A machine too loaded to get the answer within the delay is really waiting on
      // the proxy, and may say so, but never sooner than the delay after asking (nor for the kept copy's lookup).
      if (shownAt !== undefined) {
        expect(postedAt, 'the loading UI showed while no POST was waited on').to.be.a('number');
        expect(shownAt - postedAt!).to.be.at.least(400);
      }
    });
  }
});

describe('errors, strings and slots', () => {
  it('shows a readable message per code with a retry button', async () => {
    const proxy = await testProxy({ post: [{ http: 401, error: { code: 'signature_invalid', message: 'Bad signature.' } }] });
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...TEXT });
    await failure(el);
    await el.updateComplete;
    expect(part(el, 'error')!.textContent).to.contain('This page is not allowed to make videos.');
    expect(part(el, 'retry')!.textContent).to.contain('Try again');
    expect(part(el, 'status')!.textContent).to.equal('The video could not be made.');
  });

  it('a task NavTalk accepted and then failed shows its reason and Try again, which sends the request once more as a recheck', async () => {
    const reason = 'NavTalk could not make this video: no face could be detected in the source';
    const proxy = await testProxy({ poll: [{ body: { task_id: 'task-1', status: 'failed', error: { code: 'generation_failed', message: reason } } }] });
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...TEXT });
    expect(await failure(el)).to.deep.equal({ code: 'generation_failed', message: reason });
    await el.updateComplete;
    const shown = part(el, 'error')!.textContent!.replace(/\s+/g, ' ');
    expect(shown).to.contain('The video could not be made.');
    expect(shown).to.contain(reason);
    part(el, 'retry')!.click();
    await ready(el);
    expect((await proxy.posts()).map((p) => new URL(p.url, location.href).search)).to.deep.equal(['', '?recheck=1']);
  });

  it('a refusal of the request by NavTalk (/generate 4xx) is invalid_input with its reason and no Try again', async () => {
    const reason = 'NavTalk refused this request: image_url could not be decoded as an image.';
    const proxy = await testProxy({ post: [{ http: 422, error: { code: 'upstream_rejected', message: reason } }] });
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...TEXT });
    expect(await failure(el)).to.deep.equal({ code: 'invalid_input', message: reason });
    await el.updateComplete;
    expect(part(el, 'error')!.textContent).to.contain(reason);
    expect(part(el, 'retry')).to.equal(null);
    expect(await proxy.posts()).to.have.length(1);
  });

  it('takes other texts from the strings property', async () => {
    const proxy = await testProxy({ post: [{ http: 429, error: { code: 'rate_limited', message: 'Slow.' }, headers: { 'retry-after': '9' } }] });
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'manual', ...TEXT });
    el.strings = { retry: 'Erneut versuchen', rate_limited: 'Zu viele Anfragen.', retryIn: 'Noch {seconds} s.', failed: 'Fehlgeschlagen.' };
    el.generate();
    await failure(el);
    await el.updateComplete;
    expect(part(el, 'error')!.textContent!.replace(/\s+/g, ' ')).to.contain('Zu viele Anfragen. Noch 9 s.');
    expect(part(el, 'retry')!.textContent).to.contain('Erneut versuchen');
    expect(part(el, 'status')!.textContent).to.equal('Fehlgeschlagen.');
  });

  it('lets slot="error" replace the message', async () => {
    const proxy = await testProxy({ post: [{ http: 500, error: { code: 'upstream_failed', message: 'x' } }] });
    const el = await fixture<NavtalkAvatar>(html`<navtalk-avatar endpoint=${proxy.endpoint} trigger="load" character="navtalk.Leo" text="Hi" voice="echo">
      <p slot="error">Our assistant is resting. Please call us instead.</p>
    </navtalk-avatar>`);
    await failure(el);
    await el.updateComplete;
    const slot = el.shadowRoot!.querySelector<HTMLSlotElement>('slot[name="error"]')!;
    expect(slot.assignedElements()[0]!.textContent).to.equal('Our assistant is resting. Please call us instead.');
    expect(part(el, 'retry')).to.exist;
  });
});

describe('accessibility (axe)', () => {
  it('has no violations when idle', async () => {
    const el = await mount({ trigger: 'click', ...TEXT, poster: POSTER });
    await expect(el).to.be.accessible();
  });

  it('has no violations while loading', async () => {
    const proxy = await testProxy({ timeline: [{ status: 'processing', at: 0 }] });
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...TEXT, poster: POSTER });
    await waitUntil(() => part(el, 'progress'), 'the progress bar shows', { timeout: 1500 });
    await expect(el).to.be.accessible();
    el.cancel();
  });

  it('has no violations when done', async () => {
    const proxy = await testProxy({ previews: false, timeline: [{ status: 'done', at: 0 }] });
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...TEXT, poster: POSTER });
    await ready(el);
    await el.updateComplete;
    await expect(el).to.be.accessible();
  });

  it('has no violations when failed', async () => {
    const proxy = await testProxy({ post: [{ http: 503, error: { code: 'unavailable', message: 'Down.' } }] });
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'load', ...TEXT, poster: POSTER });
    await failure(el);
    await el.updateComplete;
    await expect(el).to.be.accessible();
  });
});

describe('registration', () => {
  it('define() is safe to call again, and a no-op without a registry', () => {
    expect(() => NavtalkAvatar.define()).not.to.throw();
    expect(() => NavtalkAvatar.define('navtalk-avatar', undefined)).not.to.throw();
    expect(customElements.get('navtalk-avatar')).to.equal(NavtalkAvatar);
  });

  it('define(tag) registers a second tag name with a subclass', async () => {
    NavtalkAvatar.define('talking-head');
    NavtalkAvatar.define('talking-head');
    const Other = customElements.get('talking-head')!;
    expect(Other.prototype).to.be.instanceOf(NavtalkAvatar);
    const el = await fixture<NavtalkAvatar>(html`<talking-head trigger="manual"></talking-head>`);
    expect(el.status).to.equal('idle');
  });
});
