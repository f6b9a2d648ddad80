/**
 * The state gallery: real elements with `trigger="manual"`, each pointed at a /demo-states/<outcome>
 * endpoint (demo/server/fake-proxy.ts, served by the Vite dev and preview servers) and started here.
 */
import '../lib/site.js';
import '../../src/define.js';
import { html, nothing, render } from 'lit';
import type { NavtalkAvatar, NavtalkStrings } from '../../src/index.js';
import { FIELDS } from '../../src/protocol/index.js';
import { sampleUrl } from '../lib/config.js';
import { NAVTALK_EVENTS } from '../lib/event-log.js';
import { attributeSource, codeBlock, type Attributes } from '../lib/snippet.js';
import { followStatus } from '../lib/status.js';

type Group = 'loading' | 'done' | 'errors' | 'theming';

interface Example {
  group: Group;
  title: string;
  about: string;
  /** What sets this example apart; every example also gets the shared face, text and voice. */
  attributes: Attributes;
  /** Left idle instead of generating. */
  idle?: boolean;
  /** A theming example's class; its CSS is the page's `<style data-example="…">` of the same name. */
  theme?: string;
  /** Light DOM children (slots), as markup shown and used. */
  children?: string;
  strings?: Partial<NavtalkStrings>;
}

/** Seconds the loading states wait before the element's own timeout: long enough to design around. */
const HOLD = 3600;
const states = (name: string) => `/demo-states/${name}`;

const FRENCH: Partial<NavtalkStrings> = {
  submitting: 'Envoi de la demande…',
  started: 'En file d’attente…',
  processing: 'Animation du visage…',
  elapsed: '{seconds} s',
  progress: 'Progression de la vidéo',
  play: 'Lire',
  retry: 'Réessayer',
  retryIn: 'Réessayez dans {seconds} s.',
  rate_limited: 'Trop de vidéos sont en cours de création.',
};

const EXAMPLES: Example[] = [
  { group: 'loading', title: 'Idle', idle: true, attributes: { endpoint: states('flow'), trigger: 'click' },
    about: 'Nothing requested yet. With trigger="click" a Play button asks first; this one really generates.' },
  { group: 'loading', title: 'Submitting', attributes: { endpoint: states('submitting'), timeout: HOLD },
    about: 'The request is on its way to the proxy. The POST is never retried on its own.' },
  { group: 'loading', title: 'Started', attributes: { endpoint: states('started'), timeout: HOLD },
    about: 'NavTalk accepted the task and queued it. Elapsed time and progress appear after a short delay.' },
  { group: 'loading', title: 'Processing', attributes: { endpoint: states('processing'), timeout: HOLD },
    about: 'The face is being animated. The bar only moves forward and slows as it nears the end.' },
  { group: 'done', title: 'Done, ready to play', attributes: { endpoint: states('done') },
    about: 'The video replaces the poster in the same box. Without autoplay, a Play button waits.' },
  { group: 'done', title: 'Done, autoplay', attributes: { endpoint: states('done'), autoplay: true, loop: true },
    about: 'Autoplay tries sound first; if the browser refuses, it plays muted with captions and a “Tap for sound” button.' },
  { group: 'done', title: 'Done, with controls', attributes: { endpoint: states('done'), controls: true },
    about: 'The browser’s own controls, for long clips. Captions from the text are on while muted.' },
  { group: 'errors', title: 'Failed', attributes: { endpoint: states('failed') },
    about: 'NavTalk accepted the request, then failed it (generation_failed): its reason shows, and Try again makes it once more.' },
  { group: 'errors', title: 'Rate-limited', attributes: { endpoint: states('rate-limited') },
    about: 'The proxy answered 429 with Retry-After: the message counts down to when a retry may succeed.' },
  { group: 'errors', title: 'Unauthorized', attributes: { endpoint: states('unauthorized') },
    about: 'The proxy refused this page (an origin not on its list, or a missing signature).' },
  // Its own text, so it does not share the Processing example's task (a shared task keeps the first timeout).
  { group: 'errors', title: 'Timed out', attributes: { endpoint: states('processing'), timeout: 4,
    [FIELDS.content]: 'I take longer than my timeout allows.' },
    about: 'No video within the timeout attribute (here 4 s; 180 s by default).' },
  { group: 'errors', title: 'Invalid input', attributes: { endpoint: states('flow'), [FIELDS.bbox_shift]: 42 },
    about: 'Checked before any request leaves the page; the message names the attribute and what is allowed.' },
  { group: 'theming', title: 'Brand colours and type', theme: 'brand', attributes: { endpoint: states('processing'), timeout: HOLD },
    about: 'Accent, radius, background and font are custom properties.' },
  { group: 'theming', title: 'Portrait box', theme: 'portrait', attributes: { endpoint: states('done') },
    about: 'Any aspect ratio and object-fit; the box is reserved before the video arrives.' },
  { group: 'theming', title: 'Parts', theme: 'parts', attributes: { endpoint: states('failed') },
    about: 'Style the inside with ::part(error), ::part(retry), ::part(progress) and more.' },
  { group: 'theming', title: 'Round', theme: 'round', attributes: { endpoint: states('done') },
    about: 'A circle for chat widgets, with the status line hidden through its parts.' },
  { group: 'theming', title: 'Your own error message', attributes: { endpoint: states('failed') },
    children: '<p slot="error">Our presenter is taking a short break.<br />Read the <a href="#theming-title">transcript</a> instead.</p>',
    about: 'The error slot replaces the message; the retry button stays.' },
  { group: 'theming', title: 'Another language', strings: FRENCH, attributes: { endpoint: states('rate-limited') },
    about: 'Set strings to translate any text the element shows or announces.' },
];

/** The face, words and voice every example shares; only the endpoint and the settings differ. */
const SHARED: Attributes = {
  [FIELDS.image_url]: sampleUrl('face.png'),
  [FIELDS.content]: 'Hello! I am one state of the avatar, shown here so you can design around me.',
  [FIELDS.voice]: 'nova',
};

const dedent = (text: string) => {
  const lines = text.replace(/^\n+|\s+$/g, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
};

function codeOf(example: Example): { label: string; source: string } | null {
  if (example.theme) {
    const style = document.querySelector(`style[data-example="${example.theme}"]`);
    return { label: 'CSS', source: dedent(style?.textContent ?? '') };
  }
  if (example.children) return { label: 'HTML', source: `<navtalk-avatar …>\n  ${example.children}\n</navtalk-avatar>` };
  if (example.strings) {
    const entries = Object.entries(example.strings).slice(0, 4).map(([k, v]) => `  ${k}: ${JSON.stringify(v)},`);
    return { label: 'JS', source: `avatar.strings = {\n${entries.join('\n')}\n  // …any text the element shows\n};` };
  }
  return null;
}

function createAvatar(example: Example): NavtalkAvatar {
  const avatar = document.createElement('navtalk-avatar');
  const attributes: Attributes = { trigger: 'manual', ...SHARED, ...example.attributes };
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== false && value != null) avatar.setAttribute(name, value === true ? '' : String(value));
  }
  if (example.theme) avatar.classList.add(`theme-${example.theme}`);
  if (example.children) avatar.innerHTML = example.children;
  if (example.strings) avatar.strings = example.strings;
  return avatar;
}

/** The last event an example fired, in a line under it. */
function describe(event: Event): string {
  const detail = (event as CustomEvent).detail as Record<string, unknown>;
  const parts = Object.entries(detail).filter(([, v]) => v != null).map(([k, v]) => `${k}: ${String(v)}`);
  return `${event.type} { ${parts.join(', ')} }`;
}

const mounted = EXAMPLES.map((example) => {
  const avatar = createAvatar(example);
  const pill = document.createElement('span');
  pill.className = 'status-pill';
  followStatus(avatar, pill);
  const last = document.createElement('p');
  last.className = 'state__event';
  for (const type of NAVTALK_EVENTS) avatar.addEventListener(type, (event) => (last.textContent = describe(event)));
  const code = codeOf(example);
  const card = html`<article class="card state">
    <div class="state__head"><h3>${example.title}</h3>${pill}</div>
    ${avatar}
    <p class="state__about">${example.about}</p>
    <pre class="state__attrs" tabindex="0" aria-label="Attributes">${attributeSource(example.attributes).join('\n')}</pre>
    ${last}
    ${code ? codeBlock(code.label, code.source) : nothing}
  </article>`;
  return { example, avatar, card };
});

for (const group of ['loading', 'done', 'errors', 'theming'] satisfies Group[]) {
  const container = document.querySelector<HTMLElement>(`[data-group="${group}"]`)!;
  render(mounted.filter((m) => m.example.group === group).map((m) => m.card), container);
}

function runAll(): void {
  for (const { example, avatar } of mounted) {
    avatar.cancel();
    if (!example.idle) avatar.generate();
  }
}
document.querySelector('#rerun')!.addEventListener('click', runAll);
runAll();
