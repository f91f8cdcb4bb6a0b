import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { ROOT } from './workspace.js';

/** Debian's Chromium, as the playground's browser tests use it (`tooling/scripts/setup.mjs` installs it). */
export const CHROMIUM = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The few parts of playwright-core's API used here. */
interface Response {
  url(): string;
  status(): number;
}
interface ConsoleMessage {
  type(): string;
  text(): string;
}
interface Page {
  on(event: 'response', listener: (r: Response) => void): void;
  on(event: 'console', listener: (m: ConsoleMessage) => void): void;
  on(event: 'pageerror', listener: (e: Error) => void): void;
  goto(url: string): Promise<unknown>;
  waitForSelector(selector: string, options: { timeout: number }): Promise<unknown>;
  textContent(selector: string): Promise<string | null>;
}
interface Browser {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}
interface PlaywrightCore {
  chromium: {
    launch(options: { executablePath: string; args: string[]; headless: boolean }): Promise<Browser>;
  };
}

/**
 * playwright-core from the playground's `@playwright/test` (its dependency, not hoisted by pnpm):
 * resolved through the chain @dl/playground → @playwright/test → playwright → playwright-core.
 */
function loadPlaywright(): PlaywrightCore {
  let from = join(ROOT, 'apps', 'playground', 'package.json');
  for (const name of ['@playwright/test', 'playwright', 'playwright-core']) {
    from = createRequire(from).resolve(`${name}/package.json`);
  }
  return createRequire(from)('playwright-core') as PlaywrightCore;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
};

/** A static file server for a built site, on a free port of 127.0.0.1: plain hosting, no Vite. */
export async function serveStatic(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(dir)) {
      res.writeHead(403).end();
      return;
    }
    readFile(file).then(
      (body) =>
        res
          .writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' })
          .end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

export interface PageRun {
  /** The text of `#result` once it has `data-done`. */
  result: string;
  /** Every response the page got: URL path and status. */
  responses: { path: string; status: number }[];
  /** Console errors and uncaught exceptions. */
  errors: string[];
}

/** Opens `url` in headless Chromium and waits (up to `timeoutMs`) for `#result[data-done]`. */
export async function runPage(url: string, timeoutMs = 60_000): Promise<PageRun> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing; run node tooling/scripts/setup.mjs`);
  const { chromium } = loadPlaywright();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    const page = await browser.newPage();
    const responses: PageRun['responses'] = [];
    const errors: string[] = [];
    page.on('response', (r) => responses.push({ path: new URL(r.url()).pathname, status: r.status() }));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
    await page.goto(url);
    await page.waitForSelector('#result[data-done]', { timeout: timeoutMs });
    return { result: (await page.textContent('#result')) ?? '', responses, errors };
  } finally {
    await browser.close();
  }
}
