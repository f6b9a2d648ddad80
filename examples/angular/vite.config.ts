import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { angular } from './angular-plugin.js';

export default defineConfig({
  plugins: [angular(fileURLToPath(new URL('./tsconfig.json', import.meta.url)))],
  // What the Angular CLI defines for production builds: no dev-mode checks, no JIT compiler.
  define: { ngDevMode: 'false', ngJitMode: 'false', ngI18nClosureMode: 'false' },
});
