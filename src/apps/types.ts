// Applications drive the kernel like the paper's did and judge their own end-to-end results.
import type { Kernel } from '../kernel/kernel.js';
import type { NetDevice } from '../kernel/netcore.js';
import type { PeerHost } from '../devices/peer.js';
import type { StreamHub } from '../net/stream.js';
import type { Rng } from '../sim/rng.js';
import type { World } from '../world/world.js';
import type { NetWorld } from '../world/net-world.js';
import type { DriverClass } from '../kernel/class-core.js';

export type AppOutcome = 'correct' | 'malfunction' | 'app-failed';

export interface AppVerdict { outcome: AppOutcome; reason: string }

export interface NetAppContext {
  k: Kernel;
  netdev: NetDevice;
  peer: PeerHost;
  hostStreams: StreamHub;
  peerStreams: StreamHub;
  /** The `workload` stream: what the app sends and when. */
  rng: Rng;
  /** The app is done; the trial may end. */
  finish(): void;
}

export interface App {
  start(): void;
  /** Called once the run ended (done, deadline, or crash excluded). */
  verdict(): AppVerdict;
  metrics(): Record<string, number>;
}

/** What every app gets: the world of its driver class, its workload stream, and a way to say it is done. */
export interface AppContext {
  world: World;
  rng: Rng;
  finish(): void;
}

export interface AppModule {
  id: string;
  driverClass: DriverClass;
  description: string;
  create(ctx: AppContext): App;
}

export function netContext(c: AppContext): NetAppContext {
  const w = c.world as NetWorld;
  return { k: w.k, netdev: w.netdev, peer: w.peer, hostStreams: w.hostStreams, peerStreams: w.peerStreams, rng: c.rng, finish: c.finish };
}

/** Fast deterministic bytes from a seed (xorshift32), for file contents and payloads. */
export { fillBytes } from '../sim/bytes.js';
