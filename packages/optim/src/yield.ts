/**
 * Resolves on a later macrotask, so that what waits in the event loop runs: a Web Worker's
 * `message` (the UI asking to stop), a Node `SIGINT` handler, timers, progress output. A resolved
 * promise (a microtask) would not let any of these in. `setImmediate` in Node; a `MessageChannel`
 * round trip in browsers (the HTML standard clamps a nested `setTimeout(0)` to a few milliseconds).
 */
export function yieldToEventLoop(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  if (typeof MessageChannel === 'function') {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.addEventListener('message', () => {
        channel.port1.close();
        resolve();
      });
      channel.port1.start();
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}
