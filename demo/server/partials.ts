/**
 * Shares the site header, footer and head tags between the demo pages: each page writes
 * `<!-- partial:NAME -->` and this plugin puts in demo/partials/NAME.html, marking the current section's
 * nav link (`<li><a href="…">`) with aria-current. Done at serve and build time so the pages paint
 * complete, with nothing copied.
 */
import { readFileSync } from 'node:fs';
import type { Plugin } from 'vite';

const PARTIALS = new URL('../partials/', import.meta.url);

/** The nav link for this page, or for the folder it is in (/react/raw.html is under /react/). */
function markCurrent(partial: string, page: string): string {
  const links = [...partial.matchAll(/<li><a href="([^"]+)">/g)].map((m) => m[1]!);
  const current = links.filter((href) => href === page || (href.endsWith('/') && href !== '/' && page.startsWith(href)))
    .sort((a, b) => b.length - a.length)[0];
  return current ? partial.replace(`<li><a href="${current}">`, `<li><a href="${current}" aria-current="page">`) : partial;
}

export function partialsPlugin(): Plugin {
  const read = (name: string) => readFileSync(new URL(`${name}.html`, PARTIALS), 'utf8');
  return {
    name: 'navtalk-demo-partials',
    transformIndexHtml: {
      order: 'pre',
      handler(html, ctx) {
        const page = ctx.path.replace(/index\.html$/, '');
        return html.replace(/<!-- partial:([a-z-]+) -->/g, (_, name: string) => markCurrent(read(name), page));
      },
    },
    // Edits to a partial reload the pages that include it.
    handleHotUpdate({ file, server }) {
      if (file.startsWith(PARTIALS.pathname)) server.ws.send({ type: 'full-reload' });
    },
  };
}
