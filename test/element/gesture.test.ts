// A real click (sendMouse) gives the page a user gesture, which lets video play with sound. Kept apart from
// playback.test.ts, whose tests need the browser to refuse sound.
import { sendMouse } from '@web/test-runner-commands';
import { expect, waitUntil } from '@open-wc/testing';
import { mount, part, ready } from './support/helpers.js';
import { testProxy } from './support/proxy.js';

describe('trigger="click" with a real click', () => {
  it('generates, then plays with sound without a second tap', async () => {
    const proxy = await testProxy();
    const el = await mount({ endpoint: proxy.endpoint, trigger: 'click', character: 'navtalk.Leo', text: 'You clicked.', voice: 'echo' });
    const rect = part(el, 'play')!.getBoundingClientRect();
    await sendMouse({ type: 'click', position: [Math.round(rect.x + rect.width / 2), Math.round(rect.y + rect.height / 2)] });
    await ready(el);
    await el.updateComplete;
    const video = part<HTMLVideoElement>(el, 'video')!;
    await waitUntil(() => video.currentTime > 0.3, 'the video plays', { timeout: 5000 });
    expect(video.muted).to.equal(false);
    expect(part(el, 'unmute')).to.equal(null);
    expect(await proxy.posts()).to.have.length(1);
  });
});
