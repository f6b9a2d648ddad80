// The element through the real proxy handler (src/proxy) to the NavTalk mock: nothing of ours is scripted.
import { expect } from '@open-wc/testing';
import { NavtalkAvatar } from '../../src/index.js';
import { failure, mount, part, ready, statusLog } from './support/helpers.js';
import { waitUntil } from './support/wait.js';
import { EXTRA_VOICE, FAILING_PROXY_PATH, REAL_PROXY_PATH, REFUSAL, REFUSING_PROXY_PATH } from './support/real-proxy-paths.js';

const ENDPOINT = REAL_PROXY_PATH;
const { url: mockUrl, license } = (await (await fetch(`${ENDPOINT}/mock-url`)).json()) as { url: string; license: string };
const generateCalls = async (): Promise<Record<string, unknown>[]> =>
  ((await (await fetch(`${mockUrl}/__mock/calls`)).json()) as { path: string; body: Record<string, unknown> }[])
    .filter((call) => call.path === '/generate')
    .map((call) => call.body);
/** A NavTalk body the mock received that has this marker in its text or tuning, without the license. */
const received = async (match: (body: Record<string, unknown>) => boolean) => {
  const bodies = (await generateCalls()).filter(match);
  return bodies.map(({ license, ...rest }) => ({ licensed: typeof license === 'string' && license.length > 0, ...rest }));
};

/**
 * A finished video as the element gets it: NavTalk's URL from the POST, or, where another browser running this file
 * made the same script first, the proxy's copy of it (`?script=`, scriptUrl).
 */
const madeOrKept = (url: string) => new RegExp(`^${mockUrl}/videos/[0-9a-f-]+\\.mp4$`).test(url)
  || url.startsWith(new URL(`${ENDPOINT}?script=`, location.href).href);

const VISUAL = { 'video-url': `${mockUrl}/samples/source.mp4`, 'image-url': `${mockUrl}/samples/face.png`, character: 'navtalk.Leo' };
const AUDIO = { 'audio-url': `${mockUrl}/samples/voice.mp3`, 'audio-base64': 'UklGRiQAAABXQVZF', text: 'Hello from the real proxy' };
const FIELD: Record<string, string> = {
  'video-url': 'video_url', 'image-url': 'image_url', character: 'character_name', 'audio-url': 'audio_url', 'audio-base64': 'audio_base64', text: 'content',
};

describe('through the real proxy to the NavTalk mock', () => {
  let method = 0;
  for (const [visual, visualValue] of Object.entries(VISUAL)) {
    for (const [audio, audioValue] of Object.entries(AUDIO)) {
      const marker = (method++) - 4; // a distinct bbox-shift per method tells the 9 bodies apart
      it(`${visual} + ${audio}: done, and NavTalk got exactly these fields with the license`, async () => {
        const voice: Record<string, string> = audio === 'text' ? { voice: 'echo' } : {};
        const el = await mount({ endpoint: ENDPOINT, trigger: 'load', [visual]: visualValue, [audio]: audioValue, 'bbox-shift': String(marker), ...voice });
        const statuses = statusLog(el);
        expect(await ready(el)).to.satisfy(madeOrKept);
        expect(statuses.at(-1)).to.equal('done');
        expect(await received((b) => b.bbox_shift === marker)).to.deep.equal([
          { licensed: true, [FIELD[visual]!]: visualValue, [FIELD[audio]!]: audioValue, bbox_shift: marker, ...voice },
        ]);
      });
    }
  }

  it('plays the generated video, and a second avatar with the same script is served from the cache', async () => {
    const text = 'Play me through the real proxy';
    const el = await mount({ endpoint: ENDPOINT, trigger: 'load', character: 'navtalk.Mia', text, voice: 'nova', autoplay: true });
    await ready(el);
    const video = part<HTMLVideoElement>(el, 'video')!;
    await waitUntil(() => video.currentTime > 0.2, 'the generated video plays', { timeout: 8000 });

    const again = await mount({ endpoint: ENDPOINT, trigger: 'load', character: 'navtalk.Mia', text, voice: 'nova' });
    const againStatuses = statusLog(again);
    // Asked for with one GET a <video> makes (?script=), not a POST and a poll.
    expect(await ready(again)).to.satisfy((url: string) => url.startsWith(new URL(`${ENDPOINT}?script=`, location.href).href));
    expect(againStatuses).to.not.include('processing');
    expect(await received((b) => b.content === text)).to.have.length(1);
  });

  it('NavTalk refusing the request (HTTP 400) ends as invalid_input with its reason, never the key, and no retry button', async () => {
    const el = await mount({ endpoint: REFUSING_PROXY_PATH, trigger: 'load', character: 'navtalk.Leo', text: 'Refused face', voice: 'echo' });
    const error = await failure(el);
    expect(error.code).to.equal('invalid_input');
    expect(error.message).to.equal(`NavTalk refused this request: ${REFUSAL.replace('{license}', '[redacted]')}.`);
    expect(error.message).to.not.include(license);
    await el.updateComplete;
    expect(part(el, 'error')!.textContent).to.include('could not be decoded');
    expect(part(el, 'retry')).to.equal(null);
  });

  it('a task NavTalk accepted and then failed shows its reason and Try again, which makes exactly one new generation', async () => {
    const failing = (await (await fetch(`${FAILING_PROXY_PATH}/mock-url`)).json()) as { url: string };
    // Its own script in each browser: the engines run this file at the same time against the same mock.
    const text = `Fails once in ${navigator.userAgent}`;
    const tasks = async () => ((await (await fetch(`${failing.url}/__mock/tasks`)).json()) as { task_id: string; request: { content?: string } }[])
      .filter((task) => task.request.content === text);
    const end = async (nth: number, status: 'done' | 'failed') => {
      await waitUntil(async () => (await tasks()).length === nth, `NavTalk has task ${nth}`, { timeout: 8000 });
      const task = (await tasks())[nth - 1]!;
      await fetch(`${failing.url}/__mock/tasks/${task.task_id}/complete`, { method: 'POST', body: JSON.stringify({ status }) });
    };
    const el = await mount({ endpoint: FAILING_PROXY_PATH, trigger: 'load', character: 'navtalk.Leo', text, voice: 'echo' });
    await end(1, 'failed');
    const error = await failure(el);
    expect(error.code).to.equal('generation_failed');
    expect(error.message).to.match(/^NavTalk could not make this video: video generation failed: no face/);
    await el.updateComplete;
    expect(part(el, 'error')!.textContent).to.include('no face could be detected');
    const statuses = statusLog(el);
    part(el, 'retry')!.click();
    await end(2, 'done');
    await ready(el);
    expect([statuses[0], statuses.at(-1)]).to.deep.equal(['submitting', 'done']);
    expect(await tasks()).to.have.length(2); // the failed one and exactly one more
  });

  it('a voice added to NavtalkAvatar.voices and ALLOWED_VOICES reaches NavTalk, whose refusal reads as invalid_input', async () => {
    NavtalkAvatar.voices.add(EXTRA_VOICE);
    try {
      const el = await mount({ endpoint: ENDPOINT, trigger: 'load', character: 'navtalk.Leo', text: 'A brand new voice', voice: EXTRA_VOICE });
      const error = await failure(el);
      expect(error.code).to.equal('invalid_input');
      // The mock knows NavTalk's 11 voices only, as NavTalk did before it added this one.
      expect(error.message).to.match(/^NavTalk refused this request: voice must be one of alloy/);
      expect(await received((b) => b.voice === EXTRA_VOICE)).to.have.length(1);
    } finally {
      NavtalkAvatar.voices.delete(EXTRA_VOICE);
    }
  });

  it('a character without a poster shows its preview through the proxy, which fetched it from NavTalk once', async () => {
    const attributes = { endpoint: ENDPOINT, trigger: 'manual', character: 'navtalk.Emma', text: 'A preview through the proxy', voice: 'echo' };
    for (const el of [await mount(attributes), await mount(attributes)]) {
      const img = part<HTMLImageElement>(el, 'poster')!;
      expect(img.getAttribute('src')).to.equal(new URL(`${ENDPOINT}?preview=navtalk.Emma`, location.href).href);
      await waitUntil(() => img.complete && img.naturalWidth > 0, 'the preview loads', { timeout: 8000 });
      expect(img.naturalWidth).to.equal(512); // the mock's PNG
    }
    const calls = (await (await fetch(`${mockUrl}/__mock/calls`)).json()) as { path: string }[];
    expect(calls.filter((call) => call.path === '/uploadFiles/navtalk.Emma.png')).to.have.length(1);
  });

  it('a URL the proxy refuses fails with invalid_input and NavTalk is never called', async () => {
    const image = 'http://10.0.0.7/private-face.png';
    // A poster of our own, so the browser never fetches the private address as the default poster.
    const el = await mount({ endpoint: ENDPOINT, trigger: 'load', 'image-url': image, text: 'Private face', voice: 'echo', poster: '/test/fixtures/poster.png' });
    const error = await failure(el);
    expect(error.code).to.equal('invalid_input');
    expect(error.message).to.match(/private|local|address/i);
    expect(part<HTMLImageElement>(el, 'poster')!.getAttribute('src')).to.equal('/test/fixtures/poster.png');
    expect(await received((b) => b.image_url === image)).to.deep.equal([]);
  });
});
