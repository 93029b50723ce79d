// Bundles the tsc output (dist/) for the script tag and for pages without a
// bundler: dist/cdn/loader.js (tiny classic script), dist/cdn/widget.js (the
// customer widget), dist/cdn/pane.js (<video-chat-pane> alone) and
// dist/cdn/index.js (all elements). What only some visitors need is loaded
// with import() and so lands in chunks of its own: the video UI and the Janus
// media code (first invitation or video click: one chunk for the widget),
// cobrowse and rrweb (consent), other locales. Every dependency the browser bundles is ESM, so no CommonJS
// plugin. dist/cdn/graph-<build>.json records each build's chunk graph for scripts/size.mjs.
import { relative } from 'node:path';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { rollup } from 'rollup';
import { literalsHtmlCssMinifier } from '@literals/rollup-plugin-html-css-minifier';

/** Each chunk's static and dynamic imports and the modules it holds, as rollup decided them. */
function chunkGraph(name) {
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
      this.emitFile({ type: 'asset', fileName: `graph-${name}.json`, source: JSON.stringify({ chunks }, null, 1) });
    },
  };
}

const esm = {
  dir: 'dist/cdn',
  format: 'es',
  sourcemap: true,
  entryFileNames: '[name].js',
  // Code shared by the entries is named for what it is, not after one of its modules.
  chunkFileNames: (c) => (c.isDynamicEntry || c.name === 'video' || c.name === 'chat' ? 'chunks/[name]-[hash].js' : 'chunks/shared-[hash].js'),
};
// Literal HTML and CSS minified before terser (which keeps template strings as they are); whitespace is
// collapsed conservatively (one space kept) so text between inline elements reads the same.
const plugins = () => [
  nodeResolve({ browser: true, exportConditions: ['browser', 'production'] }),
  literalsHtmlCssMinifier({ failOnError: true, options: { minifyOptions: { conservativeCollapse: true } } }),
  terser({ ecma: 2020, module: true, format: { comments: false } }),
];
/** Modules of the widget's video path (see manualChunks): the video core and backend, the video elements, the Janus media code. */
const VIDEO_PATH = /\/dist\/(session\/(video-core|video-session|video-backend|call-network)|janus\/(media|videoroom-call|local-media|call-stats|device-problem)|components\/(video-frame|video-invite|media-controls)\/|components\/video-requests)/;

/**
 * The widget's chunks as rollup cuts them by itself (a quick first bundling, no minification), with
 * the chunks of the video path merged into one: module id → chunk name. Every module is named, or
 * rollup would pull whatever the barrels (i18n/index.js, session/index.js) re-export, the lazy parts
 * too, into the chunk of the module importing the barrel.
 */
async function widgetChunks() {
  const bundle = await rollup({ input: 'dist/widget.js', plugins: [nodeResolve({ browser: true, exportConditions: ['browser', 'production'] })] });
  const { output } = await bundle.generate({ format: 'es' });
  await bundle.close();
  const names = new Map();
  for (const c of output) {
    if (c.type !== 'chunk' || c.isEntry) continue;
    const ids = Object.keys(c.modules);
    const name = c.imports.length === 0 && output.some((e) => e.type === 'chunk' && e.isEntry && e.imports.includes(c.fileName)) ? 'chat' : ids.some((id) => VIDEO_PATH.test(id)) ? 'video' : c.name;
    for (const id of ids) names.set(id, name);
  }
  return names;
}

const widgetChunkOf = await widgetChunks();

export default [
  {
    input: 'dist/loader.js',
    output: { file: 'dist/cdn/loader.js', format: 'iife', sourcemap: true },
    plugins: [terser({ ecma: 2020, format: { comments: false } })],
  },
  {
    // The customer's widget is a build of its own: nothing it loads is shared with the agent's
    // bundles (no page loads both), so its chunks are cut for the customer's paths alone.
    input: { widget: 'dist/widget.js' },
    output: {
      ...esm,
      // What the first video signal or click needs (the video session core, its UI, the Janus media
      // code) is one chunk: separately compressed pieces of one step cost the customer ~1 KiB more.
      // Named for every module (widgetChunks): rollup would otherwise pull the modules the video code
      // shares with the chat into the video chunk, and the chat path would load it.
      manualChunks: (id) => widgetChunkOf.get(id),
    },
    plugins: [...plugins(), chunkGraph('widget')],
  },
  {
    input: { pane: 'dist/pane.js', index: 'dist/index.js' },
    output: esm,
    plugins: [...plugins(), chunkGraph('agent')],
  },
];
