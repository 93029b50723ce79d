// Bundles the tsc output (dist/) for the script tag and for pages without a
// bundler: dist/cdn/loader.js (tiny classic script), dist/cdn/widget.js (the
// customer widget) and dist/cdn/index.js (all elements). The Janus client is
// our own (src/janus, a few KiB) and goes with the widget; rrweb stays in lazy
// chunks. Every dependency the browser bundles is ESM, so no CommonJS plugin.
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
    plugins: [nodeResolve({ browser: true, exportConditions: ['browser', 'production'] }), minify],
  },
];
