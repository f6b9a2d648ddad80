import { signRequest } from '../proxy/signing.js';
import { applyEdits, avatarTags, setAttributes } from './html.js';

export { TAG } from './html.js';

export interface TagReport {
  /** 1-based position of the tag in the file, for messages. */
  line: number;
  column: number;
  /** The signature the tag should carry, or undefined when its attributes are invalid. */
  signature?: string;
  /** Why the tag cannot be signed (its attributes do not form a valid request). */
  problem?: string;
  /** Whether the tag's signature attribute was missing or different. */
  stale: boolean;
}

/**
 * Finds every <navtalk-avatar> in an HTML document and computes the signature its attributes call for.
 * Returns the document with each signature attribute filled in place (the rest of the text untouched)
 * and a report per tag.
 */
export async function signHtml(html: string, secret: string, voices?: ReadonlySet<string>): Promise<{ html: string; tags: TagReport[] }> {
  const edits: ReturnType<typeof setAttributes> = [];
  const tags: TagReport[] = [];
  for (const tag of avatarTags(html, voices)) {
    const report: TagReport = { line: tag.line, column: tag.column, stale: false };
    tags.push(report);
    if (!tag.request.ok) {
      report.problem = tag.request.message;
      continue;
    }
    report.signature = await signRequest(tag.request.value, secret);
    if (tag.attributes.get('signature') === report.signature) continue;
    report.stale = true;
    edits.push(...setAttributes(html, tag, { signature: report.signature }));
  }
  return { html: applyEdits(html, edits), tags };
}
