// Where results came from: commit and dirty flag, the command, versions, the machine.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { REPO_ROOT } from '../paths.js';

function git(args: string[]): string | null {
  try { return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { return null; }
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
  const status = git(['status', '--porcelain']);
  const pkg = JSON.parse(readFileSync(new URL('package.json', REPO_ROOT), 'utf8'));
  const versions: Record<string, string> = { node: process.version, shadowbench: pkg.version };
  for (const dep of Object.keys(pkg.dependencies ?? {})) {
    try { versions[dep] = JSON.parse(readFileSync(new URL(`node_modules/${dep}/package.json`, REPO_ROOT), 'utf8')).version; } catch { versions[dep] = 'missing'; }
  }
  return {
    commit: git(['rev-parse', 'HEAD']), dirty: status === null ? null : status.length > 0,
    command: ['shadowbench', ...process.argv.slice(2)].join(' '), cwd: process.cwd(), versions, cpus: cpus().length,
  };
}
