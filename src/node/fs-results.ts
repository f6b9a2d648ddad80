import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pageOf, type ByteRange, type PutInfo, type ResultPage, type ResultStore, type StoredResult, type StoredVideo, type StoredVideoInfo } from '../proxy/index.js';

/** Ids are task ids (base64url) or previews (`preview.navtalk.Leo`): checked anyway, since they become file names. */
const SAFE_ID = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;
/** The data file's extension: a preview's image type, else (videos) mp4. */
const IMAGE_EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp', 'image/avif': 'avif' };
const extensionOf = (contentType: string) => IMAGE_EXTENSIONS[contentType] ?? 'mp4';

/**
 * The result store in a folder, for a self-hosted proxy on Node: `<id>.mp4` (`.png` for a preview) and `<id>.json` (size, type,
 * ETag = the first 128 bits of its SHA-256, when it was stored and how it was made). A video is written to a temporary file and renamed into place,
 * so a reader never sees half of one; delete a result by deleting its two files.
 */
export class FileResultStore implements ResultStore {
  constructor(private readonly folder: string) {}

  private path(id: string, ext: string): string {
    if (!SAFE_ID.test(id)) throw new Error('not a result id');
    return join(this.folder, `${id}.${ext}`);
  }

  async put(id: string, body: ReadableStream<Uint8Array>, info: PutInfo): Promise<void> {
    const target = this.path(id, extensionOf(info.contentType));
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
      const stored: StoredResult = {
        id, size, contentType: info.contentType, etag: hash.digest('hex').slice(0, 32), storedAt: Date.now(), ...(info.meta ? { meta: info.meta } : {}),
      };
      // The description last: a video counts as stored once both files are in place.
      await rename(temporary, target);
      await writeFile(this.path(id, 'json'), JSON.stringify(stored));
    } finally {
      await rm(temporary, { force: true });
    }
  }

  /** The description beside a video, or null when there is none. */
  private async sidecar(id: string): Promise<StoredResult | null> {
    if (!SAFE_ID.test(id)) return null;
    try {
      return JSON.parse(await readFile(this.path(id, 'json'), 'utf8')) as StoredResult;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async head(id: string): Promise<StoredVideoInfo | null> {
    const stored = await this.sidecar(id);
    return stored && { size: stored.size, contentType: stored.contentType, etag: stored.etag };
  }

  async get(id: string, range?: ByteRange): Promise<StoredVideo | null> {
    const info = await this.head(id);
    if (!info) return null;
    const stream = createReadStream(this.path(id, extensionOf(info.contentType)), range ? { start: range.offset, end: range.offset + range.length - 1 } : {});
    return { ...info, body: Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array> };
  }

  async delete(id: string): Promise<void> {
    if (!SAFE_ID.test(id)) return;
    const stored = await this.sidecar(id);
    await rm(this.path(id, 'json'), { force: true });
    await rm(this.path(id, extensionOf(stored?.contentType ?? '')), { force: true });
  }

  /** By id: the folder's names are read whole (names only), then one description per result on the page. */
  async list({ limit, cursor }: { limit: number; cursor?: string }): Promise<ResultPage> {
    const names = await readdir(this.folder).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : Promise.reject(error)));
    const page = pageOf(names.filter((n) => n.endsWith('.json') && SAFE_ID.test(n.slice(0, -5))).map((n) => n.slice(0, -5)), limit, cursor);
    const found = await Promise.all(page.ids.map((id) => this.sidecar(id)));
    // A result deleted since the folder was read is left out; a description from before storedAt was kept has none.
    const results = found.flatMap((r, i) => (r ? [{ ...r, id: page.ids[i]!, storedAt: r.storedAt ?? 0 }] : []));
    return { results, ...(page.cursor ? { cursor: page.cursor } : {}) };
  }
}
