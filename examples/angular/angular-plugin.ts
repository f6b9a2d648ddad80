/**
 * Angular's own compiler in Vite: ngtsc (@angular/compiler-cli) compiles the app ahead of time, checking its
 * templates strictly, and the Angular linker (a Babel plugin) finishes the partially compiled @angular/* packages,
 * as `ng build` does. Not @angular/build itself: its v21 wants TypeScript < 6.0 (this repository has 6.0) and
 * v22 wants Node 22.
 */
import { createCompilerHost, formatDiagnostics, performCompilation, readConfiguration } from '@angular/compiler-cli';
import linker from '@angular/compiler-cli/linker/babel';
import { transformAsync } from '@babel/core';
import type { Plugin } from 'vite';

export function angular(tsconfig: string): Plugin {
  /** The compiled JavaScript of each source file, by its .ts path. */
  const compiled = new Map<string, string>();
  return {
    name: 'angular-aot',
    enforce: 'pre',
    buildStart() {
      const config = readConfiguration(tsconfig);
      const options = { ...config.options, noEmit: false, outDir: undefined, declaration: false, sourceMap: false, inlineSourceMap: true };
      const host = createCompilerHost({ options });
      host.writeFile = (fileName, text) => compiled.set(fileName.replace(/\.js$/, '.ts'), text);
      const { diagnostics } = performCompilation({ rootNames: config.rootNames, options, host });
      const errors = [...config.errors, ...diagnostics].filter((d) => d.category === 1);
      if (errors.length) this.error(formatDiagnostics(errors));
    },
    load: (id) => compiled.get(id) ?? null,
    async transform(code, id) {
      if (!id.includes('/node_modules/@angular/') || !code.includes('ɵɵngDeclare')) return null;
      const linked = await transformAsync(code, { filename: id, plugins: [linker], configFile: false, babelrc: false, sourceMaps: true });
      return linked?.code ? { code: linked.code, map: linked.map } : null;
    },
  };
}
