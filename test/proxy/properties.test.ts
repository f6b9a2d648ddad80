import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, errorBodySchema, FIELDS, PROXY_TO_ELEMENT_CODE, unsignedBody, VOICES } from '../../src/protocol/index.js';
import { signRequest, taskIdMaker, verifyRequest } from '../../src/proxy/index.js';
import { MAX_AUDIO_BYTES, MAX_BODY_BYTES, MAX_TEXT_LENGTH, ORIGIN, SECRET, signed } from './cases.js';
import { ENDPOINT, makeProxy, useMock } from './harness.js';

const h = useMock();

// Valid building blocks, so each invalid body below is invalid for one reason we chose.
const visual = fc.oneof(
  fc.record({ video_url: fc.webUrl({ validSchemes: ['https'] }).map((u) => `https://cdn.example.com/v/${encodeURIComponent(u)}.mp4`) }),
  fc.record({ image_url: fc.constantFrom('https://cdn.example.com/a.png', 'http://media.example.org/face.jpg') }),
  fc.record({ character_name: fc.constantFrom('navtalk.Leo', 'navtalk.Lily') }),
);
const audio = fc.oneof(
  fc.record({ audio_url: fc.constantFrom('https://cdn.example.com/a.mp3', 'https://x.example.net/b.wav') }),
  fc.record({ audio_base64: fc.base64String({ minLength: 4, maxLength: 64 }).filter((s) => /^[A-Za-z0-9+/]+={0,2}$/.test(s)) }),
  fc.record({ content: fc.string({ minLength: 1, maxLength: 80 }).filter((s) => /\S/.test(s)), voice: fc.constantFrom(...VOICES) }),
);
const validBody = fc.tuple(visual, audio).map(([v, a]) => ({ ...v, ...a }) as Record<string, unknown>);

const notInt = fc.oneof(fc.string(), fc.double({ noInteger: true }), fc.boolean(), fc.constant(null), fc.array(fc.integer()), fc.object());
const notString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string()), fc.object());
const FIELD_NAMES = Object.keys(FIELDS);
const badUrl = fc.oneof(
  fc.constantFrom('javascript:alert(1)', 'file:///etc/passwd', 'ftp://cdn.example.com/a.mp3', 'data:audio/wav;base64,AAAA', '//cdn.example.com/a', 'not a url', ''),
  fc.constantFrom('http://localhost:8080/a', 'http://127.0.0.2/a', 'http://10.9.8.7/a', 'http://[::1]/a', 'http://192.168.0.1/a', 'http://172.31.255.255/a',
    'http://169.254.1.1/a', 'http://[fd12:3456::1]/a', 'http://[fe80::abcd]/a', 'http://nas.local/a', 'http://db.internal/a', 'http://0/a', 'http://017700000001/a'),
  fc.tuple(fc.webSegment(), fc.webSegment()).map(([u, p]) => `https://${u || 'u'}:${p || 'p'}@cdn.example.com/a.mp3`),
);

type Mutation = (body: Record<string, unknown>) => fc.Arbitrary<unknown>;
/** Ways to break a valid body; each yields a body that must be refused. */
const mutations: Mutation[] = [
  // missing sources
  (b) => fc.constant(Object.fromEntries(Object.entries(b).filter(([k]) => !['video_url', 'image_url', 'character_name'].includes(k)))),
  (b) => fc.constant(Object.fromEntries(Object.entries(b).filter(([k]) => !['audio_url', 'audio_base64', 'content', 'voice'].includes(k)))),
  // a second source of the same kind
  (b) => fc.constantFrom(
    ...(['video_url', 'image_url', 'character_name'] as const).filter((k) => !(k in b)).map((k) => ({ ...b, [k]: k === 'character_name' ? 'navtalk.Leo' : 'https://cdn.example.com/2.png' })),
  ),
  (b) => fc.constantFrom(...(['audio_url', 'audio_base64'] as const).filter((k) => !(k in b)).map((k) => ({ ...b, [k]: k === 'audio_url' ? 'https://cdn.example.com/2.mp3' : 'AAAA' }))),
  // voice rules
  (b) => fc.constant('content' in b ? { ...b, voice: undefined } : { ...b, voice: 'echo' }),
  // wrong types
  (b) => fc.tuple(fc.constantFrom(...Object.keys(b)), notString).map(([k, v]) => ({ ...b, [k]: v })),
  (b) => fc.tuple(fc.constantFrom('bbox_shift', 'extra_margin', 'left_cheek_width', 'right_cheek_width'), notInt).map(([k, v]) => ({ ...b, [k]: v })),
  // out of range
  (b) => fc.oneof(
    fc.oneof(fc.integer({ min: 10 }), fc.integer({ max: -10 })).map((v) => ({ ...b, bbox_shift: v })),
    fc.oneof(fc.integer({ min: 51 }), fc.integer({ max: -1 })).map((v) => ({ ...b, extra_margin: v })),
    fc.oneof(fc.integer({ min: 151 }), fc.integer({ max: 49 })).map((v) => ({ ...b, left_cheek_width: v })),
    fc.oneof(fc.integer({ min: 151 }), fc.integer({ max: 49 })).map((v) => ({ ...b, right_cheek_width: v })),
    fc.string().filter((s) => s !== 'jaw' && s !== 'raw').map((v) => ({ ...b, parsing_mode: v })),
  ),
  // unknown keys
  (b) => fc.tuple(fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !FIELD_NAMES.includes(k)), fc.jsonValue()).map(([k, v]) => ({ ...b, [k]: v })),
  (b) => fc.constant({ ...b, license: 'sk-injected' }),
  // bad and unsafe URLs
  (b) => badUrl.map((u) => ({ ...Object.fromEntries(Object.entries(b).filter(([k]) => !['video_url', 'image_url', 'character_name'].includes(k))), image_url: u })),
  (b) => badUrl.map((u) => ({ ...Object.fromEntries(Object.entries(b).filter(([k]) => !['audio_url', 'audio_base64', 'content', 'voice'].includes(k))), audio_url: u })),
  // huge strings and proxy limits
  (b) => fc.integer({ min: MAX_TEXT_LENGTH + 1, max: 3000 }).map((n) => ({ ...b, audio_url: undefined, audio_base64: undefined, content: 'a'.repeat(n), voice: 'echo' })),
  (b) => fc.integer({ min: MAX_BODY_BYTES, max: 4 * MAX_BODY_BYTES }).map((n) => ({ ...b, [Object.keys(b)[0]!]: 'z'.repeat(n) })),
  (b) => fc.constant({ ...b, audio_url: undefined, content: undefined, voice: undefined, audio_base64: 'QUJD'.repeat(Math.ceil(MAX_AUDIO_BYTES / 3) + 1) }),
  (b) => fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s !== 'navtalk.Leo' && s !== 'navtalk.Lily')
    .map((c) => ({ ...b, video_url: undefined, image_url: undefined, character_name: c })),
  // unsigned or wrongly signed (the body is otherwise fine)
  (b) => fc.constant(b),
  (b) => fc.stringMatching(/^[A-Za-z0-9_-]{16,128}$/).map((sig) => ({ ...b, signature: sig })),
];

/** A request body as text: a mutated body, a non-object JSON value, or text that is not JSON at all. */
const invalidText = fc.oneof(
  { weight: 16, arbitrary: fc.tuple(validBody, fc.nat(mutations.length - 1)).chain(([b, i]) => mutations[i]!(b)).map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.string(), fc.boolean(), fc.constant(null), fc.array(fc.jsonValue(), { maxLength: 4 })).map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.string().filter((s) => { try { JSON.parse(s); return false; } catch { return true; } }) },
  { weight: 1, arbitrary: validBody.map((b) => JSON.stringify(b).slice(0, -1)) },
);

describe('property: invalid bodies never reach NavTalk', () => {
  it('answers 10,000 generated invalid bodies with a 4xx, a known code and a message; the mock sees 0 calls', async () => {
    const proxy = makeProxy(h);
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(invalidText, async (text) => {
        const response = await proxy.handler(new Request(ENDPOINT, { method: 'POST', headers: { origin: ORIGIN, 'content-type': 'application/json' }, body: text }));
        const { error } = errorBodySchema.parse(await response.json());
        seen.set(error.code, (seen.get(error.code) ?? 0) + 1);
        return response.status >= 400 && response.status < 500 && error.code in PROXY_TO_ELEMENT_CODE && error.message.length > 10;
      }),
      { numRuns: 10_000 },
    );
    expect(h.mock.calls).toEqual([]);
    // Every family of refusal was exercised.
    expect([...seen.keys()].sort()).toEqual(
      ['invalid_input', 'invalid_json', 'payload_too_large', 'signature_invalid', 'signature_required', 'unsafe_url'],
    );
  });
});

describe('property: canonical JSON, signatures and task ids', () => {
  const shuffled = (b: Record<string, unknown>) => Object.fromEntries(Object.entries(b).reverse());

  it('canonical JSON is idempotent and ignores key order', () => {
    fc.assert(fc.property(fc.jsonValue(), validBody, (value, body) => {
      const once = canonicalJson(value);
      return canonicalJson(JSON.parse(once)) === once && canonicalJson(shuffled(body)) === canonicalJson(body);
    }), { numRuns: 500 });
  });

  it('sign then verify round-trips with the current or previous secret; any change to a field breaks it', async () => {
    await fc.assert(fc.asyncProperty(validBody, fc.string({ minLength: 1, maxLength: 4 }), async (body, extra) => {
      const signature = await signRequest(body, SECRET);
      const ok = await verifyRequest({ ...shuffled(body), signature }, ['other', SECRET]);
      const key = Object.keys(body)[0]!;
      const tampered = await verifyRequest({ ...body, [key]: `${String(body[key])}${extra}`, signature }, [SECRET]);
      const wrongSecret = await verifyRequest({ ...body, signature }, ['not-' + SECRET]);
      return ok && !tampered && !wrongSecret;
    }), { numRuns: 300 });
  });

  it('task ids: same canonical body -> same id (signature ignored); different body or key -> different id', async () => {
    const idA = taskIdMaker('sk-a');
    const idB = taskIdMaker('sk-b');
    await fc.assert(fc.asyncProperty(validBody, validBody, async (x, y) => {
      const [x1, x2, y1, xb] = await Promise.all([idA(x as never), idA((await signed(shuffled(x))) as never), idA(y as never), idB(x as never)]);
      const same = canonicalJson(unsignedBody(x)) === canonicalJson(unsignedBody(y));
      return x1 === x2 && /^[A-Za-z0-9_-]{43}$/.test(x1) && (x1 === y1) === same && xb !== x1;
    }), { numRuns: 300 });
  });
});
