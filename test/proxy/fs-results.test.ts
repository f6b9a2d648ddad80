import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileResultStore } from '../../src/node/index.js';
import { taskStateSchema } from '../../src/protocol/index.js';
import { ORIGIN, signed, textBody } from './cases.js';
import { ENDPOINT, generateCalls, makeProxy, useMock } from './harness.js';

const h = useMock();
const folder = mkdtempSync(join(tmpdir(), 'navtalk-results-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 251);
const streamOf = (data: Uint8Array) => new ReadableStream<Uint8Array>({
  start(controller) {
    for (let at = 0; at < data.length; at += 1000) controller.enqueue(data.slice(at, at + 1000));
    controller.close();
  },
});
const read = async (stream: ReadableStream<Uint8Array>) => new Uint8Array(await new Response(stream).arrayBuffer());

describe('FileResultStore', () => {
  it('stores a video under its id, reads it whole or by range, and deletes it', async () => {
    const store = new FileResultStore(join(folder, 'unit'));
    const video = bytes(10_000);
    await store.put('task_ID-1', streamOf(video), { size: video.length, contentType: 'video/mp4' });
    const info = await store.head('task_ID-1');
    expect(info).toEqual({ size: 10_000, contentType: 'video/mp4', etag: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(await read((await store.get('task_ID-1'))!.body)).toEqual(video);
    expect(await read((await store.get('task_ID-1', { offset: 9990, length: 10 }))!.body)).toEqual(video.subarray(9990));
    expect(readdirSync(join(folder, 'unit')).sort()).toEqual(['task_ID-1.json', 'task_ID-1.mp4']); // no temporary file left
    await store.delete('task_ID-1');
    expect(await store.head('task_ID-1')).toBeNull();
    expect(await store.get('task_ID-1')).toBeNull();
  });

  it('keeps a preview (an id with dots) as NAME.png beside its description, and deletes both', async () => {
    const store = new FileResultStore(join(folder, 'previews'));
    const image = bytes(3000);
    await store.put('preview.navtalk.Leo', streamOf(image), { size: image.length, contentType: 'image/png', meta: { method: 'preview', character: 'navtalk.Leo' } });
    expect(readdirSync(join(folder, 'previews')).sort()).toEqual(['preview.navtalk.Leo.json', 'preview.navtalk.Leo.png']);
    expect(await read((await store.get('preview.navtalk.Leo'))!.body)).toEqual(image);
    expect((await store.list({ limit: 10 })).results.map((r) => [r.id, r.contentType, r.meta])).toEqual([
      ['preview.navtalk.Leo', 'image/png', { method: 'preview', character: 'navtalk.Leo' }],
    ]);
    await store.delete('preview.navtalk.Leo');
    expect(readdirSync(join(folder, 'previews'))).toEqual([]);
    // A name may not start with a dot (temporary files do) nor leave the folder.
    for (const id of ['.preview', 'a/b', '..']) await expect(store.put(id, streamOf(bytes(1)), { size: 1, contentType: 'image/png' })).rejects.toThrow('not a result id');
  });

  it('a failed write leaves nothing behind; ids that are not names are refused', async () => {
    const store = new FileResultStore(join(folder, 'broken'));
    const failing = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error('connection reset'));
      },
    });
    await expect(store.put('cut', failing, { size: 10, contentType: 'video/mp4' })).rejects.toThrow();
    expect(await store.head('cut')).toBeNull();
    expect(readdirSync(join(folder, 'broken'))).toEqual([]);
    expect(await store.head('../../etc/passwd')).toBeNull();
    await expect(store.put('../x', streamOf(bytes(1)), { size: 1, contentType: 'video/mp4' })).rejects.toThrow();
  });

  it('behind the portable handler: a restarted proxy serves the stored video with 0 NavTalk calls', async () => {
    const results = new FileResultStore(join(folder, 'proxy'));
    const post = async (proxy: ReturnType<typeof makeProxy>) =>
      taskStateSchema.parse(await (await proxy.post(await signed(textBody('fs-kept')))).json());
    const first = makeProxy(h, {}, { results });
    const started = await post(first);
    await first.settle(started.task_id);
    let url: string | undefined;
    for (let i = 0; i < 200 && !url?.includes('?video='); i++) {
      url = taskStateSchema.parse(await (await first.get(started.task_id)).json()).video_url;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const restarted = makeProxy(h, {}, { results });
    const again = await post(restarted);
    expect(again).toMatchObject({ status: 'done', video_url: url });
    const response = await restarted.handler(new Request(url!, { headers: { origin: ORIGIN, range: 'bytes=0-3' } }));
    expect(response.status).toBe(206);
    expect(new TextDecoder().decode((await response.arrayBuffer()).slice(0, 4)).length).toBe(4);
    expect(generateCalls(h.mock.calls)).toHaveLength(1);
    expect(url!.startsWith(`${ENDPOINT}?video=`)).toBe(true);
  });
});
