/**
 * @dl/gradcheck — numerical differentiation (chapter 4 of *Deep Learning from Scratch*) and the
 * gradient check of chapter 5: backprop against central differences, for any model that exposes its
 * parameters and a loss. Depends only on `@dl/tensor`.
 */
export { H, numericalDiff, numericalGradient, type NumericalGradientOptions } from './numerical.js';
export {
  gradientDescent,
  type GradientDescentOptions,
  type GradientDescentResult,
} from './gradient-descent.js';
export {
  checkGradients,
  compareGradient,
  formatGradientCheck,
  gradientCheck,
  type CheckContext,
  type CheckGradientsOptions,
  type CheckParam,
  type GradientCheckable,
  type GradientCheckOptions,
  type GradientCheckReport,
  type ParamGradientCheck,
} from './gradient-check.js';
