// vnc-like: the peer (the viewer) sends input events; the app answers each with a screen
// update. The viewer checks every update's contents and how long it took.
import { checksumsEqual } from '../../sim/memory.js';
import { AppModule, App, NetAppContext, fillBytes, AppVerdict, netContext } from '../types.js';
import { bytesToOverwrite, newBytes, viewOf } from '../../sim/slab.js';
import { young } from '../../sim/young.js';

const REQUESTS = 30;
const REQUEST_INTERVAL_US = 100_000;
const UPDATE_BYTES = 6000;
const REQ_CHANNEL = 2, UPD_CHANNEL = 3;

class RemoteWindow implements App {
  private readonly sentAt: number[] = [];
  private readonly latencies: number[] = [];
  private wrong = 0;
  private aborted = false;
  private seed = 0;

  constructor(private readonly c: NetAppContext) {}

  private update(i: number): Uint8Array { return fillBytes(bytesToOverwrite(UPDATE_BYTES), this.seed + i * 7919); }

  start(): void {
    const c = this.c;
    this.seed = c.rng.int(0x7fffffff);
    const viewerTx = c.peerStreams.sender(REQ_CHANNEL);
    const serverRx = c.hostStreams.receiver(REQ_CHANNEL);
    const serverTx = c.hostStreams.sender(UPD_CHANNEL);
    const viewerRx = c.peerStreams.receiver(UPD_CHANNEL);
    const abort = (who: string) => () => { this.aborted = true; c.k.log('app', `remote-window: ${who} connection lost`); c.finish(); };
    viewerTx.onAbort = abort('viewer');
    serverTx.onAbort = abort('server');
    // Server: each 4-byte request names the update it wants.
    let pending = newBytes(0);
    serverRx.onData = young((chunk: Uint8Array) => {
      const all = bytesToOverwrite(pending.length + chunk.length);
      all.set(pending); all.set(chunk, pending.length);
      let off = 0;
      for (; off + 4 <= all.length; off += 4) serverTx.write(this.update(viewOf(all).getUint32(off, true)));
      pending = all.slice(off);
    });
    // Viewer: reassemble updates in order and check each one.
    let buf = newBytes(0);
    viewerRx.onData = young((chunk: Uint8Array) => {
      const all = bytesToOverwrite(buf.length + chunk.length);
      all.set(buf); all.set(chunk, buf.length);
      let off = 0;
      while (off + UPDATE_BYTES <= all.length) {
        const i = this.latencies.length;
        if (!checksumsEqual(all.subarray(off, off + UPDATE_BYTES), this.update(i))) this.wrong++;
        this.latencies.push(c.k.now - this.sentAt[i]);
        off += UPDATE_BYTES;
      }
      buf = all.slice(off);
      if (this.latencies.length === REQUESTS) { c.k.log('app', 'remote-window: all updates received'); c.finish(); }
    });
    const request = (i: number): void => {
      const r = newBytes(4);
      viewOf(r).setUint32(0, i, true);
      this.sentAt.push(c.k.now);
      viewerTx.write(r);
      if (i + 1 < REQUESTS) c.k.sched.schedule(REQUEST_INTERVAL_US, 'vnc-input', () => request(i + 1));
    };
    request(0);
  }

  verdict(): AppVerdict {
    if (this.aborted) return { outcome: 'app-failed', reason: 'vnc: connection lost (stream aborted)' };
    if (this.wrong > 0) return { outcome: 'malfunction', reason: `${this.wrong} screen updates were wrong` };
    if (this.latencies.length < REQUESTS) return { outcome: 'malfunction', reason: `only ${this.latencies.length}/${REQUESTS} updates arrived` };
    const worst = Math.max(...this.latencies);
    if (worst > this.c.k.params.oracleWindowLatencyUs) return { outcome: 'malfunction', reason: `an update took ${(worst / 1e6).toFixed(1)} s` };
    return { outcome: 'correct', reason: `${REQUESTS} updates correct; worst latency ${(worst / 1000).toFixed(1)} ms` };
  }

  metrics(): Record<string, number> {
    // Severity: updates slower than 1 s break the user's flow (Nielsen's second limit) even when none hangs.
    return { updates: this.latencies.length, worstLatencyUs: this.latencies.length ? Math.max(...this.latencies) : 0, slowUpdates: this.latencies.filter((l) => l > 1_000_000).length };
  }
}

export const remoteWindow: AppModule = {
  id: 'remote-window', driverClass: 'network',
  description: 'remote window manager (vnc): answer viewer input with screen updates within a latency bound',
  create: (c) => new RemoteWindow(netContext(c)),
};
