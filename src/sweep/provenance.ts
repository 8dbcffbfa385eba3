// Where results came from: commit and dirty flag, the command, versions, the machine.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { REPO_ROOT } from '../paths.js';

/**
 * The checkout's commit and whether its tree differs from it, from one `git status` (a spawn costs
 * some 40 ms of a sweep's start, where three were made); read once per process, the moment the
 * code identity (sweep/identity.ts) hashes the tree too. null where this is not a git checkout.
 */
export const gitState = (): { commit: string | null; dirty: boolean } | null => (state === undefined ? (state = readGitState()) : state);
let state: ReturnType<typeof gitState> | undefined;

function readGitState(): ReturnType<typeof gitState> {
  let out: string;
  try { out = execFileSync('git', ['status', '--porcelain=v2', '--branch'], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }); } catch { return null; }
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
  const git = gitState();
  const pkg = JSON.parse(readFileSync(new URL('package.json', REPO_ROOT), 'utf8'));
  const versions: Record<string, string> = { node: process.version, shadowbench: pkg.version };
  for (const dep of Object.keys(pkg.dependencies ?? {})) {
    try { versions[dep] = JSON.parse(readFileSync(new URL(`node_modules/${dep}/package.json`, REPO_ROOT), 'utf8')).version; } catch { versions[dep] = 'missing'; }
  }
  return {
    commit: git?.commit ?? null, dirty: git?.dirty ?? null,
    command: ['shadowbench', ...process.argv.slice(2)].join(' '), cwd: process.cwd(), versions, cpus: cpus().length,
  };
}
