/**
 * The landing page: the hero avatar, a live avatar beside a pre-rendered one (`result-url`), and one live element
 * for each of the 9 NavTalk methods.
 */
import '../lib/site.js';
import '../../src/define.js';
import { html, render } from 'lit';
import type { NavtalkAvatar } from '../../src/index.js';
import {
  AUDIO_FIELDS, FIELDS, VISUAL_FIELDS, type AudioField, type VisualField, type Voice,
} from '../../src/protocol/index.js';
import { ENDPOINT, PRERENDERED_HASH, PRERENDERED_URL, sampleBlob, sampleUrl } from '../lib/config.js';
import { AUDIO_LABEL, VISUAL_LABEL, methodOf } from '../lib/methods.js';
import { LIVE_TEXT, PAIR_VOICE, PRERENDERED_TEXT } from '../lib/prerendered.js';
import { audioPropertySource, codeBlock, tagSource, upgradeCodeBlocks, type Attributes } from '../lib/snippet.js';
import { bindStatusPills, followStatus } from '../lib/status.js';

const hero = document.querySelector<NavtalkAvatar>('#hero-avatar')!;
hero.imageUrl = sampleUrl('face.png');

const VISUALS: Record<VisualField, { value: string; line: string; voice: Voice }> = {
  video_url: {
    value: sampleUrl('source.mp4'), voice: 'echo',
    line: 'I began as a short silent clip. Now I can say whatever you write for me.',
  },
  image_url: {
    value: sampleUrl('face.png'), voice: 'nova',
    line: 'This photo learned to talk a moment ago. Pretty neat, right?',
  },
  character_name: {
    value: 'navtalk.Lily', voice: 'shimmer',
    line: "Hi, I'm Lily, one of NavTalk's built-in characters. No upload needed.",
  },
};
/** The NavTalk fields a card sends: `content` travels with `voice`. */
const fieldsOf = (m: Method) => [m.visual, m.audio, ...(m.audio === 'content' ? ['voice'] : [])];

interface Method {
  number: number;
  visual: VisualField;
  audio: AudioField;
  attributes: Attributes;
  snippet: string;
}

function exampleOf(visual: VisualField, audio: AudioField): Method {
  const v = VISUALS[visual];
  const attributes: Attributes = { endpoint: ENDPOINT, [FIELDS[visual]]: v.value };
  if (audio === 'audio_url') attributes[FIELDS.audio_url] = sampleUrl('voice.mp3');
  if (audio === 'content') Object.assign(attributes, { [FIELDS.content]: v.line, [FIELDS.voice]: v.voice });
  let snippet = tagSource(attributes);
  if (audio === 'audio_base64') snippet += `\n${audioPropertySource(sampleUrl('voice.wav'))}`;
  return { number: methodOf(visual, audio), visual, audio, attributes, snippet };
}

const methods = VISUAL_FIELDS.flatMap((visual) => AUDIO_FIELDS.map((audio) => exampleOf(visual, audio)));

const card = (m: Method) => html`
  <article class="card method" aria-labelledby="method-${m.number}">
    <div class="method__head">
      <h3 id="method-${m.number}">${VISUAL_LABEL[m.visual]} + ${AUDIO_LABEL[m.audio].toLowerCase()}</h3>
      <span class="method__number">Method ${m.number}</span>
    </div>
    <ul class="method__chips" aria-label="NavTalk fields">
      ${fieldsOf(m).map((field) => html`<li class="chip"><code>${field}</code></li>`)}
    </ul>
    <div class="method__slot" id="slot-${m.number}"></div>
    <div class="method__foot">
      <span class="status-pill" data-status="idle" id="pill-${m.number}">idle</span>
      ${m.audio === 'content' ? html`<span class="muted">voice <code>${VISUALS[m.visual].voice}</code></span>` : ''}
    </div>
    ${codeBlock('HTML', m.snippet)}
  </article>`;

const grid = document.querySelector<HTMLElement>('#methods')!;
render(methods.map(card), grid);

/** Puts the live element in its card; audio_base64 cards first load the sample WAV into `audio`. */
async function mount(m: Method): Promise<void> {
  const slot = grid.querySelector<HTMLElement>(`#slot-${m.number}`)!;
  const avatar = document.createElement('navtalk-avatar');
  for (const [name, value] of Object.entries(m.attributes)) avatar.setAttribute(name, String(value));
  followStatus(avatar, grid.querySelector<HTMLElement>(`#pill-${m.number}`)!);
  try {
    if (m.audio === 'audio_base64') avatar.audio = await sampleBlob('voice.wav');
    slot.replaceWith(avatar);
  } catch (error) {
    render(html`<p class="method__error">${(error as Error).message}</p>`, slot);
  }
}

/**
 * Live beside pre-rendered: the same face and voice. The live one generates through the proxy when scrolled into
 * view; the pre-rendered one carries `result-url` (its inputs too, for the fallback) and plays with no proxy call.
 * Under each, what the element's own events say: how long the proxy took, or that there was no request.
 */
function mountPair(): void {
  const common = { endpoint: ENDPOINT, 'image-url': sampleUrl('face.png'), voice: PAIR_VOICE };
  const kinds = [
    {
      kind: 'live', attributes: { ...common, text: LIVE_TEXT }, waiting: 'generates when scrolled into view',
      caption: html`<strong>Live</strong>: generated now, through <code>${ENDPOINT}</code>.`,
    },
    {
      kind: 'prerendered', attributes: { ...common, text: PRERENDERED_TEXT, 'result-url': PRERENDERED_URL ?? sampleUrl('avatar.mp4') },
      waiting: 'plays when scrolled into view',
      caption: html`<strong>Pre-rendered</strong>: <code>result-url</code>, no proxy call. ${PRERENDERED_URL
        ? 'npm start made its video through the local Worker at startup.'
        : "This build was not pre-rendered, so it plays the NavTalk mock's sample video."}`,
    },
  ];
  const pair = document.querySelector<HTMLElement>('#pair')!;
  render(kinds.map(({ kind, waiting, caption }) => html`
    <figure class="pair__item">
      <div class="stage-card">
        <div class="pair__slot" id="pair-${kind}-slot"></div>
        <div class="stage-card__bar">
          <span class="status-pill" data-status="idle" id="pair-${kind}-pill">idle</span>
          <span class="muted" id="pair-${kind}-wait">${waiting}</span>
        </div>
      </div>
      <figcaption>${caption}</figcaption>
    </figure>`), pair);
  for (const { kind, attributes } of kinds) {
    const avatar = document.createElement('navtalk-avatar');
    avatar.id = `pair-${kind}`;
    for (const [name, value] of Object.entries(attributes)) avatar.setAttribute(name, value);
    followStatus(avatar, pair.querySelector<HTMLElement>(`#pair-${kind}-pill`)!);
    const wait = pair.querySelector<HTMLElement>(`#pair-${kind}-wait`)!;
    let submittedAt: number | undefined;
    avatar.addEventListener('navtalk-status', (e) => {
      if (e.detail.status === 'submitting') {
        submittedAt = performance.now();
        wait.textContent = 'waiting for the proxy…';
      }
    });
    avatar.addEventListener('navtalk-error', (e) => (wait.textContent = `no video (${e.detail.code})`));
    avatar.addEventListener('navtalk-ready', () => {
      wait.textContent = submittedAt === undefined
        ? 'ready at once: no request to the proxy'
        : `ready after ${((performance.now() - submittedAt) / 1000).toFixed(1)} s of generating`;
    });
    pair.querySelector(`#pair-${kind}-slot`)!.replaceWith(avatar);
  }
  // What `navtalk-avatar prerender` leaves in the page (result-hash: the inputs it was made from, for `check`).
  render(codeBlock(PRERENDERED_URL ? 'HTML after prerender' : 'HTML', tagSource({ ...kinds[1]!.attributes, 'result-hash': PRERENDERED_HASH })),
    document.querySelector<HTMLElement>('#pair-tag')!);
}

upgradeCodeBlocks();
bindStatusPills();
mountPair();
for (const m of methods) void mount(m);
