import type { ByteRange, ResultMeta, ResultStore, StoredVideo, StoredVideoInfo } from '../proxy/index.js';

/**
 * The result store on R2: one object per task id. Streams in with a fixed length (R2 needs to know it), streams
 * out by range; R2's own ETag is the validator, and how the video was made is the object's custom metadata.
 */
export function r2ResultStore(bucket: R2Bucket): ResultStore {
  const info = (object: R2Object): StoredVideoInfo => ({
    size: object.size,
    etag: object.etag,
    contentType: object.httpMetadata?.contentType ?? 'video/mp4',
  });
  return {
    async put(id, body, { size, contentType, meta }) {
      const sized = new FixedLengthStream(size);
      const [stored] = await Promise.all([
        bucket.put(id, sized.readable, { httpMetadata: { contentType }, ...(meta ? { customMetadata: { ...meta } } : {}) }),
        body.pipeTo(sized.writable),
      ]);
      if (!stored) throw new Error('R2 did not store the video');
    },
    async head(id) {
      const object = await bucket.head(id);
      return object ? info(object) : null;
    },
    async get(id, range?: ByteRange): Promise<StoredVideo | null> {
      const object = await bucket.get(id, range ? { range: { offset: range.offset, length: range.length } } : {});
      return object ? { ...info(object), body: object.body } : null;
    },
    async delete(id) {
      await bucket.delete(id);
    },
    async list({ limit, cursor }) {
      const listed = await bucket.list({ limit, ...(cursor ? { cursor } : {}), include: ['httpMetadata', 'customMetadata'] });
      return {
        results: listed.objects.map((object) => ({
          id: object.key,
          ...info(object),
          storedAt: object.uploaded.getTime(),
          ...(object.customMetadata?.method ? { meta: object.customMetadata as unknown as ResultMeta } : {}),
        })),
        ...(listed.truncated ? { cursor: listed.cursor } : {}),
      };
    },
  };
}
