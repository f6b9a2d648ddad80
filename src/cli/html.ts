import { parse, type DefaultTreeAdapterMap } from 'parse5';
import { attributeOf, requestFromAttributes, validateGenerateRequest, type GenerateRequest } from '../protocol/index.js';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

export const TAG = 'navtalk-avatar';

/** One <navtalk-avatar> in a document, with what its attributes ask for. */
export interface AvatarTag {
  /** 1-based position of the tag in the file, for messages. */
  line: number;
  column: number;
  attributes: Map<string, string>;
  /** The request its attributes make (without any signature), or why they make none. */
  request: { ok: true; value: GenerateRequest } | { ok: false; message: string };
  /** Whether any generation input (a source, the text, ...) is set at all: a tag with only a result-url has none. */
  hasInputs: boolean;
  element: Element;
}

function* avatars(node: Node): Generator<Element> {
  if ('tagName' in node && node.tagName === TAG) yield node;
  if ('childNodes' in node) for (const child of node.childNodes) yield* avatars(child);
  if ('content' in node && node.content) yield* avatars(node.content);
}

/** Every <navtalk-avatar> in an HTML document (templates included), in document order. */
export function avatarTags(html: string, voices?: ReadonlySet<string>): AvatarTag[] {
  const document = parse(html, { sourceCodeLocationInfo: true });
  return [...avatars(document)].map((element) => {
    const location = element.sourceCodeLocation!;
    const attributes = new Map(element.attrs.map((a) => [a.name, a.value]));
    const fields = requestFromAttributes((name) => (name === 'signature' ? undefined : attributes.get(name)));
    const checked = validateGenerateRequest(fields, attributeOf, voices);
    return {
      line: location.startLine,
      column: location.startCol,
      attributes,
      request: checked.ok ? { ok: true as const, value: checked.value } : { ok: false as const, message: checked.message },
      hasInputs: Object.keys(fields).length > 0,
      element,
    };
  });
}

interface Edit { start: number; end: number; text: string }

const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

/** Edits that set these attributes on a tag, in place: an existing attribute is replaced, a new one added at the end. */
export function setAttributes(html: string, tag: AvatarTag, values: Record<string, string>): Edit[] {
  const location = tag.element.sourceCodeLocation!;
  const end = location.startTag!.endOffset;
  // Just before the `>` (or `/>`) that closes the start tag.
  const insertAt = html[end - 2] === '/' ? end - 2 : end - 1;
  return Object.entries(values).map(([name, value]) => {
    const text = `${name}="${escapeAttribute(value)}"`;
    const existing = location.attrs?.[name];
    return existing ? { start: existing.startOffset, end: existing.endOffset, text } : { start: insertAt, end: insertAt, text: ` ${text}` };
  });
}

/** Applies edits (none overlapping) to a document; the rest of its text stays byte for byte. */
export function applyEdits(html: string, edits: Edit[]): string {
  let out = html;
  // From the end, so earlier offsets stay valid; insertions at one point keep their order.
  const ordered = edits.map((edit, i) => ({ edit, i })).sort((a, b) => b.edit.start - a.edit.start || b.i - a.i);
  for (const { edit } of ordered) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return out;
}
