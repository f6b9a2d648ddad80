/**
 * "Record your voice": MediaRecorder from the microphone, re-encoded as 16 kHz WAV, sent as audio_base64
 * through the element's `audio` property with a built-in character (NavTalk's method 8).
 */
import '../lib/site.js';
import '../../src/define.js';
import { html, nothing, render } from 'lit';
import type { NavtalkAvatar } from '../../src/index.js';
import { CHARACTERS } from '../../src/protocol/index.js';
import { bindStatusPills } from '../lib/status.js';
import { WAV_RATE, toWav } from '../lib/wav.js';

/** 25 s of 16 kHz 16-bit WAV is 800 KB: under the reference proxy's default 1 MB audio limit. */
const MAX_SECONDS = 25;

type RecorderState = 'ready' | 'asking' | 'recording' | 'converting';
type Problem = 'denied' | 'no-microphone' | 'busy' | 'unsupported' | 'unreadable' | 'too-long';

const PROBLEMS: Record<Problem, { title: string; text: string; retry?: boolean }> = {
  denied: {
    title: 'Microphone access is blocked',
    text: 'Allow the microphone for this site (the icon at the left of the address bar, then Site settings) and try again.',
    retry: true,
  },
  'no-microphone': {
    title: 'No microphone found',
    text: 'Connect a microphone or headset and try again.',
    retry: true,
  },
  busy: {
    title: 'The microphone is busy',
    text: 'Another app or tab is using it. Close that, then try again.',
    retry: true,
  },
  unsupported: {
    title: 'This browser cannot record here',
    text: 'Recording needs a recent browser and a secure page (HTTPS or localhost).',
  },
  unreadable: {
    title: 'That audio could not be read',
    text: 'Try another file: MP3, WAV, M4A, OGG or WebM.',
  },
  'too-long': {
    title: `Longer than ${MAX_SECONDS} seconds`,
    text: `Keep it under ${MAX_SECONDS} seconds: NavTalk works best with short clips, and the proxy caps audio size.`,
  },
};

const $ = <T extends HTMLElement>(selector: string) => document.querySelector<T>(selector)!;
const avatar = $<NavtalkAvatar>('#avatar');
const character = $<HTMLSelectElement>('#character');
const recorderBox = $('#recorder');
const mic = $<HTMLButtonElement>('#mic');
const micLabel = mic.querySelector('.mic__label')!;
const elapsed = $('#elapsed');
const level = $('#level');
const playback = $<HTMLAudioElement>('#playback');
const send = $<HTMLButtonElement>('#send');

let take: Blob | null = null;
let stopRecording: (() => void) | null = null;

const clock = (seconds: number) => `${Math.floor(seconds / 60)}:${String(Math.floor(seconds % 60)).padStart(2, '0')}`;

const MIC_LABELS: Record<RecorderState, string> = {
  ready: 'Start recording',
  asking: 'Waiting for the microphone…',
  recording: 'Stop recording',
  converting: 'Preparing the audio…',
};

function setState(state: RecorderState): void {
  recorderBox.dataset.state = state;
  micLabel.textContent = MIC_LABELS[state];
  mic.disabled = state === 'asking' || state === 'converting';
}

function showProblem(problem: Problem | null): void {
  const p = problem && PROBLEMS[problem];
  render(p ? html`<div class="notice notice--danger">
      <svg viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="12" r="9" /><path d="M12 7v6M12 16.5v.5" /></svg>
      <div>
        <h3>${p.title}</h3>
        <p>${p.text}</p>
        ${p.retry ? html`<p><button class="button button--small" type="button" @click=${startRecording}>Try again</button></p>` : nothing}
      </div>
    </div>` : nothing, $('#problem'));
}

function problemOf(error: unknown): Problem {
  switch ((error as DOMException).name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'no-microphone';
    case 'NotReadableError':
    case 'AbortError':
      return 'busy';
    default:
      return 'unsupported';
  }
}

/** Shows the microphone's loudness while recording; returns the function that stops it. */
function meter(stream: MediaStream): () => void {
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  analyser.fftSize = 512;
  context.createMediaStreamSource(stream).connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  let frame = 0;
  const draw = () => {
    analyser.getFloatTimeDomainData(samples);
    const rms = Math.sqrt(samples.reduce((sum, s) => sum + s * s, 0) / samples.length);
    level.style.setProperty('--level', String(Math.min(1, rms * 4)));
    frame = requestAnimationFrame(draw);
  };
  draw();
  return () => {
    cancelAnimationFrame(frame);
    level.style.setProperty('--level', '0');
    void context.close();
  };
}

async function startRecording(): Promise<void> {
  showProblem(null);
  if (!navigator.mediaDevices?.getUserMedia || typeof MediaRecorder === 'undefined') return showProblem('unsupported');
  setState('asking');
  let stream: MediaStream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true } });
  } catch (error) {
    setState('ready');
    return showProblem(problemOf(error));
  }
  const recorder = new MediaRecorder(stream);
  const chunks: Blob[] = [];
  const stopMeter = meter(stream);
  const startedAt = performance.now();
  const timer = setInterval(() => {
    const seconds = (performance.now() - startedAt) / 1000;
    elapsed.textContent = clock(seconds);
    if (seconds >= MAX_SECONDS) stopRecording?.();
  }, 200);
  recorder.addEventListener('dataavailable', (event) => chunks.push(event.data));
  recorder.addEventListener('stop', () => void useAudio(new Blob(chunks, { type: recorder.mimeType }), 'Your recording'));
  stopRecording = () => {
    stopRecording = null;
    clearInterval(timer);
    stopMeter();
    recorder.stop();
    for (const track of stream.getTracks()) track.stop();
  };
  recorder.start();
  elapsed.textContent = clock(0);
  setState('recording');
}

/** Takes a recording or a chosen file as the audio to send, as 16 kHz WAV. */
async function useAudio(audio: Blob, label: string): Promise<void> {
  setState('converting');
  showProblem(null);
  try {
    const wav = await toWav(audio);
    const seconds = (wav.size - 44) / (WAV_RATE * 2);
    if (seconds > MAX_SECONDS + 0.5) return showProblem('too-long');
    take = wav;
    if (playback.src) URL.revokeObjectURL(playback.src);
    playback.src = URL.createObjectURL(wav);
    $('#take').textContent = `${label} · ${seconds.toFixed(1)} s · ${Math.round(wav.size / 1024)} KB as 16 kHz WAV`;
    $('#review').hidden = false;
    $('#review-empty').hidden = true;
    send.disabled = false;
  } catch {
    showProblem('unreadable');
  } finally {
    setState('ready');
  }
}

function makeItTalk(): void {
  if (!take) return;
  avatar.character = character.value;
  avatar.audio = take;
  // Sent with the inputs just set: generate() applies pending changes first.
  avatar.generate();
  $('#result-note').textContent = `Sent ${Math.round(take.size / 1024)} KB of audio as audio_base64 with character ${character.value}.`;
}

render(CHARACTERS.map((c) => html`<option .value=${c}>${c.replace('navtalk.', '')}</option>`), character);
for (const node of document.querySelectorAll('[data-limit]')) node.textContent = String(MAX_SECONDS);
$('#limit').textContent = clock(MAX_SECONDS);
mic.addEventListener('click', () => (stopRecording ? stopRecording() : void startRecording()));
$<HTMLInputElement>('#upload').addEventListener('change', (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (file) void useAudio(file, file.name);
});
send.addEventListener('click', makeItTalk);
bindStatusPills();
