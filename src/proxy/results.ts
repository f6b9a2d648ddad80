/**
 * Finished videos kept by the proxy: a copy of NavTalk's MP4 made once when a task is done, served by the proxy
 * itself (`GET {endpoint}?video=ID`, with Range, HEAD and ETag), kept until the operator deletes it. NavTalk does
 * not document how long its own URLs live, so a stored copy is what lets one generation serve a script for good.
 */

import type { GenerateRequest } from '../protocol/index.js';
import { readAtMost } from './bytes.js';

/** A stored video's description. */
export interface StoredVideoInfo {
  size: number;
  contentType: string;
  /** A strong validator, without quotes. */
  etag: string;
}

export interface StoredVideo extends StoredVideoInfo {
  /** The bytes asked for: the whole video, or the range. */
  body: ReadableStream<Uint8Array>;
}

/** A byte range, already checked against the video's size. */
export interface ByteRange {
  offset: number;
  length: number;
}

/**
 * What the operator's list shows of a kept video, stored beside it: how it was made, never where its media came from
 * (a media URL may carry a token) and never the key.
 */
export interface ResultMeta {
  /** The visual and audio sources, e.g. `character+text`, `image+audio_url`. */
  method: string;
  character?: string;
  voice?: string;
  /** The first words of the text. */
  text?: string;
}

/** A kept video as the operator's list shows it. */
export interface StoredResult extends StoredVideoInfo {
  id: string;
  /** When it was stored, in ms. */
  storedAt: number;
  meta?: ResultMeta;
}

/** One page of kept results; `cursor` asks for the next one, and is absent on the last. */
export interface ResultPage {
  results: StoredResult[];
  cursor?: string;
}

export interface PutInfo {
  size: number;
  contentType: string;
  meta?: ResultMeta;
}

/** Where finished videos are kept: R2 in the Worker, a folder or S3-compatible storage on other hosts. */
export interface ResultStore {
  /** Stores `size` bytes read from `body` under `id` (the caller has checked the size and type), with `meta` beside them. */
  put(id: string, body: ReadableStream<Uint8Array>, info: PutInfo): Promise<void>;
  /** The video's description, or null when there is none. */
  head(id: string): Promise<StoredVideoInfo | null>;
  /** The video (or a range of it), or null when there is none. */
  get(id: string, range?: ByteRange): Promise<StoredVideo | null>;
  delete(id: string): Promise<void>;
  /** At most `limit` kept results in the store's order, from `cursor` (the previous page's) on. */
  list(options: { limit: number; cursor?: string }): Promise<ResultPage>;
}

const FACES = { character_name: 'character', image_url: 'image', video_url: 'video' } as const;
const VOICES = { content: 'text', audio_url: 'audio_url', audio_base64: 'audio_base64' } as const;
/** How many words of the text the operator's list keeps, and at most how many characters. */
const FIRST_WORDS = 8;
const FIRST_CHARACTERS = 60;

/** What a kept video records of the request that made it (ResultMeta). */
export function describeRequest(request: GenerateRequest): ResultMeta {
  const face = (Object.keys(FACES) as (keyof typeof FACES)[]).find((field) => request[field] !== undefined);
  const audio = (Object.keys(VOICES) as (keyof typeof VOICES)[]).find((field) => request[field] !== undefined);
  const meta: ResultMeta = { method: `${face ? FACES[face] : '?'}+${audio ? VOICES[audio] : '?'}` };
  if (request.character_name !== undefined) meta.character = request.character_name;
  if (request.content !== undefined) {
    meta.voice = request.voice;
    const words = request.content.trim().split(/\s+/);
    const first = words.slice(0, FIRST_WORDS).join(' ');
    meta.text = first.length > FIRST_CHARACTERS || words.length > FIRST_WORDS ? `${[...first].slice(0, FIRST_CHARACTERS).join('')}…` : first;
  }
  return meta;
}

/** Limits of a copy. */
export interface CopyLimits {
  maxBytes: number;
  /** For each attempt, from the request to the last byte stored. */
  timeoutMs: number;
  attempts: number;
}

export const DEFAULT_COPY_LIMITS: CopyLimits = { maxBytes: 100_000_000, timeoutMs: 60_000, attempts: 3 };

/** Why a copy did not happen: `permanent` ones (gone, not a video, too large) are not worth another attempt. */
export class CopyError extends Error {
  constructor(message: string, readonly permanent: boolean) {
    super(message);
  }
}

/** Content types a generated video may come with; stored as video/mp4 when the source says only "bytes". */
const VIDEO_TYPE = /^(video\/(mp4|quicktime|webm)|application\/octet-stream|binary\/octet-stream)$/;

/** A stream that passes `size` bytes on and errors if the source gives more or fewer. */
function exactly(size: number, source: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  let seen = 0;
  return source.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > size) throw new CopyError('the video is longer than its Content-Length', true);
      controller.enqueue(chunk);
    },
    flush() {
      if (seen !== size) throw new CopyError('the video ended before its Content-Length', false);
    },
  }));
}

async function readUpTo(body: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = await readAtMost(body, max);
  if (!bytes) throw new CopyError(`the video is larger than ${max} bytes`, true);
  return bytes;
}

export const streamOf = (bytes: Uint8Array) => new ReadableStream<Uint8Array>({
  start(controller) {
    controller.enqueue(bytes);
    controller.close();
  },
});

/** One attempt: fetch NavTalk's video and store it, streamed when its length is known. */
async function copyOnce(fetchFn: typeof fetch, sourceUrl: string, store: ResultStore, id: string, limits: CopyLimits, meta?: ResultMeta): Promise<void> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let response: Response;
  try {
    response = await fetchFn(sourceUrl, { signal, headers: { accept: 'video/*' } });
  } catch {
    throw new CopyError('NavTalk\'s video could not be fetched', false);
  }
  if (!response.ok || !response.body) {
    await response.body?.cancel();
    throw new CopyError(`NavTalk's video answered HTTP ${response.status}`, response.status !== 429 && response.status < 500);
  }
  const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!VIDEO_TYPE.test(type)) {
    await response.body.cancel();
    throw new CopyError(`NavTalk's video has the content type ${JSON.stringify(type.slice(0, 60))}`, true);
  }
  const contentType = type.startsWith('video/') ? type : 'video/mp4';
  const declared = Number(response.headers.get('content-length') ?? NaN);
  try {
    if (Number.isSafeInteger(declared) && declared > 0) {
      if (declared > limits.maxBytes) {
        await response.body.cancel();
        throw new CopyError(`the video is larger than ${limits.maxBytes} bytes`, true);
      }
      await store.put(id, exactly(declared, response.body), { size: declared, contentType, ...(meta ? { meta } : {}) });
    } else {
      const bytes = await readUpTo(response.body, limits.maxBytes);
      await store.put(id, streamOf(bytes), { size: bytes.byteLength, contentType, ...(meta ? { meta } : {}) });
    }
  } catch (error) {
    if (error instanceof CopyError) throw error;
    throw new CopyError(signal.aborted ? 'the copy took too long' : 'the video could not be stored', false);
  }
}

/**
 * Copies NavTalk's video into the store: a few attempts on transient faults (network, 5xx, 429, a cut-off
 * body, a slow transfer), none after a permanent one. Throws the last CopyError.
 */
export async function copyVideo(
  fetchFn: typeof fetch, sourceUrl: string, store: ResultStore, id: string, limits: CopyLimits, meta?: ResultMeta,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await copyOnce(fetchFn, sourceUrl, store, id, limits, meta);
    } catch (error) {
      const failure = error instanceof CopyError ? error : new CopyError(String(error), false);
      if (failure.permanent || attempt >= limits.attempts) throw failure;
      await new Promise((resolve) => setTimeout(resolve, 250 * 3 ** (attempt - 1)));
    }
  }
}

/**
 * Whether a video URL still answers: false only when the server says it is gone (404, 410, 403 as storage
 * services answer for a deleted or expired object). Anything else (network trouble, 5xx) is not proof, and a
 * regeneration costs money, so it counts as available.
 */
export async function urlAnswers(fetchFn: typeof fetch, url: string, timeoutMs: number): Promise<boolean> {
  try {
    const response = await fetchFn(url, { headers: { range: 'bytes=0-0' }, signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return ![403, 404, 410].includes(response.status);
  } catch {
    return true;
  }
}

/** The range a Range header asks for: one `bytes=` range within `size`, 'unsatisfiable', or undefined (the whole video). */
export function parseRange(header: string | null, size: number): ByteRange | 'unsatisfiable' | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  // Several ranges, other units or nonsense: answer with the whole video, as RFC 9110 allows.
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const [, first, last] = match;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) return 'unsatisfiable';
    const length = Math.min(suffix, size);
    return { offset: size - length, length };
  }
  const offset = Number(first);
  if (offset >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (end < offset) return undefined;
  return { offset, length: end - offset + 1 };
}

/** A page of ids in order: at most `limit` after `cursor` (the last id of the previous page). */
export function pageOf(ids: string[], limit: number, cursor?: string): { ids: string[]; cursor?: string } {
  const sorted = ids.filter((id) => cursor === undefined || id > cursor).sort();
  const page = sorted.slice(0, limit);
  return sorted.length > limit ? { ids: page, cursor: page[page.length - 1]! } : { ids: page };
}

/**
 * In one process's memory: for tests, demos and benchmarks (a real host wants a durable store), and previews on a
 * proxy without a store. With `maxEntries`, the oldest entries are dropped past it.
 */
export class MemoryResultStore implements ResultStore {
  readonly videos = new Map<string, { bytes: Uint8Array; info: StoredResult }>();

  constructor(private readonly now: () => number = Date.now, private readonly maxEntries = Infinity) {}

  async put(id: string, body: ReadableStream<Uint8Array>, info: PutInfo): Promise<void> {
    const bytes = await readUpTo(body, info.size);
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    const etag = [...digest.slice(0, 16)].map((b) => b.toString(16).padStart(2, '0')).join('');
    const stored: StoredResult = {
      id, size: bytes.byteLength, contentType: info.contentType, etag, storedAt: this.now(), ...(info.meta ? { meta: info.meta } : {}),
    };
    this.videos.delete(id);
    this.videos.set(id, { bytes, info: stored });
    if (this.videos.size > this.maxEntries) this.videos.delete(this.videos.keys().next().value!);
  }

  async head(id: string): Promise<StoredVideoInfo | null> {
    const video = this.videos.get(id);
    return video ? infoOf(video.info) : null;
  }

  async get(id: string, range?: ByteRange): Promise<StoredVideo | null> {
    const video = this.videos.get(id);
    if (!video) return null;
    const bytes = range ? video.bytes.subarray(range.offset, range.offset + range.length) : video.bytes;
    return { ...infoOf(video.info), body: streamOf(bytes) };
  }

  async delete(id: string): Promise<void> {
    this.videos.delete(id);
  }

  async list({ limit, cursor }: { limit: number; cursor?: string }): Promise<ResultPage> {
    const page = pageOf([...this.videos.keys()], limit, cursor);
    return { results: page.ids.map((id) => this.videos.get(id)!.info), ...(page.cursor ? { cursor: page.cursor } : {}) };
  }
}

const infoOf = ({ size, contentType, etag }: StoredVideoInfo): StoredVideoInfo => ({ size, contentType, etag });
