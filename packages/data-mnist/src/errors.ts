/**
 * What went wrong, as a value a program can branch on; the message says it for people, naming the
 * file, what was expected and what was found.
 */
export type MnistErrorCode =
  | 'missing-file' // a file is not there (or cannot be read)
  | 'bad-gzip' // a `.gz` file does not decompress
  | 'bad-magic' // the first bytes are not an IDX header
  | 'bad-type' // an IDX type code this format does not define
  | 'truncated' // fewer bytes than the header promises
  | 'trailing-bytes' // more bytes than the header promises
  | 'bad-shape' // a valid IDX file with the wrong rank, element type or image size
  | 'count-mismatch' // images and labels disagree on the number of examples
  | 'bad-label' // a label outside [0, numClasses)
  | 'checksum'; // a bundled file whose size or SHA-256 is not the published one

/** Every error this package throws on purpose. `file` is the path (or name) the problem is in, if any. */
export class MnistDataError extends Error {
  readonly code: MnistErrorCode;
  readonly file: string | undefined;

  constructor(code: MnistErrorCode, message: string, options: { file?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MnistDataError';
    this.code = code;
    this.file = options.file;
  }
}

/** The bytes of one file are not a well-formed IDX file (magic, type code, length). */
export class IdxFormatError extends MnistDataError {
  constructor(code: MnistErrorCode, message: string, options: { file?: string; cause?: unknown } = {}) {
    super(code, message, options);
    this.name = 'IdxFormatError';
  }
}
