import { html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import { previewUrl } from '../protocol/routes.js';
import type { NavtalkErrorDetail, NavtalkEventMap, NavtalkStatus } from './events.js';
import { Generation } from './generation.js';
import { AvatarInputs, INPUTS } from './inputs.js';
import type { LoadingClock } from './loading-clock.js';
import { Playback, type VideoOptions } from './playback.js';
import { FIRST_STRINGS, type NavtalkStrings } from './strings.js';
import { styles } from './styles.js';

export type * from './events.js';

/** Loading UI waits this long, so answers from the proxy's cache don't flash it. */
const LOADING_DELAY_MS = 400;

/**
 * The loading details and error view (views.ts): a chunk beside this module, fetched when a generation starts or a
 * video fails, so no state waits for it. Kept once loaded, for every avatar on the page.
 */
let views: typeof import('./later.js') | undefined;

/**
 * A talking-head video from NavTalk in one tag: asks your proxy to generate it, shows honest progress
 * while it does, and plays it in the same box.
 *
 * @tagname navtalk-avatar
 * @summary Generates a NavTalk talking-avatar video through a proxy and plays it inline.
 * Its inputs and settings (the attributes) are declared in AvatarInputs (inputs.ts).
 *
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
export class NavtalkAvatar extends AvatarInputs {
  static override styles = styles;
  static override properties: PropertyDeclarations = { _brokenPoster: { state: true } };

  /**
   * Registers the element. Safe to call more than once, and a no-op where there is no DOM (SSR).
   * A second tag name gets a subclass, since one class can only be defined once per registry.
   */
  static define(tag = 'navtalk-avatar', registry: CustomElementRegistry | undefined = globalThis.customElements): void {
    if (!registry || registry.get(tag)) return;
    registry.define(tag, registry.getName?.(this) ? class extends this {} : this);
  }

  private declare _brokenPoster?: string;
  #playback = new Playback(this, (video) => this.#generation.videoFailed(video));
  /** Made with the views (loading-clock.ts), which alone read it. */
  #clock?: LoadingClock;
  #generation = new Generation(this, this.#playback, {
    videoOptions: (text) => this.#videoOptions(text),
    loadViews: () => this.#loadViews(),
  });

  get status(): NavtalkStatus {
    return this.#generation.status;
  }
  get taskId(): string | null {
    return this.#generation.taskId;
  }
  /**
   * The video: the one playing (made in advance or generated), else the `result-url` given. Set it to play a video
   * made in advance. (`videoUrl` is the `video-url` input.)
   */
  get resultUrl(): string | null {
    return this.#generation.resultUrl ?? this.#generation.given;
  }
  set resultUrl(value: string | null | undefined) {
    const generation = this.#generation;
    const old = generation.given;
    generation.given = value?.trim() || null;
    // The getter may answer with the video playing, so Lit's own comparison could miss the change.
    if (old !== generation.given) this.requestUpdate('resultUrl', old, { hasChanged: () => true });
  }
  get error(): NavtalkErrorDetail | null {
    return this.#generation.error;
  }

  /**
   * Generates the video, whatever the trigger, with the inputs as they are once pending property changes
   * apply (so `el.text = '...'; el.generate()` sends the new text). Does nothing while a generation is running.
   */
  generate(): void {
    this.#generation.request();
  }

  /** Stops a running generation (the proxy request is aborted) and returns to idle. */
  cancel(): void {
    this.#generation.cancel();
  }

  /** Plays the video; before there is one, generates it if needed and plays it once ready. */
  async play(): Promise<void> {
    if (this.#playback.video()) return this.#playback.resume();
    this.#generation.request(true);
  }

  pause(): void {
    this.#generation.holdPlay();
    this.#playback.pause();
  }

  protected override async scheduleUpdate(): Promise<unknown> {
    // Chromium renders a frame before it runs a media element's load if the task that set the src ran long: the
    // first render, with the element's upgrade, waits for the next task so that the fetch goes first.
    if (!this.hasUpdated && this.#playback.media) await new Promise((resolve) => setTimeout(resolve));
    return super.scheduleUpdate();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Input changes after the first render restart; the first values are what the first start reads.
    if (this.hasUpdated && [...changed.keys()].some((key) => INPUTS.has(key as string))) this.#generation.inputsChanged();
  }

  protected override updated(): void {
    const { status } = this.#generation;
    this.#clock?.run(this.#generation.loading || (status === 'failed' && this.#clock.retryWait > 0));
  }

  protected override render() {
    const s = this.#strings();
    const { status, error, resultUrl, loading } = this.#generation;
    const elapsed = this.#clock?.elapsed ?? 0;
    const details = views && loading && elapsed >= LOADING_DELAY_MS;
    const when = this.when;
    return html`
      ${this.#renderPoster(!resultUrl)}
      ${resultUrl ? this.#renderVideo(s, resultUrl) : nothing}
      ${status === 'idle' && (when === 'click' || (this.#generation.cancelled && when !== 'manual'))
        ? html`<button part="play" class="center" @click=${this.play}>${s.play}</button>`
        : nothing}
      ${status === 'failed' && error && views ? views.renderError(s, error, this.#clock!.retryWait, () => this.generate()) : nothing}
      ${details ? views!.renderDetails(s, elapsed) : nothing}
      <span part="status" role="status" aria-live="polite" class=${details ? 'shown' : ''}>${status === 'idle' ? '' : s[status]}</span>
    `;
  }

  /** Every text: the page's, else the defaults loaded so far (the views bring theirs). */
  #strings(): NavtalkStrings {
    return { ...FIRST_STRINGS, ...views?.LATER_STRINGS, ...this.strings } as NavtalkStrings;
  }

  /**
   * The character's preview comes through the proxy, so by default the visitor's browser talks to the site's own
   * origins only; a proxy without the route answers an error and the image is dropped (#renderPoster).
   */
  #posterUrl(): string {
    const endpoint = this.endpointUrl();
    return this.poster || this.imageUrl || (this.character && endpoint ? previewUrl(endpoint, this.character) : '');
  }

  /**
   * The page's own poster (slot="poster", in its HTML: painted before the script runs) stays under the video until
   * its first frame covers it; the default image (`poster`, `image-url`, the character's preview) shows only before.
   */
  #renderPoster(image: boolean) {
    const src = image && this.#posterUrl();
    return html`<slot name="poster">
      ${src && src !== this._brokenPoster
        ? html`<img part="poster" src=${src} alt="" @error=${() => (this._brokenPoster = src)} />`
        : nothing}
    </slot>`;
  }

  #renderVideo(s: NavtalkStrings, url: string) {
    const playback = this.#playback;
    const video = playback.videoFor(url, this.#videoOptions(this.#generation.spokenText));
    playback.apply(video, { muted: this.muted, loop: this.loop, controls: this.controls, label: s.video });
    const ended = playback.state === 'ended';
    return html`
      ${video}
      ${playback.policyMuted ? html`<button part="unmute" @click=${playback.unmute}>${s.unmute}</button>` : nothing}
      ${!this.controls && (ended || playback.state === 'paused')
        ? html`<button part=${ended ? 'replay' : 'play'} class="center" @click=${this.play}>${ended ? s.replay : s.play}</button>`
        : nothing}
    `;
  }

  /**
   * How a new video is made. One made before the first render had no poster on screen, and its first frame comes
   * sooner without a poster to fetch; the page's own poster is under it already.
   */
  #videoOptions(text: string | undefined): VideoOptions {
    const lang = this.closest('[lang]')?.getAttribute('lang') || 'en';
    const poster = this.hasUpdated && !this.querySelector(':scope > [slot=poster]') ? this.#posterUrl() : undefined;
    return { poster, text, label: this.#strings().captions, lang };
  }

  /** The views, loaded (once per page), with their styles added to this avatar, and its clock. */
  async #loadViews(): Promise<LoadingClock> {
    views ??= await import('./later.js');
    views.addViewStyles(this.renderRoot as ShadowRoot);
    return (this.#clock ??= new views.LoadingClock(this));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'navtalk-avatar': NavtalkAvatar;
  }
  interface HTMLElementEventMap extends NavtalkEventMap {}
}
