// A SvelteKit site whose avatar is pre-rendered in a `load` (test/e2e/static.test.ts builds it). The package is
// this repository's build (dist/), as an app would take it from node_modules.
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

const dist = process.env.NAVTALK_DIST;

export default defineConfig({
  plugins: [sveltekit()],
  resolve: { alias: { 'navtalk-avatar/prerender': `${dist}/prerender.js`, 'navtalk-avatar/define': `${dist}/define.js` } },
  logLevel: 'warn',
});
