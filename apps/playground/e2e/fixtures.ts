import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { SCREENSHOTS_DIR } from './paths.js';

/**
 * Every test fails if the page logs a console error or throws: "no console errors" is checked on
 * every page the tests visit, not only on the smoke test.
 */
export const test = base.extend<{ consoleErrors: string[] }>({
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
      });
      page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
      await use(errors);
      expect(errors, 'console errors and uncaught exceptions').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

/** Opens a page by its hash route and waits until it has mounted. */
export async function openPage(page: Page, path: string): Promise<void> {
  await page.goto(`/#/${path}`);
  await expect(page.locator('main#page')).toHaveAttribute('data-page', path === '' ? 'home' : path);
}

/** Saves a full-page screenshot for people to look at (not compared). */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS_DIR, `${name}.png`), fullPage: true });
}

/**
 * On the open training page of a page that is not cross-origin isolated: asks for 2 threads, trains
 * one epoch on 1 000 images, and checks it ran on the wasm backend on one thread and said why.
 */
export async function trainWithoutIsolation(page: Page): Promise<void> {
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
  await page.getByTestId('train-threads').selectOption('2');
  await page.getByTestId('train-size').selectOption('1000');
  await page.getByTestId('train-test-size').selectOption('1000');
  await page.getByTestId('train-epochs').fill('1');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-status')).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  const backend = page.getByTestId('stat-backend');
  await expect(backend).toContainText(/wasm-(relaxed-)?simd, 1 thread /);
  await expect(backend).toContainText('cross-origin isolated: no');
  await expect(backend).toContainText('cross-origin isolation');
}
