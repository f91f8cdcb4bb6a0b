import type { Page } from '@playwright/test';
import { expect, saveScreenshot, test, trainWithoutIsolation } from './fixtures.js';
import { SUBPATH, SUBPATH_PORT } from './paths.js';

// The built app served under a sub-path (`/dl/`, as a project page on a static host), without the
// COOP/COEP headers: every file it loads must come from under that path.

const ROOT = `http://localhost:${SUBPATH_PORT}${SUBPATH}`;

/** Records every request the page makes and every response that failed. */
function watchRequests(page: Page): { urls: string[]; failed: string[] } {
  const seen = { urls: [] as string[], failed: [] as string[] };
  page.on('request', (r) => {
    if (/^https?:/.test(r.url())) seen.urls.push(r.url());
  });
  page.on('response', (r) => {
    if (r.status() >= 400) seen.failed.push(`${r.status()} ${r.url()}`);
  });
  page.on('requestfailed', (r) => seen.failed.push(`failed ${r.url()}`));
  return seen;
}

async function open(page: Page, path: string): Promise<void> {
  await page.goto(`${ROOT}#/${path}`);
  await expect(page.locator('main#page')).toHaveAttribute('data-page', path === '' ? 'home' : path);
}

test.describe(`the built app under a sub-path (${SUBPATH})`, () => {
  test('loads its pages, the wasm backend, a shipped model and the MNIST images', async ({ page }) => {
    const requests = watchRequests(page);
    await open(page, '');
    await expect(page.locator('#footer')).toHaveAttribute('data-backend', /^wasm/);
    await expect(page.locator('main').getByRole('link', { name: 'Draw a digit', exact: true })).toBeVisible();

    // A link of the home page, then a shipped model and a test image on the draw page.
    await page.locator('main').getByRole('link', { name: 'Draw a digit', exact: true }).click();
    await expect(page.locator('main#page')).toHaveAttribute('data-page', 'draw');
    expect(page.url()).toBe(`${ROOT}#/draw`);
    await expect(page.getByTestId('draw-model')).toHaveValue('shipped:two-layer-net');
    await expect(page.getByTestId('draw-model-info')).toContainText('two-layer-net, test accuracy');
    await page.getByTestId('draw-show-test').click();
    await expect(page.getByTestId('draw-prediction')).toContainText("the test image's label is 7");
    await saveScreenshot(page, 'subpath-draw');

    await open(page, 'convolution');
    await expect(page.getByTestId('conv-model')).toHaveValue('shipped:simple-conv-net');

    expect(requests.failed).toEqual([]);
    const outside = requests.urls.filter((u) => !u.startsWith(ROOT));
    expect(outside, 'requests outside the sub-path').toEqual([]);
    expect(requests.urls.some((u) => u.endsWith('.wasm'))).toBe(true);
    expect(requests.urls.some((u) => u.endsWith('.safetensors'))).toBe(true);
  });

  test('trains in the worker on the wasm backend, on one thread, and says why', async ({ page }) => {
    const requests = watchRequests(page);
    await open(page, 'train');
    await trainWithoutIsolation(page);
    await expect(page.getByTestId('stat-step')).toHaveText('10 / 10');

    expect(requests.failed).toEqual([]);
    expect(requests.urls.filter((u) => !u.startsWith(ROOT))).toEqual([]);
    expect(requests.urls.some((u) => /train-worker[^/]*\.js$/.test(u))).toBe(true);
    expect(requests.urls.some((u) => u.includes('/data/mnist/'))).toBe(true);
  });
});
