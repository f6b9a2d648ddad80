export * from './navtalk.js';
export * from './fields.js';
export * from './inputs.js';
export * from './checks.js';
export * from './schema.js';
export * from './schemas.js';
export * from './canonical.js';
export * from './wire.js';
