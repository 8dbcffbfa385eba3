// scp-like: copy a file between the host and the peer over a reliable stream, then compare
// checksums at the receiving end. By default the host sends, at a steady application pace
// (scp is paced by encryption and disk); the workload parameters can make it receive, or
// send as fast as the stream allows (netperf-like), for overhead measurements.
import { checksumsEqual } from '../../sim/memory.js';
import { AppModule, App, NetAppContext, fillBytes, AppVerdict, netContext } from '../types.js';
import type { StreamSender, StreamReceiver } from '../../net/stream.js';
import { young } from '../../sim/young.js';
import { bytesToOverwrite } from '../../sim/slab.js';

const CHUNK_BYTES = 16 * 1024;
const CHANNEL = 1;

class FileTransfer implements App {
  private readonly file: Uint8Array;
  private readonly receive: boolean;
  private written = 0;
  private arrived = 0;
  /** What the receiver has once the stream ended (null before). */
  private received: Uint8Array | null = null;
  private aborted = false;
  private doneUs = 0;
  private startUs = 0;

  constructor(private readonly c: NetAppContext) {
    const p = c.k.params;
    this.file = fillBytes(bytesToOverwrite(p.fileTransferBytes), c.rng.int(0x7fffffff));
    this.receive = p.fileTransferReceive !== 0;
  }

  private tx: StreamSender | null = null;

  start(): void {
    const c = this.c;
    this.startUs = c.k.now;
    const [tx, rx]: [StreamSender, StreamReceiver] = this.receive
      ? [c.peerStreams.sender(CHANNEL), c.hostStreams.receiver(CHANNEL)]
      : [c.hostStreams.sender(CHANNEL), c.peerStreams.receiver(CHANNEL)];
    this.tx = tx;
    tx.onAbort = young(() => { this.aborted = true; c.k.log('app', 'file-transfer: connection lost'); c.finish(); });
    rx.onData = young(() => { this.arrived = rx.bytes; });
    rx.onEnd = young(() => { this.received = rx.data(); });
    tx.onAllAcked = young(() => { this.doneUs = c.k.now; c.k.log('app', 'file-transfer: all bytes acknowledged'); c.finish(); });
    const paceBps = c.k.params.fileTransferPaceBytesPerSec;
    if (paceBps <= 0) { tx.write(this.file); tx.close(); return; }
    const intervalUs = (CHUNK_BYTES / paceBps) * 1e6;
    const writeChunk = (): void => {
      if (this.aborted) return;
      const chunk = this.file.subarray(this.written, this.written + CHUNK_BYTES);
      tx.write(chunk);
      this.written += chunk.length;
      // The pace jitters around its mean (disk and CPU), drawn from the workload stream.
      if (this.written < this.file.length) c.k.sched.schedule(intervalUs / 2 + c.rng.int(Math.ceil(intervalUs)), 'app-write', writeChunk);
      else tx.close();
    };
    writeChunk();
  }

  verdict(): AppVerdict {
    if (this.aborted) return { outcome: 'app-failed', reason: 'scp: connection lost (stream aborted)' };
    if (this.received === null) return { outcome: 'malfunction', reason: `transfer stalled: ${this.arrived} of ${this.file.length} bytes arrived` };
    if (!checksumsEqual(this.received, this.file) || this.arrived !== this.file.length) {
      return { outcome: 'malfunction', reason: 'the received file\'s checksum differs from the source' };
    }
    return { outcome: 'correct', reason: 'received file checksum matches' };
  }

  metrics(): Record<string, number> {
    // Severity beside the verdict: segments sent again (timeouts after losses or stalls).
    return { fileBytes: this.file.length, transferUs: this.doneUs ? this.doneUs - this.startUs : 0, segmentsResent: this.tx?.retransmissions ?? 0 };
  }
}

export const fileTransfer: AppModule = {
  id: 'file-transfer', driverClass: 'network',
  description: 'network file transfer (scp): copy a file to (or from) the peer; verify its checksum at the receiver',
  create: (c) => new FileTransfer(netContext(c)),
};
