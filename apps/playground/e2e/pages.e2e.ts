import { ROUTES } from '../src/routes.js';
import { expect, openPage, saveScreenshot, test } from './fixtures.js';

test.describe('every page', () => {
  test('the home page lists every page by chapter', async ({ page }) => {
    await openPage(page, '');
    for (const r of ROUTES)
      await expect(page.locator('main').getByRole('link', { name: r.title, exact: true })).toBeVisible();
    await saveScreenshot(page, '00-home');
  });

  for (const [i, r] of ROUTES.entries()) {
    test(`${r.title} (#/${r.path}) loads without console errors`, async ({ page }) => {
      await openPage(page, r.path);
      await expect(page.locator('main h1')).toHaveText(r.title);
      await expect(page).toHaveTitle(new RegExp(r.title));
      // Give late work (fetches, workers, animation frames) a moment to fail, if it would.
      await page.waitForTimeout(300);
      await saveScreenshot(page, `${String(i + 1).padStart(2, '0')}-${r.path}`);
    });
  }

  test('the chapter navigation works with the keyboard', async ({ page }) => {
    await openPage(page, '');
    const link = page.locator('#nav a', { hasText: 'Gradient descent' });
    await link.focus();
    await page.keyboard.press('Enter');
    await expect(page.locator('main#page')).toHaveAttribute('data-page', 'gradient-descent');
    await expect(page.locator('#nav a[aria-current="page"]')).toHaveText('Gradient descent');
  });

  test('an unknown page says so and shows the home page', async ({ page }) => {
    await page.goto('/#/no-such-page');
    await expect(page.getByRole('alert')).toContainText('There is no page #/no-such-page');
  });
});
