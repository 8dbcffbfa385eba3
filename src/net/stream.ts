// A reliable, ordered, one-way byte stream (a small TCP): go-back-N with cumulative ACKs,
// per-segment checksums, exponential RTO backoff, and an abort after too many timeouts.
// Both the simulated host and the peer use it; it only needs a way to send a frame.
import { Scheduler, EventHandle } from '../sim/scheduler.js';
import { sum32 } from '../sim/memory.js';
import { bytesToOverwrite, copyBytes, viewOf } from '../sim/slab.js';

const DATA = 1, ACK = 2;
const HDR = 12;
/** The payload of every ACK (segment() copies a payload, so one shared empty array serves). */
const NO_PAYLOAD = new Uint8Array(0);

export interface StreamParams {
  initialRtoUs: number; maxRtoUs: number; maxRetries: number; window: number; segmentBytes: number;
  /** Delayed ACK (RFC 1122, as Linux does): an in-order segment is acknowledged with the next
   *  one, or after this long; 0 acknowledges every segment at once. */
  delayedAckUs?: number;
}

export interface StreamLink {
  sched: Scheduler;
  /** Send one stream segment (the link adds framing); false if dropped locally. */
  send(segment: Uint8Array): boolean;
  log(kind: string, msg: string): void;
}

/** A segment; `sum` is the payload's checksum when the caller already has it (a resend). */
function segment(type: number, channel: number, seq: number, payload: Uint8Array, sum = sum32(payload)): Uint8Array {
  const s = bytesToOverwrite(HDR + payload.length); // header (12 bytes) and payload written below
  const v = viewOf(s);
  v.setUint8(0, type); v.setUint8(1, channel); v.setUint32(2, seq, true);
  v.setUint16(6, payload.length, true); v.setUint32(8, sum, true);
  s.set(payload, HDR);
  return s;
}

export interface ParsedSegment { type: number; channel: number; seq: number; payload: Uint8Array }

/** Parse a segment; null if malformed or its checksum is wrong (a corrupted frame). */
export function parseSegment(s: Uint8Array): ParsedSegment | null {
  if (s.length < HDR) return null;
  const v = new DataView(s.buffer, s.byteOffset, s.byteLength);
  const len = v.getUint16(6, true);
  if (HDR + len > s.length) return null;
  const payload = s.subarray(HDR, HDR + len);
  if (sum32(payload) !== v.getUint32(8, true)) return null;
  return { type: v.getUint8(0), channel: v.getUint8(1), seq: v.getUint32(2, true), payload };
}

export class StreamSender {
  private readonly segments: Uint8Array[] = [];
  /** Checksum of each segment's payload, computed when first sent: go-back-N resends whole
   *  windows, and the bytes of a segment never change (writers hand over bytes they no longer
   *  change: the file, fresh update buffers). */
  private readonly sums: number[] = [];
  private base = 0;
  private next = 0;
  private closed = false;
  private rtoUs: number;
  private retries = 0;
  private timer: EventHandle | null = null;
  aborted = false;
  retransmissions = 0;
  onAbort: (() => void) | null = null;
  onAllAcked: (() => void) | null = null;

  constructor(private readonly link: StreamLink, readonly channel: number, private readonly p: StreamParams) {
    this.rtoUs = p.initialRtoUs;
  }

  /** Queue bytes; they are cut into segments and sent as the window allows. */
  write(data: Uint8Array): void {
    for (let off = 0; off < data.length; off += this.p.segmentBytes) {
      this.segments.push(data.subarray(off, off + this.p.segmentBytes));
    }
    this.pump();
  }

  /** End of stream: an empty segment marks it. */
  close(): void { if (!this.closed) { this.closed = true; this.segments.push(new Uint8Array(0)); this.pump(); } }

  get allAcked(): boolean { return this.closed && this.base === this.segments.length; }

  private pump(): void {
    if (this.aborted) return;
    while (this.next < this.segments.length && this.next < this.base + this.p.window) {
      this.link.send(segment(DATA, this.channel, this.next, this.segments[this.next], this.sumOf(this.next)));
      this.next++;
    }
    if (this.base < this.next && !this.timer) this.armTimer();
  }

  private sumOf(i: number): number { return (this.sums[i] ??= sum32(this.segments[i])); }

  private armTimer(): void {
    this.timer = this.link.sched.schedule(this.rtoUs, 'rto', () => this.timeout());
  }

  private timeout(): void {
    this.timer = null;
    if (this.aborted || this.base >= this.next) return;
    this.retries++;
    if (this.retries > this.p.maxRetries) {
      this.aborted = true;
      this.link.log('stream', `channel ${this.channel} aborted after ${this.p.maxRetries} timeouts at segment ${this.base}`);
      this.onAbort?.();
      return;
    }
    this.link.log('stream', `channel ${this.channel} timeout: retransmit ${this.base}..${this.next - 1} (rto ${this.rtoUs} us)`);
    this.rtoUs = Math.min(this.rtoUs * 2, this.p.maxRtoUs);
    for (let s = this.base; s < this.next; s++) {
      this.retransmissions++;
      this.link.send(segment(DATA, this.channel, s, this.segments[s], this.sumOf(s)));
    }
    this.armTimer();
  }

  onSegment(seg: ParsedSegment): void {
    if (seg.type !== ACK || this.aborted || seg.seq <= this.base || seg.seq > this.next) return;
    this.base = seg.seq;
    this.retries = 0;
    this.rtoUs = this.p.initialRtoUs;
    this.timer?.cancel();
    this.timer = null;
    this.pump();
    if (this.allAcked) this.onAllAcked?.();
  }
}

export class StreamReceiver {
  private expected = 0;
  private readonly chunks: Uint8Array[] = [];
  private received = 0;
  /** Bytes received in order so far: the sum of the chunks' lengths (data() relies on it). */
  get bytes(): number { return this.received; }
  ended = false;
  onData: ((chunk: Uint8Array) => void) | null = null;
  onEnd: (() => void) | null = null;

  private unacked = 0;
  private delack: EventHandle | null = null;

  constructor(private readonly link: StreamLink, readonly channel: number, private readonly delayedAckUs = 0) {}

  onSegment(seg: ParsedSegment): void {
    if (seg.type !== DATA) return;
    const inOrder = seg.seq === this.expected && !this.ended;
    if (inOrder) {
      this.expected++;
      if (seg.payload.length === 0) { this.ended = true; this.onEnd?.(); }
      else {
        const copy = copyBytes(seg.payload);
        this.chunks.push(copy);
        this.received += copy.length;
        this.onData?.(copy);
      }
    }
    // Every second in-order segment, or at once for the end, a duplicate or a gap.
    if (inOrder && !this.ended && this.delayedAckUs > 0 && ++this.unacked < 2) {
      this.delack ??= this.link.sched.schedule(this.delayedAckUs, 'stream-delack', () => { this.delack = null; this.ack(); });
      return;
    }
    this.ack();
  }

  private ack(): void {
    this.unacked = 0;
    this.delack?.cancel();
    this.delack = null;
    this.link.send(segment(ACK, this.channel, this.expected, NO_PAYLOAD));
  }

  data(): Uint8Array {
    const out = bytesToOverwrite(this.bytes); // every chunk is copied in: they sum to `bytes`
    let off = 0;
    for (const c of this.chunks) { out.set(c, off); off += c.length; }
    return out;
  }
}

/** Routes incoming segments on one host to its senders and receivers by channel. */
export class StreamHub {
  private readonly senders = new Map<number, StreamSender>();
  private readonly receivers = new Map<number, StreamReceiver>();
  badSegments = 0;
  constructor(readonly link: StreamLink, readonly params: StreamParams) {}

  sender(channel: number): StreamSender {
    const s = new StreamSender(this.link, channel, this.params);
    this.senders.set(channel, s);
    return s;
  }

  receiver(channel: number): StreamReceiver {
    const r = new StreamReceiver(this.link, channel, this.params.delayedAckUs ?? 0);
    this.receivers.set(channel, r);
    return r;
  }

  deliver(raw: Uint8Array): void {
    const seg = parseSegment(raw);
    if (!seg) { this.badSegments++; return; }
    if (seg.type === ACK) this.senders.get(seg.channel)?.onSegment(seg);
    else this.receivers.get(seg.channel)?.onSegment(seg);
  }
}

/** Transmit checksum offload (e1000's TCP/UDP checksum insertion): the NIC computes a stream
 *  segment's checksum over the bytes it fetches by DMA, whatever the stack had put there. A driver
 *  that damaged the buffer after the stack built it thus sends a valid checksum over bad data, and
 *  only the receiving application's end-to-end check can see it. Frames of other types pass as they are. */
export function offloadTxChecksum(frame: Uint8Array, ethHeader: number, isStream: boolean): void {
  if (!isStream || frame.length < ethHeader + HDR) return;
  const s = frame.subarray(ethHeader);
  const v = new DataView(s.buffer, s.byteOffset, s.byteLength);
  const len = v.getUint16(6, true);
  if (HDR + len > s.length) return;
  v.setUint32(8, sum32(s.subarray(HDR, HDR + len)), true);
}
