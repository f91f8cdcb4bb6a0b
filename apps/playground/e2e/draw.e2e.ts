import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { SHIPPED_MODEL_FILE } from '../src/lib/shipped-model.js';
import { expect, openPage, saveScreenshot, test } from './fixtures.js';
import { APP_DIR } from './paths.js';

type Point = [number, number];

/** Draws one stroke through `points` (in the canvas's 280×280 coordinates) with the mouse. */
async function stroke(page: Page, points: readonly Point[]): Promise<void> {
  const canvas = page.getByTestId('draw-canvas');
  const box = (await canvas.boundingBox())!;
  const at = ([x, y]: Point): Point => [box.x + (x / 280) * box.width, box.y + (y / 280) * box.height];
  await page.mouse.move(...at(points[0]!));
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps: 2 });
  await page.mouse.up();
}

const ONE: Point[] = [
  [150, 50],
  [146, 120],
  [142, 180],
  [140, 235],
];
const ZERO: Point[] = Array.from({ length: 33 }, (_, i): Point => {
  const a = (i / 32) * 2 * Math.PI;
  return [140 + 55 * Math.sin(a), 140 - 85 * Math.cos(a)];
});

test.describe('draw a digit', () => {
  test('the shipped model reads a drawn 1 and a drawn 0', async ({ page }) => {
    await openPage(page, 'draw');
    await expect(page.getByTestId('draw-model')).toHaveValue('shipped:two-layer-net');
    await expect(page.getByTestId('draw-prediction')).toHaveText('Draw a digit (0–9) in the black square.');

    await stroke(page, ONE);
    await expect(page.getByTestId('draw-prediction')).toHaveAttribute('data-digit', '1');
    await saveScreenshot(page, '03-draw-one');

    await page.getByTestId('draw-clear').click();
    await stroke(page, ZERO);
    await expect(page.getByTestId('draw-prediction')).toHaveAttribute('data-digit', '0');
    await saveScreenshot(page, '03-draw-zero');
  });

  test('the shipped SimpleConvNet reads them too', async ({ page }) => {
    await openPage(page, 'draw');
    await expect(page.getByTestId('draw-model').locator('option')).toHaveCount(2);
    await page.getByTestId('draw-model').selectOption('shipped:simple-conv-net');
    await expect(page.getByTestId('draw-model-info')).toContainText('simple-conv-net');
    await stroke(page, ONE);
    await expect(page.getByTestId('draw-prediction')).toHaveAttribute('data-digit', '1');
    await page.getByTestId('draw-clear').click();
    await stroke(page, ZERO);
    await expect(page.getByTestId('draw-prediction')).toHaveAttribute('data-digit', '0');
  });

  test('fits a 1280 px window: the model dropdown stays inside its card', async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await openPage(page, 'draw');
    // Both shipped models loaded: the dropdown holds its longest labels.
    await expect(page.getByTestId('draw-model').locator('option')).toHaveCount(2);
    const { documentWidth, windowWidth } = await page.evaluate(() => ({
      documentWidth: document.documentElement.scrollWidth,
      windowWidth: window.innerWidth,
    }));
    expect(documentWidth).toBeLessThanOrEqual(windowWidth);
    const card = (await page.locator('section.panel').first().boundingBox())!;
    const dropdown = (await page.getByTestId('draw-model').boundingBox())!;
    expect(dropdown.x + dropdown.width).toBeLessThanOrEqual(card.x + card.width);
  });

  test('shows and classifies an MNIST test image', async ({ page }) => {
    await openPage(page, 'draw');
    await page.getByTestId('draw-test-index').fill('0');
    await page.getByTestId('draw-show-test').click();
    // Test image 0 is a 7.
    await expect(page.getByTestId('draw-prediction')).toContainText("the test image's label is 7");
    await expect(page.getByTestId('draw-prediction')).toHaveAttribute('data-digit', '7');
  });

  test('a dropped .safetensors file becomes the model; a bad file is refused', async ({ page }) => {
    await openPage(page, 'draw');
    const bytes = [...readFileSync(join(APP_DIR, 'public', SHIPPED_MODEL_FILE))];
    const drop = async (name: string, content: number[]): Promise<void> => {
      const dataTransfer = await page.evaluateHandle(
        ({ name, content }) => {
          const dt = new DataTransfer();
          dt.items.add(new File([new Uint8Array(content)], name));
          return dt;
        },
        { name, content },
      );
      await page.getByTestId('draw-drop').dispatchEvent('drop', { dataTransfer });
    };

    await drop('not-a-model.safetensors', [1, 2, 3, 4]);
    await expect(page.getByTestId('draw-drop-message')).toContainText(
      'not-a-model.safetensors is not a model this page can use',
    );
    await expect(page.getByTestId('draw-model')).toHaveValue('shipped:two-layer-net');

    await drop('my-model.safetensors', bytes);
    await expect(page.getByTestId('draw-drop-message')).toContainText(
      'Loaded my-model.safetensors: two-layer-net, 39,760 parameters',
    );
    await expect(page.getByTestId('draw-model')).toHaveValue('file');
    await stroke(page, ONE);
    await expect(page.getByTestId('draw-prediction')).toHaveAttribute('data-digit', '1');

    // The same through the file chooser, for keyboard users.
    await page.getByTestId('draw-file').setInputFiles({
      name: 'chosen.safetensors',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from(bytes),
    });
    await expect(page.getByTestId('draw-drop-message')).toContainText('Loaded chosen.safetensors');
  });
});
