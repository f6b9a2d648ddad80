/**
 * The mock's script-dependent duration model: how long NavTalk might take for a script, from its length of speech.
 * Node only, no dependency; kept apart from src/protocol like the rest of the mock.
 */

/**
 * A task takes `overheadMs + factor x speech`, times `exp(noise x z)` (z standard normal: median 1), or
 * `stragglerFactor` times that for a straggler; a failing one ends `failed` at a uniform point of that time.
 */
export interface MockWorkload {
  /** Unsigned 32-bit seed: the same seed and requests give the same durations, whatever their order. */
  seed: number;
  overheadMs: number;
  /** Ms of work per ms of speech. */
  factor: number;
  /** Sigma of the multiplicative log-normal noise; 0 for none. */
  noise: number;
  failureRate: number;
  stragglerRate: number;
  stragglerFactor: number;
}

/** What a workload decided for one task, at its creation. */
export interface TaskPlan {
  speechMs: number;
  endsAfterMs: number;
  outcome: 'done' | 'failed';
  straggler: boolean;
}

export const DEFAULT_WORKLOAD: MockWorkload = {
  seed: 1, overheadMs: 4000, factor: 0.55, noise: 0.15, failureRate: 0, stragglerRate: 0, stragglerFactor: 3,
};

/** About 150 words a minute of English: 2.5 words of about 6 characters (space included) a second. */
export const TTS_CHARS_PER_SECOND = 15;
/** audio_base64 that is not WAV (MP3, OGG...) is read at 48 kbit/s, the rate of the mock's own voice.mp3. */
export const ASSUMED_AUDIO_BYTES_PER_SECOND = 6000;
/** The mock does not fetch an audio_url (NavTalk would): it counts as this much speech. */
export const AUDIO_URL_SPEECH_MS = 10_000;

/** A small seeded generator (mulberry32): uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over the string, starting from `basis`: mixes a seed with a task's source. */
function fnv1a(text: string, basis = 0x811c9dc5): number {
  let h = basis >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The byte rate in a WAV header (bytes 28-31), or undefined when the bytes are not a RIFF/WAVE file. */
function wavByteRate(bytes: Buffer): number | undefined {
  if (bytes.length < 44 || bytes.toString('latin1', 0, 4) !== 'RIFF' || bytes.toString('latin1', 8, 12) !== 'WAVE') return undefined;
  return bytes.readUInt32LE(28) || undefined;
}

/** The mock's reading of how much speech a /generate body asks for, in ms. */
export function speechMs(body: Record<string, unknown>): number {
  if (typeof body.content === 'string') return (body.content.trim().length / TTS_CHARS_PER_SECOND) * 1000;
  if (typeof body.audio_base64 === 'string') {
    const bytes = Buffer.from(body.audio_base64, 'base64');
    const wav = wavByteRate(bytes);
    return wav ? ((bytes.length - 44) / wav) * 1000 : (bytes.length / ASSUMED_AUDIO_BYTES_PER_SECOND) * 1000;
  }
  return AUDIO_URL_SPEECH_MS;
}

/** The audio source, which tells one script from another. */
const sourceOf = (body: Record<string, unknown>) => String(body.content ?? body.audio_base64 ?? body.audio_url);

/**
 * Draws tasks' plans. Each task's generator is seeded from the workload's seed, its audio source and how many
 * tasks of that source came before, so concurrent requests that reach the mock in another order draw the same.
 */
export function planner(workload: MockWorkload) {
  const seen = new Map<number, number>();
  return (body: Record<string, unknown>): TaskPlan => {
    const source = fnv1a(sourceOf(body), workload.seed);
    const occurrence = seen.get(source) ?? 0;
    seen.set(source, occurrence + 1);
    const random = mulberry32(fnv1a(String(occurrence), source));
    // Box-Muller; 1 - u keeps the logarithm finite.
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const fails = random() < workload.failureRate;
    const failPoint = 1 - random();
    const straggler = random() < workload.stragglerRate;
    const speech = speechMs(body);
    const runMs = (workload.overheadMs + workload.factor * speech) * Math.exp(workload.noise * z) * (straggler ? workload.stragglerFactor : 1);
    return { speechMs: Math.round(speech), endsAfterMs: Math.round(fails ? runMs * failPoint : runMs), outcome: fails ? 'failed' : 'done', straggler };
  };
}

const LIMITS: Record<keyof MockWorkload, { min: number; max: number; integer?: boolean; what: string }> = {
  seed: { min: 0, max: 2 ** 32 - 1, integer: true, what: 'a whole number from 0 to 4294967295' },
  overheadMs: { min: 0, max: 3_600_000, what: 'a number of ms from 0 to 3600000' },
  factor: { min: 0, max: 100, what: 'a number from 0 to 100 (ms of work per ms of speech)' },
  noise: { min: 0, max: 2, what: 'a number from 0 to 2 (sigma of the log-normal noise)' },
  failureRate: { min: 0, max: 1, what: 'a fraction from 0 to 1' },
  stragglerRate: { min: 0, max: 1, what: 'a fraction from 0 to 1' },
  stragglerFactor: { min: 1, max: 100, what: 'a number from 1 to 100' },
};

/** A workload patch applied over `base` (the current workload, or the defaults); throws naming the bad field. */
export function checkWorkload(patch: unknown, base: MockWorkload): MockWorkload {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw new Error('workload must be an object');
  const next = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const limit = LIMITS[key as keyof MockWorkload];
    if (!limit) throw new Error(`unknown workload field ${key} (known: ${Object.keys(LIMITS).join(', ')})`);
    if (value === undefined) continue;
    const ok = typeof value === 'number' && value >= limit.min && value <= limit.max && (!limit.integer || Number.isInteger(value));
    if (!ok) throw new Error(`workload.${key} must be ${limit.what}, got ${JSON.stringify(value)}`);
    next[key as keyof MockWorkload] = value;
  }
  return next;
}
