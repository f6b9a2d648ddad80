import { parse, type DefaultTreeAdapterMap } from 'parse5';
import { attributeOf, requestFromAttributes, validateGenerateRequest } from '../protocol/index.js';
import { signRequest } from '../proxy/signing.js';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

export const TAG = 'navtalk-avatar';

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

function* avatars(node: Node): Generator<Element> {
  if ('tagName' in node && node.tagName === TAG) yield node;
  if ('childNodes' in node) for (const child of node.childNodes) yield* avatars(child);
  if ('content' in node && node.content) yield* avatars(node.content);
}

/**
 * Finds every <navtalk-avatar> in an HTML document and computes the signature its attributes call for.
 * Returns the document with each signature attribute filled in place (the rest of the text untouched)
 * and a report per tag.
 */
export async function signHtml(html: string, secret: string, voices?: ReadonlySet<string>): Promise<{ html: string; tags: TagReport[] }> {
  const document = parse(html, { sourceCodeLocationInfo: true });
  const edits: { start: number; end: number; text: string }[] = [];
  const tags: TagReport[] = [];
  for (const element of avatars(document)) {
    const location = element.sourceCodeLocation!;
    const attributes = new Map(element.attrs.map((a) => [a.name, a.value]));
    const report: TagReport = { line: location.startLine, column: location.startCol, stale: false };
    tags.push(report);
    const result = validateGenerateRequest(requestFromAttributes((name) => (name === 'signature' ? undefined : attributes.get(name))), attributeOf, voices);
    if (!result.ok) {
      report.problem = result.message;
      continue;
    }
    report.signature = await signRequest(result.value, secret);
    if (attributes.get('signature') === report.signature) continue;
    report.stale = true;
    const existing = location.attrs?.signature;
    const startTag = location.startTag!;
    edits.push(existing
      ? { start: existing.startOffset, end: existing.endOffset, text: `signature="${report.signature}"` }
      : { start: insertionPoint(html, startTag.endOffset), end: insertionPoint(html, startTag.endOffset), text: ` signature="${report.signature}"` });
  }
  let out = html;
  for (const edit of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return { html: out, tags };
}

/** Just before the `>` (or `/>`) that closes a start tag ending at `end`. */
function insertionPoint(html: string, end: number): number {
  return html[end - 2] === '/' ? end - 2 : end - 1;
}
