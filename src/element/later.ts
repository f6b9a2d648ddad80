// What only some avatars need, one chunk beside the entry (vite.config.ts): the request code and the loading and
// error views it leads to, loaded when an avatar's first generation starts, and the captions of a muted video.
// (Every way to those views goes through a generation; one chunk is one fetch where more would each add a request,
// their imports, and gzip's warm-up, which the size budget counts per file.)
export { startGeneration } from './generate.js';
export { syncCaptions } from './captions.js';
export * from './views.js';
