import { minifyTemplateLiterals } from 'rollup-plugin-minify-template-literals';
import { defineConfig } from 'vite';

/**
 * Two builds (`npm run build` runs both):
 * - `vite build --mode lib`: the package's library entries, dependencies left external so apps dedupe them.
 *   Add an entry here for each new public module (react, proxy, worker, ...).
 * - `vite build --mode bundle`: dist/navtalk-avatar.js, one self-registering ESM file with Lit inside, for
 *   `<script type="module">` from a CDN. (The browser code validates without zod, so zod stays out of it.)
 */
const LIBRARY_ENTRIES: Record<string, string> = {
  index: 'src/index.ts',
  define: 'src/define.ts',
  react: 'src/react.ts',
  protocol: 'src/protocol/index.ts',
  proxy: 'src/proxy/index.ts',
  worker: 'src/worker/index.ts',
  'proxy-node': 'src/node/index.ts',
  'proxy-redis': 'src/proxy/redis.ts',
  'navtalk-sign': 'src/cli/navtalk-sign.ts',
  cli: 'src/cli/main.ts',
  vite: 'src/vite/index.ts',
  prerender: 'src/prerender/index.ts',
};

/** Bare imports (lit, zod, react, node:*) stay imports in the library build. */
const isBareImport = (id: string) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0');

export default defineConfig(({ mode }) => {
  const bundle = mode === 'bundle';
  return {
    // Lit's html`` and css`` templates keep their whitespace unless minified as templates (the JS minifier cannot).
    plugins: [minifyTemplateLiterals()],
    build: {
      outDir: 'dist',
      target: 'es2022',
      sourcemap: true,
      // The library build runs first and cleans dist/; the bundle build adds its file.
      emptyOutDir: !bundle,
      lib: bundle
        ? { entry: 'src/define.ts', formats: ['es'], fileName: () => 'navtalk-avatar.js' }
        : { entry: LIBRARY_ENTRIES, formats: ['es'], fileName: (_format, name) => `${name}.js` },
      rolldownOptions: {
        external: bundle ? [] : isBareImport,
        // Library mode leaves whitespace in unless the output is minified here (build.minify does not do it).
        output: {
          minify: bundle,
          chunkFileNames: 'chunks/[name]-[hash].js',
          // V8's explicit compile hint (Chrome 136+): compile the whole bundle eagerly, off the main thread while it
          // loads, rather than each function lazily on the main thread when the first avatar renders. That
          // first render starts a pre-rendered video (result-url) several ms sooner (docs/benchmarks.md, figure 2).
          ...(bundle ? { postBanner: '//# allFunctionsCalledOnLoad' } : {}),
        },
      },
    },
  };
});
