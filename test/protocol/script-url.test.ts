// scriptUrl (what the element loads) and readScriptParam (what the proxy reads back): the same request both ways, and
// nothing else read back.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_SCRIPT_URL_LENGTH, QUERY, readScriptParam, scriptUrl, type GenerateRequest } from '../../src/protocol/index.js';

const ENDPOINT = 'https://proxy.example/api/navtalk';
const SIGNATURE = 'Zq2-7wCeW4sP5v3w0vKx2o9qk1x7Xn0aC1mFQ8kz3Jw';
const b64url = (text: string | Uint8Array) => Buffer.from(text).toString('base64url');

/** The `?script=` value of a script URL. */
const paramOf = (url: string) => new URL(url).searchParams.get(QUERY.script)!;

describe('scriptUrl and readScriptParam', () => {
  it.each<[string, GenerateRequest]>([
    ['ASCII text', { character_name: 'navtalk.Leo', content: 'Welcome to our shop!', voice: 'echo' }],
    ['CJK text and an emoji', { character_name: 'navtalk.Lily', content: '欢迎光临！今日は。안녕하세요 👋🏽', voice: 'nova' }],
    ['a signature and tuning numbers', {
      image_url: 'https://cdn.example.com/a b/é.png?x=1&y=2', audio_url: 'https://cdn.example.com/hi.mp3',
      bbox_shift: -3, extra_margin: 20, parsing_mode: 'raw', left_cheek_width: 80, right_cheek_width: 120, signature: SIGNATURE,
    }],
  ])('round-trips %s: the same request, types and all', (_, request) => {
    const url = scriptUrl(ENDPOINT, request)!;
    expect(url.startsWith(`${ENDPOINT}?${QUERY.script}=`)).toBe(true);
    const param = paramOf(url);
    expect(param).toMatch(/^[A-Za-z0-9_-]+$/); // base64url, no padding: nothing to percent-encode
    expect(url).toBe(`${ENDPOINT}?${QUERY.script}=${param}`);
    expect(readScriptParam(param)).toEqual(request);
  });

  it('keeps the endpoint\'s own query', () => {
    const request = { character_name: 'navtalk.Leo', content: 'Hi', voice: 'echo' };
    const url = scriptUrl('https://site.example/proxy?tenant=a', request)!;
    expect(new URL(url).searchParams.get('tenant')).toBe('a');
    expect(readScriptParam(paramOf(url))).toEqual(request);
  });

  it('round-trips any text (every code point) while the URL fits', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.option(fc.constant(SIGNATURE)), (content, signature) => {
      const request: GenerateRequest = { character_name: 'navtalk.Leo', content, voice: 'echo', ...(signature ? { signature } : {}) };
      const url = scriptUrl(ENDPOINT, request);
      // 300 code points are at most 1200 bytes of UTF-8 (JSON escapes of control characters: 6 each): always fits.
      expect(url).not.toBeNull();
      expect(readScriptParam(paramOf(url!))).toEqual(request);
    }), { numRuns: 200 });
  });

  it('is null for audio_base64 and for a URL over MAX_SCRIPT_URL_LENGTH; the longest that fits is kept', () => {
    expect(scriptUrl(ENDPOINT, { character_name: 'navtalk.Leo', audio_base64: 'UklGRiQAAABXQVZF' })).toBeNull();
    // Each CJK character is 3 bytes of UTF-8, 4 characters of base64url.
    const cjk = (n: number): GenerateRequest => ({ character_name: 'navtalk.Leo', content: '字'.repeat(n), voice: 'echo' });
    const lengths = Array.from({ length: 2000 }, (_, n) => scriptUrl(ENDPOINT, cjk(n + 1))?.length ?? null);
    const last = lengths.indexOf(null) - 1;
    expect(last).toBeGreaterThan(0);
    expect(lengths.slice(0, last + 1).every((length) => length !== null && length <= MAX_SCRIPT_URL_LENGTH)).toBe(true);
    expect(lengths.slice(last + 1).every((length) => length === null)).toBe(true);
    expect(lengths[last]).toBeGreaterThan(MAX_SCRIPT_URL_LENGTH - 4);
    expect(readScriptParam(paramOf(scriptUrl(ENDPOINT, cjk(last + 1))!))).toEqual(cjk(last + 1));
  });

  it('reads any JSON value (the proxy then checks it as a POST body), BOM and all, as a POST does', () => {
    expect(readScriptParam(b64url('null'))).toBeNull();
    expect(readScriptParam(b64url('"hello"'))).toBe('hello');
    expect(readScriptParam(b64url('[1,2]'))).toEqual([1, 2]);
    expect(readScriptParam(b64url('\uFEFF{"a":1}'))).toEqual({ a: 1 });
  });

  it.each<[string, string]>([
    ['an empty value', ''],
    ['a length no base64 has (4n+1)', `${b64url('{"a":123}')}A`],
    ['padding', Buffer.from('{"a":12}').toString('base64')],
    // Both of these are the base64 (not base64url) of JSON, which atob alone would read.
    ['standard base64 (+)', Buffer.from('{"a":"~~~"}').toString('base64').replace(/=+$/, '')],
    ['standard base64 (/)', Buffer.from('{"a":"???"}').toString('base64').replace(/=+$/, '')],
    ['a space inside', `${b64url('{"a":123}').slice(0, 4)} ${b64url('{"a":123}').slice(4)}`],
    ['percent-encoded text', encodeURIComponent('{"a":1}')],
    ['bytes that are not UTF-8', b64url(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]))],
    ['a lone surrogate in UTF-8 (CESU)', b64url(new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22]))],
    ['text that is not JSON', b64url('hello')],
    ['truncated JSON', b64url('{"character_name":"navtalk.Leo",')],
    ['valid JSON longer than any script URL', b64url(`{"a":1}${' '.repeat(MAX_SCRIPT_URL_LENGTH)}`)],
  ])('refuses %s', (_, value) => {
    expect(readScriptParam(value)).toBeUndefined();
  });

  it('refuses by length alone: the same JSON is read when it fits', () => {
    const fits = `{"a":1}${' '.repeat(((MAX_SCRIPT_URL_LENGTH / 4) * 3) - 7)}`;
    expect(b64url(fits).length).toBe(MAX_SCRIPT_URL_LENGTH);
    expect(readScriptParam(b64url(fits))).toEqual({ a: 1 });
    expect(readScriptParam(b64url(`${fits} `))).toBeUndefined();
  });
});
