/**
 * The playground: a form over every attribute, applied to one live element on demand (each apply may start
 * a paid generation, so typing does not), with its status, properties, events and the HTML to copy.
 * Names, lists and ranges come from src/protocol, so the form cannot drift from what the element accepts.
 */
import '../lib/site.js';
import '../../src/define.js';
import { html, nothing, render } from 'lit';
import type { NavtalkAvatar, NavtalkTrigger } from '../../src/index.js';
import {
  AUDIO_FIELDS, CHARACTERS, FIELDS, FIELD_NAMES, PARSING_MODES, TUNING_RANGES, VISUAL_FIELDS, VOICES,
  type AudioField, type ParsingMode, type WholeNumberField, type VisualField, type Voice,
} from '../../src/protocol/index.js';
import { ENDPOINT, sampleBlob, sampleUrl } from '../lib/config.js';
import { EventLog, NAVTALK_EVENTS } from '../lib/event-log.js';
import { AUDIO_LABEL, VISUAL_LABEL, methodOf } from '../lib/methods.js';
import { audioPropertySource, codeBlock, tagSource, type Attributes } from '../lib/snippet.js';
import { bindStatusPills } from '../lib/status.js';

const TRIGGERS = ['visible', 'load', 'click', 'manual'] as const satisfies readonly NavtalkTrigger[];
const PLAYBACK = ['autoplay', 'muted', 'loop', 'controls'] as const;
type Playback = (typeof PLAYBACK)[number];
const RANGED = Object.keys(TUNING_RANGES) as WholeNumberField[];
/** The reference proxy's default MAX_AUDIO_BYTES (src/proxy/config.ts). */
const PROXY_AUDIO_LIMIT = 1_000_000;

interface Settings extends Record<Playback, boolean> {
  visual: VisualField;
  audio: AudioField;
  sources: Record<VisualField | 'audio_url' | 'content', string>;
  voice: Voice;
  audioFile: { name: string; url?: string; blob: Blob } | null;
  tune: boolean;
  tuning: Record<WholeNumberField, number> & { parsing_mode: ParsingMode };
  trigger: NavtalkTrigger;
  endpoint: string;
}

const DEFAULTS: Settings = {
  visual: 'image_url',
  audio: 'content',
  sources: {
    video_url: sampleUrl('source.mp4'),
    image_url: sampleUrl('face.png'),
    character_name: CHARACTERS[0],
    audio_url: sampleUrl('voice.mp3'),
    content: 'Welcome to the playground! Change my face, my voice or what I say, then press Apply.',
  },
  voice: 'coral',
  audioFile: null,
  tune: false,
  tuning: {
    ...(Object.fromEntries(RANGED.map((f) => [f, TUNING_RANGES[f].default])) as Record<WholeNumberField, number>),
    parsing_mode: PARSING_MODES[0],
  },
  trigger: 'visible',
  endpoint: ENDPOINT,
  autoplay: true,
  muted: false,
  loop: false,
  controls: false,
};

let settings: Settings = structuredClone(DEFAULTS);
let applied = '';
let loadingSample = false;

const avatar = document.querySelector<NavtalkAvatar>('#avatar')!;
const form = document.querySelector<HTMLFormElement>('#settings')!;
const log = new EventLog(document.querySelector('#log')!);

/** The attributes the settings give the element, in the order a person would write them. */
function attributesOf(s: Settings): Attributes {
  const out: Attributes = { endpoint: s.endpoint, [FIELDS[s.visual]]: s.sources[s.visual] };
  if (s.audio === 'content') {
    out[FIELDS.content] = s.sources.content;
    out[FIELDS.voice] = s.voice;
  }
  if (s.audio === 'audio_url') out[FIELDS.audio_url] = s.sources.audio_url;
  if (s.tune) for (const [field, value] of Object.entries(s.tuning)) out[FIELDS[field as WholeNumberField]] = value;
  if (s.trigger !== 'visible') out.trigger = s.trigger;
  for (const flag of PLAYBACK) out[flag] = s[flag];
  return out;
}

const audioBlob = (s: Settings) => (s.audio === 'audio_base64' ? s.audioFile?.blob ?? null : null);

function snippetOf(s: Settings): string {
  const tag = tagSource(attributesOf(s));
  if (s.audio !== 'audio_base64') return tag;
  return `${tag}\n${audioPropertySource(s.audioFile?.url ?? s.audioFile?.name ?? 'your-audio.wav')}`;
}

/** Every attribute the form controls, so applying can remove the ones a new setting leaves out. */
const MANAGED = ['endpoint', 'trigger', ...PLAYBACK, ...FIELD_NAMES.map((f) => FIELDS[f])];

/** Sets the element's attributes in one task, so it makes at most one request. */
function apply(): void {
  const attributes = attributesOf(settings);
  for (const name of MANAGED) {
    const value = attributes[name];
    if (value === undefined || value === null || value === false || value === '') avatar.removeAttribute(name);
    else avatar.setAttribute(name, value === true ? '' : String(value));
  }
  avatar.audio = audioBlob(settings);
  applied = snippetOf(settings);
  log.add('applied', { method: methodOf(settings.visual, settings.audio) });
  update();
}

function set(patch: Partial<Settings>): void {
  settings = { ...settings, ...patch };
  update();
}
const setSource = (field: keyof Settings['sources'], value: string) => set({ sources: { ...settings.sources, [field]: value } });
const setTuning = (field: keyof Settings['tuning'], value: number | string) => set({ tuning: { ...settings.tuning, [field]: value } });

async function useSampleVoice(): Promise<void> {
  loadingSample = true;
  update();
  try {
    set({ audioFile: { name: 'voice.wav', url: sampleUrl('voice.wav'), blob: await sampleBlob('voice.wav') } });
  } catch (error) {
    log.add('sample failed', { message: (error as Error).message });
  } finally {
    loadingSample = false;
    update();
  }
}

const onFile = (event: Event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (file) set({ audioFile: { name: file.name, blob: file } });
};

// ---------- rendering ----------

const value = (event: Event) => (event.target as HTMLInputElement).value;
const checked = (event: Event) => (event.target as HTMLInputElement).checked;

function segmented<T extends string>(name: string, legend: string, options: readonly T[], current: T,
  label: (option: T) => string, onPick: (option: T) => void) {
  return html`<fieldset class="field">
    <legend class="label">${legend}</legend>
    <div class="segmented">
      ${options.map((option) => html`<label>
        <input type="radio" name=${name} .value=${option} .checked=${option === current} @change=${() => onPick(option)} />
        <span>${label(option)}</span>
      </label>`)}
    </div>
  </fieldset>`;
}

function textField(id: string, label: string, current: string, onInput: (v: string) => void, hint?: string) {
  return html`<div class="field">
    <label class="label" for=${id}>${label}</label>
    <input class="input" id=${id} type="url" inputmode="url" spellcheck="false" .value=${current}
      @input=${(e: Event) => onInput(value(e))} aria-describedby=${hint ? `${id}-hint` : nothing} />
    ${hint ? html`<span class="hint" id="${id}-hint">${hint}</span>` : nothing}
  </div>`;
}

function visualInput(s: Settings) {
  switch (s.visual) {
    case 'character_name':
      return html`<div class="field">
        <label class="label" for="character">Character <code>character</code></label>
        <select class="select" id="character" @change=${(e: Event) => setSource('character_name', value(e))}>
          ${CHARACTERS.map((c) => html`<option .value=${c} ?selected=${c === s.sources.character_name}>${c}</option>`)}
        </select>
      </div>`;
    case 'image_url':
      return textField('image-url', 'Image URL', s.sources.image_url, (v) => setSource('image_url', v), 'A public image of a face.');
    case 'video_url':
      return textField('video-url', 'Video URL', s.sources.video_url, (v) => setSource('video_url', v), 'A public MP4 or MOV of a face.');
  }
}

function audioInput(s: Settings) {
  switch (s.audio) {
    case 'content':
      return html`<div class="field">
          <label class="label" for="text">Text <code>text</code></label>
          <textarea class="textarea" id="text" maxlength="2000" .value=${s.sources.content}
            @input=${(e: Event) => setSource('content', value(e))}></textarea>
        </div>
        <div class="field">
          <label class="label" for="voice">Voice <code>voice</code></label>
          <select class="select" id="voice" @change=${(e: Event) => set({ voice: value(e) as Voice })}>
            ${VOICES.map((v) => html`<option .value=${v} ?selected=${v === s.voice}>${v}</option>`)}
          </select>
        </div>`;
    case 'audio_url':
      return textField('audio-url', 'Audio URL', s.sources.audio_url, (v) => setSource('audio_url', v), 'A public MP3 or WAV file; 16 kHz is best.');
    case 'audio_base64': {
      const file = s.audioFile;
      return html`<div class="field">
        <span class="label" id="audio-data-label">Audio data <code>audio</code> property</span>
        <div class="button-row">
          <label class="button button--small file-button">
            <input type="file" accept="audio/*" class="visually-hidden" @change=${onFile} aria-describedby="audio-data-label audio-file-status" />
            Choose a file…
          </label>
          <button class="button button--small" type="button" ?disabled=${loadingSample} @click=${useSampleVoice}>
            ${loadingSample ? 'Loading…' : 'Use the sample voice'}
          </button>
        </div>
        <span class="hint" id="audio-file-status" role="status">
          ${file ? `${file.name}, ${(file.blob.size / 1024).toFixed(0)} KB` : 'No audio chosen yet.'}
          ${file && file.blob.size > PROXY_AUDIO_LIMIT ? html`<strong class="warn-text">Larger than the reference proxy accepts by default (1 MB).</strong>` : nothing}
        </span>
      </div>`;
    }
  }
}

function tuningInputs(s: Settings) {
  return html`<fieldset class="form-section">
    <legend class="form-section__title">Tuning</legend>
    <label class="check">
      <input type="checkbox" .checked=${s.tune} @change=${(e: Event) => set({ tune: checked(e) })} />
      Send tuning parameters
    </label>
    <div class="tuning" ?inert=${!s.tune}>
      ${RANGED.map((field) => {
        const { min, max } = TUNING_RANGES[field];
        const id = FIELDS[field];
        return html`<div class="field">
          <label class="label" for=${id}><code>${id}</code></label>
          <div class="range">
            <input type="range" id=${id} min=${min} max=${max} step="1" .value=${String(s.tuning[field])}
              ?disabled=${!s.tune} @input=${(e: Event) => setTuning(field, Number(value(e)))} />
            <output for=${id}>${s.tuning[field]}</output>
          </div>
        </div>`;
      })}
      ${segmented('parsing-mode', 'parsing-mode', PARSING_MODES, s.tuning.parsing_mode, (m) => m,
        (m) => setTuning('parsing_mode', m))}
    </div>
  </fieldset>`;
}

function formTemplate(s: Settings, dirty: boolean) {
  return html`
    <fieldset class="form-section">
      <legend class="form-section__title">Face <span class="muted">one visual source</span></legend>
      ${segmented('visual', 'Source', VISUAL_FIELDS, s.visual, (f) => VISUAL_LABEL[f], (visual) => set({ visual }))}
      ${visualInput(s)}
    </fieldset>
    <fieldset class="form-section">
      <legend class="form-section__title">Speech <span class="muted">one audio source</span></legend>
      ${segmented('audio', 'Source', AUDIO_FIELDS, s.audio, (f) => AUDIO_LABEL[f], (audio) => set({ audio }))}
      ${audioInput(s)}
    </fieldset>
    ${tuningInputs(s)}
    <fieldset class="form-section">
      <legend class="form-section__title">Behaviour</legend>
      ${segmented('trigger', 'Generate on (trigger)', TRIGGERS, s.trigger, (t) => t, (trigger) => set({ trigger }))}
      <div class="checks">
        ${PLAYBACK.map((flag) => html`<label class="check">
          <input type="checkbox" .checked=${s[flag]} @change=${(e: Event) => set({ [flag]: checked(e) })} /> ${flag}
        </label>`)}
      </div>
      ${textField('endpoint', 'Endpoint (your proxy)', s.endpoint, (endpoint) => set({ endpoint }),
        'Try /demo-states/failed or /demo-states/rate-limited to see errors.')}
    </fieldset>
    <div class="form-actions">
      <span class="method-badge">Method ${methodOf(s.visual, s.audio)}</span>
      <span class="hint" role="status">${dirty ? 'Changes not applied yet' : 'Applied'}</span>
      <button class="button button--small" type="button" @click=${() => set(structuredClone(DEFAULTS))}>Reset</button>
      <button class="button button--primary" type="submit" ?disabled=${!dirty}>Apply</button>
    </div>`;
}

function propsTemplate() {
  const rows: Array<[string, unknown]> = [
    ['status', avatar.status], ['taskId', avatar.taskId], ['resultUrl', avatar.resultUrl],
    ['error', avatar.error && `${avatar.error.code}: ${avatar.error.message}`],
  ];
  return rows.map(([name, v]) => html`<div><dt><code>${name}</code></dt><dd>${v ?? html`<span class="muted">null</span>`}</dd></div>`);
}

function update(): void {
  const snippet = snippetOf(settings);
  render(formTemplate(settings, snippet !== applied), form);
  render(codeBlock('HTML', snippet), document.querySelector<HTMLElement>('#snippet')!);
  render(propsTemplate(), document.querySelector<HTMLElement>('#props')!);
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  apply();
});
for (const button of document.querySelectorAll<HTMLButtonElement>('[data-call]')) {
  const method = button.dataset.call as 'generate' | 'cancel' | 'play' | 'pause';
  button.addEventListener('click', () => {
    log.add(`${method}()`, null);
    void avatar[method]();
  });
}
document.querySelector('#clear-log')!.addEventListener('click', () => log.clear());
log.watch(avatar);
for (const type of NAVTALK_EVENTS) avatar.addEventListener(type, update);

bindStatusPills();
apply();
