// Bundles the tsc output (dist/) for the script tag and for pages without a
// bundler: dist/cdn/loader.js (tiny classic script), dist/cdn/widget.js (the
// customer widget) and dist/cdn/index.js (all elements). janus-gateway with
// webrtc-adapter is imported dynamically by src/janus, so rollup keeps it in
// a lazy chunk that loads only when a conversation connects.
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';

const minify = terser({ ecma: 2020, module: true, format: { comments: false } });

export default [
  {
    input: 'dist/loader.js',
    output: { file: 'dist/cdn/loader.js', format: 'iife', sourcemap: true },
    plugins: [terser({ ecma: 2020, format: { comments: false } })],
  },
  {
    input: { widget: 'dist/widget.js', index: 'dist/index.js' },
    output: {
      dir: 'dist/cdn',
      format: 'es',
      sourcemap: true,
      entryFileNames: '[name].js',
      chunkFileNames: 'chunks/[name]-[hash].js',
    },
    plugins: [nodeResolve({ browser: true, exportConditions: ['browser', 'production'] }), commonjs(), minify],
    onwarn(warning, warn) {
      // janus.es.js uses `this` at module top level in its UMD wrapper; harmless.
      if (warning.code === 'THIS_IS_UNDEFINED') return;
      warn(warning);
    },
  },
];
