// The framework-free runner and the element's helpers, against the real test proxy.
import { expect } from '@open-wc/testing';
import { waitUntil } from './support/wait.js';
import { BACKOFF, backoffDelay, browserEnv, parseRetryAfter, runTask, shareTask, type TaskUpdate } from '../../src/client/index.js';
import { captionsFor } from '../../src/element/captions.js';
import { testProxy } from './support/proxy.js';

const BODY = { character_name: 'navtalk.Leo', content: 'Hi', voice: 'echo' };
const absolute = (endpoint: string) => new URL(endpoint, location.href).href;

describe('backoffDelay', () => {
  it('grows by 1.6 from 1 s to at most 5 s, with +-20 % jitter', () => {
    const nominal = [1000, 1600, 2560, 4096, 5000, 5000];
    nominal.forEach((ms, attempt) => {
      expect(backoffDelay(attempt, 0.5)).to.be.closeTo(ms, 1e-6);
      expect(backoffDelay(attempt, 0)).to.be.closeTo(ms * 0.8, 1e-6);
      expect(backoffDelay(attempt, 0.999999)).to.be.closeTo(ms * 1.2, 0.01);
    });
    expect(BACKOFF.maxMs).to.equal(5000);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-24T12:00:00Z');
  it('reads delta-seconds and HTTP dates, and ignores garbage', () => {
    expect(parseRetryAfter('30', now)).to.equal(30);
    expect(parseRetryAfter(' 0 ', now)).to.equal(0);
    expect(parseRetryAfter('Tue, 24 Nov 2026 12:00:42 GMT', now)).to.equal(42);
    expect(parseRetryAfter('Tue, 24 Nov 2026 11:00:00 GMT', now)).to.equal(0);
    expect(parseRetryAfter('soon', now)).to.equal(undefined);
    expect(parseRetryAfter(null, now)).to.equal(undefined);
    expect(parseRetryAfter('-5', now)).to.equal(undefined);
  });
});

describe('captionsFor', () => {
  it('splits at sentences, packs long ones by words, and spreads the cues by length', () => {
    const long = 'word '.repeat(40).trim();
    const cues = captionsFor(`Hi there. ${long}! Bye?`, 10);
    expect(cues.map((c) => c.text)).to.deep.equal(['Hi there.', 'word '.repeat(17).trim(), 'word '.repeat(17).trim(), 'word '.repeat(5) + 'word!', 'Bye?']);
    expect(cues.every((c) => c.text.length <= 84)).to.equal(true);
    expect(cues[0]!.start).to.equal(0);
    expect(cues.at(-1)!.end).to.be.closeTo(10, 1e-9);
    const total = cues.reduce((n, c) => n + c.text.length, 0);
    for (const c of cues) expect(c.end - c.start).to.be.closeTo((10 * c.text.length) / total, 1e-9);
  });
});

describe('runTask', () => {
  it('waits while the page is hidden and polls at once when it shows again', async () => {
    const proxy = await testProxy({ longPoll: false, timeline: [{ status: 'processing', at: 0 }, { status: 'done', at: 100 }] });
    let show!: () => void;
    const shown = new Promise<void>((resolve) => (show = resolve));
    let hidden = true;
    const env = { ...browserEnv, whenVisible: () => (hidden ? shown : Promise.resolve()) };
    const controller = new AbortController();
    const updates: TaskUpdate[] = [];
    const result = runTask({ endpoint: absolute(proxy.endpoint), body: BODY, timeoutMs: 1000, signal: controller.signal, onUpdate: (u) => updates.push(u), env });
    await waitUntil(() => updates.some((u) => u.status === 'processing'), 'the POST is answered');
    // Hidden for longer than the whole timeout: hidden time does not count.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await proxy.polls()).to.have.length(0);
    const shownAt = Date.now();
    hidden = false;
    show();
    expect((await result).status).to.equal('done');
    const [poll] = await proxy.polls();
    // At once, not after a backoff pause (at least 800 ms); the slack is for a loaded machine.
    expect(poll!.at - shownAt).to.be.below(700);
  });

  it('rejects with the signal reason when aborted', async () => {
    const proxy = await testProxy({ timeline: [{ status: 'processing', at: 0 }] });
    const controller = new AbortController();
    const result = runTask({ endpoint: absolute(proxy.endpoint), body: BODY, timeoutMs: 60_000, signal: controller.signal, onUpdate: () => {} });
    await waitUntil(async () => (await proxy.polls()).length === 1, 'a poll is held');
    controller.abort(new Error('left'));
    let reason: unknown;
    await result.catch((e: unknown) => (reason = e));
    expect((reason as Error).message).to.equal('left');
  });
});

describe('the page pauses polling while hidden', () => {
  it('uses document.visibilityState and the visibilitychange event', async () => {
    const proxy = await testProxy({ longPoll: false, timeline: [{ status: 'processing', at: 0 }, { status: 'done', at: 100 }] });
    const visibility = Object.getOwnPropertyDescriptor(Document.prototype, 'visibilityState')!;
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    try {
      let done = false;
      const updates: TaskUpdate[] = [];
      const leave = shareTask(
        { endpoint: absolute(proxy.endpoint), body: BODY, timeoutMs: 60_000 },
        { update: (u) => (updates.push(u), (done ||= u.status === 'done')), fail: () => {} },
      );
      await waitUntil(() => updates.some((u) => u.status === 'processing'), 'the POST is answered');
      await new Promise((resolve) => setTimeout(resolve, 1200));
      expect(await proxy.polls()).to.have.length(0);
      Object.defineProperty(document, 'visibilityState', visibility);
      document.dispatchEvent(new Event('visibilitychange'));
      await waitUntil(() => done, 'done once visible');
      leave();
    } finally {
      Object.defineProperty(document, 'visibilityState', visibility);
    }
  });
});
