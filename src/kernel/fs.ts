// A small journaling file system (ext3-like, much reduced) on the block layer: files are
// contiguous extents; a file's size change is committed as a journal record, then its inode
// sector is written; fsync waits for the file's writes and flushes the disk cache. A journal or
// metadata write that fails aborts the journal: with errors=panic (the root file system) the
// kernel goes down, otherwise the file system turns read-only.
import type { Kernel } from './kernel.js';
import { BlockCore, DIR_READ, DIR_WRITE, DIR_FLUSH } from './blockcore.js';
import { fnv1a } from '../sim/memory.js';
import { newBytes, viewOf } from '../sim/slab.js';

export const SECTOR = 512;
const PER_REQUEST = 4;             // sectors per block request (one kernel buffer)
const INODE_START = 8, INODES_PER_SECTOR = 8, INODE_BYTES = 64;
const JOURNAL_START = 64, JOURNAL_SECTORS = 64;
const DATA_START = 256;
export const EIO = -5, EROFS = -30, ENOENT = -2, ENOSPC = -28;

interface Inode { no: number; name: string; start: number; capacitySectors: number; length: number }

/** Where a sector image of file data lives on disk (for installing files before boot). */
export type Installer = (sector: number, data: Uint8Array) => void;

export class FileSystem {
  private readonly inodes = new Map<string, Inode>();
  private nextFree = DATA_START;
  private journalSeq = 0;
  private readOnly = false;
  private readonly pending = new Map<string, number>();
  private readonly waiters = new Map<string, Array<() => void>>();
  private readonly fileErrors = new Map<string, number>();
  metadataWrites = 0;

  constructor(private readonly k: Kernel, private readonly blk: BlockCore, private readonly capacitySectors: number) {}

  // ---- before boot: files already on the disk -----------------------------------------------
  install(put: Installer, name: string, data: Uint8Array, capacityBytes = data.length): void {
    const ino = this.allocate(name, capacityBytes);
    if (typeof ino === 'number') throw new Error(`cannot install ${name}`);
    ino.length = data.length;
    for (let s = 0; s * SECTOR < data.length; s++) put(ino.start + s, data.subarray(s * SECTOR, (s + 1) * SECTOR));
    put(INODE_START + Math.floor(ino.no / INODES_PER_SECTOR), this.inodeSector(ino.no));
  }

  private allocate(name: string, capacityBytes: number): Inode | number {
    const sectors = Math.max(1, Math.ceil(capacityBytes / SECTOR));
    if (this.nextFree + sectors > this.capacitySectors) return ENOSPC;
    const ino: Inode = { no: this.inodes.size, name, start: this.nextFree, capacitySectors: sectors, length: 0 };
    this.nextFree += sectors;
    this.inodes.set(name, ino);
    return ino;
  }

  // ---- what applications call ------------------------------------------------------------------
  create(name: string, capacityBytes: number): number {
    if (this.readOnly) return EROFS;
    if (this.inodes.has(name)) return 0;
    const ino = this.allocate(name, capacityBytes);
    return typeof ino === 'number' ? ino : 0;
  }

  size(name: string): number { return this.inodes.get(name)?.length ?? ENOENT; }

  /** Write whole sectors at a sector-aligned offset; `done` gets 0 or an error. */
  write(name: string, offset: number, data: Uint8Array, done: (r: number) => void): void {
    const ino = this.inodes.get(name);
    if (!ino) { this.later(() => done(ENOENT)); return; }
    if (this.readOnly) { this.later(() => done(EROFS)); return; }
    const first = Math.floor(offset / SECTOR), sectors = Math.ceil(data.length / SECTOR);
    if (first + sectors > ino.capacitySectors) { this.later(() => done(ENOSPC)); return; }
    const padded = newBytes(sectors * SECTOR);
    padded.set(data);
    let outstanding = 0, failed = 0;
    const finishData = (): void => {
      if (failed) { this.fileErrors.set(name, failed); this.settle(name); done(failed); return; }
      const end = offset + data.length;
      if (end <= ino.length) { this.settle(name); done(0); return; }
      ino.length = end;
      this.commitInode(ino, (r) => { this.settle(name); done(r); });
    };
    this.pending.set(name, (this.pending.get(name) ?? 0) + 1);
    for (let s = 0; s < sectors; s += PER_REQUEST) {
      const n = Math.min(PER_REQUEST, sectors - s);
      outstanding++;
      this.blk.submit(DIR_WRITE, ino.start + first + s, n, padded.subarray(s * SECTOR, (s + n) * SECTOR), (st) => {
        if (st < 0) failed = EIO;
        if (--outstanding === 0) finishData();
      });
    }
  }

  read(name: string, offset: number, len: number, done: (r: number, data: Uint8Array) => void): void {
    const ino = this.inodes.get(name);
    if (!ino) { this.later(() => done(ENOENT, newBytes(0))); return; }
    const end = Math.min(offset + len, ino.length);
    if (end <= offset) { this.later(() => done(0, newBytes(0))); return; }
    const first = Math.floor(offset / SECTOR), last = Math.ceil(end / SECTOR);
    const out = newBytes((last - first) * SECTOR);
    let outstanding = 0, failed = 0;
    for (let s = first; s < last; s += PER_REQUEST) {
      const n = Math.min(PER_REQUEST, last - s);
      outstanding++;
      this.blk.submit(DIR_READ, ino.start + s, n, null, (st, data) => {
        if (st < 0 || !data) failed = EIO; else out.set(data, (s - first) * SECTOR);
        if (--outstanding === 0) done(failed || end - offset, out.subarray(offset - first * SECTOR, end - first * SECTOR));
      });
    }
  }

  /** Wait for the file's writes, then flush the disk's write cache. */
  fsync(name: string, done: (r: number) => void): void {
    const go = (): void => {
      const err = this.fileErrors.get(name);
      if (err) { this.fileErrors.delete(name); done(err); return; }
      this.blk.submit(DIR_FLUSH, 0, 0, null, (st) => done(st < 0 ? EIO : 0));
    };
    if ((this.pending.get(name) ?? 0) === 0) go();
    else this.waiters.set(name, [...(this.waiters.get(name) ?? []), go]);
  }

  // ---- internals -----------------------------------------------------------------------------------
  private later(fn: () => void): void { this.k.sched.schedule(0, 'fs-return', fn, 3); }

  private settle(name: string): void {
    const n = (this.pending.get(name) ?? 1) - 1;
    this.pending.set(name, n);
    if (n === 0) for (const w of this.waiters.get(name)?.splice(0) ?? []) w();
  }

  private inodeSector(no: number): Uint8Array {
    const s = newBytes(SECTOR);
    const v = viewOf(s);
    const base = Math.floor(no / INODES_PER_SECTOR) * INODES_PER_SECTOR;
    for (const ino of this.inodes.values()) {
      if (ino.no < base || ino.no >= base + INODES_PER_SECTOR) continue;
      const o = (ino.no - base) * INODE_BYTES;
      v.setUint32(o, fnv1a(new TextEncoder().encode(ino.name)), true);
      v.setUint32(o + 4, ino.start, true); v.setUint32(o + 8, ino.capacitySectors, true); v.setUint32(o + 12, ino.length, true);
    }
    return s;
  }

  /** Ordered metadata update: the journal record first, then the inode in place. */
  private commitInode(ino: Inode, done: (r: number) => void): void {
    const rec = this.inodeSector(ino.no);
    viewOf(rec).setUint32(SECTOR - 8, ++this.journalSeq, true);
    viewOf(rec).setUint32(SECTOR - 4, fnv1a(rec.subarray(0, SECTOR - 4)), true);
    this.metadataWrites += 2;
    this.blk.submit(DIR_WRITE, JOURNAL_START + (this.journalSeq % JOURNAL_SECTORS), 1, rec, (st) => {
      if (st < 0) { this.abort('journal'); done(EIO); return; }
      this.blk.submit(DIR_WRITE, INODE_START + Math.floor(ino.no / INODES_PER_SECTOR), 1, this.inodeSector(ino.no), (st2) => {
        if (st2 < 0) { this.abort('inode'); done(EIO); return; }
        done(0);
      });
    });
  }

  private abort(what: string): void {
    if (this.k.params.fsErrorsPanic) this.k.crash(`ext3: I/O error writing the ${what}; journal aborted (errors=panic)`);
    this.readOnly = true;
    this.k.log('fs', `I/O error writing the ${what}; journal aborted, remounted read-only`);
  }
}
