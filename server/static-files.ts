import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** URL prefixes that map onto folders of the repository; nothing else is served. */
const MOUNTS: ReadonlyArray<{ prefix: string; folder: string }> = [
  { prefix: '/demo/', folder: 'demo' },
  { prefix: '/dist/', folder: 'dist' },
];

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache', ...headers });
  res.end(text);
}

/**
 * Maps a URL path onto a file under `root`, or undefined when it may not be
 * served. Each segment is decoded on its own and checked, so neither `..` nor an
 * encoded slash or backslash can climb out; hidden files stay hidden.
 */
export function resolveStaticPath(root: string, pathname: string): { file: string; folder: string } | undefined {
  const target = pathname === '/' ? '/demo/index.html' : pathname;
  const mount = MOUNTS.find((m) => target.startsWith(m.prefix));
  if (!mount) return undefined;
  const segments: string[] = [];
  for (const raw of target.slice(mount.prefix.length).split('/')) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (seg === '') continue;
    if (seg.startsWith('.') || /[/\\\0]/.test(seg)) return undefined;
    segments.push(seg);
  }
  const folder = resolve(root, mount.folder);
  const file = resolve(folder, ...segments);
  if (file !== folder && !file.startsWith(folder + sep)) return undefined;
  return { file, folder };
}

/** Serves GET/HEAD for `/`, `/demo/…` and `/dist/…` with revalidation (`no-cache` + ETag). */
export async function serveStatic(req: IncomingMessage, res: ServerResponse, root: string | undefined, pathname: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    plain(res, 405, 'Method Not Allowed\n', { allow: 'GET, HEAD' });
    return;
  }
  if (root && MOUNTS.some((m) => m.prefix === `${pathname}/`)) {
    plain(res, 301, 'Moved Permanently\n', { location: `${pathname}/` });
    return;
  }
  const resolved = root ? resolveStaticPath(root, pathname) : undefined;
  if (!resolved) {
    plain(res, 404, 'Not Found\n');
    return;
  }
  let file = resolved.file;
  let info = await stat(file).catch(() => undefined);
  if (info?.isDirectory()) {
    if (!pathname.endsWith('/')) {
      // Relative links inside the folder's index.html only work with the slash.
      plain(res, 301, 'Moved Permanently\n', { location: `${pathname}/` });
      return;
    }
    file = join(file, 'index.html');
    info = await stat(file).catch(() => undefined);
  }
  if (!info?.isFile()) {
    plain(res, 404, 'Not Found\n');
    return;
  }
  const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  const headers = {
    'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    etag,
    'last-modified': info.mtime.toUTCString(),
  };
  if (req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'content-length': info.size });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
