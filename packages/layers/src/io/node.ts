/**
 * `@dl/layers/node`: the parts of save/load that touch the file system (`node:fs`), kept out of the
 * main entry so that `@dl/layers` stays usable in browsers and Web Workers. The byte-level functions
 * (`saveModel`, `loadModel`, `readSafetensors`, `writeSafetensors`) are in the main entry.
 */
export { readFileBytes, removeStaleTempFiles, writeFileAtomic, writeFileAtomicSync } from './file.js';
export { loadModelFile, saveModelFile } from './model-file.js';
