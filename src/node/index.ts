/** The proxy on Node (`navtalk-avatar/proxy/node`): a node:http adapter and a result store in a folder. */
export { FileResultStore } from './fs-results.js';
export { nodeListener, type NodeListenerOptions } from './http.js';
