/// <reference types="webgpu" preserve="true" />

/**
 * GPU errors as the one line the backend throws. WebGPU reports them as several lines (Dawn: the
 * error, then ` - While validating ...` / ` - While calling ...` lines naming the objects by label;
 * a WGSL error: the source line and a caret under the culprit), and never throws them: they arrive
 * later, through error scopes, `device.lost` or the device's `uncapturederror` event.
 */

/** The first line of `text`, trimmed. */
export function firstLine(text: string): string {
  return text.split('\n', 1)[0]!.trim();
}

/**
 * The first line of a GPU error message; for a WGSL error also the source line it points at (the
 * line before the caret), since line and column alone point into generated code nobody sees.
 */
export function errorLine(message: string): string {
  const lines = message.split('\n');
  const first = lines[0]!.trim();
  const caret = lines.findIndex((line, i) => i > 1 && /^\s*\^+\s*$/.test(line));
  const source = caret > 1 ? lines[caret - 1]!.trim() : '';
  return source ? `${first} (in \`${source}\`)` : first;
}

/** The call an error came from (Dawn's last ` - While calling ...` line), if the message says. */
function callOf(message: string): string | undefined {
  const calls = [...message.matchAll(/^\s*- While calling (.+?)\.?\s*$/gm)];
  return calls.at(-1)?.[1];
}

/** `GPUValidationError` → `validation`, `GPUOutOfMemoryError` → `out-of-memory`. */
function kindOf(error: GPUError): string {
  const name = error.constructor.name.replace(/^GPU/, '').replace(/Error$/, '');
  return name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase() || 'GPU';
}

/**
 * An error no error scope caught (a buffer made or written outside a kernel, or by other code on
 * the device): its kind, the last kernel recorded, the error and the call it came from.
 */
export function uncapturedLine(error: GPUError, lastKernel: string): string {
  const call = callOf(error.message);
  const where = call === undefined ? '' : ` (while calling ${call})`;
  return `webgpu: uncaptured ${kindOf(error)} error (last kernel: ${lastKernel}): ${errorLine(error.message)}${where}`;
}

/** The device's loss, with the last kernel recorded before it. */
export function lostLine(info: GPUDeviceLostInfo, lastKernel: string): string {
  return `webgpu: device lost (${info.reason}): ${firstLine(info.message)} (last kernel: ${lastKernel})`;
}
