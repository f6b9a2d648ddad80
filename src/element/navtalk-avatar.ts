import { LitElement, html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import { TaskError, shareTask, type TaskUpdate } from '../client/index.js';
// The protocol's zod-free modules only: the CDN bundle carries no zod.
import { FIELDS, FIELD_NAMES, attributeOf, requestFromFields, type ParsingMode, type RawFields } from '../protocol/fields.js';
import { DEFAULT_VOICES } from '../protocol/checks.js';
import { validateFields } from '../protocol/schema.js';
import { previewUrl, type ElementErrorCode } from '../protocol/wire.js';
import { addCaptions } from './captions.js';
import { DEFAULT_STRINGS, fill, type NavtalkStrings } from './strings.js';
import { styles } from './styles.js';

export type NavtalkStatus = 'idle' | 'submitting' | 'started' | 'processing' | 'done' | 'failed';
export type NavtalkTrigger = 'visible' | 'load' | 'click' | 'manual';

export interface NavtalkStatusDetail {
  status: NavtalkStatus;
  taskId: string | null;
}
export interface NavtalkReadyDetail {
  resultUrl: string;
  taskId: string | null;
}
export interface NavtalkErrorDetail {
  code: ElementErrorCode;
  message: string;
  /** Seconds the proxy asked to wait before trying again (Retry-After), when it did. */
  retryAfter?: number;
}
export type NavtalkStatusEvent = CustomEvent<NavtalkStatusDetail>;
export type NavtalkReadyEvent = CustomEvent<NavtalkReadyDetail>;
export type NavtalkErrorEvent = CustomEvent<NavtalkErrorDetail>;
export interface NavtalkEventMap {
  'navtalk-status': NavtalkStatusEvent;
  'navtalk-ready': NavtalkReadyEvent;
  'navtalk-error': NavtalkErrorEvent;
}

const DEFAULT_TIMEOUT_SECONDS = 180;
/** Loading UI waits this long, so answers from the proxy's cache don't flash it. */
const LOADING_DELAY_MS = 400;
/** The progress bar approaches 95 % with this time constant: about 87 % after 30 s. */
const PROGRESS_TAU_MS = 12_000;
/** How far outside the viewport `trigger="visible"` starts generating. */
const VISIBLE_MARGIN = '50% 0px';
const TRIGGERS: readonly NavtalkTrigger[] = ['visible', 'load', 'click', 'manual'];
const LOADING: readonly NavtalkStatus[] = ['submitting', 'started', 'processing'];

/** The camelCase property of each request field: its attribute, camelCased (`bbox-shift` -> `bboxShift`). */
const propertyOf = (attribute: string) => attribute.replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
/** Properties whose change makes a new request. */
const INPUTS = new Set(['endpoint', 'audio', 'resultUrl', ...FIELD_NAMES.map((f) => propertyOf(attributeOf(f)))]);

/** Whole-number attributes: empty means unset; anything else is kept as a number (NaN if unreadable). */
const wholeNumber = {
  fromAttribute: (value: string | null) => (value === null || value.trim() === '' ? undefined : Number(value)),
};

/** The request fields' properties, from the field table: `image-url` -> `imageUrl`, and so on. */
const FIELD_PROPERTIES: PropertyDeclarations = Object.fromEntries(
  FIELD_NAMES.map((field) => {
    const { attribute, kind } = FIELDS[field];
    return [propertyOf(attribute), { attribute, converter: kind === 'int' ? wholeNumber : undefined }];
  }),
);

/** The one video playing with sound: another that starts or unmutes with sound pauses it. Muted ones play on. */
let speaking: HTMLVideoElement | undefined;
const audible = (video: HTMLVideoElement) => !video.paused && !video.muted && video.volume > 0;

async function toBase64(audio: Blob | ArrayBuffer): Promise<string> {
  const bytes = new Uint8Array(audio instanceof ArrayBuffer ? audio : await audio.arrayBuffer());
  let binary = '';
  // Chunks keep String.fromCharCode under the engine's argument limit.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

const reducedMotion = () => globalThis.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;

/**
 * A talking-head video from NavTalk in one tag: asks your proxy to generate it, shows honest progress
 * while it does, and plays it in the same box.
 *
 * @tagname navtalk-avatar
 * @summary Generates a NavTalk talking-avatar video through a proxy and plays it inline.
 *
 * @attr endpoint - URL of the proxy that holds the NavTalk key (relative URLs resolve against the page).
 * @attr character - Built-in character (`character_name`), e.g. `navtalk.Leo`. One visual source.
 * @attr image-url - Public image of a face (`image_url`). One visual source.
 * @attr video-url - Public MP4/MOV of a face (`video_url`). One visual source.
 * @attr text - Text to speak (`content`); needs `voice`. One audio source.
 * @attr voice - TTS voice for `text` (`voice`): one of NavTalk's 11 (alloy, ash, ballad, coral, echo, fable, onyx, nova, sage, shimmer, verse), or one added to `NavtalkAvatar.voices`.
 * @attr audio-url - Public MP3/WAV to lip-sync (`audio_url`). One audio source.
 * @attr audio-base64 - Base64 of an audio file (`audio_base64`). One audio source; the `audio` property takes a Blob instead.
 * @attr bbox-shift - Whole number -9..9 (`bbox_shift`): moves the face crop down (+) or up (-).
 * @attr extra-margin - Whole number 0..50 (`extra_margin`): extra pixels around the face crop.
 * @attr parsing-mode - `jaw` or `raw` (`parsing_mode`).
 * @attr left-cheek-width - Whole number 50..150 (`left_cheek_width`).
 * @attr right-cheek-width - Whole number 50..150 (`right_cheek_width`).
 * @attr signature - Signature of the request made by navtalk-sign, for proxies in signed mode (`signature`).
 * @attr autoplay - Play when ready: with sound if the browser allows, else muted with a "Tap for sound" button.
 * @attr muted - Mute the video (sets the video's `muted` property).
 * @attr loop - Loop the video.
 * @attr controls - Show the browser's video controls.
 * @attr poster - Image shown before the video (default: `image-url`, else the character's preview from the proxy, `endpoint?preview=`).
 * @attr trigger - When to generate: `visible` (default, near the viewport), `load`, `click` (a Play button) or `manual` (`generate()` only).
 * @attr timeout - Seconds to wait for a video before giving up with `timeout` (default 180).
 * @attr result-url - A video made in advance (e.g. by `navtalk-avatar prerender`): played without calling the proxy. If it cannot load, the avatar generates from its inputs instead (or fails when it has none).
 * @attr result-hash - Written by `navtalk-avatar prerender` beside `result-url` (the inputs it was made from, for `navtalk-avatar check`); the element ignores it.
 * @attr status - Reflected, read-only: `idle`, `submitting`, `started`, `processing`, `done` or `failed`.
 *
 * @fires navtalk-status - The status changed. Detail: `{status, taskId}`.
 * @fires navtalk-ready - The video is ready. Detail: `{resultUrl, taskId}`.
 * @fires navtalk-error - Generation failed or the input is invalid. Detail: `{code, message, retryAfter?}`.
 *
 * @slot poster - Replaces the poster image shown before the video.
 * @slot error - Replaces the error message (read `error` for the code).
 *
 * @csspart poster - The poster image.
 * @csspart video - The `<video>` once the result is ready.
 * @csspart status - The status line (an aria-live region).
 * @csspart elapsed - Seconds since generation started.
 * @csspart progress - The progress bar track (role progressbar).
 * @csspart error - The error box.
 * @csspart retry - The "Try again" button.
 * @csspart play - The Play button (before generating with trigger="click", and on a paused video).
 * @csspart unmute - The "Tap for sound" button after a muted autoplay.
 * @csspart replay - The Replay button after the video ended.
 *
 * @cssprop --navtalk-accent - Buttons and progress bar colour (default #4f46e5).
 * @cssprop --navtalk-accent-foreground - Text on accent buttons (default #fff).
 * @cssprop --navtalk-background - Box background before the poster loads (default #1e2230).
 * @cssprop --navtalk-foreground - Text colour (default #fff).
 * @cssprop --navtalk-font - Font shorthand (default 500 15px/1.4 system-ui, sans-serif).
 * @cssprop --navtalk-radius - Corner radius (default 12px).
 * @cssprop --navtalk-aspect-ratio - Box aspect ratio (default 1).
 * @cssprop --navtalk-object-fit - How poster and video fill the box (default cover).
 * @cssprop --navtalk-focus-ring - Focus outline colour (default #fff).
 */
export class NavtalkAvatar extends LitElement {
  static override styles = styles;
  static override properties: PropertyDeclarations = {
    ...FIELD_PROPERTIES,
    endpoint: {},
    resultUrl: { attribute: 'result-url', noAccessor: true },
    audio: { attribute: false },
    autoplay: { type: Boolean },
    muted: { type: Boolean },
    loop: { type: Boolean },
    controls: { type: Boolean },
    poster: {},
    trigger: {},
    timeout: { type: Number },
    strings: { attribute: false },
    _status: { state: true },
    _taskId: { state: true },
    _resultUrl: { state: true },
    _error: { state: true },
    _now: { state: true },
    _playback: { state: true },
    _policyMuted: { state: true },
    _brokenPoster: { state: true },
  };

  /**
   * Registers the element. Safe to call more than once, and a no-op where there is no DOM (SSR).
   * A second tag name gets a subclass, since one class can only be defined once per registry.
   */
  static define(tag = 'navtalk-avatar', registry: CustomElementRegistry | undefined = globalThis.customElements): void {
    if (!registry || registry.get(tag)) return;
    registry.define(tag, registry.getName?.(this) ? class extends this {} : this);
  }

  /**
   * The voices `voice` may name, page-wide: NavTalk's documented 11. Add one NavTalk introduced after this
   * release with `customElements.get('navtalk-avatar').voices.add('name')` (the proxy's ALLOWED_VOICES must list it too).
   */
  static voices: Set<string> = new Set(DEFAULT_VOICES);

  // Reactive properties are declared in `properties` above; these lines only type them.
  declare endpoint?: string;
  declare character?: string;
  declare imageUrl?: string;
  declare videoUrl?: string;
  declare text?: string;
  declare voice?: string;
  declare audioUrl?: string;
  declare audioBase64?: string;
  /** Audio to lip-sync, sent as `audio_base64` (takes the place of `audio-base64`). */
  declare audio?: Blob | ArrayBuffer | null;
  declare bboxShift?: number;
  declare extraMargin?: number;
  declare parsingMode?: ParsingMode;
  declare leftCheekWidth?: number;
  declare rightCheekWidth?: number;
  declare signature?: string;
  autoplay = false;
  muted = false;
  loop = false;
  controls = false;
  declare poster?: string;
  trigger: NavtalkTrigger = 'visible';
  timeout = DEFAULT_TIMEOUT_SECONDS;
  /** Texts to replace, e.g. for another language (see NavtalkStrings). */
  strings: Partial<NavtalkStrings> = {};

  private _status: NavtalkStatus = 'idle';
  private _taskId: string | null = null;
  private _resultUrl: string | null = null;
  private _error: NavtalkErrorDetail | null = null;
  /** The clock the loading UI and the retry countdown read; ticks only while they show. */
  private _now = 0;
  private _playback: 'paused' | 'starting' | 'playing' | 'ended' = 'paused';
  /** The browser refused sound, so the video plays muted until the visitor taps. */
  private _policyMuted = false;
  private declare _brokenPoster?: string;

  /** Bumped by every start and stop, so answers for an older run are ignored. */
  #run = 0;
  #leave?: () => void;
  /** The automatic trigger already fired for the current inputs (or the visitor cancelled). */
  #autoDone = false;
  /** cancel() was called: idle shows a Play button whatever the trigger (but `manual`). */
  #cancelled = false;
  #visible = false;
  #observer?: IntersectionObserver;
  #startedAt = 0;
  #retryAt = 0;
  #ticker?: ReturnType<typeof setInterval>;
  #playWhenReady = false;
  /** generate() was called: start at the next update, after input changes are applied. */
  #wanted = false;
  /**
   * What the proxy gave did not work here (a video that would not load, or a failure): the next generation asks the
   * proxy to recheck it, which remakes what is gone or failed.
   */
  #recheck = false;
  /** `result-url`: a video made in advance, played with no proxy call. */
  #given: string | null = null;
  /** The `result-url` video would not load, so the inputs are generated instead. */
  #fallback = false;
  /** The text spoken in the current video, for its captions. */
  #spokenText?: string;
  /** The `<video>` of the current result, made by #videoFor when its URL is known, and the muted state last set on it. */
  #media?: HTMLVideoElement;
  #mutedSet?: boolean;

  get status(): NavtalkStatus {
    return this._status;
  }
  get taskId(): string | null {
    return this._taskId;
  }
  /**
   * The video: the one playing (made in advance or generated), else the `result-url` given. Set it to play a video
   * made in advance. (`videoUrl` is the `video-url` input.)
   */
  get resultUrl(): string | null {
    return this._resultUrl ?? this.#given;
  }
  set resultUrl(value: string | null | undefined) {
    const old = this.#given;
    this.#given = value?.trim() || null;
    // The getter may answer with the video playing, so Lit's own comparison could miss the change.
    if (old !== this.#given) this.requestUpdate('resultUrl', old, { hasChanged: () => true });
  }
  get error(): NavtalkErrorDetail | null {
    return this._error;
  }

  /**
   * Generates the video, whatever the trigger, with the inputs as they are once pending property changes
   * apply (so `el.text = '...'; el.generate()` sends the new text). Does nothing while a generation is running.
   */
  generate(): void {
    if (LOADING.includes(this._status)) return;
    // After a failure this is a Try again: the proxy would otherwise answer with the failure it remembers.
    if (this._status === 'failed') this.#recheck = true;
    this.#wanted = true;
    this.requestUpdate();
  }

  /** Stops a running generation (the proxy request is aborted) and returns to idle. */
  cancel(): void {
    this.#stop();
    this.#autoDone = this.#cancelled = true;
    this.#playWhenReady = false;
    if (LOADING.includes(this._status)) this.#setStatus('idle', null);
  }

  /** Plays the video; before there is one, generates it if needed and plays it once ready. */
  async play(): Promise<void> {
    const video = this.#video();
    if (video) {
      // Sound refused earlier is asked for again: this play may come from a tap, which allows it (iOS refuses even
      // muted autoplay in Low Power Mode, and the tap on Play should then start it with sound).
      if (video.paused) this.#unmute();
      return this.#playVideo(video);
    }
    this.#playWhenReady = true;
    this.generate();
  }

  pause(): void {
    this.#playWhenReady = false;
    this.#video()?.pause();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (typeof IntersectionObserver === 'function') {
      this.#observer = new IntersectionObserver(
        (entries) => {
          this.#visible = entries.some((e) => e.isIntersecting);
          this.#autoStart();
        },
        { rootMargin: VISIBLE_MARGIN },
      );
      this.#observer.observe(this);
    } else {
      this.#visible = true;
    }
    // Moved in the DOM: a generation aborted by the disconnect starts again.
    if (this.hasUpdated) this.#autoStart();
    else if (this.#given && this.#trigger() === 'load') {
      // When to load is now, before the first render: a video made in advance starts fetching (and playing) at
      // once, as a bare <video> would, and the first render (deferred by scheduleUpdate) adopts it.
      this.#spokenText = this.#givenText();
      const video = this.#videoFor(this.#given);
      if (this.autoplay && !reducedMotion()) void this.#playVideo(video);
    }
  }

  protected override async scheduleUpdate(): Promise<unknown> {
    // Chromium renders a frame before it runs a media element's load if the task that set the src ran long: the
    // first render, with the element's upgrade, waits for the next task so that the fetch goes first.
    if (!this.hasUpdated && this.#media) await new Promise((resolve) => setTimeout(resolve));
    return super.scheduleUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#observer?.disconnect();
    this.#visible = false;
    this.#tick(false);
    if (LOADING.includes(this._status)) {
      this.#stop();
      this.#autoDone = false;
      this.#setStatus('idle', null);
    }
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Input changes after the first render restart; the first values are what the first start reads.
    if (this.hasUpdated && [...changed.keys()].some((key) => INPUTS.has(key as string))) {
      // Lit batches changes made in one task, so several attributes set together make one request.
      this.#stop();
      this.#autoDone = this.#cancelled = this.#recheck = this.#fallback = false;
      this.#playWhenReady &&= this.#wanted;
      this._error = null;
      this.#setResult(null, null);
      this.#setStatus('idle', null);
    }
    if (this.#wanted) {
      this.#wanted = false;
      void this.#start();
    } else {
      this.#autoStart();
    }
    if (this.getAttribute('status') !== this._status) this.setAttribute('status', this._status);
  }

  protected override updated(changed: PropertyValues<this>): void {
    const failedWaiting = this._status === 'failed' && this.#retryAt > this._now;
    this.#tick(LOADING.includes(this._status) || failedWaiting);
    const video = this.#video();
    if (video && changed.has('_resultUrl' as keyof NavtalkAvatar) && this._playback === 'starting') {
      void this.#playVideo(video);
    }
  }

  protected override render() {
    const s = { ...DEFAULT_STRINGS, ...this.strings };
    const status = this._status;
    const loading = LOADING.includes(status);
    const elapsed = loading ? Math.max(0, this._now - this.#startedAt) : 0;
    const showLoading = loading && elapsed >= LOADING_DELAY_MS;
    // Only moves forward: a function of elapsed time that approaches 95 %.
    const progress = 0.95 * (1 - Math.exp(-elapsed / PROGRESS_TAU_MS));
    const statusText = status === 'idle' ? '' : s[status];
    const trigger = this.#trigger();
    return html`
      ${this._resultUrl ? this.#renderVideo(s) : this.#renderPoster()}
      ${status === 'idle' && (trigger === 'click' || (this.#cancelled && trigger !== 'manual'))
        ? html`<button part="play" class="center" @click=${this.play}>${s.play}</button>`
        : nothing}
      ${status === 'failed' && this._error ? this.#renderError(s, this._error) : nothing}
      <div class=${showLoading ? 'panel' : 'panel sr-only'}>
        <div class="row">
          <span part="status" role="status" aria-live="polite">${statusText}</span>
          ${showLoading ? html`<span part="elapsed">${fill(s.elapsed, Math.floor(elapsed / 1000))}</span>` : nothing}
        </div>
        ${showLoading
          ? html`<progress part="progress" max="100" .value=${Math.floor(progress * 100)} aria-label=${s.progress}></progress>`
          : nothing}
      </div>
    `;
  }

  /**
   * The character's preview comes through the proxy, so by default the visitor's browser talks to the site's own
   * origins only; a proxy without the route answers an error and the image is dropped (#renderPoster).
   */
  #posterUrl(): string {
    const endpoint = this.#endpoint();
    return this.poster || this.imageUrl || (this.character && typeof endpoint == 'string' ? previewUrl(endpoint, this.character) : '');
  }

  #renderPoster() {
    const src = this.#posterUrl();
    return html`<slot name="poster">
      ${src && src !== this._brokenPoster
        ? html`<img part="poster" src=${src} alt="" @error=${() => (this._brokenPoster = src)} />`
        : nothing}
    </slot>`;
  }

  /** What a video made in advance says: its `text`, if any (for captions). */
  #givenText(): string | undefined {
    return this.text?.trim() ? this.text : undefined;
  }

  /** The `<video>` for a result URL: the one made for it already, or a new one that starts loading at once. */
  #videoFor(url: string): HTMLVideoElement {
    if (this.#media?.getAttribute('src') !== url) {
      const video = (this.#media = document.createElement('video'));
      video.part.add('video');
      // The attribute, which iOS Safari reads (Firefox has no playsInline property).
      video.setAttribute('playsinline', '');
      video.preload = 'auto';
      video.muted = this.muted;
      // Until its first frame, the video keeps showing the poster image that was on screen. A video made before
      // the first render had none on screen, and its first frame comes sooner without a poster to fetch.
      if (this.hasUpdated) video.poster = this.#posterUrl();
      const listeners: Record<string, (event: Event) => void> = {
        play: this.#onPlay, pause: this.#onPause, ended: () => (this._playback = 'ended'), error: this.#onVideoError,
        volumechange: this.#onVolumeChange,
      };
      for (const type in listeners) video.addEventListener(type, listeners[type]!);
      const text = this.#spokenText;
      if (text) addCaptions(video, text, { ...DEFAULT_STRINGS, ...this.strings }.captions, this.closest('[lang]')?.getAttribute('lang') || 'en');
      video.src = url;
    }
    return this.#media;
  }

  #renderVideo(s: NavtalkStrings) {
    const overlay = !this.controls && (this._playback === 'paused' || this._playback === 'ended');
    const video = this.#videoFor(this._resultUrl!);
    const muted = this.muted || this._policyMuted;
    // Only when it changes, as a property binding would: the visitor's own unmute in the controls stays.
    if (this.#mutedSet !== muted) video.muted = this.#mutedSet = muted;
    video.loop = this.loop;
    video.controls = this.controls;
    video.ariaLabel = s.video;
    return html`
      ${video}
      ${this._policyMuted
        ? html`<button part="unmute" @click=${this.#unmute}>${s.unmute}</button>`
        : nothing}
      ${overlay
        ? this._playback === 'ended'
          ? html`<button part="replay" class="center" @click=${this.play}>${s.replay}</button>`
          : html`<button part="play" class="center" @click=${this.play}>${s.play}</button>`
        : nothing}
    `;
  }

  #renderError(s: NavtalkStrings, error: NavtalkErrorDetail) {
    const wait = Math.ceil((this.#retryAt - this._now) / 1000);
    // Only a fix of the inputs helps invalid_input; its message, and NavTalk's reason for a failure, are worth reading.
    const fixable = error.code === 'invalid_input';
    return html`<div part="error">
      <slot name="error">
        <p>${s[error.code]}${wait > 0 ? ` ${fill(s.retryIn, wait)}` : ''}</p>
        ${fixable || error.code === 'generation_failed' ? html`<p class="detail">${error.message}</p>` : nothing}
      </slot>
      ${fixable ? nothing : html`<button part="retry" @click=${this.generate}>${s.retry}</button>`}
    </div>`;
  }

  #trigger(): NavtalkTrigger {
    return TRIGGERS.includes(this.trigger) ? this.trigger : 'visible';
  }

  /** Starts a generation if the trigger says so now. */
  #autoStart(): void {
    if (!this.isConnected || this.#autoDone || this._status !== 'idle') return;
    const trigger = this.#trigger();
    if (trigger === 'load' || (trigger === 'visible' && this.#visible)) {
      this.#autoDone = true;
      void this.#start();
    }
  }

  #stop(): void {
    this.#run++;
    this.#leave?.();
    this.#leave = undefined;
  }

  async #start(): Promise<void> {
    this.#stop();
    const run = this.#run;
    this.#autoDone = true;
    this.#cancelled = false;
    this._error = null;
    this.#setResult(null, null);
    if (this.#given && !this.#fallback) {
      this.#spokenText = this.#givenText();
      return this.#onUpdate({ status: 'done', taskId: null, resultUrl: this.#given });
    }
    const fields = await this.#fields();
    if (run !== this.#run) return;
    const invalid = (message: string) =>
      this.#fail(new TaskError('invalid_input', `${this.#fallback ? 'result-url could not be loaded. ' : ''}${message}`));
    const endpoint = this.#endpoint();
    if (typeof endpoint !== 'string') return invalid(endpoint.message);
    const checked = validateFields(requestFromFields(fields), attributeOf, (this.constructor as typeof NavtalkAvatar).voices);
    if (!checked.ok) return invalid(checked.message);

    this._now = this.#startedAt = Date.now();
    this.#spokenText = checked.value.content;
    const timeout = this.timeout > 0 ? this.timeout : DEFAULT_TIMEOUT_SECONDS;
    const recheck = this.#recheck;
    this.#recheck = false;
    this.#leave = shareTask(
      { endpoint, body: checked.value, timeoutMs: timeout * 1000, recheck },
      {
        update: (update) => this.#onUpdate(update),
        fail: (error) => this.#fail(error),
      },
    );
  }

  #onUpdate({ status, taskId, resultUrl }: TaskUpdate): void {
    if (status !== 'done') return this.#setStatus(status, taskId);
    this.#leave = undefined;
    this.#setResult(resultUrl, taskId);
    this.#setStatus('done', taskId);
    this.#emit('navtalk-ready', { resultUrl: resultUrl!, taskId });
  }

  /** The request fields from the properties; a whole-number attribute that did not parse is passed as written, for the message. */
  async #fields(): Promise<RawFields> {
    const fields: RawFields = {};
    const self = this as unknown as Record<string, string | number | null | undefined>;
    for (const field of FIELD_NAMES) {
      const attribute = FIELDS[field].attribute;
      const value = self[propertyOf(attribute)];
      fields[field] = Number.isNaN(value) ? this.getAttribute(attribute) : value;
    }
    if (this.audio) fields.audio_base64 = await toBase64(this.audio);
    return fields;
  }

  /** The proxy URL, absolute, or what is wrong with it. */
  #endpoint(): string | { message: string } {
    const value = this.endpoint?.trim();
    if (!value) return { message: 'endpoint must be set to the URL of your NavTalk proxy.' };
    try {
      const url = new URL(value, document.baseURI);
      if (url.protocol === 'http:' || url.protocol === 'https:') return url.href;
    } catch {
      // reported below
    }
    return { message: `endpoint must be an http(s) URL of your NavTalk proxy (got ${JSON.stringify(value)}).` };
  }

  #fail(error: TaskError): void {
    this.#stop();
    this._now = Date.now();
    this.#retryAt = error.retryAfter ? this._now + error.retryAfter * 1000 : 0;
    const detail: NavtalkErrorDetail = { code: error.code, message: error.message };
    if (error.retryAfter !== undefined) detail.retryAfter = error.retryAfter;
    this._error = detail;
    this.#setStatus('failed');
    this.#emit('navtalk-error', detail);
  }

  #setStatus(status: NavtalkStatus, taskId = this._taskId): void {
    this._taskId = taskId;
    if (status === this._status) return;
    this._status = status;
    this.#emit('navtalk-status', { status, taskId });
  }

  #setResult(resultUrl: string | null, taskId: string | null): void {
    this._resultUrl = resultUrl;
    this._taskId = taskId;
    // A video started early keeps its muted fallback; one that would not load is not reused, even for the same URL.
    if (this.#media?.error) this.#media = undefined;
    this._policyMuted &&= resultUrl === this.#media?.getAttribute('src');
    this._playback = resultUrl && (this.#playWhenReady || (this.autoplay && !reducedMotion())) ? 'starting' : 'paused';
    if (resultUrl) this.#playWhenReady = false;
  }

  #emit<K extends keyof NavtalkEventMap>(type: K, detail: NavtalkEventMap[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  #tick(on: boolean): void {
    if (on && !this.#ticker) this.#ticker = setInterval(() => (this._now = Date.now()), 250);
    if (!on && this.#ticker) {
      clearInterval(this.#ticker);
      this.#ticker = undefined;
    }
  }

  #video(): HTMLVideoElement | null {
    return this.renderRoot?.querySelector('video') ?? null;
  }

  /** Plays with sound if the browser allows it, else muted with a "Tap for sound" button. */
  async #playVideo(video: HTMLVideoElement): Promise<void> {
    this._playback = 'starting';
    try {
      await video.play();
      // Also when it was playing already (started early), so no new play event comes.
      this._playback = 'playing';
    } catch (error) {
      if ((error as DOMException).name === 'NotAllowedError' && !video.muted) {
        this._policyMuted = video.muted = true;
        try {
          return await video.play();
        } catch (retry) {
          // Even muted playback was refused (iOS in Low Power Mode): the Play button stays, and its tap brings sound.
          // (Not when another play() of this video cut this one short: that one plays muted.)
          if ((retry as DOMException).name === 'NotAllowedError' && video.paused) this.#unmute();
        }
      }
      if (video.paused) this._playback = video.ended ? 'ended' : 'paused';
    }
  }

  #onPlay = (event: Event): void => {
    this._playback = 'playing';
    this.#claimSound(event.target as HTMLVideoElement);
  };

  #onVolumeChange = (event: Event): void => this.#claimSound(event.target as HTMLVideoElement);

  /** A video that now plays with sound silences the one that spoke before it (by pausing it). */
  #claimSound(video: HTMLVideoElement): void {
    if (!audible(video)) return;
    if (speaking && speaking !== video && audible(speaking)) speaking.pause();
    speaking = video;
  }

  #onVideoError = (event: Event): void => {
    if ((event.target as HTMLVideoElement).getAttribute('src') === this.#given && !this.#fallback) {
      // The video made in advance is gone: make it from the inputs (an avatar without any fails, saying so).
      this.#fallback = true;
      return void this.#start();
    }
    this.#fail(new TaskError('upstream_failed', 'The generated video could not be loaded.'));
  };

  #onPause = (event: Event): void => {
    const video = event.target as HTMLVideoElement;
    if (!video.ended) this._playback = 'paused';
  };

  #unmute = (): void => {
    const video = this.#video();
    this._policyMuted = false;
    if (video) video.muted = this.muted;
  };
}

declare global {
  interface HTMLElementTagNameMap {
    'navtalk-avatar': NavtalkAvatar;
  }
  interface HTMLElementEventMap extends NavtalkEventMap {}
}
