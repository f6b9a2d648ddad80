/**
 * Shares the site header, footer and head tags between the demo pages: each page writes
 * `<!-- partial:NAME -->` and this plugin puts in demo/partials/NAME.html, marking the current page's nav
 * link with aria-current. Done at serve and build time so the pages paint complete, with nothing copied.
 */
import { readFileSync } from 'node:fs';
import type { Plugin } from 'vite';

const PARTIALS = new URL('../partials/', import.meta.url);

export function partialsPlugin(): Plugin {
  const read = (name: string) => readFileSync(new URL(`${name}.html`, PARTIALS), 'utf8');
  return {
    name: 'navtalk-demo-partials',
    transformIndexHtml: {
      order: 'pre',
      handler(html, ctx) {
        const page = ctx.path.replace(/index\.html$/, '');
        return html.replace(/<!-- partial:([a-z-]+) -->/g, (_, name: string) =>
          read(name).replace(`href="${page}"`, `href="${page}" aria-current="page"`));
      },
    },
    // Edits to a partial reload the pages that include it.
    handleHotUpdate({ file, server }) {
      if (file.startsWith(PARTIALS.pathname)) server.ws.send({ type: 'full-reload' });
    },
  };
}
