// User errors end with a clear message and exit code 2; anything else is a bug and shows its stack.
import { SpecError } from '../trial/spec.js';

export class UsageError extends Error {}

export function fail(e: unknown): never {
  if (e instanceof SpecError || e instanceof UsageError || (e instanceof Error && /^(no Chromium at |Jupyter is not installed)/.test(e.message))) {
    console.error(`shadowbench: ${e.message}`);
    process.exit(2);
  }
  throw e;
}
