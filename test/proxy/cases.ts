/**
 * Requests shared by the portable-handler suite (Node) and the Worker suite (workerd): the 9 methods, the
 * invalid requests with the answer each must get, and a recorder that scans every response for secrets.
 * Web-standard code only, since it runs in both places.
 */
import { AUDIO_FIELDS, VISUAL_FIELDS, type ProxyErrorCode } from '../../src/protocol/index.js';
import { signRequest } from '../../src/proxy/signing.js';

export const ORIGIN = 'https://site.example';
export const OTHER_ORIGIN = 'https://evil.example';
export const SECRET = 'test-signing-secret-current';
export const PREVIOUS_SECRET = 'test-signing-secret-previous';
export const ALLOWED_CHARACTERS = 'navtalk.Leo,navtalk.Lily';
export const MAX_TEXT_LENGTH = 200;
export const MAX_AUDIO_BYTES = 3000;
export const MAX_BODY_BYTES = 8192;

/** The environment both suites start from (plus the NavTalk key and base URL of their mock). */
export const TEST_ENV = {
  ALLOWED_ORIGINS: `${ORIGIN},http://127.0.0.1:5173`,
  AUTH_MODE: 'signed',
  SIGNING_SECRET: SECRET,
  SIGNING_SECRET_PREVIOUS: PREVIOUS_SECRET,
  DAILY_GENERATION_LIMIT: '1000',
  RATE_LIMIT_PER_MINUTE: '0',
  ALLOWED_CHARACTERS,
  MAX_TEXT_LENGTH: String(MAX_TEXT_LENGTH),
  MAX_AUDIO_BYTES: String(MAX_AUDIO_BYTES),
  MAX_BODY_BYTES: String(MAX_BODY_BYTES),
  UPSTREAM_TIMEOUT_MS: '1500',
  UPSTREAM_POLL_INTERVAL_MS: '20',
  UPSTREAM_MAX_WAIT_SECONDS: '20',
  RESULT_TTL_SECONDS: '3600',
} as const;

/** Mock timing for both suites: a task is processing after 30 ms and done after 90 ms. */
export const FAST_TIMING = { processingAfterMs: 30, doneAfterMs: 90 };

/** Tuning parameters, sent as numbers (parsing_mode as text). */
export const TUNING = { bbox_shift: -3, extra_margin: 20, parsing_mode: 'raw', left_cheek_width: 80, right_cheek_width: 120 } as const;

/** One value per source field; `tag` makes the body (and so the task) unique to a test. */
function sources(tag: string): Record<string, string> {
  return {
    video_url: `https://cdn.example.com/${tag}/me.mp4`,
    image_url: `https://cdn.example.com/${tag}/me.png`,
    character_name: 'navtalk.Leo',
    audio_url: `https://cdn.example.com/${tag}/hi.mp3`,
    audio_base64: 'UklGRiQAAABXQVZF',
    content: `Hello from ${tag}.`,
  };
}

/** The 9 methods (visual x audio), each unique to `tag`, the first with every tuning parameter. */
export function methodBodies(tag: string): Record<string, unknown>[] {
  const bodies: Record<string, unknown>[] = [];
  for (const visual of VISUAL_FIELDS) {
    for (const audio of AUDIO_FIELDS) {
      const s = sources(`${tag}-${visual}-${audio}`);
      const body: Record<string, unknown> = { [visual]: s[visual], [audio]: s[audio] };
      if (audio === 'content') body.voice = 'echo';
      // character + base64 audio would be identical across tags: make it unique with tuning.
      if (visual === 'character_name' && audio === 'audio_base64') body.extra_margin = tag.length % 50;
      bodies.push(body);
    }
  }
  Object.assign(bodies[0]!, TUNING);
  return bodies;
}

/** A simple valid body unique to `tag`. */
export const textBody = (tag: string): Record<string, unknown> => ({ character_name: 'navtalk.Leo', content: `Hello from ${tag}.`, voice: 'echo' });

export const signed = async (body: Record<string, unknown>, secret = SECRET) => ({ ...body, signature: await signRequest(body, secret) });

export interface BadRequest {
  name: string;
  method?: string;
  /** A JSON body, or raw text when `raw` is set. */
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  /** Send the body as a stream (no Content-Length), so only the capped read can catch its size. */
  stream?: boolean;
  /** Origin header: ORIGIN unless set (null: none). */
  origin?: string | null;
  status: number;
  code: ProxyErrorCode;
}

/** Requests that must be refused before NavTalk is called, with the answer each must get. */
export async function badRequests(tag: string): Promise<BadRequest[]> {
  const ok = textBody(tag);
  const leo = { character_name: 'navtalk.Leo' };
  const withUrl = (url: string) => ({ image_url: url, audio_url: `https://cdn.example.com/${tag}.mp3` });
  const unsafe = [
    'https://user:pw@cdn.example.com/a.png', 'http://localhost/a.png', 'http://app.localhost/a.png', 'http://127.0.0.1/a.png',
    'http://10.1.2.3/a.png', 'http://172.16.0.1/a.png', 'http://192.168.1.10/a.png', 'http://169.254.169.254/latest/meta-data',
    'http://0x7f.1/a.png', 'http://2130706433/a.png', 'http://[::1]/a.png', 'http://[fd00::1]/a.png', 'http://[fe80::1]/a.png',
    'http://[::ffff:10.0.0.1]/a.png', 'http://printer.local/a.png', 'http://metadata.google.internal/a.png', 'http://intranet/a.png',
  ];
  return [
    { name: 'PUT', method: 'PUT', body: ok, status: 405, code: 'method_not_allowed' },
    { name: 'DELETE', method: 'DELETE', status: 405, code: 'method_not_allowed' },
    { name: 'foreign origin', body: await signed(ok), origin: OTHER_ORIGIN, status: 403, code: 'origin_not_allowed' },
    { name: 'missing origin', body: await signed(ok), origin: null, status: 403, code: 'origin_not_allowed' },
    { name: 'oversize body', body: { ...ok, content: 'x'.repeat(MAX_BODY_BYTES) }, status: 413, code: 'payload_too_large' },
    { name: 'oversize streamed body', body: { ...ok, content: 'x'.repeat(MAX_BODY_BYTES) }, stream: true, status: 413, code: 'payload_too_large' },
    { name: 'text/plain', body: ok, headers: { 'content-type': 'text/plain' }, status: 415, code: 'unsupported_media_type' },
    { name: 'malformed JSON', raw: '{"character_name": "navtalk.Leo",', status: 400, code: 'invalid_json' },
    { name: 'empty body', raw: '', status: 400, code: 'invalid_json' },
    { name: 'JSON array', body: [ok], status: 400, code: 'invalid_input' },
    { name: 'JSON string', body: 'hello', status: 400, code: 'invalid_input' },
    { name: 'no visual source', body: { content: 'Hi', voice: 'echo' }, status: 400, code: 'invalid_input' },
    { name: 'no audio source', body: leo, status: 400, code: 'invalid_input' },
    { name: 'two visual sources', body: { ...ok, image_url: 'https://cdn.example.com/a.png' }, status: 400, code: 'invalid_input' },
    { name: 'two audio sources', body: { ...ok, audio_url: 'https://cdn.example.com/a.mp3' }, status: 400, code: 'invalid_input' },
    { name: 'content without voice', body: { ...leo, content: 'Hi' }, status: 400, code: 'invalid_input' },
    { name: 'voice without content', body: { ...leo, audio_url: 'https://cdn.example.com/a.mp3', voice: 'echo' }, status: 400, code: 'invalid_input' },
    { name: 'bbox_shift out of range', body: { ...ok, bbox_shift: 10 }, status: 400, code: 'invalid_input' },
    { name: 'cheek width as text', body: { ...ok, left_cheek_width: '90' }, status: 400, code: 'invalid_input' },
    { name: 'fractional margin', body: { ...ok, extra_margin: 2.5 }, status: 400, code: 'invalid_input' },
    { name: 'voice typo', body: { ...ok, voice: 'nope' }, status: 400, code: 'invalid_input' },
    { name: 'voice not in NavTalk\'s list', body: { ...ok, voice: 'marin' }, status: 400, code: 'invalid_input' },
    { name: 'unknown parsing mode', body: { ...ok, parsing_mode: 'soft' }, status: 400, code: 'invalid_input' },
    { name: 'unknown key', body: { ...ok, model: 'x' }, status: 400, code: 'invalid_input' },
    { name: 'license in body', body: { ...ok, license: 'sk-stolen' }, status: 400, code: 'invalid_input' },
    { name: 'javascript: URL', body: withUrl('javascript:alert(1)'), status: 400, code: 'invalid_input' },
    { name: 'character not offered', body: { ...ok, character_name: 'navtalk.Ava' }, status: 400, code: 'invalid_input' },
    { name: 'text over MAX_TEXT_LENGTH', body: { ...ok, content: 'y'.repeat(MAX_TEXT_LENGTH + 1) }, status: 400, code: 'invalid_input' },
    { name: 'audio over MAX_AUDIO_BYTES', body: { ...leo, audio_base64: 'A'.repeat(Math.ceil((MAX_AUDIO_BYTES * 4) / 3) + 8) }, status: 400, code: 'invalid_input' },
    ...unsafe.map((url): BadRequest => ({ name: `unsafe ${url}`, body: withUrl(url), status: 400, code: 'unsafe_url' })),
    { name: 'unsigned', body: ok, status: 401, code: 'signature_required' },
    { name: 'forged signature', body: { ...ok, signature: 'A'.repeat(43) }, status: 403, code: 'signature_invalid' },
    { name: 'odd-length signature', body: { ...ok, signature: 'A'.repeat(17) }, status: 403, code: 'signature_invalid' },
    { name: 'signature of other text', body: { ...ok, signature: (await signed({ ...ok, content: 'Other.' })).signature }, status: 403, code: 'signature_invalid' },
    { name: 'signature with a wrong secret', body: await signed(ok, 'not-the-secret'), status: 403, code: 'signature_invalid' },
  ];
}

/** `GET {endpoint}?preview=NAME`, as an `<img>` sends it (no Origin) unless `headers` say otherwise. */
export const previewRequest = (endpoint: string, name: string, headers: Record<string, string> = {}, method = 'GET') =>
  new Request(`${endpoint}?preview=${encodeURIComponent(name)}`, { method, headers });

/** Preview names the protocol's character rule refuses: each is 400 invalid_input, and NavTalk is not asked. */
export const BAD_PREVIEW_NAMES = ['', 'navtalk Leo', '../../etc/passwd', 'navtalk/Leo', '.hidden', 'navtalk.Leo<script>', 'x'.repeat(65)];
/** How the refusal of a bad preview name starts (the rule of character_name, named after the query parameter). */
export const PREVIEW_RULE = 'preview must be a built-in character name such as navtalk.Leo (letters, digits, ".", "_" or "-", at most 64)';

/** Builds the Request for a bad request against `endpoint`. */
export function requestFor(endpoint: string, bad: BadRequest): Request {
  const origin = bad.origin === undefined ? ORIGIN : bad.origin;
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(origin ? { origin } : {}), ...bad.headers };
  const method = bad.method ?? 'POST';
  const hasBody = method !== 'GET' && method !== 'DELETE';
  const text = bad.raw ?? JSON.stringify(bad.body);
  const bytes = new TextEncoder().encode(text);
  const body = bad.stream
    ? new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 1024) controller.enqueue(bytes.slice(at, at + 1024));
        controller.close();
      },
    })
    : text;
  // `duplex` is required by Node for a stream body and not yet in the DOM typings.
  return new Request(endpoint, { method, headers, ...(hasBody ? { body, duplex: 'half' } : {}) } as RequestInit);
}

/** Keeps the text of every response so a suite can prove no secret ever left the proxy. */
export class ResponseLog {
  readonly entries: string[] = [];

  async keep(response: Response): Promise<Response> {
    const text = await response.clone().text();
    const headers = [...response.headers].map(([k, v]) => `${k}: ${v}`).join('\n');
    this.entries.push(`${response.status}\n${headers}\n\n${text}`);
    return response;
  }

  /**
   * The responses that carry the key, or an upstream task id anywhere but inside a video URL NavTalk itself
   * handed out (NavTalk may name its files after its tasks; the URL has to reach the browser), as `video_url` or
   * as the `Location` of a `?script=` redirect.
   */
  leaks(key: string, upstreamIds: string[]): string[] {
    return this.entries.filter((entry) => {
      if (entry.includes(key)) return true;
      const outsideVideoUrls = entry.replace(/"video_url":"[^"]*"/g, '').replace(/^location: .*$/gm, '');
      return upstreamIds.some((id) => outsideVideoUrls.includes(id));
    });
  }
}
