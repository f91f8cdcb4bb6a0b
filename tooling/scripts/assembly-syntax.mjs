// AssemblyScript's `@inline` decorator on a top-level function is not TypeScript (decorators
// belong to classes), so Prettier and typescript-eslint stop at it with "Decorators are not valid
// here". Everything else in packages/tensor/assembly/ (i32/f32/v128 types, load<f32>(p), <f32>x
// casts) is TypeScript syntax. These helpers hide the decorator lines from the tools and put them
// back; no other syntax is touched.

/** `@inline` alone on a line, as assembly/ writes every decorator. */
const DECORATOR = /^@inline$/gm;

/**
 * For ESLint: each `@inline` line becomes a comment of the same length (`//nline`), so every
 * offset, line and column ESLint reports (and every autofix range) is that of the real file.
 */
export function maskDecorators(text) {
  return text.replace(DECORATOR, '//nline');
}

/** For Prettier: `@inline` lines become `// @inline` comments, which Prettier keeps on their own line. */
export function hideDecorators(text, file) {
  if (/^\/\/ @inline$/m.test(text)) {
    throw new Error(`${file}: has a '// @inline' comment line, which would turn into a decorator`);
  }
  return text.replace(DECORATOR, '// @inline');
}

/** Undoes `hideDecorators`. */
export function restoreDecorators(text) {
  return text.replace(/^\/\/ @inline$/gm, '@inline');
}
