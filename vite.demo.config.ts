/**
 * The demo site (landing page, playground, state gallery, recorder) and the React and Vue apps, as one
 * multi-page Vite app rooted at demo/. Environment (read when the server starts; `npm start` sets them):
 * - NAVTALK_ENDPOINT_TARGET: the proxy endpoint `/api/navtalk` stands for (the Worker, whose endpoint is its
 *   root; default http://127.0.0.1:8787). Same-origin forwarding keeps the pages free of CORS set-up.
 * - VITE_MOCK_URL: the NavTalk mock, whose /samples/ media the pages use as inputs (default http://127.0.0.1:8790).
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import vue from '@vitejs/plugin-vue';
import { defineConfig, loadEnv, type Plugin } from 'vite';
import { demoStatesPlugin } from './demo/server/fake-proxy.js';
import { partialsPlugin } from './demo/server/partials.js';

const ENDPOINT = '/api/navtalk';
export const DEFAULT_ENDPOINT_TARGET = 'http://127.0.0.1:8787';
export const DEFAULT_MOCK_URL = 'http://127.0.0.1:8790';

const root = fileURLToPath(new URL('./demo/', import.meta.url));
const PAGES = ['index', 'playground', 'gallery', 'record', 'react/index', 'react/raw', 'vue/index'];

/**
 * package.json's `sideEffects` names the package's built files (dist/define.js, ...), so a bundler would drop
 * a bare `import '../../src/define.js'` of the sources, and the demo's own page modules with it. The demo
 * imports them for exactly those effects (registering the element, wiring a page), so it keeps them all.
 */
const keepOwnSideEffects: Plugin = {
  name: 'navtalk-demo-side-effects',
  apply: 'build',
  transform: (_code, id) => (id.includes('/node_modules/') ? null : { moduleSideEffects: true }),
};

export default defineConfig(({ mode }) => {
  const env = loadEnv(mode, process.cwd(), '');
  const endpointTarget = env.NAVTALK_ENDPOINT_TARGET || DEFAULT_ENDPOINT_TARGET;
  const mockUrl = env.VITE_MOCK_URL || DEFAULT_MOCK_URL;
  const server = {
    host: '127.0.0.1',
    proxy: {
      // changeOrigin: the Worker sees its own host, so the URLs of the videos it keeps point at it, not at this server.
      [ENDPOINT]: { target: endpointTarget, changeOrigin: true, rewrite: (path: string) => path.replace(/^\/api\/navtalk\/?/, '/') },
    },
  };
  return {
    root,
    publicDir: false,
    define: { 'import.meta.env.VITE_MOCK_URL': JSON.stringify(mockUrl) },
    plugins: [
      react(),
      // Vue must leave <navtalk-avatar> to the browser's custom element registry.
      vue({ template: { compilerOptions: { isCustomElement: (tag) => tag.startsWith('navtalk-') } } }),
      keepOwnSideEffects,
      partialsPlugin(),
      demoStatesPlugin({ videoUrl: `${mockUrl}/samples/avatar.mp4` }),
    ],
    server: { ...server, port: 5173, fs: { allow: [fileURLToPath(new URL('.', import.meta.url))] } },
    preview: { ...server, port: 4173 },
    build: {
      outDir: fileURLToPath(new URL('./dist/demo/', import.meta.url)),
      emptyOutDir: true,
      target: 'es2022',
      rolldownOptions: { input: Object.fromEntries(PAGES.map((page) => [page, `${root}${page}.html`])) },
    },
  };
});
