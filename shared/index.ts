export * from './text.js';
export * from './headline.js';
export * from './schemas.js';
export * from './events.js';
export * from './errors.js';
export * from './protocol.js';
export * from './stream.js';
