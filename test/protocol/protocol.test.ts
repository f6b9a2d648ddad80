import { describe, expect, it } from 'vitest';
import {
  AUDIO_FIELDS, VISUAL_FIELDS, attributeOf, canonicalJson, methodNumber, requestFromAttributes,
  requestFromFields, unsignedBody, validateGenerateRequest, DEFAULT_VOICES, characterPreviewUrl, previewProblem, previewUrl,
} from '../../src/protocol/index.js';

const VISUAL = { video_url: 'https://cdn.example.com/me.mp4', image_url: 'https://cdn.example.com/me.png', character_name: 'navtalk.Leo' };
const AUDIO = { audio_url: 'https://cdn.example.com/hi.mp3', audio_base64: 'UklGRiQAAABXQVZF', content: 'Welcome!' };

describe('validateGenerateRequest', () => {
  it('accepts each of the 9 methods and numbers them 1-9', () => {
    const numbers: number[] = [];
    for (const v of VISUAL_FIELDS) {
      for (const a of AUDIO_FIELDS) {
        const body = { [v]: VISUAL[v], [a]: AUDIO[a], ...(a === 'content' ? { voice: 'echo' } : {}) };
        const result = validateGenerateRequest(body);
        expect(result.ok, JSON.stringify(result)).toBe(true);
        if (result.ok) numbers.push(methodNumber(result.value));
      }
    }
    expect(numbers).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it.each([
    [{ content: 'Hi', voice: 'echo' }, 'Set one visual source: video-url, image-url or character.'],
    [{ character_name: 'navtalk.Leo' }, 'Set one audio source: audio-url, audio-base64 or text.'],
    [{ ...VISUAL, content: 'Hi', voice: 'echo' }, 'Set only one visual source, not both video-url, image-url and character.'],
    [{ character_name: 'navtalk.Leo', content: 'Hi' }, 'voice is required with text'],
    [{ character_name: 'navtalk.Leo', audio_url: AUDIO.audio_url, voice: 'echo' }, 'voice only applies with text.'],
    [{ character_name: 'navtalk.Leo', audio_url: 'javascript:alert(1)' }, 'audio-url must be an absolute http(s) URL'],
    [{ character_name: 'navtalk.Leo', audio_url: AUDIO.audio_url, bbox_shift: 10 }, 'bbox-shift must be a whole number from -9 to 9 (got 10).'],
    [{ character_name: 'navtalk.Leo', audio_url: AUDIO.audio_url, extra_margin: 1.5 }, 'extra-margin must be a whole number from 0 to 50'],
    [{ character_name: 'navtalk.Leo', audio_url: AUDIO.audio_url, left_cheek_width: 49 }, 'left-cheek-width must be a whole number from 50 to 150'],
    [{ character_name: 'navtalk.Leo', audio_url: AUDIO.audio_url, right_cheek_width: 151 }, 'right-cheek-width must be a whole number from 50 to 150'],
    [{ character_name: 'navtalk.Leo', audio_url: AUDIO.audio_url, parsing_mode: 'soft' }, 'parsing-mode must be jaw or raw (got "soft").'],
    [{ character_name: 'navtalk.Leo', content: '   ', voice: 'echo' }, 'text must be text of 1 to 2000 characters'],
    [{ character_name: 'navtalk.Leo', audio_base64: 'not base64!' }, 'audio-base64 must be the base64 text'],
  ])('rejects %j naming the attribute', (body, message) => {
    const result = validateGenerateRequest(body, attributeOf);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(message);
  });

  it('takes only NavTalk\'s 11 voices, naming them; a caller\'s list replaces them (a voice NavTalk added later)', () => {
    const typo = validateGenerateRequest({ character_name: 'navtalk.Leo', content: 'Hi', voice: 'nope' }, attributeOf);
    expect(!typo.ok && typo.message).toBe(
      'voice must be one of alloy, ash, ballad, coral, echo, fable, onyx, nova, sage, shimmer, verse (got "nope").');
    expect(validateGenerateRequest({ character_name: 'navtalk.Leo', content: 'Hi', voice: 'Echo' }).ok).toBe(false);
    const extended = new Set([...DEFAULT_VOICES, 'marin']);
    expect(validateGenerateRequest({ character_name: 'navtalk.Leo', content: 'Hi', voice: 'marin' }, attributeOf, extended).ok).toBe(true);
    expect(validateGenerateRequest({ character_name: 'navtalk.Leo', content: 'Hi', voice: 'marin' }).ok).toBe(false);
    const missing = validateGenerateRequest({ character_name: 'navtalk.Leo', content: 'Hi' }, attributeOf, new Set(['echo', 'marin']));
    expect(!missing.ok && missing.message).toBe('voice is required with text: it must be one of echo, marin.');
  });

  it('names JSON keys by default and refuses a license or unknown field', () => {
    const bad = validateGenerateRequest({ character_name: 'navtalk.Leo', content: 'Hi', voice: 'echo', bbox_shift: 99 });
    expect(!bad.ok && bad.message).toMatch(/^bbox_shift must be/);
    const license = validateGenerateRequest({ character_name: 'navtalk.Leo', content: 'Hi', voice: 'echo', license: 'sk-1' });
    expect(!license.ok && license.message).toMatch(/proxy adds the NavTalk key/);
    expect(validateGenerateRequest({ character_name: 'navtalk.Leo', content: 'Hi', voice: 'echo', extra: 1 }).ok).toBe(false);
    expect(validateGenerateRequest([1, 2]).ok).toBe(false);
    expect(validateGenerateRequest(null).ok).toBe(false);
  });

  it('refuses a field whose JSON value has no primitive form without throwing (found by the proxy\'s property test)', () => {
    for (const value of [{ toString: [] }, { valueOf: 1, toString: {} }, Object.create(null)]) {
      const result = validateGenerateRequest({ video_url: value, content: 'Hi', voice: 'sage' });
      expect(!result.ok && result.message).toBe('video_url must be an absolute http(s) URL of a public MP4 or MOV video.');
    }
  });
});

describe('requestFromFields / requestFromAttributes', () => {
  it('turns attribute strings into JSON numbers, drops empties and voice without text', () => {
    expect(requestFromFields({ character_name: 'navtalk.Leo', audio_url: AUDIO.audio_url, voice: 'echo', bbox_shift: ' -3 ', image_url: '' }))
      .toEqual({ character_name: 'navtalk.Leo', audio_url: AUDIO.audio_url, bbox_shift: -3 });
    const attrs: Record<string, string> = { character: 'navtalk.Leo', text: 'Hi', voice: 'echo', 'extra-margin': '20', 'parsing-mode': 'raw' };
    expect(requestFromAttributes((n) => attrs[n])).toEqual({ character_name: 'navtalk.Leo', content: 'Hi', voice: 'echo', extra_margin: 20, parsing_mode: 'raw' });
  });

  it('keeps unparseable numbers so validation can name them', () => {
    const result = validateGenerateRequest(requestFromFields({ character_name: 'a', audio_url: AUDIO.audio_url, bbox_shift: '2.5' }), attributeOf);
    expect(!result.ok && result.message).toBe('bbox-shift must be a whole number from -9 to 9 (got "2.5").');
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every level, drops whitespace and NFC-normalizes strings', () => {
    expect(canonicalJson({ b: 1, a: { d: 'e\u0301', c: [3, { z: 1, y: 2 }] } })).toBe('{"a":{"c":[3,{"y":2,"z":1}],"d":"\u00e9"},"b":1}');
    expect(canonicalJson({ content: 'Caf\u0065\u0301' })).toBe(canonicalJson({ content: 'Caf\u00e9' }));
  });

  it('is idempotent and ignores the signature via unsignedBody', () => {
    const body = { voice: 'echo', content: 'Hi', character_name: 'navtalk.Leo', signature: 'x'.repeat(43) };
    const once = canonicalJson(unsignedBody(body));
    expect(canonicalJson(JSON.parse(once))).toBe(once);
    expect(once).toBe('{"character_name":"navtalk.Leo","content":"Hi","voice":"echo"}');
  });
});

describe('character previews', () => {
  it('a proxy serves them at {endpoint}?preview=NAME, beside any query the endpoint already has', () => {
    expect(previewUrl('https://proxy.example/', 'navtalk.Leo')).toBe('https://proxy.example/?preview=navtalk.Leo');
    expect(previewUrl('https://site.example/api/navtalk?site=2', 'girl2')).toBe('https://site.example/api/navtalk?site=2&preview=girl2');
  });

  it('names follow the rule of character_name, named after the query parameter', () => {
    for (const name of ['navtalk.Leo', 'girl2', 'a', `a${'b'.repeat(63)}`]) expect(previewProblem(name), name).toBeUndefined();
    expect(previewProblem('navtalk Leo')).toBe(
      'preview must be a built-in character name such as navtalk.Leo (letters, digits, ".", "_" or "-", at most 64) (got "navtalk Leo").');
    for (const name of ['', '.hidden', 'a/b', `a${'b'.repeat(64)}`]) expect(previewProblem(name), name).toMatch(/^preview must be/);
    // The same rule as the request field: what one accepts, the other does.
    expect(validateGenerateRequest({ character_name: 'navtalk Leo', content: 'Hi', voice: 'echo' })).toMatchObject({ ok: false, field: 'character_name' });
  });

  it("NavTalk's own preview stills are on its API host, or a stand-in's base", () => {
    expect(characterPreviewUrl('navtalk.Leo')).toBe('https://api.navtalk.ai/uploadFiles/navtalk.Leo.png');
    expect(characterPreviewUrl('navtalk.Leo', 'http://127.0.0.1:8790')).toBe('http://127.0.0.1:8790/uploadFiles/navtalk.Leo.png');
  });
});
