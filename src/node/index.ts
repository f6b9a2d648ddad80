/** The proxy's stores for self-hosted Node servers (`navtalk-avatar/proxy/fs`). */
export { FileResultStore } from './fs-results.js';
