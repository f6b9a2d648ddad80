// No layout shift while the element upgrades: a page that reserves the box with the rule docs/element.md gives
// keeps every box where it was when the element's script arrives, renders and plays. This file registers the
// tag itself, late, as a page whose script loads after its HTML does (so it imports no helper that defines it).
import { expect, fixture, html } from '@open-wc/testing';
import { waitUntil } from './support/wait.js';
import type { NavtalkAvatar } from '../../src/index.js';
import { testProxy } from './support/proxy.js';

const RESERVE = '.reserved navtalk-avatar:not(:defined) { display: block; aspect-ratio: 1; }';

/** Where a node is, to the pixel. */
const box = (node: Element) => {
  const { x, y, width, height } = node.getBoundingClientRect();
  return [x, y, width, height].map(Math.round);
};
/** Where the avatar and the paragraph after it are. */
const boxes = (root: HTMLElement) => [...root.querySelectorAll('navtalk-avatar, p')].map(box);

/** Layout shifts from now on (Chromium reports them; the others have none to report); `stop` ends the watch. */
function watchShifts(): { shifts: PerformanceEntry[]; stop(): void } {
  const shifts: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => shifts.push(...list.getEntries()));
  if (PerformanceObserver.supportedEntryTypes.includes('layout-shift')) observer.observe({ type: 'layout-shift' });
  return { shifts, stop: () => observer.disconnect() };
}

describe('upgrading on a page that reserves the box', () => {
  it('moves nothing: not when the tag is defined, not when it renders, not when the video is ready', async () => {
    const { shifts, stop } = watchShifts();
    const style = document.createElement('style');
    style.textContent = RESERVE;
    document.head.appendChild(style);
    const proxy = await testProxy({ timeline: [{ status: 'done', at: 300 }] });
    const page = await fixture<HTMLElement>(html`<main>
      <section class="reserved" style="width: 240px">
        <navtalk-avatar endpoint=${proxy.endpoint} trigger="load" character="navtalk.Leo" text="No jumping." voice="echo"></navtalk-avatar>
        <p>Text below the avatar.</p>
      </section>
      <section class="bare" style="width: 240px">
        <navtalk-avatar endpoint=${proxy.endpoint} trigger="click" character="navtalk.Leo" text="Jumps." voice="echo"></navtalk-avatar>
        <p>Text below the avatar.</p>
      </section>
    </main>`);
    const reserved = page.querySelector<HTMLElement>('.reserved')!;
    const bare = page.querySelector<HTMLElement>('.bare')!;
    const before = { reserved: boxes(reserved), bare: boxes(bare) };
    expect(before.reserved[0]!.slice(2), 'the reserved box is square before the script').to.deep.equal([240, 240]);

    await import('../../src/define.js');
    const avatar = reserved.querySelector('navtalk-avatar') as NavtalkAvatar;
    await avatar.updateComplete;
    expect(boxes(reserved), 'after the first render').to.deep.equal(before.reserved);
    // Without the rule the same avatar was an empty inline box, and its upgrade pushed the text down: the
    // measurement sees a shift where there is one.
    expect(boxes(bare), 'the page without the rule').not.to.deep.equal(before.bare);

    await waitUntil(() => avatar.status === 'done', 'the video is ready', { timeout: 5000 });
    await avatar.updateComplete;
    expect(boxes(reserved), 'with the video').to.deep.equal(before.reserved);
    // Chromium also reports layout shifts: only the bare avatar's upgrade made one.
    stop();
    if (PerformanceObserver.supportedEntryTypes.includes('layout-shift')) expect(shifts).to.have.length(1);
  });

  it('the loading panel showing up and going away is no layout shift (the live region keeps its place)', async () => {
    const { shifts, stop } = watchShifts();
    await import('../../src/define.js');
    const proxy = await testProxy({ timeline: [{ status: 'processing', at: 0 }, { status: 'done', at: 1500 }] });
    const page = await fixture<HTMLElement>(html`<section style="width: 240px">
      <navtalk-avatar endpoint=${proxy.endpoint} trigger="manual" character="navtalk.Leo" text="Loading in place." voice="echo"></navtalk-avatar>
    </section>`);
    const avatar = page.querySelector('navtalk-avatar') as NavtalkAvatar;
    await avatar.updateComplete;
    const status = avatar.shadowRoot!.querySelector('[part="status"]')!;
    const before = status.getBoundingClientRect().toJSON();
    avatar.generate();
    await waitUntil(() => avatar.shadowRoot!.querySelector('[part="progress"]'), 'the loading panel shows', { timeout: 3000 });
    expect(status.getBoundingClientRect().toJSON()).to.deep.include({ x: before.x, y: before.y });
    await waitUntil(() => avatar.status === 'done', 'the video is ready', { timeout: 5000 });
    await avatar.updateComplete;
    stop();
    expect(shifts).to.deep.equal([]);
  });

  it('the seconds growing a digit ("9 s" to "10 s") move no text (a shift Lighthouse counted)', async () => {
    const { shifts, stop } = watchShifts();
    await import('../../src/define.js');
    const proxy = await testProxy({ timeline: [{ status: 'processing', at: 0 }] });
    const page = await fixture<HTMLElement>(html`<section style="width: 240px">
      <navtalk-avatar endpoint=${proxy.endpoint} trigger="manual" character="navtalk.Leo" text="Counting." voice="echo"></navtalk-avatar>
    </section>`);
    const avatar = page.querySelector('navtalk-avatar') as NavtalkAvatar;
    // The loading clock reads Date.now: the page's clock is moved on rather than waited for.
    const realNow = Date.now;
    let offset = 0;
    Date.now = () => realNow() + offset;
    try {
      avatar.generate();
      const elapsed = () => avatar.shadowRoot!.querySelector('[part="elapsed"]');
      /** Where the seconds' text starts once it has `digits` digits. */
      const textStart = async (digits: number) => {
        const pattern = new RegExp(`^\\d{${digits}} s$`);
        await waitUntil(() => pattern.test(elapsed()?.textContent ?? ''), `the panel shows ${digits}-digit seconds`, { timeout: 5000 });
        const range = document.createRange();
        range.selectNodeContents(elapsed()!);
        return range.getBoundingClientRect().left;
      };
      await waitUntil(() => elapsed(), 'the loading panel shows', { timeout: 3000 });
      // Far enough apart that the real time passing (WebKitGTK is slow here) cannot blur one into the other.
      offset = 5_000;
      const oneDigit = await textStart(1);
      offset = 20_000;
      expect(await textStart(2)).to.equal(oneDigit);
    } finally {
      Date.now = realNow;
      avatar.cancel();
      stop();
    }
    expect(shifts).to.deep.equal([]);
  });

  it('a poster in the HTML, sized by the rule docs/element.md gives, paints before the script and stays put on upgrade', async () => {
    const { shifts, stop } = watchShifts();
    // Its own tag name, undefined until the test defines it (navtalk-avatar is defined by now).
    const style = document.createElement('style');
    style.textContent = `${RESERVE.replace(/navtalk-avatar/g, 'poster-avatar')}
      poster-avatar:not(:defined) > [slot=poster] { display: block; width: 100%; height: 100%; object-fit: cover; }`;
    document.head.appendChild(style);
    const poster = new URL('/test/fixtures/poster.png', location.href).href;
    const page = await fixture<HTMLElement>(html`<section class="reserved" style="width: 240px">
      <poster-avatar trigger="manual" character="navtalk.Leo" text="Painted early." voice="echo"><img slot="poster" src=${poster} alt="" /></poster-avatar>
      <p>Text below the avatar.</p>
    </section>`);
    const img = page.querySelector('img')!;
    await waitUntil(() => img.complete && img.naturalWidth > 0, 'the poster loads before the script');
    const before = box(img);
    expect(before.slice(2, 4), 'it fills the reserved box').to.deep.equal([240, 240]);
    const { NavtalkAvatar } = await import('../../src/index.js');
    NavtalkAvatar.define('poster-avatar');
    const avatar = page.querySelector('poster-avatar') as NavtalkAvatar;
    await avatar.updateComplete;
    expect(avatar.shadowRoot!.querySelector('slot[name="poster"]'), 'the element is upgraded').to.exist;
    expect(box(img)).to.deep.equal(before);
    stop();
    expect(shifts).to.deep.equal([]);
  });
});
