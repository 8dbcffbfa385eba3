// scp-like: copy a file to the peer over a reliable stream. The app writes at a steady pace
// (as scp is paced by encryption and disk) and checks the checksum the remote side computed.
import { fnv1a } from '../sim/memory.js';
import { AppModule, App, NetAppContext, fillBytes, AppVerdict } from './types.js';

const FILE_BYTES = 384 * 1024;
const CHUNK_BYTES = 16 * 1024;
const CHUNK_INTERVAL_US = 4000; // about 4 MB/s application pace, with jitter (disk, CPU)
const CHANNEL = 1;

class FileTransfer implements App {
  private readonly file: Uint8Array;
  private written = 0;
  private remoteChecksum: number | null = null;
  private remoteBytes = 0;
  private aborted = false;
  private doneUs = 0;
  private startUs = 0;

  constructor(private readonly c: NetAppContext) {
    this.file = fillBytes(new Uint8Array(FILE_BYTES), c.rng.int(0x7fffffff));
  }

  start(): void {
    const c = this.c;
    this.startUs = c.k.now;
    const tx = c.hostStreams.sender(CHANNEL);
    const rx = c.peerStreams.receiver(CHANNEL);
    tx.onAbort = () => { this.aborted = true; c.k.log('app', 'file-transfer: connection lost'); c.finish(); };
    rx.onData = () => { this.remoteBytes = rx.bytes; };
    rx.onEnd = () => { this.remoteChecksum = fnv1a(rx.data()); };
    tx.onAllAcked = () => { this.doneUs = c.k.now; c.k.log('app', 'file-transfer: all bytes acknowledged'); c.finish(); };
    const writeChunk = (): void => {
      if (this.aborted) return;
      const chunk = this.file.subarray(this.written, this.written + CHUNK_BYTES);
      tx.write(chunk);
      this.written += chunk.length;
      if (this.written < this.file.length) c.k.sched.schedule(CHUNK_INTERVAL_US / 2 + c.rng.int(CHUNK_INTERVAL_US), 'app-write', writeChunk);
      else tx.close();
    };
    writeChunk();
  }

  verdict(): AppVerdict {
    if (this.aborted) return { outcome: 'app-failed', reason: 'scp: connection lost (stream aborted)' };
    if (this.remoteChecksum === null) return { outcome: 'malfunction', reason: `transfer stalled: ${this.remoteBytes} of ${this.file.length} bytes arrived` };
    if (this.remoteChecksum !== fnv1a(this.file) || this.remoteBytes !== this.file.length) {
      return { outcome: 'malfunction', reason: 'remote file checksum differs from the source' };
    }
    return { outcome: 'correct', reason: 'remote file checksum matches' };
  }

  metrics(): Record<string, number> {
    return { fileBytes: this.file.length, transferUs: this.doneUs ? this.doneUs - this.startUs : 0 };
  }
}

export const fileTransfer: AppModule = {
  id: 'file-transfer', driverClass: 'network',
  description: 'network file transfer (scp): copy a file to the peer; verify its checksum there',
  create: (c) => new FileTransfer(c),
};
