// The S3-compatible result store against a real S3 server (s3rver, started here on loopback): what it keeps and lists,
// and two Node server processes on one Redis and one bucket, with nothing on disk in common, serving each other's
// videos.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodeStack } from '../../scripts/lib/node-proxy.js';
import { freePort, stopGroup, waitForHttp } from '../../scripts/lib/stack.js';
import { S3ResultStore } from '../../src/node/index.js';
import type { TaskState } from '../../src/protocol/index.js';
import { followTask } from '../e2e/faults-clients.js';
import { listsInPages } from '../proxy/admin-cases.js';

const ORIGIN = 'https://site.example';
const BUCKET = 'videos';
// s3rver's own credentials.
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', region: 'us-east-1' };
const folder = mkdtempSync(join(tmpdir(), 'navtalk-s3-'));
const S3RVER = new URL('../../node_modules/s3rver/bin/s3rver.js', import.meta.url).pathname;
let server: ReturnType<typeof spawn>;
let bucketUrl: string;

beforeAll(async () => {
  const port = await freePort();
  // Its own process: s3rver's list continuation tokens use DES, which Node 20's OpenSSL 3 offers only with this flag.
  server = spawn(process.execPath, ['--openssl-legacy-provider', S3RVER, '-d', folder, '-a', '127.0.0.1', '-p', String(port), '--silent', '--configure-bucket', BUCKET], {
    detached: true, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  server.stdout!.on('data', (d) => (output += d));
  server.stderr!.on('data', (d) => (output += d));
  bucketUrl = `http://127.0.0.1:${port}/${BUCKET}`;
  await waitForHttp(bucketUrl, server, () => output, 20_000, 's3rver');
});
afterAll(async () => {
  if (server) await stopGroup(server);
  rmSync(folder, { recursive: true, force: true });
});

describe('S3ResultStore', () => {
  it('lists a page at a time under its prefix, with how each video was made, and forgets a deleted one', async () => {
    await listsInPages(new S3ResultStore({ bucketUrl, ...CREDENTIALS, prefix: 'listing/' }));
  });

  it('reads a video whole or by range, with its type and ETag; an unknown id is null', async () => {
    const store = new S3ResultStore({ bucketUrl, ...CREDENTIALS, prefix: 'reading/' });
    const video = Uint8Array.from({ length: 50_000 }, (_, i) => i % 251);
    await store.put('x'.repeat(43), new Response(video).body!, { size: video.length, contentType: 'video/mp4' });
    const info = await store.head('x'.repeat(43));
    expect(info).toEqual({ size: 50_000, contentType: 'video/mp4', etag: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const part = (await store.get('x'.repeat(43), { offset: 1000, length: 10 }))!;
    expect({ size: part.size, etag: part.etag }).toEqual({ size: 50_000, etag: info!.etag });
    expect(new Uint8Array(await new Response(part.body).arrayBuffer())).toEqual(video.subarray(1000, 1010));
    expect(new Uint8Array(await new Response((await store.get('x'.repeat(43)))!.body).arrayBuffer())).toEqual(video);
    expect(await store.head('y'.repeat(43))).toBeNull();
    expect(await store.get('y'.repeat(43))).toBeNull();
  });
});

describe('two Node processes, one Redis, one bucket', () => {
  it('a video made through one is served by the other, and found again after Redis forgets it: 1 generation', async () => {
    const stack = await startNodeStack({
      processes: 2,
      origins: [ORIGIN],
      vars: {
        S3_BUCKET_URL: bucketUrl, S3_REGION: CREDENTIALS.region, S3_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        S3_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey, S3_PREFIX: 'shared/', UPSTREAM_POLL_INTERVAL_MS: '100',
        // Each answer from the stores, not a repeat from a process's memory (after Redis is flushed).
        REUSE_DONE_ANSWERS_MS: '0',
      },
    });
    try {
      stack.mock.configure({ timing: { processingAfterMs: 50, doneAfterMs: 300 } });
      const [a, b] = stack.proxies.map((p) => `${p.url}/`) as [string, string];
      const script = { character_name: 'navtalk.Leo', content: 'One bucket for every machine.', voice: 'echo' };
      const made = await followTask(a, script, { origin: ORIGIN }, 20_000);
      expect(made.status).toBe('done');
      const { taskId } = made as { taskId: string };
      // The copy follows `done`: looked for a bounded number of times.
      let kept: TaskState | undefined;
      for (let i = 0; i < 300 && !kept?.video_url?.startsWith(`${a}?video=`); i++) {
        if (i) await new Promise((resolve) => setTimeout(resolve, 20));
        kept = (await (await fetch(`${a}?task_id=${taskId}`)).json()) as TaskState;
      }
      expect(kept!.video_url).toMatch(/\?video=/);
      const fromA = await fetch(kept!.video_url!);
      const fromB = await fetch(kept!.video_url!.replace(a, b));
      expect([fromA.status, fromB.status]).toEqual([200, 200]);
      expect(fromB.headers.get('etag')).toBe(fromA.headers.get('etag'));
      expect(Buffer.from(await fromB.arrayBuffer()).equals(Buffer.from(await fromA.arrayBuffer()))).toBe(true);
      const range = await fetch(kept!.video_url!.replace(a, b), { headers: { range: 'bytes=0-99' } });
      expect([range.status, (await range.arrayBuffer()).byteLength]).toEqual([206, 100]);

      // The task record is shared through Redis too, so it names the copy under the first process's URL (the same one
      // behind a load balancer, with PUBLIC_ORIGIN).
      expect(await followTask(b, script, { origin: ORIGIN }, 20_000)).toMatchObject({ status: 'done', videoUrl: kept!.video_url });
      const redis = new Redis(stack.redis.url);
      await redis.flushall();
      redis.disconnect();
      expect(await followTask(b, script, { origin: ORIGIN }, 20_000)).toMatchObject({ status: 'done', videoUrl: expect.stringContaining(`${b}?video=`) });
      expect(stack.mock.calls.filter((c) => c.path === '/generate')).toHaveLength(1);
    } finally {
      await stack.stop();
    }
  }, 60_000);
});
