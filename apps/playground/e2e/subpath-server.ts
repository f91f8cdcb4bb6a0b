import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { APP_DIR, SUBPATH, SUBPATH_PORT } from './paths.js';

// The built dist/ served under a sub-path (`/dl/`) as a plain static host serves a project page:
// nothing at the site's root, and no COOP/COEP headers (so the page is not cross-origin isolated).
// Started by playwright.config.ts for e2e/subpath.e2e.ts.

const DIST = join(APP_DIR, 'dist');
const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

/** The file of dist/ that `pathname` names, or null when it is outside the sub-path or dist/. */
function fileFor(pathname: string): string | null {
  if (!pathname.startsWith(SUBPATH)) return null;
  const rest = decodeURIComponent(pathname.slice(SUBPATH.length)) || 'index.html';
  const file = normalize(join(DIST, rest));
  if (!file.startsWith(DIST + sep)) return null;
  try {
    return statSync(file).isFile() ? file : null;
  } catch {
    return null;
  }
}

createServer((request, response) => {
  const { pathname } = new URL(request.url ?? '/', 'http://localhost');
  // As static hosts do: the directory without its slash redirects to it.
  if (pathname === SUBPATH.slice(0, -1)) {
    response.writeHead(301, { location: SUBPATH }).end();
    return;
  }
  const file = fileFor(pathname);
  if (!file) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${pathname}\n`);
    return;
  }
  response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(response);
}).listen(SUBPATH_PORT, () => {
  console.log(`dist/ at http://localhost:${SUBPATH_PORT}${SUBPATH}`);
});
