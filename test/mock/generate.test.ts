// POST /generate follows shared/navtalk-api.md: the success shape, the license, the 9 methods and the
// checks of types and tuning ranges, all made by the mock itself.
import { describe, expect, it } from 'vitest';
import { MOCK_LICENSE } from '../../src/mock/server.js';
import { postGenerate, queryStatus, sample, startMock, validBody } from './helpers.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('POST /generate', () => {
  it('answers 200 {status: "started", task_id: <uuid v4>} and records the call as received', async () => {
    // Still `started` when read back, however slowly a loaded machine runs the test.
    const mock = await startMock({ timing: { processingAfterMs: 60_000, doneAfterMs: 120_000 } });
    const body = validBody(mock);
    const res = await postGenerate(mock, body);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const json = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual(['status', 'task_id']);
    expect(json.status).toBe('started');
    expect(json.task_id).toMatch(UUID_V4);
    expect(mock.calls).toEqual([{ method: 'POST', path: '/generate', query: {}, body, at: expect.any(Number) }]);
    expect(mock.tasks()).toEqual([
      { task_id: json.task_id, status: 'started', created_at: expect.any(Number), request: body },
    ]);
  });

  it('gives every task its own id', async () => {
    const mock = await startMock();
    const ids = await Promise.all([1, 2, 3].map(async () => {
      const res = await postGenerate(mock, validBody(mock));
      return ((await res.json()) as { task_id: string }).task_id;
    }));
    expect(new Set(ids).size).toBe(3);
  });

  it('accepts only its license: missing or wrong -> 401 {"error":"invalid license"}, before any other check', async () => {
    const mock = await startMock();
    expect(mock.license).toBe(MOCK_LICENSE);
    const { license: _, ...unlicensed } = validBody(mock);
    for (const body of [unlicensed, validBody(mock, { license: 'sk_wrong' }), { license: 'sk_wrong', voice: 42 }]) {
      const res = await postGenerate(mock, body);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: 'invalid license' });
    }
    expect(mock.tasks()).toEqual([]);
  });

  it('accepts a license given at start instead of the default', async () => {
    const mock = await startMock({ license: 'sk_navtalk_other' });
    expect((await postGenerate(mock, validBody(mock))).status).toBe(200);
    expect((await postGenerate(mock, { ...validBody(mock), license: MOCK_LICENSE })).status).toBe(401);
  });

  describe('accepts each of the 9 methods', () => {
    const visuals = {
      video_url: (url: string) => ({ video_url: `${url}/samples/source.mp4` }),
      image_url: (url: string) => ({ image_url: `${url}/samples/face.png` }),
      character_name: () => ({ character_name: 'navtalk.Leo' }),
    };
    const audios = {
      audio_url: (url: string) => ({ audio_url: `${url}/samples/voice.mp3` }),
      audio_base64: () => ({ audio_base64: sample('voice.wav').subarray(0, 3000).toString('base64') }),
      'content+voice': () => ({ content: 'Welcome to our shop.', voice: 'nova' }),
    };
    const methods = Object.entries(visuals).flatMap(([v, visual]) =>
      Object.entries(audios).map(([a, audio]) => ({ name: `${v} x ${a}`, visual, audio })));

    it.each(methods)('$name', async ({ visual, audio }) => {
      const mock = await startMock();
      const body = { license: mock.license, ...visual(mock.url), ...audio(mock.url) };
      const res = await postGenerate(mock, body);
      expect(res.status).toBe(200);
      expect(mock.tasks()[0]?.request).toEqual(body);
    });
  });

  it('accepts the tuning parameters at the ends of their ranges', async () => {
    const mock = await startMock();
    const ends = [
      { bbox_shift: -9, extra_margin: 0, left_cheek_width: 50, right_cheek_width: 50, parsing_mode: 'jaw' },
      { bbox_shift: 9, extra_margin: 50, left_cheek_width: 150, right_cheek_width: 150, parsing_mode: 'raw' },
    ];
    for (const tuning of ends) expect((await postGenerate(mock, validBody(mock, tuning))).status).toBe(200);
    expect(mock.tasks()).toHaveLength(2);
  });

  describe('refuses invalid bodies with 400 {error} naming the problem, and creates no task', () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['no visual source', { image_url: undefined }, 'video_url, image_url, character_name'],
      ['two visual sources', { character_name: 'navtalk.Mia' }, 'only one of video_url'],
      ['no audio source', { content: undefined, voice: undefined }, 'audio_url, audio_base64, content'],
      ['two audio sources', { audio_url: 'https://example.com/a.mp3' }, 'only one of audio_url'],
      ['content without voice', { voice: undefined }, 'voice is required'],
      ['an unknown voice', { voice: 'robot' }, 'voice must be one of'],
      ['a non-http video_url', { image_url: undefined, video_url: 'ftp://example.com/a.mp4' }, 'video_url'],
      ['an image_url that is no URL', { image_url: 'face.png' }, 'image_url'],
      ['an image_url that is a number', { image_url: 42 }, 'image_url'],
      ['an empty character_name', { image_url: undefined, character_name: '' }, 'character_name'],
      ['audio_base64 that is not base64', { content: undefined, voice: undefined, audio_base64: '%%%' }, 'audio_base64'],
      ['blank content', { content: '   ' }, 'content'],
      ['bbox_shift above 9', { bbox_shift: 10 }, 'bbox_shift'],
      ['bbox_shift below -9', { bbox_shift: -10 }, 'bbox_shift'],
      ['bbox_shift not whole', { bbox_shift: 1.5 }, 'bbox_shift'],
      ['bbox_shift as a string', { bbox_shift: '3' }, 'bbox_shift'],
      ['extra_margin below 0', { extra_margin: -1 }, 'extra_margin'],
      ['extra_margin above 50', { extra_margin: 51 }, 'extra_margin'],
      ['left_cheek_width below 50', { left_cheek_width: 49 }, 'left_cheek_width'],
      ['right_cheek_width above 150', { right_cheek_width: 151 }, 'right_cheek_width'],
      ['an unknown parsing_mode', { parsing_mode: 'chin' }, 'parsing_mode'],
    ];
    it.each(cases)('%s', async (_name, change, mentions) => {
      const mock = await startMock();
      const res = await postGenerate(mock, validBody(mock, change));
      expect(res.status).toBe(400);
      const json = (await res.json()) as { error: string };
      expect(Object.keys(json)).toEqual(['error']);
      expect(json.error).toContain(mentions);
      expect(mock.tasks()).toEqual([]);
    });

    it.each([['not JSON', '{"license": '], ['a JSON array', '[]'], ['JSON null', 'null'], ['empty', '']])(
      'a body that is %s',
      async (_name, text) => {
        const mock = await startMock();
        const res = await postGenerate(mock, text);
        expect(res.status).toBe(400);
        expect(await res.json()).toEqual({ error: 'request body must be a JSON object' });
        expect(mock.calls[0]?.body).toEqual(text === '' || text.startsWith('{') ? text : JSON.parse(text));
      },
    );
  });

  it('answers 405 to other methods and 404 to unknown paths', async () => {
    const mock = await startMock();
    const get = await fetch(`${mock.url}/generate`);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await fetch(`${mock.url}/query_status`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${mock.url}/v2/generate`)).status).toBe(404);
  });
});

describe('GET /query_status checks', () => {
  it('refuses a wrong license (401), a missing task_id (400) and an unknown task (404)', async () => {
    const mock = await startMock();
    const res = await postGenerate(mock, validBody(mock));
    const { task_id } = (await res.json()) as { task_id: string };
    const wrong = await queryStatus(mock, task_id, 'sk_wrong');
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'invalid license' });
    const missing = await fetch(`${mock.url}/query_status?license=${mock.license}`);
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: 'task_id is required' });
    const unknown = await queryStatus(mock, '00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'task not found' });
    expect(mock.calls.slice(1).map((c) => c.query.task_id)).toEqual([task_id, undefined, '00000000-0000-4000-8000-000000000000']);
  });
});
