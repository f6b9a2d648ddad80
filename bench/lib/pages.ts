/**
 * The pages the browser figures run in, served with the built CDN bundle by test/e2e/support.ts#serveSite.
 * Their probes are plain JavaScript in the page (window.bench), called with page.evaluate on a string, so
 * nothing the bench's TypeScript compiler emits has to run in the browser.
 */

/** Counts the page's own fetches (the element's and the naive client's), before any other script runs. */
const FETCH_LOG = `<script>
  window.fetchLog = [];
  const realFetch = window.fetch.bind(window);
  window.fetch = (input, init = {}) => {
    window.fetchLog.push({ url: String(input), method: init.method || 'GET', body: typeof init.body === 'string' ? init.body : null });
    return realFetch(input, init);
  };
</script>`;

const PROBES = `<script type="module">
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const firstFrame = (video) => new Promise((r) => video.requestVideoFrameCallback(() => r(performance.now())));
  /**
   * When a video starts fetching its source (its loadstart event). Every video whose src property is set records
   * it from then on: the element's video may start before the probe can reach it (it is made at connect, and
   * rendered a task later).
   */
  const loadStarts = new WeakMap();
  const src = Object.getOwnPropertyDescriptor(HTMLMediaElement.prototype, 'src');
  Object.defineProperty(HTMLMediaElement.prototype, 'src', {
    ...src,
    set(value) {
      this.addEventListener('loadstart', () => loadStarts.set(this, performance.now()), { once: true });
      src.set.call(this, value);
    },
  });
  const loadStart = (video) => loadStarts.has(video)
    ? Promise.resolve(loadStarts.get(video))
    : new Promise((r) => video.addEventListener('loadstart', () => r(loadStarts.get(video) ?? performance.now()), { once: true }));

  function avatar(attrs) {
    const el = document.createElement('navtalk-avatar');
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    return el;
  }

  /** Resolves with the element once it reports done; rejects with its navtalk-error. */
  const settled = (el) => new Promise((resolve, reject) => {
    el.addEventListener('navtalk-ready', () => resolve(el), { once: true });
    el.addEventListener('navtalk-error', (e) => reject(new Error(e.detail.code + ': ' + e.detail.message)), { once: true });
  });

  window.bench = {
    /**
     * Figure 2: connection of the element to its video's first frame; to its 'done'; to its rendered <video> and that
     * video's loadstart. With a result-url in attrs, the pre-rendered case. fetches: the page's fetch() calls meanwhile.
     */
    async avatarFrame(attrs) {
      await customElements.whenDefined('navtalk-avatar');
      document.body.replaceChildren();
      const el = avatar({ trigger: 'load', autoplay: '', muted: '', ...attrs });
      const done = settled(el);
      const fetchesBefore = window.fetchLog.length;
      const t0 = performance.now();
      document.body.append(el);
      await done;
      const doneAt = performance.now();
      await el.updateComplete;
      const videoAt = performance.now();
      const video = el.shadowRoot.querySelector('video');
      // In the task that rendered the video (Lit renders in a microtask): loadstart, queued as a later task, is not missed.
      const started = loadStart(video);
      const frameAt = await firstFrame(video);
      return { frame: frameAt - t0, done: doneAt - t0, video: videoAt - t0, loadstart: (await started) - t0, fetches: window.fetchLog.length - fetchesBefore };
    },

    /** Figure 2 baseline: a bare muted autoplaying video of the same file, appended the same way. */
    async bareFrame(src) {
      document.body.replaceChildren();
      const video = document.createElement('video');
      Object.assign(video, { muted: true, autoplay: true, playsInline: true, preload: 'auto' });
      const frame = firstFrame(video);
      const started = loadStart(video);
      const t0 = performance.now();
      video.src = src;
      document.body.append(video);
      return { frame: (await frame) - t0, loadstart: (await started) - t0 };
    },

    /**
     * Figure 3, one viewer per page (a page's 6 connections per host would otherwise be held by long-polls): an
     * element on a new script; resolves with Date.now() at its 'done' and its requests for that video.
     */
    async detectAvatar({ endpoint, content }) {
      await customElements.whenDefined('navtalk-avatar');
      const el = avatar({ endpoint, character: 'navtalk.Leo', text: content, voice: 'echo', trigger: 'load' });
      let doneAt = null;
      el.addEventListener('navtalk-status', (e) => { if (e.detail.status === 'done') doneAt = Date.now(); });
      const end = settled(el);
      document.body.append(el);
      try { await end; } catch (error) { return { content, error: String(error) }; }
      const requests = window.fetchLog.filter((r) =>
        (r.body && JSON.parse(r.body).content === content) || new URL(r.url).searchParams.get('task_id') === el.taskId).length;
      return { content, doneAt, requests };
    },

    /** Figure 3 baseline: NavTalk's advice followed literally: POST, then GET the status every naivePollMs. */
    async detectNaive({ endpoint, content, naivePollMs, deadlineMs }) {
      const deadline = Date.now() + deadlineMs;
      let requests = 1;
      let state = await (await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ character_name: 'navtalk.Leo', content, voice: 'echo' }) })).json();
      while (state.status !== 'done' && state.status !== 'failed' && Date.now() < deadline) {
        await sleep(naivePollMs);
        requests++;
        state = await (await fetch(endpoint + '?task_id=' + encodeURIComponent(state.task_id))).json();
      }
      return state.status === 'done' ? { content, doneAt: Date.now(), requests } : { content, error: state.status };
    },

    /** Figure 6: n elements (new scripts or cached), each played in turn once ready (one avatar speaks at a time). */
    async manyAvatars({ endpoint, n, stamp }) {
      await customElements.whenDefined('navtalk-avatar');
      const els = Array.from({ length: n }, (_, i) =>
        avatar({ endpoint, character: 'navtalk.Leo', text: 'Memory ' + i + ', ' + stamp + '.', voice: 'echo', trigger: 'load', muted: '' }));
      const ready = els.map(settled);
      document.body.append(...els);
      await Promise.all(ready);
      let played = 0;
      for (const el of els) {
        await el.updateComplete;
        const video = el.shadowRoot.querySelector('video');
        video.addEventListener('playing', () => played++, { once: true });
        await el.play();
      }
      return { played, urls: els.map((el) => el.resultUrl) };
    },

    /** Figure 6 baseline: the same videos as bare elements, played in turn the same way. */
    async manyVideos(urls) {
      let last = null;
      let played = 0;
      const videos = urls.map((src) => Object.assign(document.createElement('video'), { muted: true, playsInline: true, preload: 'auto', src }));
      document.body.append(...videos);
      for (const video of videos) {
        video.addEventListener('playing', () => played++, { once: true });
        await video.play();
        last?.pause();
        last = video;
      }
      return { played };
    },
  };
  window.benchReady = true;
</script>`;

const page = (head: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title>${head}</head><body></body></html>`;

export const BENCH_PAGES: Record<string, string> = {
  /** The element's page: the CDN bundle and the probes. */
  '/bench.html': page(`${FETCH_LOG}<script type="module" src="/navtalk-avatar.js"></script>${PROBES}`),
  /** The same probes without the bundle: the baseline page of bare videos. */
  '/bare.html': page(PROBES),
};
