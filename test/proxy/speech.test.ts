import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AUDIO_HEAD_BYTES, audioSeconds, fetchAudioHead, taskFeatures, textSeconds } from '../../src/proxy/speech.js';
import { startMockNavTalk } from '../../src/mock/server.js';

const sample = (name: string) => new Uint8Array(readFileSync(new URL(`../../src/mock/samples/${name}`, import.meta.url)));
const WAV = sample('voice.wav');
const MP3 = sample('voice.mp3');
/** What the WAV's own header says (frames / rate), checked with Python's wave module when the samples were made. */
const VOICE_SECONDS = 6.83;
const noAudio = async () => null;

describe('speech length from a request', () => {
  it('reads text at about 150 words a minute, CJK characters as syllables, punctuation as nothing', () => {
    expect(textSeconds(Array(150).fill('word').join(' '))).toBeCloseTo(60);
    expect(textSeconds('Hello, world!  — ...')).toBeCloseTo(0.8);
    expect(textSeconds('欢迎光临本店')).toBeCloseTo(1.5);
    expect(textSeconds('Welcome 欢迎')).toBeCloseTo(0.9);
    expect(textSeconds('   ')).toBe(0);
  });

  it('reads a WAV from its header and an MP3 from its Info frame, also from just the first bytes and the size', () => {
    expect(audioSeconds(WAV, WAV.length)).toBeCloseTo(VOICE_SECONDS, 1);
    expect(audioSeconds(MP3, MP3.length)).toBeCloseTo(VOICE_SECONDS, 0);
    expect(audioSeconds(WAV.subarray(0, AUDIO_HEAD_BYTES), WAV.length)).toBeCloseTo(VOICE_SECONDS, 1);
    expect(audioSeconds(MP3.subarray(0, AUDIO_HEAD_BYTES), MP3.length)).toBeCloseTo(VOICE_SECONDS, 0);
  });

  it('a streamed WAV (data length unset) is read by its size; an MP3 without a VBR tag by its bit rate', () => {
    const streamed = WAV.slice();
    const dataAt = Buffer.from(streamed).indexOf('data');
    new DataView(streamed.buffer).setUint32(dataAt + 4, 0xffffffff, true);
    expect(audioSeconds(streamed, streamed.length)).toBeCloseTo(VOICE_SECONDS, 1);
    // The same MP3 with its Info tag renamed: counted from the first frame's bit rate and the file's size.
    const plain = MP3.slice();
    const info = Buffer.from(plain).indexOf('Info');
    plain.set([0x58, 0x58, 0x58, 0x58], info);
    expect(audioSeconds(plain, plain.length)).toBeGreaterThan(VOICE_SECONDS * 0.8);
    expect(audioSeconds(plain, plain.length)).toBeLessThan(VOICE_SECONDS * 1.3);
  });

  it('any other bytes count as 128 kbit/s, and no bytes make it throw', () => {
    expect(audioSeconds(new Uint8Array([1, 2, 3]), 160_000)).toBe(10);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(10_000_000), (bytes, size) => {
      const seconds = audioSeconds(bytes, size);
      return Number.isFinite(seconds) && seconds >= 0;
    }));
    // Headers that claim more than they hold.
    const riff = new TextEncoder().encode('RIFF\0\0\0\0WAVEfmt \xff\xff\xff\xff');
    expect(Number.isFinite(audioSeconds(riff, 1000))).toBe(true);
    expect(Number.isFinite(audioSeconds(new Uint8Array([0x49, 0x44, 0x33, 4, 0, 0, 0x7f, 0x7f, 0x7f, 0x7f, 0xff, 0xfb]), 1000))).toBe(true);
  });

  it('features: the kind of face, and the speech of text, audio_base64 or (with one ranged GET) audio_url', async () => {
    expect(await taskFeatures({ character_name: 'navtalk.Leo', content: 'one two three four five', voice: 'echo' }, noAudio))
      .toEqual({ face: 'character', speechSeconds: 2 });
    const base64 = Buffer.from(WAV).toString('base64');
    const fromBase64 = await taskFeatures({ image_url: 'https://cdn.example/face.png', audio_base64: base64 }, noAudio);
    expect(fromBase64.face).toBe('image');
    expect(fromBase64.speechSeconds).toBeCloseTo(VOICE_SECONDS, 1);

    const mock = await startMockNavTalk();
    try {
      const url = `${mock.url}/samples/voice.mp3`;
      const head = await fetchAudioHead(fetch, url, 2000);
      expect(head!.size).toBe(MP3.length);
      expect(head!.head.length).toBeLessThanOrEqual(AUDIO_HEAD_BYTES);
      const features = await taskFeatures({ video_url: 'https://cdn.example/me.mp4', audio_url: url }, (u) => fetchAudioHead(fetch, u, 2000));
      expect(features.face).toBe('video');
      expect(features.speechSeconds).toBeCloseTo(VOICE_SECONDS, 0);
      // A file that cannot be had: the length is unknown, not a failure.
      const missing = await taskFeatures({ video_url: 'https://cdn.example/me.mp4', audio_url: `${mock.url}/samples/none.mp3` }, (u) => fetchAudioHead(fetch, u, 2000));
      expect(missing).toEqual({ face: 'video', speechSeconds: null });
    } finally {
      await mock.close();
    }
  });
});
