// Tagged audio: every 2 KiB block an application plays or records carries its stream, its
// sequence number and a checksum, so an oracle can tell from what came out of the speaker (or
// went into the recording) which block it was, in what order, and with what settings.
//
// A block is 512 little-endian 32-bit words: the header (magic | stream, sequence, checksum) and
// 509 sample words, one xorshift32 state each, checksummed word by word (FNV-1a's step on words:
// a change to any one word always changes the sum, since each step is a bijection). Generating
// and checking words rather than bytes is about 5x cheaper, and sound trials make and check
// thousands of blocks (a card left looping runs to the trial's deadline).
import { bytesEqual, sum32 } from '../../sim/memory.js';
import { bytesToOverwrite, viewOf } from '../../sim/slab.js';
import { LITTLE_ENDIAN } from '../../sim/bytes.js';
import type { PlayedPeriod } from '../../devices/soundcard.js';

export const BLOCK_BYTES = 2048;
const BLOCK_WORDS = BLOCK_BYTES >>> 2, HEADER_WORDS = 3;
const MAGIC = 0x5a170000;
const FNV_OFFSET = 0x811c9dc5, FNV_PRIME = 0x01000193;

/** A block's words as a typed view: on a little-endian host for a 4-byte aligned block (every
 *  block this code makes or copies is), else null (the DataView paths below). */
function wordView(b: Uint8Array): Uint32Array | null {
  return LITTLE_ENDIAN && (b.byteOffset & 3) === 0 ? new Uint32Array(b.buffer, b.byteOffset, BLOCK_WORDS) : null;
}

export function audioBlock(stream: number, seq: number, seed: number): Uint8Array {
  const b = bytesToOverwrite(BLOCK_BYTES); // every word is written below
  const w = wordView(b);
  let s = ((seed + seq * 2654435761) >>> 0) || 0x9e3779b9;
  let h = FNV_OFFSET | 0;
  if (w) {
    for (let i = HEADER_WORDS; i < BLOCK_WORDS; i++) { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; w[i] = s; h = Math.imul(h ^ s, FNV_PRIME); }
    w[0] = MAGIC | (stream & 0xffff); w[1] = seq; w[2] = h;
    return b;
  }
  const v = viewOf(b);
  for (let i = HEADER_WORDS; i < BLOCK_WORDS; i++) { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; v.setUint32(4 * i, s >>> 0, true); h = Math.imul(h ^ s, FNV_PRIME); }
  v.setUint32(0, (MAGIC | (stream & 0xffff)) >>> 0, true);
  v.setUint32(4, seq >>> 0, true);
  v.setUint32(8, h >>> 0, true);
  return b;
}


export function decodeBlock(b: Uint8Array): { stream: number; seq: number } | null {
  if (b.length < BLOCK_BYTES) return null;
  const v = viewOf(b);
  const head = v.getUint32(0, true);
  if ((head & 0xffff0000) >>> 0 !== MAGIC) return null;
  if (v.getUint32(8, true) !== sum32(b.subarray(4 * HEADER_WORDS, BLOCK_BYTES))) return null; // what audioBlock summed
  return { stream: head & 0xffff, seq: v.getUint32(4, true) };
}

/** What a block should have sounded like (`data`: the bytes the app wrote, if it kept them). */
export interface Expected { seq: number; fmt: number; rate: number; volume: number; data?: Uint8Array }

/** `decodeBlock(b)`, answered without hashing when `b` starts with exactly the bytes of the block
 *  its header names (a valid block: the same answer); anything else is decoded in full. */
export function decodeKnown(b: Uint8Array, known: (seq: number) => Uint8Array | undefined): { stream: number; seq: number } | null {
  if (b.length >= BLOCK_BYTES) {
    const v = viewOf(b);
    const head = v.getUint32(0, true), seq = v.getUint32(4, true);
    const k = known(seq);
    if (k !== undefined && bytesEqual(b.subarray(0, BLOCK_BYTES), k)) return { stream: head & 0xffff, seq };
  }
  return decodeBlock(b);
}

export interface PlaybackCheck { played: number; /** periods of the stream heard again (a restore replaying them) */ repeated: number; missing: number; missingUs: number; longestMissingUs: number; wrongSettings: number; outOfOrder: number }

/**
 * Compare what the speaker played (stream `stream`) with what the app meant to play. A run of
 * blocks that never sounded is measured in audio time (blocks x block duration).
 */
export function checkPlayback(played: readonly PlayedPeriod[], stream: number, expected: readonly Expected[], blockUs: number): PlaybackCheck {
  const bySeq = new Map(expected.map((e) => [e.seq, e]));
  const heard = new Set<number>();
  let wrongSettings = 0, outOfOrder = 0, last = -1, repeated = 0;
  // A card left looping its ring plays the same period object thousands of times (SpeakerTap
  // shares unchanged periods): decode each distinct one once (periods are never changed).
  const decoded = new Map<Uint8Array, ReturnType<typeof decodeBlock>>();
  for (const p of played) {
    let d = decoded.get(p.data);
    if (d === undefined) { d = decodeKnown(p.data, (seq) => bySeq.get(seq)?.data); decoded.set(p.data, d); }
    if (!d || d.stream !== stream) continue;
    const e = bySeq.get(d.seq);
    if (e && heard.has(d.seq)) repeated++;
    if (e && p.times > 1) repeated += p.times - 1; // the same period again: heard by then
    if (!e || heard.has(d.seq)) continue;
    heard.add(d.seq);
    if (d.seq < last) outOfOrder++;
    last = Math.max(last, d.seq);
    if (p.fmt !== e.fmt || p.rate !== e.rate || p.volume !== e.volume) wrongSettings++;
  }
  let longest = 0, run = 0, missing = 0;
  for (const e of expected) {
    if (heard.has(e.seq)) { run = 0; continue; }
    missing++;
    run++;
    longest = Math.max(longest, run * blockUs);
  }
  return { played: heard.size, repeated, missing, missingUs: missing * blockUs, longestMissingUs: longest, wrongSettings, outOfOrder };
}

/** How bad the audio was, beside the verdict: a run that "continued with a glitch" stays visible. */
export function playbackSeverity(c: PlaybackCheck): Record<string, number> {
  return { played: c.played, missingUs: c.missingUs, longestHoleUs: c.longestMissingUs, outOfOrder: c.outOfOrder, wrongSettings: c.wrongSettings };
}

/** Audio a user accepts: in order, with the settings asked for, and no more missing than the tolerance (in one hole or in all). */
export function judgePlayback(c: PlaybackCheck, toleranceUs: number): string | null {
  if (c.wrongSettings > 0) return `${c.wrongSettings} blocks played with the wrong format, rate or volume`;
  if (c.outOfOrder > 0) return `${c.outOfOrder} blocks played out of order`;
  if (c.longestMissingUs > toleranceUs) return `${c.missing} blocks never played; longest hole ${(c.longestMissingUs / 1000).toFixed(0)} ms`;
  // Many short holes are a stutter: what the user misses in total counts too.
  if (c.missingUs > toleranceUs) return `${c.missing} blocks never played (${(c.missingUs / 1000).toFixed(0)} ms of audio lost in short holes)`;
  return null;
}
