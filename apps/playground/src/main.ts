import './styles.css';
import './pictures.css';
import { h } from './lib/dom.js';
import { initPageBackend } from './lib/page-backend.js';
import { renderHome } from './pages/home.js';
import type { Cleanup } from './page.js';
import { CHAPTERS, HOME_TITLE, ROUTES, isUnknownHash, routeForHash } from './routes.js';

// The shell: a chapter navigation and one page at a time, chosen by the location hash (`#/train`).
const root = document.querySelector<HTMLElement>('#page')!;
const nav = document.querySelector<HTMLOListElement>('#nav')!;

for (const r of ROUTES) {
  nav.append(
    h(
      'li',
      {},
      h('a', {
        attrs: { href: `#/${r.path}`, title: `Ch. ${r.chapter}: ${CHAPTERS[r.chapter]}` },
        text: r.title,
      }),
    ),
  );
}

let cleanup: Cleanup | null = null;
// Navigations can overlap (a slow page load, then another click): only the latest one mounts.
let generation = 0;

async function show(): Promise<void> {
  const current = ++generation;
  cleanup?.();
  cleanup = null;
  const route = routeForHash(location.hash);
  for (const a of nav.querySelectorAll('a')) {
    if (a.getAttribute('href') === `#/${route?.path ?? ''}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (!route) {
    document.title = `dl playground — ${HOME_TITLE}`;
    root.replaceChildren(...renderHome(isUnknownHash(location.hash) ? location.hash : null));
    root.dataset.page = 'home';
    return;
  }
  document.title = `${route.title} — dl playground`;
  root.replaceChildren(h('p', { class: 'loading', text: `Loading ${route.title}…` }));
  root.dataset.page = 'loading';
  const page = await route.load();
  if (current !== generation) return;
  root.replaceChildren();
  cleanup = page.mount(root);
  root.dataset.page = route.path;
  root.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

function showSafely(): void {
  show().catch((e: unknown) => {
    console.error(e);
    root.replaceChildren(
      h('p', { class: 'error', attrs: { role: 'alert' }, text: `This page failed to load: ${String(e)}` }),
    );
  });
}

const footer = document.querySelector<HTMLElement>('#footer')!;
window.addEventListener('hashchange', showSafely);
// The backend first, so a page's first computation already runs on it.
void initPageBackend().then((backend) => {
  footer.textContent =
    `Computed in your browser by the dl packages; this page uses the ${backend.variant} backend of @dl/tensor` +
    (backend.fallback ? ` (${backend.fallback})` : '') +
    '. Training runs in a Web Worker.';
  footer.dataset.backend = backend.variant;
  showSafely();
});
