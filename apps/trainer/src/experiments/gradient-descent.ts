import { gradientDescent } from '@dl/gradcheck';
import { fromArray, type Tensor } from '@dl/tensor';
import { positive, positiveInt } from '../cli/args.js';
import type { Experiment } from './context.js';
import { ellipseContours } from './contours.js';
import { csv, figure } from './files.js';

// The book's function_2: f(x0, x1) = x0² + x1².
const f = (x: Tensor<'float64'>): number => x.data[0]! ** 2 + x.data[1]! ** 2;

/** Chapter 4.4.1: gradient descent with numerical gradients on x0² + x1² from (-3, 4), figure 4-10. */
export const gradientDescentExperiment: Experiment = {
  name: 'gradient-descent',
  summary: 'the path of gradient descent on x0² + x1² from (-3, 4) (figure 4-10)',
  book: 'ch04/gradient_method.py',
  usesData: false,
  usesNetwork: false,
  options: {
    lr: { type: 'string', help: 'learning rate (default 0.1, the book)' },
    steps: { type: 'string', help: 'number of steps (default 20, the book)' },
  },
  run(ctx) {
    const lr = positive('lr', ctx.values.lr as string | undefined) ?? 0.1;
    const steps = positiveInt('steps', ctx.values.steps as string | undefined) ?? 20;
    const init = fromArray([-3, 4], [2], 'float64');
    const { x, history } = gradientDescent(f, init, { lr, steps });
    // The book's x_history holds the points before each step; add the last one to close the path.
    const points: [number, number][] = [];
    for (let k = 0; k < steps; k++) points.push([history.data[2 * k]!, history.data[2 * k + 1]!]);
    points.push([x.data[0]!, x.data[1]!]);
    // The text's warning: too large a rate diverges, too small a rate barely moves (book 4.4.1).
    const tooLarge = gradientDescent(f, init, { lr: 10, steps: 100 }).x;
    const tooSmall = gradientDescent(f, init, { lr: 1e-10, steps: 100 }).x;
    const files = [
      csv(
        ctx,
        'gradient-descent',
        ['step', 'x0', 'x1', 'f'],
        points.map(([a, b], k) => [k, a, b, a * a + b * b]),
      ),
      ...figure(ctx, 'gradient-descent', {
        panels: [
          {
            title: `gradient descent on x0² + x1², lr ${lr}, ${steps} steps`,
            x: { label: 'x0', min: -4.5, max: 4.5 },
            y: { label: 'x1', min: -4.5, max: 4.5 },
            legend: 'bottom-right',
            series: [
              ...ellipseContours([1, 4, 9, 16, 25], 1, 1),
              {
                name: 'x',
                x: points.map((p) => p[0]),
                y: points.map((p) => p[1]),
                style: 'line-points',
                color: '#1f77b4',
              },
              {
                name: 'x0 = 0',
                x: [-4.5, 4.5],
                y: [0, 0],
                style: 'dashed',
                color: '#0000ff',
                width: 1,
                hideInLegend: true,
              },
              {
                name: 'x1 = 0',
                x: [0, 0],
                y: [-4.5, 4.5],
                style: 'dashed',
                color: '#0000ff',
                width: 1,
                hideInLegend: true,
              },
            ],
          },
        ],
        panelWidth: 560,
        panelHeight: 560,
      }),
    ];
    return Promise.resolve({
      files,
      summary: {
        'final x0': x.data[0]!,
        'final x1': x.data[1]!,
        'final f': f(x),
        'lr 10, 100 steps: x0': tooLarge.data[0]!,
        'lr 10, 100 steps: x1': tooLarge.data[1]!,
        'lr 1e-10, 100 steps: x0': tooSmall.data[0]!,
        'lr 1e-10, 100 steps: x1': tooSmall.data[1]!,
      },
    });
  },
};
