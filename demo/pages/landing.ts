/** The landing page: the hero avatar and one live element for each of the 9 NavTalk methods. */
import '../lib/site.js';
import '../../src/define.js';
import { html, render } from 'lit';
import type { NavtalkAvatar } from '../../src/index.js';
import {
  AUDIO_FIELDS, FIELDS, VISUAL_FIELDS, type AudioField, type VisualField, type Voice,
} from '../../src/protocol/index.js';
import { ENDPOINT, sampleBlob, sampleUrl } from '../lib/config.js';
import { AUDIO_LABEL, VISUAL_LABEL, methodOf } from '../lib/methods.js';
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
  const attributes: Attributes = { endpoint: ENDPOINT, [FIELDS[visual].attribute]: v.value };
  if (audio === 'audio_url') attributes[FIELDS.audio_url.attribute] = sampleUrl('voice.mp3');
  if (audio === 'content') Object.assign(attributes, { [FIELDS.content.attribute]: v.line, [FIELDS.voice.attribute]: v.voice });
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

upgradeCodeBlocks();
bindStatusPills();
for (const m of methods) void mount(m);
