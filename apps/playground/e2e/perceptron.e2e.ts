import { expect, openPage, test } from './fixtures.js';

test.describe('perceptron page', () => {
  test('computes XOR with two layers for every input', async ({ page }) => {
    await openPage(page, 'perceptron');
    await expect(page.getByTestId('xor-y')).toHaveText(['0', '1', '1', '0']);
    const x1 = page.getByTestId('xor-x1');
    const x2 = page.getByTestId('xor-x2');
    const expected: Record<string, number> = { '00': 0, '10': 1, '01': 1, '11': 0 };
    for (const [a, b] of [
      [0, 0],
      [1, 0],
      [0, 1],
      [1, 1],
    ] as const) {
      if ((await x1.getAttribute('aria-pressed')) !== String(a === 1)) await x1.click();
      if ((await x2.getAttribute('aria-pressed')) !== String(b === 1)) await x2.click();
      await expect(page.getByTestId('xor-output')).toContainText(`y = AND(`);
      await expect(page.getByTestId('xor-output')).toHaveText(new RegExp(`= ${expected[`${a}${b}`]}$`));
    }
  });

  test('one perceptron makes AND, NAND and OR but not XOR', async ({ page }) => {
    await openPage(page, 'perceptron');
    for (const gate of ['AND', 'NAND', 'OR']) {
      await page.getByTestId(`preset-${gate}`).click();
      await expect(page.getByTestId('single-score')).toHaveText(
        `This perceptron is ${gate}: 4 of 4 rows agree.`,
      );
    }
    await page.getByTestId('target').selectOption('XOR');
    await expect(page.getByTestId('single-score')).toContainText('No single line separates XOR');
    // Editing the weights by keyboard recomputes the output.
    await page.getByTestId('preset-OR').click();
    await page.getByTestId('single-x1').press('Enter');
    await expect(page.getByTestId('single-output')).toHaveText('y = 1');
    await page.getByTestId('w1').fill('-1');
    await expect(page.getByTestId('single-output')).toHaveText('y = 0');
  });
});
