import { relu, sigmoid, stepFunction, tanh } from '@dl/layers';
import { arange, fromArray } from '@dl/tensor';
import type { Experiment } from './context.js';
import { csv, figure } from './files.js';

/** Chapter 3.2: the step function, sigmoid and ReLU (and tanh) on [-5, 5), as `ch03/sig_step_compare.py` and `relu.py`. */
export const activationsExperiment: Experiment = {
  name: 'activations',
  summary: 'step, sigmoid, ReLU and tanh curves (figures 3-6, 3-7, 3-9)',
  book: 'ch03/step_function.py, sig_step_compare.py, relu.py',
  usesData: false,
  usesNetwork: false,
  options: {},
  run(ctx) {
    // np.arange(-5.0, 5.0, 0.1), in float64 as NumPy computes it.
    const x = arange(-5, 5, 0.1, 'float64');
    const xs = Array.from(x.data);
    const curves = {
      step: Array.from(stepFunction(x).data),
      sigmoid: Array.from(sigmoid(x).data),
      relu: Array.from(relu(x).data),
      tanh: Array.from(tanh(x).data),
    };
    const files = [
      csv(
        ctx,
        'activations',
        ['x', 'step', 'sigmoid', 'relu', 'tanh'],
        xs.map((v, i) => [v, curves.step[i]!, curves.sigmoid[i]!, curves.relu[i]!, curves.tanh[i]!]),
      ),
      ...figure(ctx, 'activations', {
        title: 'Activation functions',
        panels: [
          {
            title: 'step and sigmoid',
            x: { label: 'x' },
            y: { label: 'y', min: -0.1, max: 1.1 },
            legend: 'top-left',
            series: [
              { name: 'step', x: xs, y: curves.step, style: 'dashed' },
              { name: 'sigmoid', x: xs, y: curves.sigmoid },
            ],
          },
          {
            title: 'ReLU',
            x: { label: 'x' },
            y: { label: 'y', min: -1, max: 5.5 },
            legend: 'top-left',
            series: [{ name: 'relu', x: xs, y: curves.relu, color: '#2ca02c' }],
          },
          {
            title: 'tanh',
            x: { label: 'x' },
            y: { label: 'y', min: -1.1, max: 1.1 },
            legend: 'top-left',
            series: [{ name: 'tanh', x: xs, y: curves.tanh, color: '#d62728' }],
          },
        ],
      }),
    ];
    return Promise.resolve({
      files,
      summary: {
        points: xs.length,
        // The values the book's text quotes: sigmoid(-1), sigmoid(1), sigmoid(2); the step at 0 is 0.
        ...Object.fromEntries(
          [-1, 1, 2].map((v) => [`sigmoid(${v})`, sigmoid(fromArray([v], [1], 'float64')).data[0]!]),
        ),
        'step(0)': stepFunction(fromArray([0], [1], 'float64')).data[0]!,
      },
    });
  },
};
