import type { GenerateRequest } from '../protocol/index.js';

/**
 * What a task's generation time depends on, read from its request: how long the speech is (NavTalk animates
 * the face for every second of it) and which kind of face it animates. Used to predict when a task will be done.
 */

export type FaceKind = 'character' | 'image' | 'video';

export interface TaskFeatures {
  /** Seconds of speech; null when it cannot be told (an audio file whose header could not be read). */
  speechSeconds: number | null;
  face: FaceKind;
}

/** About 150 words a minute, the pace of the TTS voices; a CJK character is about a syllable. */
const SECONDS_PER_WORD = 0.4;
const SECONDS_PER_CJK_CHARACTER = 0.25;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu;
const WORD = /[\p{L}\p{N}]+/gu;
/** For audio whose length its header does not tell: 128 kbit/s, the common MP3 rate. */
const FALLBACK_BYTES_PER_SECOND = 16_000;
/** How much of an audio file is fetched to read its header. */
export const AUDIO_HEAD_BYTES = 16_384;

export function textSeconds(text: string): number {
  const cjk = text.match(CJK)?.length ?? 0;
  const words = text.replace(CJK, ' ').match(WORD)?.length ?? 0;
  return words * SECONDS_PER_WORD + cjk * SECONDS_PER_CJK_CHARACTER;
}

const faceOf = (request: GenerateRequest): FaceKind =>
  request.video_url !== undefined ? 'video' : request.image_url !== undefined ? 'image' : 'character';

/**
 * The features of a request. `audioHead` reads the start of an audio_url's file and its size (null when it cannot);
 * it is only called for audio_url.
 */
export async function taskFeatures(
  request: GenerateRequest,
  audioHead: (url: string) => Promise<{ head: Uint8Array; size: number } | null>,
): Promise<TaskFeatures> {
  const face = faceOf(request);
  if (request.content !== undefined) return { face, speechSeconds: textSeconds(request.content) };
  if (request.audio_base64 !== undefined) {
    const bytes = decodeBase64(request.audio_base64);
    return { face, speechSeconds: bytes ? audioSeconds(bytes, bytes.length) : null };
  }
  const file = request.audio_url !== undefined ? await audioHead(request.audio_url).catch(() => null) : null;
  return { face, speechSeconds: file ? audioSeconds(file.head, file.size) : null };
}

function decodeBase64(text: string): Uint8Array | null {
  try {
    return Uint8Array.from(atob(text.replace(/\s+/g, '')), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/**
 * Seconds of audio in a file of `size` bytes whose first bytes are `head`: from a WAV header's byte rate, an MP3's
 * Xing/Info/VBRI frame count or its first frame's bit rate, else by size at 128 kbit/s.
 */
export function audioSeconds(head: Uint8Array, size: number): number {
  const seconds = wavSeconds(head, size) ?? mp3Seconds(head, size);
  return seconds !== undefined && Number.isFinite(seconds) && seconds >= 0 ? seconds : size / FALLBACK_BYTES_PER_SECOND;
}

const ascii = (bytes: Uint8Array, at: number, length: number) => String.fromCharCode(...bytes.subarray(at, at + length));

function wavSeconds(bytes: Uint8Array, size: number): number | undefined {
  if (bytes.length < 12 || ascii(bytes, 0, 4) !== 'RIFF' || ascii(bytes, 8, 4) !== 'WAVE') return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let byteRate = 0;
  for (let at = 12; at + 8 <= bytes.length;) {
    const id = ascii(bytes, at, 4);
    const length = view.getUint32(at + 4, true);
    if (id === 'fmt ' && at + 20 <= bytes.length) byteRate = view.getUint32(at + 16, true);
    // A streamed WAV may leave the data length unset (0 or 0xFFFFFFFF): the file's size tells it then.
    if (id === 'data') return byteRate > 0 ? Math.min(length || Infinity, size - at - 8) / byteRate : undefined;
    at += 8 + length + (length % 2);
  }
  return undefined;
}

const MP3_BITRATES = {
  1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
} as const;
const MP3_SAMPLE_RATES = [44_100, 48_000, 32_000] as const;

function mp3Seconds(bytes: Uint8Array, size: number): number | undefined {
  let at = 0;
  // An ID3v2 tag first: its size is "syncsafe" (7 bits a byte), plus 10 for a footer when flagged.
  if (bytes.length >= 10 && ascii(bytes, 0, 3) === 'ID3') {
    at = 10 + ((bytes[6]! << 21) | (bytes[7]! << 14) | (bytes[8]! << 7) | bytes[9]!) + (bytes[5]! & 0x10 ? 10 : 0);
  }
  for (; at + 4 <= bytes.length; at++) {
    if (bytes[at] !== 0xff || (bytes[at + 1]! & 0xe0) !== 0xe0) continue;
    const version = (bytes[at + 1]! >> 3) & 3; // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
    const layer = (bytes[at + 1]! >> 1) & 3; // 1: Layer III
    const bitrateIndex = bytes[at + 2]! >> 4;
    const rateIndex = (bytes[at + 2]! >> 2) & 3;
    if (version === 1 || layer !== 1 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) continue;
    const mpeg1 = version === 3;
    const sampleRate = MP3_SAMPLE_RATES[rateIndex]! / (mpeg1 ? 1 : version === 2 ? 2 : 4);
    const samplesPerFrame = mpeg1 ? 1152 : 576;
    const mono = bytes[at + 3]! >> 6 === 3;
    const frames = vbrFrames(bytes, at, at + 4 + (mpeg1 ? (mono ? 17 : 32) : mono ? 9 : 17));
    if (frames !== undefined) return (frames * samplesPerFrame) / sampleRate;
    return ((size - at) * 8) / (MP3_BITRATES[mpeg1 ? 1 : 2][bitrateIndex]! * 1000);
  }
  return undefined;
}

/** The frame count of a VBR file's Xing/Info tag (after the side information) or VBRI tag (32 bytes in). */
function vbrFrames(bytes: Uint8Array, frame: number, xing: number): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = xing + 12 <= bytes.length ? ascii(bytes, xing, 4) : '';
  if ((tag === 'Xing' || tag === 'Info') && view.getUint32(xing + 4) & 1) return view.getUint32(xing + 8);
  const vbri = frame + 36;
  if (vbri + 18 <= bytes.length && ascii(bytes, vbri, 4) === 'VBRI') return view.getUint32(vbri + 14);
  return undefined;
}

/**
 * The first AUDIO_HEAD_BYTES of an audio file and its size, with one ranged GET (the URL passed the proxy's URL
 * checks already, and NavTalk fetches it anyway); null when it cannot be had within `timeoutMs`. A redirect is not
 * followed: its target was never checked (a private address, say), so the length is left unknown instead.
 */
export async function fetchAudioHead(fetcher: typeof fetch, url: string, timeoutMs: number): Promise<{ head: Uint8Array; size: number } | null> {
  const response = await fetcher(url, { headers: { range: `bytes=0-${AUDIO_HEAD_BYTES - 1}` }, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
  const size = Number(response.headers.get('content-range')?.split('/')[1] ?? response.headers.get('content-length'));
  if (!response.ok || !response.body || !Number.isFinite(size) || size <= 0) {
    await response.body?.cancel();
    return null;
  }
  const chunks: Uint8Array[] = [];
  let length = 0;
  const reader = response.body.getReader();
  while (length < AUDIO_HEAD_BYTES) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    length += value.length;
  }
  await reader.cancel();
  const head = new Uint8Array(length);
  chunks.reduce((at, chunk) => (head.set(chunk, at), at + chunk.length), 0);
  return { head: head.subarray(0, AUDIO_HEAD_BYTES), size };
}
