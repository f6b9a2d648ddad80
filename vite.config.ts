import { minifyTemplateLiterals } from 'rollup-plugin-minify-template-literals';
import { minify } from 'terser';
import { defineConfig, type Plugin } from 'vite';

/**
 * Three builds (`npm run build` runs them all):
 * - `vite build --mode lib`: the package's library entries, dependencies left external so apps dedupe them.
 *   Add an entry here for each new public module (react, proxy, worker, ...).
 * - `vite build --mode bundle`: dist/navtalk-avatar.js, the self-registering ESM entry with Lit inside, for
 *   `<script type="module">` from a CDN, and the chunks only some avatars or later states need in
 *   dist/navtalk-avatar-chunks/, which the entry imports relative to its own URL. (The browser code validates
 *   without zod, so zod stays out of it.)
 * - `vite build --mode single`: dist/navtalk-avatar.single.js, the same code in one file, for hosts that cannot
 *   serve a folder beside the script.
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

/**
 * Terser over Rolldown's minified output: its repeated passes take another 2-3 % off the browser files (measured on
 * gzip), which the size budget of the first paint needs (.size-limit.json). Each file's source map is carried through.
 */
export function terser(): Plugin {
  return {
    name: 'terser',
    async generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        const map = bundle[`${chunk.fileName}.map`];
        if (chunk.type !== 'chunk' || map?.type !== 'asset') continue;
        const result = await minify(chunk.code, {
          module: true,
          ecma: 2022,
          compress: { passes: 3, pure_getters: true, unsafe_arrows: true },
          format: { comments: /allFunctionsCalledOnLoad/ },
          sourceMap: { content: String(map.source), url: map.fileName.split('/').pop()!, includeSources: true },
        });
        chunk.code = result.code!;
        map.source = result.map as string;
      }
    },
  };
}

export default defineConfig(({ mode }) => {
  const browser = mode === 'bundle' || mode === 'single';
  const single = mode === 'single';
  return {
    // Lit's html`` and css`` templates keep their whitespace unless minified as templates (the JS minifier cannot).
    plugins: [minifyTemplateLiterals(), ...(browser ? [terser()] : [])],
    build: {
      outDir: 'dist',
      target: 'es2022',
      sourcemap: true,
      // The library build runs first and cleans dist/; the browser builds add their files.
      emptyOutDir: !browser,
      lib: browser
        ? { entry: 'src/define.ts', formats: ['es'], fileName: () => (single ? 'navtalk-avatar.single.js' : 'navtalk-avatar.js') }
        : { entry: LIBRARY_ENTRIES, formats: ['es'], fileName: (_format, name) => `${name}.js` },
      rolldownOptions: {
        external: browser ? [] : isBareImport,
        // The bundle's entry may export what its lazy chunks import (Lit, the field table), so that what the first
        // paint needs is one file, not an entry plus shared chunks it would have to fetch before it could run.
        preserveEntrySignatures: browser ? 'allow-extension' : 'strict',
        output: {
          // Library mode leaves whitespace in unless the output is minified here (build.minify does not do it).
          minify: browser,
          chunkFileNames: mode === 'bundle' ? 'navtalk-avatar-chunks/[name]-[hash].js' : 'chunks/[name]-[hash].js',
          ...(single ? { codeSplitting: false } : {}),
          // V8's explicit compile hint (Chrome 136+): compile the whole entry eagerly, off the main thread while it
          // loads, rather than each function lazily on the main thread when the first avatar renders. That
          // first render starts a pre-rendered video (result-url) several ms sooner (docs/benchmarks.md, figure 2).
          // The lazy chunks load while a request is on its way, so their compile is not on a first paint's path.
          ...(browser ? { postBanner: (chunk: { isEntry: boolean }) => (chunk.isEntry ? '//# allFunctionsCalledOnLoad' : '') } : {}),
        },
      },
    },
  };
});
