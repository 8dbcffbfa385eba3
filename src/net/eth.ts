// Ethernet framing: 6-byte MACs held as (lo: first 4 bytes, hi: last 2 bytes) numbers.
import { bytesToOverwrite, viewOf } from '../sim/slab.js';
export interface Mac { lo: number; hi: number }

export const BROADCAST: Mac = { lo: 0xffffffff, hi: 0xffff };
export const HOST_MAC: Mac = { lo: 0x00000002, hi: 0x0100 };  // 02:00:00:00:00:01
export const PEER_MAC: Mac = { lo: 0x00000002, hi: 0x0200 };  // 02:00:00:00:00:02
export const otherHostMac = (n: number): Mac => ({ lo: 0x00000002, hi: 0x1000 + n });

export const ETH_HEADER = 14;
export const ETHERTYPE_STREAM = 0x88b5; // local experimental ethertype for our transport
export const ETHERTYPE_MONITOR = 0x88b6; // traffic between other hosts, seen by the analyzer

export function macEq(a: Mac, b: Mac): boolean { return a.lo === b.lo && a.hi === b.hi; }
export function macStr(m: Mac): string {
  const b = [m.lo & 255, (m.lo >>> 8) & 255, (m.lo >>> 16) & 255, m.lo >>> 24, m.hi & 255, (m.hi >>> 8) & 255];
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

export function buildFrame(dst: Mac, src: Mac, ethertype: number, payload: Uint8Array): Uint8Array {
  const f = bytesToOverwrite(ETH_HEADER + payload.length); // header (14 bytes) and payload written below
  const v = viewOf(f);
  v.setUint32(0, dst.lo, true); v.setUint16(4, dst.hi, true);
  v.setUint32(6, src.lo, true); v.setUint16(10, src.hi, true);
  v.setUint16(12, ethertype, false);
  f.set(payload, ETH_HEADER);
  return f;
}

// Header fields are read byte by byte (no DataView per frame: every frame is looked at several
// times on its way); a frame too short for its header throws the RangeError a DataView would.
export function frameDst(f: Uint8Array): Mac {
  if (f.length < 6) viewOf(f).getUint32(0, true) + viewOf(f).getUint16(4, true);
  return { lo: (f[0] | (f[1] << 8) | (f[2] << 16) | (f[3] << 24)) >>> 0, hi: f[4] | (f[5] << 8) };
}
export function frameType(f: Uint8Array): number {
  if (f.length < ETH_HEADER) viewOf(f).getUint16(12, false);
  return (f[12] << 8) | f[13];
}
export function framePayload(f: Uint8Array): Uint8Array { return f.subarray(ETH_HEADER); }
export function isMulticast(m: Mac): boolean { return (m.lo & 1) === 1; }
