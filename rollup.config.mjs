// Bundles the tsc output (dist/) for the script tag and for pages without a
// bundler: dist/cdn/loader.js (tiny classic script), dist/cdn/widget.js (the
// customer widget), dist/cdn/pane.js (<video-chat-pane> alone) and
// dist/cdn/index.js (all elements). What only some visitors need is loaded
// with import() and so lands in chunks of its own: the video UI and the Janus
// media code (first invitation or video click), cobrowse and rrweb (consent),
// other locales. Every dependency the browser bundles is ESM, so no CommonJS
// plugin. dist/cdn/graph.json records the chunk graph for scripts/size.mjs.
import { relative } from 'node:path';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';

const minify = terser({ ecma: 2020, module: true, format: { comments: false } });

/** Each chunk's static and dynamic imports and the modules it holds, as rollup decided them. */
function chunkGraph() {
  return {
    name: 'vc-chunk-graph',
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle)
        .filter((c) => c.type === 'chunk')
        .map((c) => ({
          file: c.fileName,
          entry: c.isEntry ? c.name : undefined,
          imports: c.imports,
          dynamicImports: c.dynamicImports,
          modules: Object.keys(c.modules).map((id) => relative(process.cwd(), id).replace(/^.*node_modules\//, 'node_modules/')),
        }));
      this.emitFile({ type: 'asset', fileName: 'graph.json', source: JSON.stringify({ chunks }, null, 1) });
    },
  };
}

export default [
  {
    input: 'dist/loader.js',
    output: { file: 'dist/cdn/loader.js', format: 'iife', sourcemap: true },
    plugins: [terser({ ecma: 2020, format: { comments: false } })],
  },
  {
    input: { widget: 'dist/widget.js', pane: 'dist/pane.js', index: 'dist/index.js' },
    output: {
      dir: 'dist/cdn',
      format: 'es',
      sourcemap: true,
      entryFileNames: '[name].js',
      // Code shared by the entries is named for what it is, not after one of its modules.
      chunkFileNames: (c) => (c.isDynamicEntry ? 'chunks/[name]-[hash].js' : 'chunks/shared-[hash].js'),
    },
    plugins: [nodeResolve({ browser: true, exportConditions: ['browser', 'production'] }), minify, chunkGraph()],
  },
];
