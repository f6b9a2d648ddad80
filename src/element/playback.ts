import type { ReactiveController, ReactiveElement } from 'lit';

export type PlaybackState = 'paused' | 'starting' | 'playing' | 'ended';

/** What the controller needs of its element. */
export interface PlaybackHost extends ReactiveElement {
  /** The page's `muted` setting. */
  muted: boolean;
}

/** How a new video is made: its poster until the first frame, and the text it speaks (for captions). */
export interface VideoOptions {
  poster?: string;
  text?: string;
  /** The captions track's label and language. */
  label: string;
  lang: string;
}

/** The one video playing with sound: another that starts or unmutes with sound pauses it. Muted ones play on. */
let speaking: HTMLVideoElement | undefined;
const audible = (video: HTMLVideoElement) => !video.paused && !video.muted && video.volume > 0;

// Read in the browser only (a server render never connects or plays).
export const reducedMotion = (): boolean => matchMedia('(prefers-reduced-motion: reduce)').matches;

/**
 * The `<video>` of a result and how it plays: made as soon as its URL is known (so it starts loading at once), played
 * with sound where the browser allows it and muted with a "Tap for sound" button where it does not, one avatar
 * speaking at a time on the page, with captions of the spoken text while muted.
 */
export class Playback implements ReactiveController {
  state: PlaybackState = 'paused';
  /** The browser refused sound, so the video plays muted until the visitor taps. */
  policyMuted = false;
  /** The current result's video, made by videoFor, and the muted state last set on it. */
  media?: HTMLVideoElement;
  #mutedSet?: boolean;
  /** Play the result's video once it is rendered (set by show, run by hostUpdated). */
  #pending = false;
  /** A video being tried (generate.ts's probe): its failure is the caller's answer, not an error of the result. */
  probing?: HTMLVideoElement;

  constructor(
    private readonly host: PlaybackHost,
    /** The result's video could not be loaded. */
    private readonly onError: (video: HTMLVideoElement) => void,
  ) {
    host.addController(this);
  }

  /** The `<video>` for a result URL: the one made for it already, or a new one that starts loading at once. */
  videoFor(url: string, options: VideoOptions): HTMLVideoElement {
    if (this.media?.getAttribute('src') === url) return this.media;
    const video = (this.media = document.createElement('video'));
    video.part.add('video');
    // The attribute, which iOS Safari reads (Firefox has no playsInline property).
    video.setAttribute('playsinline', '');
    video.preload = 'auto';
    video.muted = this.host.muted;
    // Until its first frame, the video keeps showing the poster image that was on screen.
    if (options.poster) video.poster = options.poster;
    const listeners: Record<string, (event: Event) => void> = {
      play: this.#onPlay, pause: this.#onPause, ended: () => this.#set('ended'), error: this.#onError,
      volumechange: this.#claimSound,
    };
    for (const type in listeners) video.addEventListener(type, listeners[type]!);
    if (options.text) addCaptionsTrack(video, options.text, options.label, options.lang);
    video.src = url;
    return video;
  }

  /** A new result (or none): it starts playing once rendered if `play`. */
  show(url: string | null, play: boolean): void {
    // A video started early keeps its muted fallback; one that would not load is not reused, even for the same URL.
    if (this.media?.error) this.media = undefined;
    this.policyMuted &&= url === this.media?.getAttribute('src');
    this.#pending = !!url && play;
    this.#set(this.#pending ? 'starting' : 'paused');
  }

  /** Settings from the element, applied on each render of the video. */
  apply(video: HTMLVideoElement, settings: { muted: boolean; loop: boolean; controls: boolean; label: string }): void {
    const muted = settings.muted || this.policyMuted;
    // Only when it changes, as a property binding would: the visitor's own unmute in the controls stays.
    if (this.#mutedSet !== muted) video.muted = this.#mutedSet = muted;
    video.loop = settings.loop;
    video.controls = settings.controls;
    video.ariaLabel = settings.label;
  }

  hostUpdated(): void {
    const video = this.video();
    if (video && this.#pending) {
      this.#pending = false;
      void this.play(video);
    }
  }

  /** Plays with sound if the browser allows it, else muted with a "Tap for sound" button. */
  async play(video = this.video()): Promise<void> {
    if (!video) return;
    this.#set('starting');
    try {
      await video.play();
      // Also when it was playing already (started early), so no new play event comes.
      this.#set('playing');
    } catch (error) {
      if ((error as DOMException).name === 'NotAllowedError' && !video.muted) {
        this.policyMuted = video.muted = true;
        this.host.requestUpdate();
        try {
          return await video.play();
        } catch (retry) {
          // Even muted playback was refused (iOS in Low Power Mode): the Play button stays, and its tap brings sound.
          // (Not when another play() of this video cut this one short: that one plays muted.)
          if ((retry as DOMException).name === 'NotAllowedError' && video.paused) this.unmute();
        }
      }
      if (video.paused) this.#set(video.ended ? 'ended' : 'paused');
    }
  }

  /** A tap on Play: sound refused earlier is asked for again, since a tap allows it. */
  resume(): Promise<void> {
    const video = this.video();
    if (video?.paused) this.unmute();
    return this.play(video);
  }

  pause(): void {
    this.video()?.pause();
  }

  /** Back to the page's `muted` setting ("Tap for sound"). */
  unmute = (): void => {
    const video = this.video();
    this.policyMuted = false;
    if (video) video.muted = this.host.muted;
    this.host.requestUpdate();
  };

  /** The video on screen: the current one, once rendered. */
  video(): HTMLVideoElement | null {
    return this.media?.isConnected ? this.media : null;
  }

  #set(state: PlaybackState): void {
    if (this.state === state) return;
    this.state = state;
    this.host.requestUpdate();
  }

  #onPlay = (event: Event): void => {
    this.#set('playing');
    this.#claimSound(event);
  };

  #onPause = (event: Event): void => {
    if (!(event.target as HTMLVideoElement).ended) this.#set('paused');
  };

  /** A video that now plays with sound silences the one that spoke before it (by pausing it). */
  #claimSound = (event: Event): void => {
    const video = event.target as HTMLVideoElement;
    if (!audible(video)) return;
    if (speaking && speaking !== video && audible(speaking)) speaking.pause();
    speaking = video;
  };

  #onError = (event: Event): void => {
    const video = event.target as HTMLVideoElement;
    if (video !== this.probing) this.onError(video);
  };
}

/**
 * The captions track of the spoken text. It is made before the video's source is set and stays `showing`; its cues
 * (captions.ts, in the chunk loaded for generating, fetched the first time a video is muted) are there while the
 * video is muted. WebKit stalls a video whose text track is added, or first shown with cues, while it loads or
 * plays. Script-built, so it passes any CSP.
 */
function addCaptionsTrack(video: HTMLVideoElement, text: string, label: string, lang: string): void {
  if (typeof VTTCue !== 'function') return;
  const track = video.addTextTrack('captions', label, lang);
  track.mode = 'showing';
  const sync = () => {
    if (video.muted || track.cues?.length) void import('./later.js').then(({ syncCaptions }) => syncCaptions(video, track, text));
  };
  video.addEventListener('loadedmetadata', sync);
  video.addEventListener('volumechange', sync);
}
