// User errors end with one line and exit code 2; anything else is a bug and shows its stack.
import { SpecError } from '../trial/spec.js';

export class UsageError extends Error {}

/** A sweep stopped by Ctrl-C or SIGTERM: the message says how to resume; exit 130 / 143. */
export class SweepInterrupted extends Error {
  constructor(message: string, readonly exitCode: number) { super(message); }
}

/** The error for work stopped by `sig`: exit 143 for SIGTERM, 130 for Ctrl-C. */
export const interrupted = (sig: unknown, message: string): SweepInterrupted => new SweepInterrupted(message, sig === 'SIGTERM' ? 143 : 130);

/** Call `onStop` on Ctrl-C or SIGTERM (instead of exiting at once) until the returned function is called. */
export function onStopSignals(onStop: (sig: NodeJS.Signals) => void): () => void {
  process.on('SIGINT', onStop); process.on('SIGTERM', onStop);
  return () => { process.off('SIGINT', onStop); process.off('SIGTERM', onStop); };
}

// File system errors on paths the user gave (an unwritable --out, a root that is a file).
const USER_FS_CODES = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'EEXIST', 'EROFS', 'ENOSPC', 'ENAMETOOLONG']);

export function isUserError(e: unknown): e is Error {
  return e instanceof SpecError || e instanceof UsageError || e instanceof SweepInterrupted
    || (e instanceof Error && /^(no Chromium at |Jupyter is not installed)/.test(e.message))
    || (e instanceof Error && USER_FS_CODES.has((e as NodeJS.ErrnoException).code ?? '') && typeof (e as NodeJS.ErrnoException).path === 'string');
}

export function fail(e: unknown): never {
  if (isUserError(e)) {
    const fsCode = (e as NodeJS.ErrnoException).code;
    const msg = e instanceof SpecError || e instanceof UsageError || e instanceof SweepInterrupted || !fsCode ? e.message : `cannot use '${(e as NodeJS.ErrnoException).path}': ${fsCode}`;
    console.error(`shadowbench: ${msg}`);
    process.exit(e instanceof SweepInterrupted ? e.exitCode : 2);
  }
  throw e;
}
