/**
 * What a page of the playground is. Its own module, so `routes.ts` (which loads the pages) and the
 * pages (which return a `Cleanup`) both import it and not each other.
 */

/** What a page returns from `mount`: undoes what it started (listeners, timers) when the user leaves it. */
export type Cleanup = () => void;

/** A page of the playground: it fills `root` and returns what to undo when the user leaves it. */
export interface PageModule {
  mount(root: HTMLElement): Cleanup;
}
