// Cobrowse building blocks. rrweb itself is loaded lazily by recorder.ts and
// replayer.ts (dynamic import), so importing this module costs a few KiB.
export * from './codec.js';
export * from './masking.js';
export * from './recorder.js';
export * from './replayer.js';
export * from './remote-control.js';
export * from './overlay.js';
export * from './runtime.js';
