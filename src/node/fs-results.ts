import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ByteRange, ResultStore, StoredVideo, StoredVideoInfo } from '../proxy/index.js';

/** Ids are task ids (base64url): checked anyway, since they become file names. */
const SAFE_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * The result store in a folder, for a self-hosted proxy on Node: `<id>.mp4` and `<id>.json` (size, type,
 * ETag = the first 128 bits of its SHA-256). A video is written to a temporary file and renamed into place,
 * so a reader never sees half of one; delete a result by deleting its two files.
 */
export class FileResultStore implements ResultStore {
  constructor(private readonly folder: string) {}

  private path(id: string, ext: 'mp4' | 'json'): string {
    if (!SAFE_ID.test(id)) throw new Error('not a result id');
    return join(this.folder, `${id}.${ext}`);
  }

  async put(id: string, body: ReadableStream<Uint8Array>, info: { size: number; contentType: string }): Promise<void> {
    const target = this.path(id, 'mp4');
    await mkdir(this.folder, { recursive: true });
    const temporary = join(this.folder, `.${id}.${randomUUID()}.part`);
    const hash = createHash('sha256');
    let size = 0;
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>), measure, createWriteStream(temporary));
      const stored: StoredVideoInfo = { size, contentType: info.contentType, etag: hash.digest('hex').slice(0, 32) };
      // The description last: a video counts as stored once both files are in place.
      await rename(temporary, target);
      await writeFile(this.path(id, 'json'), JSON.stringify(stored));
    } finally {
      await rm(temporary, { force: true });
    }
  }

  async head(id: string): Promise<StoredVideoInfo | null> {
    if (!SAFE_ID.test(id)) return null;
    try {
      return JSON.parse(await readFile(this.path(id, 'json'), 'utf8')) as StoredVideoInfo;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async get(id: string, range?: ByteRange): Promise<StoredVideo | null> {
    const info = await this.head(id);
    if (!info) return null;
    const stream = createReadStream(this.path(id, 'mp4'), range ? { start: range.offset, end: range.offset + range.length - 1 } : {});
    return { ...info, body: Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array> };
  }

  async delete(id: string): Promise<void> {
    if (!SAFE_ID.test(id)) return;
    await rm(this.path(id, 'json'), { force: true });
    await rm(this.path(id, 'mp4'), { force: true });
  }
}
