// /samples/<file>, /videos/<task_id>.mp4 and /uploadFiles/<character>.png: real files, HTTP Range (206, 416), HEAD, CORS, the video 404 fault.
import { describe, expect, it } from 'vitest';
import { MOCK_CHARACTERS, SAMPLE_TYPES } from '../../src/mock/server.js';
import { createTask, manualClock, sample, startMock, statusOf } from './helpers.js';

const bytes = async (res: Response) => Buffer.from(await res.arrayBuffer());

describe('GET /samples/<file>', () => {
  it.each(Object.entries(SAMPLE_TYPES))('%s: 200, %s, the whole file, CORS *, Accept-Ranges', async (name, type) => {
    const mock = await startMock();
    const res = await fetch(`${mock.url}/samples/${name}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(type);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    const file = sample(name);
    expect(res.headers.get('content-length')).toBe(String(file.length));
    expect((await bytes(res)).equals(file)).toBe(true);
  });

  it('committed media are real: an MP4 with H.264 and faststart, a PNG, a 16 kHz mono WAV, an MP3', () => {
    const avatar = sample('avatar.mp4');
    expect(avatar.subarray(4, 8).toString('latin1')).toBe('ftyp');
    expect(avatar.includes('avc1')).toBe(true);
    expect(avatar.indexOf('moov')).toBeLessThan(avatar.indexOf('mdat'));
    expect(avatar.length).toBeLessThan(400 * 1024);
    expect(sample('face.png').subarray(1, 4).toString('latin1')).toBe('PNG');
    const wav = sample('voice.wav');
    expect(wav.subarray(8, 12).toString('latin1')).toBe('WAVE');
    expect(wav.readUInt16LE(22)).toBe(1); // channels
    expect(wav.readUInt32LE(24)).toBe(16000); // sample rate
    const mp3 = sample('voice.mp3');
    expect(mp3.subarray(0, 3).toString('latin1') === 'ID3' || mp3[0] === 0xff).toBe(true);
  });

  describe('Range', () => {
    const file = sample('avatar.mp4');
    const size = file.length;
    it.each([
      ['bytes=0-99', 0, 99],
      ['bytes=1000-', 1000, size - 1],
      ['bytes=-500', size - 500, size - 1],
      ['bytes=100-99999999', 100, size - 1],
      [`bytes=${size - 1}-${size - 1}`, size - 1, size - 1],
      [`bytes=-${size + 10}`, 0, size - 1],
    ])('%s -> 206 with the matching slice', async (range, start, end) => {
      const mock = await startMock();
      const res = await fetch(`${mock.url}/samples/avatar.mp4`, { headers: { Range: range } });
      expect(res.status).toBe(206);
      expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/${size}`);
      expect(res.headers.get('content-length')).toBe(String(end - start + 1));
      expect(res.headers.get('content-type')).toBe('video/mp4');
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect((await bytes(res)).equals(file.subarray(start, end + 1))).toBe(true);
    });

    it.each([`bytes=${size}-`, `bytes=${size + 100}-${size + 200}`, 'bytes=-0'])(
      '%s -> 416 with Content-Range bytes */size',
      async (range) => {
        const mock = await startMock();
        const res = await fetch(`${mock.url}/samples/avatar.mp4`, { headers: { Range: range } });
        expect(res.status).toBe(416);
        expect(res.headers.get('content-range')).toBe(`bytes */${size}`);
        expect(res.headers.get('access-control-allow-origin')).toBe('*');
      },
    );

    it.each(['bytes=9-1', 'bytes=0-1,5-6', 'items=0-9', 'bytes=-'])('an invalid or multiple range (%s) is ignored: 200', async (range) => {
      const mock = await startMock();
      const res = await fetch(`${mock.url}/samples/avatar.mp4`, { headers: { Range: range } });
      expect(res.status).toBe(200);
      expect((await bytes(res)).length).toBe(size);
    });
  });

  it('HEAD answers the headers without a body, with or without Range', async () => {
    const mock = await startMock();
    const size = sample('voice.mp3').length;
    const head = await fetch(`${mock.url}/samples/voice.mp3`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(size));
    expect(head.headers.get('accept-ranges')).toBe('bytes');
    expect((await bytes(head)).length).toBe(0);
    const partial = await fetch(`${mock.url}/samples/voice.mp3`, { method: 'HEAD', headers: { Range: 'bytes=10-19' } });
    expect(partial.status).toBe(206);
    expect(partial.headers.get('content-length')).toBe('10');
    expect(partial.headers.get('content-range')).toBe(`bytes 10-19/${size}`);
  });

  it('answers a CORS preflight, refuses other methods (405) and unknown or escaping names (404)', async () => {
    const mock = await startMock();
    const preflight = await fetch(`${mock.url}/samples/avatar.mp4`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('Range');
    expect((await fetch(`${mock.url}/samples/avatar.mp4`, { method: 'POST' })).status).toBe(405);
    for (const name of ['nope.mp4', '..%2Fserver.ts', '%2e%2e%2fcli.ts', 'samples']) {
      const res = await fetch(`${mock.url}/samples/${name}`);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: 'sample not found' });
    }
  });
});

describe('GET /videos/<task_id>.mp4', () => {
  it('serves the talking video of a done task, with Range; 404 before it is done or for unknown tasks', async () => {
    const clock = manualClock();
    const mock = await startMock({ now: clock.now });
    const id = await createTask(mock);
    expect((await fetch(`${mock.url}/videos/${id}.mp4`)).status).toBe(404);
    clock.advance(60);
    const { video_url } = (await statusOf(mock, id)) as { video_url: string };
    const res = await fetch(video_url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('video/mp4');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect((await bytes(res)).equals(sample('avatar.mp4'))).toBe(true);
    const part = await fetch(video_url, { headers: { Range: 'bytes=0-1023' } });
    expect(part.status).toBe(206);
    expect((await bytes(part)).equals(sample('avatar.mp4').subarray(0, 1024))).toBe(true);
    for (const path of ['00000000-0000-4000-8000-000000000000.mp4', `${id}.webm`, id]) {
      expect((await fetch(`${mock.url}/videos/${path}`)).status).toBe(404);
    }
  });

  it("the video '404' fault hides every video until it is cleared", async () => {
    const mock = await startMock();
    const id = await createTask(mock);
    mock.complete(id);
    mock.configure({ faults: { video: '404' } });
    const res = await fetch(`${mock.url}/videos/${id}.mp4`);
    expect(res.status).toBe(404);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await statusOf(mock, id)).toMatchObject({ status: 'done' });
    mock.configure({ faults: { video: undefined } });
    expect((await fetch(`${mock.url}/videos/${id}.mp4`)).status).toBe(200);
  });

  it('a failed task has no video', async () => {
    const mock = await startMock();
    const id = await createTask(mock);
    mock.complete(id, 'failed');
    expect((await fetch(`${mock.url}/videos/${id}.mp4`)).status).toBe(404);
  });
});

describe('GET /uploadFiles/<character_name>.png', () => {
  it('every built-in character has a real PNG preview, without a license, and each fetch is recorded', async () => {
    const mock = await startMock();
    for (const name of MOCK_CHARACTERS) {
      const res = await fetch(`${mock.url}/uploadFiles/${name}.png`);
      expect(res.status, name).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/png');
      expect((await bytes(res)).equals(sample('face.png'))).toBe(true);
    }
    expect(mock.calls.map((c) => c.path)).toEqual(MOCK_CHARACTERS.map((name) => `/uploadFiles/${name}.png`));
  });

  it('an unknown character, or a name without .png, is 404', async () => {
    const mock = await startMock();
    for (const path of ['navtalk.Nobody.png', 'navtalk.Leo', 'navtalk.Leo.jpg', '..%2Fserver.ts']) {
      const res = await fetch(`${mock.url}/uploadFiles/${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.json()).toEqual({ error: 'file not found' });
    }
  });

  it("the preview faults: '503' answers 503, 'html' a 200 HTML page, until cleared", async () => {
    const mock = await startMock();
    const url = `${mock.url}/uploadFiles/navtalk.Leo.png`;
    mock.configure({ faults: { preview: '503' } });
    expect((await fetch(url)).status).toBe(503);
    mock.configure({ faults: { preview: 'html' } });
    const html = await fetch(url);
    expect([html.status, html.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    expect(await html.text()).toContain('<title>Maintenance</title>');
    mock.configure({ faults: { preview: undefined } });
    expect((await fetch(url)).headers.get('content-type')).toBe('image/png');
    expect(() => mock.configure({ faults: { preview: '500' as never } })).toThrow('faults.preview must be one of 503, html');
  });
});
