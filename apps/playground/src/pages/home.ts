import { h } from '../lib/dom.js';
import { CHAPTERS, HOME_TITLE, ROUTES } from '../routes.js';

/** The home page: every page, grouped by the book's chapters, in the book's order. */
export function renderHome(unknownHash: string | null): Node[] {
  const chapters = [...new Set(ROUTES.map((r) => r.chapter))].sort((a, b) => a - b);
  return [
    h(
      'header',
      { class: 'page-header' },
      h('h1', { text: HOME_TITLE }),
      h('p', {
        class: 'intro',
        text:
          'The ideas of the book Deep Learning from Scratch, one page each, computed live in your browser by ' +
          'the dl packages: tensors, layers, optimizers and gradient checks written in TypeScript.',
      }),
    ),
    unknownHash
      ? h('p', {
          class: 'error',
          attrs: { role: 'alert' },
          text: `There is no page ${unknownHash}; pick one below.`,
        })
      : null,
    h(
      'ol',
      { class: 'chapters' },
      ...chapters.map((n) =>
        h(
          'li',
          { class: 'chapter-card' },
          h('h2', { text: `Chapter ${n}: ${CHAPTERS[n]}` }),
          h(
            'ul',
            {},
            ...ROUTES.filter((r) => r.chapter === n).map((r) =>
              h(
                'li',
                {},
                h('a', { attrs: { href: `#/${r.path}` }, text: r.title }),
                h('p', { text: r.summary }),
              ),
            ),
          ),
        ),
      ),
    ),
  ].filter((n): n is HTMLElement => n !== null);
}
