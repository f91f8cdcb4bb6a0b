/**
 * URLs of the files the app ships in `public/` (the MNIST asset, the models). The build is relative
 * (`base: './'` in vite.config.ts), so they resolve against the page's own address: the app works at
 * a site's root and under any sub-path (`https://example.org/dl/`) alike.
 */

/** The absolute URL of `path` (`models/two-layer-net.safetensors`, `data/mnist/`) next to the page. */
export function publicUrl(path: string): string {
  return new URL(`${import.meta.env.BASE_URL}${path}`, location.href).href;
}

/**
 * The directory of the MNIST asset files (ends with `/`). Absolute, because the training worker
 * resolves relative URLs against its own script, not against the page.
 */
export function mnistDataUrl(): string {
  return publicUrl('data/mnist/');
}
