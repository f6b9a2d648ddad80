import * as z from 'zod';
import { DEFAULT_VOICES, NAVTALK_PREVIEW_BASE_URL, VOICE_NAME } from '../protocol/index.js';

/**
 * The proxy's configuration, read from environment variables (Worker vars and secrets, process.env, Deno.env).
 * Server-side only, so it uses full zod. A broken configuration never throws: it comes back with `problems`
 * (variable names, never values) and the handler answers 500 `misconfigured` without calling NavTalk.
 */

export type AuthMode = 'signed' | 'open';

export interface ProxyConfig {
  /** NavTalk's key (`license`); never leaves the server. */
  apiKey: string;
  /** NavTalk's base URL without a trailing slash: the proxy calls {baseUrl}/generate and {baseUrl}/query_status. */
  baseUrl: string;
  /** Where NavTalk's preview stills are, without a trailing slash: the proxy fetches {previewBaseUrl}/uploadFiles/NAME.png. */
  previewBaseUrl: string;
  allowedOrigins: ReadonlySet<string>;
  authMode: AuthMode;
  /** The current secret first, then the previous one during a rotation. */
  signingSecrets: readonly string[];
  dailyGenerationLimit: number;
  /** 0 turns the per-client limit off. */
  rateLimitPerMinute: number;
  /** null: any character the protocol accepts. */
  allowedCharacters: ReadonlySet<string> | null;
  /** The voices a request may name: ALLOWED_VOICES when set (fewer than NavTalk's, or new ones), else NavTalk's documented list. */
  voices: ReadonlySet<string>;
  maxTextLength: number;
  maxAudioBytes: number;
  maxBodyBytes: number;
  upstreamTimeoutMs: number;
  /** A fixed upstream poll interval, or null for the adaptive schedule (the default). */
  upstreamPollIntervalMs: number | null;
  upstreamMaxWaitSeconds: number;
  /** How long results are kept; null: a day for results on NavTalk's URL, until deleted for stored ones. */
  resultTtlSeconds: number | null;
  /** Origins whose media URLs skip the private-address rule (a local demo's sample files). */
  trustedMediaOrigins: ReadonlySet<string>;
  /** The bearer token of the operator's routes (`?admin=`); null: those routes do not exist. */
  adminToken: string | null;
  /** Why the configuration cannot serve, naming variables only. Empty when it can. */
  problems: readonly string[];
}

/** Every variable the proxy reads, with its default (undefined: none). The docs' table follows this list. */
export const CONFIG_DEFAULTS = {
  NAVTALK_API_KEY: undefined,
  NAVTALK_BASE_URL: 'https://app.navtalk.ai',
  NAVTALK_PREVIEW_BASE_URL: undefined,
  ALLOWED_ORIGINS: undefined,
  AUTH_MODE: 'signed',
  SIGNING_SECRET: undefined,
  SIGNING_SECRET_PREVIOUS: undefined,
  DAILY_GENERATION_LIMIT: '100',
  RATE_LIMIT_PER_MINUTE: '10',
  ALLOWED_CHARACTERS: undefined,
  ALLOWED_VOICES: undefined,
  MAX_TEXT_LENGTH: '500',
  MAX_AUDIO_BYTES: '1000000',
  MAX_BODY_BYTES: '1400000',
  UPSTREAM_TIMEOUT_MS: '15000',
  UPSTREAM_POLL_INTERVAL_MS: undefined,
  UPSTREAM_MAX_WAIT_SECONDS: '180',
  RESULT_TTL_SECONDS: undefined,
  TRUSTED_MEDIA_ORIGINS: undefined,
  ADMIN_TOKEN: undefined,
} as const;
export type ConfigVariable = keyof typeof CONFIG_DEFAULTS;

// Environment values arrive as strings (or numbers from JSON config); blank means "use the default".
const blankToUndefined = (v: unknown) => (v === undefined || v === null || String(v).trim() === '' ? undefined : String(v).trim());
const text = () => z.preprocess(blankToUndefined, z.string().optional());
const whole = (name: ConfigVariable, min: number, max: number) =>
  z.preprocess(
    blankToUndefined,
    z.string()
      .default(CONFIG_DEFAULTS[name] as string)
      .pipe(z.string().regex(/^\d+$/, `${name} must be a whole number from ${min} to ${max}`))
      .transform(Number)
      .pipe(z.number().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`)),
  );
/** An optional whole number: blank means unset. */
const optionalWhole = (name: ConfigVariable, min: number, max: number) =>
  z.preprocess(
    blankToUndefined,
    z.string()
      .regex(/^\d+$/, `${name} must be a whole number from ${min} to ${max}, or empty`)
      .transform(Number)
      .pipe(z.number().min(min, `${name} must be at least ${min}`).max(max, `${name} must be at most ${max}`))
      .optional(),
  );
const list = () =>
  z.preprocess(blankToUndefined, z.string().optional())
    .transform((v) => (v === undefined ? [] : v.split(',').map((s) => s.trim()).filter(Boolean)));
const origins = (name: ConfigVariable) =>
  list().refine(
    (items) => items.every((o) => { try { return new URL(o).origin === o; } catch { return false; } }),
    `${name} must be comma-separated origins such as https://www.example.com (scheme, host and port only; no "*")`,
  );

const MIN_ADMIN_TOKEN = 24;

const HTTP_BASE = /^https?:\/\/[^/?#]+(\/[^?#]*)?$/;
const base = (name: ConfigVariable) =>
  z.string().refine((v) => HTTP_BASE.test(v), `${name} must be an http(s) URL`).transform((v) => v.replace(/\/+$/, ''));

/**
 * NavTalk keeps its preview stills on its legacy API host, not on the one /generate is on; a base that is not
 * NavTalk's (the mock, a stand-in) serves them itself, so pointing NAVTALK_BASE_URL at it moves the previews too.
 */
const previewBase = (navtalkBase: string) =>
  /^https:\/\/([^/]+\.)?navtalk\.ai(\/|$)/.test(navtalkBase) ? NAVTALK_PREVIEW_BASE_URL : navtalkBase;

const envSchema = z.object({
  NAVTALK_API_KEY: text(),
  NAVTALK_BASE_URL: z.preprocess(blankToUndefined, z.string().default(CONFIG_DEFAULTS.NAVTALK_BASE_URL)).pipe(base('NAVTALK_BASE_URL')),
  NAVTALK_PREVIEW_BASE_URL: z.preprocess(blankToUndefined, base('NAVTALK_PREVIEW_BASE_URL').optional()),
  ALLOWED_ORIGINS: origins('ALLOWED_ORIGINS'),
  AUTH_MODE: z.preprocess(
    (v) => blankToUndefined(v)?.toLowerCase(),
    z.enum(['signed', 'open'], { error: 'AUTH_MODE must be signed or open' }).default('signed'),
  ),
  SIGNING_SECRET: text(),
  SIGNING_SECRET_PREVIOUS: text(),
  DAILY_GENERATION_LIMIT: whole('DAILY_GENERATION_LIMIT', 0, 1_000_000),
  RATE_LIMIT_PER_MINUTE: whole('RATE_LIMIT_PER_MINUTE', 0, 100_000),
  ALLOWED_CHARACTERS: list(),
  ALLOWED_VOICES: list().refine(
    (items) => items.every((v) => VOICE_NAME.test(v)),
    'ALLOWED_VOICES must be comma-separated voice names (lower-case letters, digits, "_" or "-")',
  ),
  MAX_TEXT_LENGTH: whole('MAX_TEXT_LENGTH', 1, 2000),
  MAX_AUDIO_BYTES: whole('MAX_AUDIO_BYTES', 1, 50_000_000),
  MAX_BODY_BYTES: whole('MAX_BODY_BYTES', 256, 70_000_000),
  UPSTREAM_TIMEOUT_MS: whole('UPSTREAM_TIMEOUT_MS', 100, 120_000),
  UPSTREAM_POLL_INTERVAL_MS: optionalWhole('UPSTREAM_POLL_INTERVAL_MS', 10, 60_000),
  UPSTREAM_MAX_WAIT_SECONDS: whole('UPSTREAM_MAX_WAIT_SECONDS', 1, 3600),
  RESULT_TTL_SECONDS: optionalWhole('RESULT_TTL_SECONDS', 1, 31_536_000),
  TRUSTED_MEDIA_ORIGINS: origins('TRUSTED_MEDIA_ORIGINS'),
  // Long enough that guessing it is hopeless (`npm start` makes a random one).
  ADMIN_TOKEN: z.preprocess(blankToUndefined, z.string().min(MIN_ADMIN_TOKEN, `ADMIN_TOKEN must be at least ${MIN_ADMIN_TOKEN} characters`).optional()),
});

const FALLBACK: Omit<ProxyConfig, 'problems'> = {
  apiKey: '',
  baseUrl: CONFIG_DEFAULTS.NAVTALK_BASE_URL,
  previewBaseUrl: NAVTALK_PREVIEW_BASE_URL,
  allowedOrigins: new Set(),
  authMode: 'signed',
  signingSecrets: [],
  dailyGenerationLimit: 0,
  rateLimitPerMinute: 0,
  allowedCharacters: null,
  voices: DEFAULT_VOICES,
  maxTextLength: 1,
  maxAudioBytes: 1,
  maxBodyBytes: 256,
  upstreamTimeoutMs: 15_000,
  upstreamPollIntervalMs: null,
  upstreamMaxWaitSeconds: 180,
  resultTtlSeconds: null,
  trustedMediaOrigins: new Set(),
  adminToken: null,
};

/** Reads the configuration from an environment object (name -> value); never throws and never puts a value in `problems`. */
export function configFromEnv(env: object): ProxyConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    // Messages are written above and name the variable; zod's defaults could quote the value, so replace them.
    const problems = parsed.error.issues.map((i) =>
      i.message.startsWith(String(i.path[0])) ? i.message : `${String(i.path[0])} is not valid`);
    return { ...FALLBACK, problems: [...new Set(problems)] };
  }
  const e = parsed.data;
  const problems: string[] = [];
  if (!e.NAVTALK_API_KEY) problems.push('NAVTALK_API_KEY is not set');
  if (e.AUTH_MODE === 'signed' && !e.SIGNING_SECRET) problems.push('SIGNING_SECRET is not set (AUTH_MODE is signed)');
  if (e.ALLOWED_ORIGINS.length === 0) problems.push('ALLOWED_ORIGINS is empty: no page could call the proxy');
  const setOrNull = (items: string[]) => (items.length ? new Set(items) : null);
  return {
    apiKey: e.NAVTALK_API_KEY ?? '',
    baseUrl: e.NAVTALK_BASE_URL,
    previewBaseUrl: e.NAVTALK_PREVIEW_BASE_URL ?? previewBase(e.NAVTALK_BASE_URL),
    allowedOrigins: new Set(e.ALLOWED_ORIGINS),
    authMode: e.AUTH_MODE,
    signingSecrets: [e.SIGNING_SECRET, e.SIGNING_SECRET_PREVIOUS].filter((s): s is string => !!s),
    dailyGenerationLimit: e.DAILY_GENERATION_LIMIT,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    allowedCharacters: setOrNull(e.ALLOWED_CHARACTERS),
    voices: setOrNull(e.ALLOWED_VOICES) ?? DEFAULT_VOICES,
    maxTextLength: e.MAX_TEXT_LENGTH,
    maxAudioBytes: e.MAX_AUDIO_BYTES,
    maxBodyBytes: e.MAX_BODY_BYTES,
    upstreamTimeoutMs: e.UPSTREAM_TIMEOUT_MS,
    upstreamPollIntervalMs: e.UPSTREAM_POLL_INTERVAL_MS ?? null,
    upstreamMaxWaitSeconds: e.UPSTREAM_MAX_WAIT_SECONDS,
    resultTtlSeconds: e.RESULT_TTL_SECONDS ?? null,
    trustedMediaOrigins: new Set(e.TRUSTED_MEDIA_ORIGINS),
    adminToken: e.ADMIN_TOKEN ?? null,
    problems,
  };
}
