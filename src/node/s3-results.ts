import { AwsClient } from 'aws4fetch';
import type { ByteRange, PutInfo, ResultMeta, ResultPage, ResultStore, StoredResult, StoredVideo, StoredVideoInfo } from '../proxy/index.js';

/**
 * The result store on S3-compatible storage (AWS S3, Cloudflare R2's S3 API, MinIO, Backblaze B2...), so that every
 * machine of a proxy serves every kept video: one object per task id under `prefix`, how it was made in `x-amz-meta-*`
 * headers. Videos are streamed through the proxy (Range, ETag, as from the other stores), so the bucket stays
 * private. Web-standard code (fetch and Web Crypto through aws4fetch): it runs on Node, Deno, Bun and Workers alike.
 */
export interface S3ResultStoreOptions {
  /**
   * The bucket's URL, path-style (`https://s3.eu-west-1.amazonaws.com/my-bucket`, `http://127.0.0.1:9000/videos`,
   * `https://<account>.r2.cloudflarestorage.com/my-bucket`) or virtual-hosted (`https://my-bucket.s3.eu-west-1.amazonaws.com`).
   */
  bucketUrl: string;
  /** The region the signature names: AWS's own, `auto` for R2, `us-east-1` for most others. */
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Prepended to every object's key (several proxies in one bucket). Default: none. */
  prefix?: string;
  /** Per request except a video's transfer (default 15 s). */
  timeoutMs?: number;
}

const META_FIELDS = ['method', 'character', 'voice', 'text'] as const;
/** HEADs at a time when a list page describes its results. */
const LIST_CONCURRENCY = 10;

const xmlText = (text: string) =>
  text.replace(/&(quot|amp|lt|gt|apos);/g, (_m, name: string) => ({ quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" })[name]!);
const tag = (xml: string, name: string) => {
  const match = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  return match ? xmlText(match[1]!) : undefined;
};

export class S3ResultStore implements ResultStore {
  private readonly client: AwsClient;
  private readonly base: string;
  private readonly prefix: string;
  private readonly timeoutMs: number;

  constructor(options: S3ResultStoreOptions) {
    // No retries of its own: a copy is retried whole by copyVideo, and a page retries a video that did not load.
    this.client = new AwsClient({
      accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey, region: options.region, service: 's3', retries: 0,
    });
    this.base = options.bucketUrl.replace(/\/+$/, '');
    this.prefix = options.prefix ?? '';
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  private url(id: string): string {
    return `${this.base}/${encodeURIComponent(this.prefix + id)}`;
  }

  private async send(url: string, init: RequestInit & { timed?: boolean }): Promise<Response> {
    const { timed = true, ...rest } = init;
    return this.client.fetch(url, { ...rest, ...(timed ? { signal: AbortSignal.timeout(this.timeoutMs) } : {}) });
  }

  private static async failed(action: string, response: Response): Promise<Error> {
    await response.body?.cancel();
    return new Error(`S3 ${action} answered HTTP ${response.status}`);
  }

  async put(id: string, body: ReadableStream<Uint8Array>, info: PutInfo): Promise<void> {
    const meta = Object.fromEntries(META_FIELDS.flatMap((field) => {
      const value = info.meta?.[field];
      // Metadata headers must be ASCII.
      return value === undefined ? [] : [[`x-amz-meta-${field}`, encodeURIComponent(value)]];
    }));
    const response = await this.send(this.url(id), {
      method: 'PUT',
      body,
      // Streamed with its length known; the payload is not hashed for the signature (it is read only once).
      headers: { 'content-length': String(info.size), 'content-type': info.contentType, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...meta },
      duplex: 'half',
      timed: false,
    } as RequestInit);
    if (!response.ok) throw await S3ResultStore.failed('PUT', response);
    await response.body?.cancel();
  }

  private static info(headers: Headers, size: number): StoredVideoInfo {
    return { size, contentType: headers.get('content-type') ?? 'video/mp4', etag: (headers.get('etag') ?? '').replace(/^(W\/)?"|"$/g, '') };
  }

  /** The object's description and metadata, or null when there is none. */
  private async described(id: string): Promise<{ info: StoredVideoInfo; storedAt: number; meta?: ResultMeta } | null> {
    const response = await this.send(this.url(id), { method: 'HEAD' });
    if (response.status === 404) return null;
    if (!response.ok) throw await S3ResultStore.failed('HEAD', response);
    const headers = response.headers;
    const method = headers.get('x-amz-meta-method');
    const meta = method === null ? undefined : Object.fromEntries(META_FIELDS.flatMap((field) => {
      const value = headers.get(`x-amz-meta-${field}`);
      return value === null ? [] : [[field, decodeURIComponent(value)]];
    })) as unknown as ResultMeta;
    return {
      info: S3ResultStore.info(headers, Number(headers.get('content-length'))),
      storedAt: Date.parse(headers.get('last-modified') ?? '') || 0,
      ...(meta ? { meta } : {}),
    };
  }

  async head(id: string): Promise<StoredVideoInfo | null> {
    return (await this.described(id))?.info ?? null;
  }

  async get(id: string, range?: ByteRange): Promise<StoredVideo | null> {
    const response = await this.send(this.url(id), {
      ...(range ? { headers: { range: `bytes=${range.offset}-${range.offset + range.length - 1}` } } : {}),
      timed: false,
    });
    if (response.status === 404) return null;
    if (!response.ok || !response.body) throw await S3ResultStore.failed('GET', response);
    // A ranged answer's Content-Range carries the whole size; the handler has the size from head() already.
    const whole = Number(/\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1] ?? response.headers.get('content-length'));
    return { ...S3ResultStore.info(response.headers, whole), body: response.body };
  }

  async delete(id: string): Promise<void> {
    const response = await this.send(this.url(id), { method: 'DELETE' });
    if (!response.ok && response.status !== 404) throw await S3ResultStore.failed('DELETE', response);
    await response.body?.cancel();
  }

  /**
   * ListObjectsV2 in key order, then one HEAD per result for its type and metadata. The cursor is the last id, asked
   * for with start-after (every S3-compatible service has it; continuation tokens are opaque and differ between them).
   */
  async list({ limit, cursor }: { limit: number; cursor?: string }): Promise<ResultPage> {
    const query = new URLSearchParams({ 'list-type': '2', 'max-keys': String(limit), prefix: this.prefix, ...(cursor ? { 'start-after': this.prefix + cursor } : {}) });
    const response = await this.send(`${this.base}?${query}`, {});
    if (!response.ok) throw await S3ResultStore.failed('list', response);
    const xml = await response.text();
    const ids = [...xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)].map((m) => tag(m[1]!, 'Key')!.slice(this.prefix.length));
    const results: StoredResult[] = [];
    for (let i = 0; i < ids.length; i += LIST_CONCURRENCY) {
      const described = await Promise.all(ids.slice(i, i + LIST_CONCURRENCY).map(async (id) => ({ id, found: await this.described(id) })));
      for (const { id, found } of described) {
        // Deleted since it was listed: left out.
        if (found) results.push({ id, ...found.info, storedAt: found.storedAt, ...(found.meta ? { meta: found.meta } : {}) });
      }
    }
    return { results, ...(tag(xml, 'IsTruncated') === 'true' && ids.length ? { cursor: ids[ids.length - 1]! } : {}) };
  }
}
