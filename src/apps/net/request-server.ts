// A long-lived network service: a server on the host answers requests that clients on the
// peer send to the service's multicast group (as service discovery does), each within a
// deadline. The server joins the group when it starts: configuration a driver restart loses
// and a shadow replays. The client keeps its own books (sent, answered in time), so
// availability is what the clients saw. A normal trial runs both for a few seconds; the
// long-run harness (trial/long-run.ts) keeps one client across app restarts and reboots.
import { PEER_MAC, type Mac } from '../../net/eth.js';
import type { NetDevice } from '../../kernel/netcore.js';
import type { PeerHost } from '../../devices/peer.js';
import type { Scheduler } from '../../sim/scheduler.js';
import { frameDst, frameType, framePayload, macEq, buildFrame } from '../../net/eth.js';
import { AppModule, App, AppVerdict, netContext } from '../types.js';
import { newBytes, viewOf } from '../../sim/slab.js';

export const ETHERTYPE_REQUEST = 0x88b7, ETHERTYPE_RESPONSE = 0x88b8;
/** The service's multicast group. */
export const SERVICE_GROUP: Mac = { lo: 0x005e0001, hi: 0x0105 }; // 01:00:5e:00:05:01, a multicast address
const REQUEST_BYTES = 64;

/** The host side: joins the group, answers each request with its id. */
export class RequestServer {
  private untap: (() => void) | null = null;
  answered = 0;
  constructor(private readonly netdev: NetDevice) {}

  start(): number {
    this.untap = this.netdev.addTap((f) => this.onFrame(f));
    return this.netdev.addMulticast(SERVICE_GROUP);
  }

  /** The process exits (its socket closes; the group membership stays in the kernel's list). */
  stop(): void { this.untap?.(); this.untap = null; }

  private onFrame(f: Uint8Array): void {
    if (frameType(f) !== ETHERTYPE_REQUEST || !macEq(frameDst(f), SERVICE_GROUP)) return;
    const id = requestId(framePayload(f));
    if (id === null) return; // too short to name a request: dropped, as a real server drops a runt
    const reply = newBytes(8);
    viewOf(reply).setUint32(0, id, true);
    if (this.netdev.xmit(buildFrame(PEER_MAC, this.netdev.mac, ETHERTYPE_RESPONSE, reply))) this.answered++;
  }
}

/** The id a request or response payload starts with; null when it is shorter than 4 bytes (read
 *  within the payload's own bytes: a slab's next bytes belong to something else, or to an earlier
 *  trial). */
function requestId(p: Uint8Array): number | null {
  return p.length >= 4 ? viewOf(p).getUint32(0, true) : null;
}

/** The clients' books: request i is due at i * interval (global virtual time). */
export class RequestClient {
  sent = 0;
  inTime = 0;
  late = 0;
  /** Global time of the last request answered in time. */
  lastInTimeUs = -1;
  private readonly sentAt = new Map<number, number>();
  private next = 0;

  constructor(readonly intervalUs: number, readonly deadlineUs: number) {}

  /** Send from `peer` every request due in [fromUs, untilUs) (global time; `offsetUs` is the
   *  world's start), one event at a time. */
  attach(peer: PeerHost, sched: Scheduler, offsetUs: number, untilUs: number): void {
    peer.on(ETHERTYPE_RESPONSE, (p) => { const id = requestId(p); if (id !== null) this.onResponse(id, offsetUs + sched.now); });
    this.next = Math.max(this.next, Math.ceil((offsetUs + sched.now) / this.intervalUs));
    const sendNext = (): void => {
      const id = this.next++;
      const p = newBytes(REQUEST_BYTES);
      viewOf(p).setUint32(0, id, true);
      this.sentAt.set(id, offsetUs + sched.now);
      this.sent++;
      peer.send(SERVICE_GROUP, ETHERTYPE_REQUEST, p);
      const at = this.next * this.intervalUs;
      if (at < untilUs) sched.schedule(at - offsetUs - sched.now, 'client-request', sendNext);
    };
    const first = this.next * this.intervalUs;
    if (first < untilUs) sched.schedule(Math.max(0, first - offsetUs - sched.now), 'client-request', sendNext);
  }

  /** The first request is due at `globalUs` (clients arrive then). */
  startAt(globalUs: number): void { this.next = Math.max(this.next, Math.ceil(globalUs / this.intervalUs)); }

  /** Requests due while no world ran (the machine rebooting) are sent to nobody. */
  skipTo(globalUs: number): void {
    const to = Math.ceil(globalUs / this.intervalUs);
    if (to > this.next) { this.sent += to - this.next; this.next = to; }
  }

  private onResponse(id: number, atUs: number): void {
    const t = this.sentAt.get(id);
    if (t === undefined) return;
    this.sentAt.delete(id);
    if (atUs - t <= this.deadlineUs) { this.inTime++; this.lastInTimeUs = atUs; } else this.late++;
  }

  /** Requests not answered in time (lost, late, or never sent to a running machine). */
  get failed(): number { return this.sent - this.inTime; }
}

const RUN_US = 3_000_000;

class RequestServerApp implements App {
  private readonly server: RequestServer;
  private readonly client: RequestClient;
  private joinError = 0;
  constructor(private readonly c: ReturnType<typeof netContext>) {
    this.server = new RequestServer(c.netdev);
    this.client = new RequestClient(c.k.params.serverRequestIntervalUs, c.k.params.availDeadlineUs);
  }

  start(): void {
    const c = this.c;
    this.joinError = this.server.start();
    if (this.joinError !== 0) { c.k.log('app', `request-server: cannot join the service group (${this.joinError})`); c.finish(); return; }
    this.client.attach(c.peer, c.k.sched, 0, c.k.now + RUN_US);
    c.k.sched.schedule(RUN_US + c.k.params.availDeadlineUs, 'app-end', () => c.finish());
  }

  verdict(): AppVerdict {
    if (this.joinError !== 0) return { outcome: 'app-failed', reason: `could not join the service group (${this.joinError})` };
    const { sent, inTime } = this.client;
    if (inTime === sent) return { outcome: 'correct', reason: `all ${sent} requests answered within the deadline` };
    return { outcome: 'malfunction', reason: `${sent - inTime} of ${sent} requests not answered within the deadline` };
  }

  metrics(): Record<string, number> {
    return { requests: this.client.sent, inTime: this.client.inTime, late: this.client.late, answered: this.server.answered };
  }
}

export const requestServer: AppModule = {
  id: 'request-server', driverClass: 'network',
  description: 'a long-lived service answering client requests sent to its multicast group, each within a deadline',
  create: (c) => new RequestServerApp(netContext(c)),
};

