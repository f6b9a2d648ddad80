import { defineConfig } from 'astro/config';

// Static output: the page (and the tag with its first inputs) is rendered at build time; the element upgrades in the browser.
export default defineConfig({ output: 'static' });
