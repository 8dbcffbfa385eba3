// Where results came from: commit and dirty flag, the command, versions, the machine.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { REPO_ROOT } from '../paths.js';

/**
 * The checkout's commit and whether its tree differs from it (untracked files count), from one
 * `git status` (a spawn cost some 20-60 ms of a sweep's start, where three were made). Read once
 * per process, at its start: the moment the code identity (sweep/identity.ts) hashes the tree and
 * the workers load the code, so a `reproduce` that runs for minutes describes the code it ran, not
 * edits made meanwhile, and a run directory created inside the checkout does not make it "dirty".
 * --no-optional-locks: a reader never takes .git/index.lock from under the user's own git. If
 * status fails (a damaged index, a git without porcelain v2), the commit alone; null outside git.
 */
export const gitState = (): { commit: string | null; dirty: boolean | null } | null => (state === undefined ? (state = readGitState()) : state);
let state: ReturnType<typeof gitState> | undefined;

const git = (args: string[]): string | null => {
  try { return execFileSync('git', ['--no-optional-locks', ...args], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }); } catch { return null; }
};

function readGitState(): ReturnType<typeof gitState> {
  const out = git(['status', '--porcelain=v2', '--branch']);
  if (out === null) {
    const head = git(['rev-parse', 'HEAD'])?.trim();
    return head ? { commit: head, dirty: null } : null;
  }
  const lines = out.split('\n').filter((l) => l.length > 0);
  const oid = lines.find((l) => l.startsWith('# branch.oid '))?.slice('# branch.oid '.length);
  return { commit: oid && oid !== '(initial)' ? oid : null, dirty: lines.some((l) => !l.startsWith('# ')) };
}

export interface Provenance {
  commit: string | null;
  dirty: boolean | null;
  command: string;
  cwd: string;
  versions: Record<string, string>;
  cpus: number;
}

export function provenance(): Provenance {
  const g = gitState();
  const pkg = JSON.parse(readFileSync(new URL('package.json', REPO_ROOT), 'utf8'));
  const versions: Record<string, string> = { node: process.version, shadowbench: pkg.version };
  for (const dep of Object.keys(pkg.dependencies ?? {})) {
    try { versions[dep] = JSON.parse(readFileSync(new URL(`node_modules/${dep}/package.json`, REPO_ROOT), 'utf8')).version; } catch { versions[dep] = 'missing'; }
  }
  return {
    commit: g?.commit ?? null, dirty: g?.dirty ?? null,
    command: ['shadowbench', ...process.argv.slice(2)].join(' '), cwd: process.cwd(), versions, cpus: cpus().length,
  };
}
