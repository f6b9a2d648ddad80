/** Code shown on the demo pages: the tag an element's settings make, lightly highlighted, with a copy button. */
import { html, render, type TemplateResult } from 'lit';

/** Attribute values as a form holds them: `true` is a bare boolean attribute, empty values are left out. */
export type Attributes = Record<string, string | number | boolean | null | undefined>;

const escapeAttribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

/** Each attribute as written in markup (`name="value"`, or `name` alone when true). */
export const attributeSource = (attributes: Attributes): string[] =>
  Object.entries(attributes)
    .filter(([, value]) => value !== undefined && value !== null && value !== false && value !== '')
    .map(([name, value]) => (value === true ? name : `${name}="${escapeAttribute(String(value))}"`));

/** The markup of one tag, on one line when short, else one attribute a line. */
export function tagSource(attributes: Attributes, tag = 'navtalk-avatar'): string {
  const parts = attributeSource(attributes);
  const oneLine = `<${tag}${parts.map((p) => ` ${p}`).join('')}></${tag}>`;
  return oneLine.length <= 78 ? oneLine : `<${tag}\n${parts.map((p) => `  ${p}`).join('\n')}\n></${tag}>`;
}

/** The script a page adds to send an audio file it holds as audio_base64, through the `audio` property. */
export function audioPropertySource(fetchUrl: string): string {
  return `<script type="module">\n  const audio = await fetch('${fetchUrl}');\n`
    + `  document.querySelector('navtalk-avatar').audio = await audio.blob();\n</script>`;
}

/** The attributes an element carries now, in the order it has them. */
export function attributesOf(element: Element, skip: readonly string[] = []): Attributes {
  const out: Attributes = {};
  for (const { name, value } of element.attributes) if (!skip.includes(name)) out[name] = value === '' ? true : value;
  return out;
}

// Markup tokens (tags, attribute names, quoted values) and, outside tags, script strings and comments.
const TOKEN = /<!--[\s\S]*?-->|<\/?[a-zA-Z][\w-]*|\/?>|"[^"\n]*"|'[^'\n]*'|`[^`]*`|\/\/[^\n]*|[\w:@.-]+|[\s\S]/g;

const token = (kind: string, text: string) => html`<span class="tok-${kind}">${text}</span>`;

/** Highlights HTML with bits of script in it, enough to read a snippet at a glance. */
export function highlight(source: string): Array<TemplateResult | string> {
  const out: Array<TemplateResult | string> = [];
  let inTag = false;
  for (const [text] of source.matchAll(TOKEN)) {
    if (text.startsWith('<!--') || (!inTag && text.startsWith('//'))) out.push(token('comment', text));
    else if (/^<\/?[a-zA-Z]/.test(text)) {
      inTag = true;
      out.push(token('tag', text));
    } else if (inTag && /^\/?>$/.test(text)) {
      inTag = false;
      out.push(token('tag', text));
    } else if (/^["'`]/.test(text) && text.length > 1) out.push(token('string', text));
    else if (inTag && /^[\w:@.-]+$/.test(text)) out.push(token('attr', text));
    else out.push(text);
  }
  return out;
}

/**
 * Turns each `<div class="code"><pre data-code="LABEL">source</pre></div>` written in a page into a full
 * code block (highlighted, with its copy button), so a page's snippets stay plain, readable HTML.
 */
export function upgradeCodeBlocks(root: ParentNode = document): void {
  for (const pre of root.querySelectorAll<HTMLElement>('.code > pre[data-code]')) {
    const block = pre.parentElement!;
    const host = document.createElement('div');
    render(codeBlock(pre.dataset.code!, (pre.textContent ?? '').trim()), host);
    block.replaceWith(...host.childNodes);
  }
}

const copyIcon = html`<svg viewBox="0 0 24 24" aria-hidden="true"><rect x="8" y="8" width="12" height="12" rx="2" /><path d="M16 8V6a2 2 0 0 0-2-2H6a2 2 0 0 0-2 2v8a2 2 0 0 0 2 2h2" /></svg>`;

/** A titled, copyable code block (site.ts handles the copy). */
export const codeBlock = (label: string, source: string): TemplateResult => html`
  <div class="code">
    <div class="code__bar">
      <span>${label}</span>
      <button class="copy-button" type="button" aria-label="Copy the ${label} code">${copyIcon}<span>Copy</span></button>
    </div>
    <pre tabindex="0" aria-label="${label} code">${highlight(source)}</pre>
  </div>`;
