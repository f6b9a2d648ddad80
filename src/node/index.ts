/** The proxy on Node (`navtalk-avatar/proxy/node`): a node:http adapter, and result stores in a folder or an S3-compatible bucket. */
export { FileResultStore } from './fs-results.js';
export { nodeListener, type NodeListenerOptions } from './http.js';
export { S3ResultStore, type S3ResultStoreOptions } from './s3-results.js';
