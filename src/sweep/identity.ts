// Run identity: a hash of everything that determines a sweep's records: the resolved
// experiment (workloads, strategies, fault, parameter sets, seeds), the trials per cell and
// scale, every parameter value, and the code (the bytes of src/ and data/). Two runs with one
// identity hold the same record for every key they share, so resume, merge and the readers
// may join or reuse them; a run with another identity is never mixed in. The shard is not part
// of the hash (shards of one sweep share it, which merge checks) but resume compares it too.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../paths.js';
import { gitState } from './provenance.js';
import { DEFAULT_PARAMS } from '../params.js';
import type { Experiment, Scale } from './experiment.js';

export interface Identity {
  /** sha256 over experiment, scale, trialsPerCell, params and code.tree. */
  hash: string;
  params: Record<string, number>;
  code: { commit: string | null; tree: string };
}

/** JSON with sorted keys, so equal values hash equally whatever order they were written in. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

const sha = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

function walk(dir: string, rel: string, out: string[]): void {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name), r = rel ? `${rel}/${name}` : name;
    if (statSync(p).isDirectory()) walk(p, r, out); else out.push(r);
  }
}

let codeCache: Identity['code'] | null = null;

/**
 * Whether a file can change a record. data/params.json enters by value (identity.params), so
 * editing a source text keeps the identity. The analysis and the CLI only read and present
 * records (a report's wording or a figure's colours must not make every run stale), except
 * analysis/paper.ts, which names the paper's workloads an experiment can ask for.
 */
export function makesRecords(f: string): boolean {
  if (f === 'data/params.json' || f.startsWith('src/cli/')) return false;
  return !f.startsWith('src/analysis/') || f === 'src/analysis/paper.ts';
}

/**
 * The code: a hash over the path and bytes of every file under src/ and data/ that can change a record (committed or
 * not: a dirty tree is hashed as it is), with the commit beside it for humans. The records
 * depend on these bytes, not on the commit: a commit that only touches docs keeps the identity.
 */
export function codeIdentity(): Identity['code'] {
  if (codeCache) return codeCache;
  const root = fileURLToPath(REPO_ROOT);
  const h = createHash('sha256');
  for (const top of ['src', 'data']) {
    if (!existsSync(join(root, top))) continue;
    const files: string[] = [];
    walk(join(root, top), top, files);
    // data/params.json enters by value (identity.params), so editing a source text keeps the identity.
    for (const f of files) if (makesRecords(f)) h.update(`${f}\0${sha(readFileSync(join(root, f)))}\n`);
  }
  codeCache = { commit: gitState()?.commit ?? null, tree: h.digest('hex') };
  return codeCache;
}

export function identityOf(e: Experiment, scale: Scale, trialsPerCell: number): Identity {
  const params = { ...DEFAULT_PARAMS } as unknown as Record<string, number>;
  const code = codeIdentity();
  const { description: _prose, ...definition } = e; // prose does not change a record
  return { hash: sha(canonical({ experiment: definition, scale, trialsPerCell, params, code: code.tree })), params, code };
}

/** What differs between a stored run and the current definition, one phrase per difference. */
export function identityDiff(
  old: { experiment: Experiment; scale: string; trialsPerCell: number; identity?: Identity },
  cur: { experiment: Experiment; scale: string; trialsPerCell: number; identity: Identity },
): string[] {
  const out: string[] = [];
  const fields = new Set([...Object.keys(old.experiment ?? {}), ...Object.keys(cur.experiment)]);
  for (const f of fields) {
    if (f === 'description') continue;
    const a = (old.experiment as unknown as Record<string, unknown>)?.[f], b = (cur.experiment as unknown as Record<string, unknown>)[f];
    if (canonical(a) !== canonical(b)) out.push(`experiment ${f} (${brief(a)} -> ${brief(b)})`);
  }
  if (old.scale !== cur.scale) out.push(`scale (${old.scale} -> ${cur.scale})`);
  if (old.trialsPerCell !== cur.trialsPerCell) out.push(`trials per cell (${old.trialsPerCell} -> ${cur.trialsPerCell})`);
  if (!old.identity) { out.push('the run has no identity (made before identities were recorded)'); return out; }
  const names = new Set([...Object.keys(old.identity.params ?? {}), ...Object.keys(cur.identity.params)]);
  for (const n of [...names].sort()) {
    const a = old.identity.params?.[n], b = cur.identity.params[n];
    if (a !== b) out.push(`parameter ${n} (${a ?? 'absent'} -> ${b ?? 'absent'})`);
  }
  if (old.identity.code?.tree !== cur.identity.code.tree) {
    const c = (x: string | null | undefined) => x?.slice(0, 10) ?? 'unknown';
    out.push(`code under src/ or data/ (tree ${old.identity.code?.tree?.slice(0, 10)} -> ${cur.identity.code.tree.slice(0, 10)}; commit ${c(old.identity.code?.commit)} -> ${c(cur.identity.code.commit)})`);
  }
  if (out.length === 0 && old.identity.hash !== cur.identity.hash) out.push('the identity hash (no single field named)');
  return out;
}

function brief(v: unknown): string {
  const s = v === undefined ? 'absent' : JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
