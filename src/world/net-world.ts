// The network world: kernel, wire, NIC, peer host, interface, streams.
import { Kernel } from '../kernel/kernel.js';
import { NetDevice } from '../kernel/netcore.js';
import { Wire, WirePort } from '../devices/wire.js';
import type { DeviceModel } from '../devices/device-model.js';
import { PeerHost } from '../devices/peer.js';
import { StreamHub, StreamParams } from '../net/stream.js';
import { ETHERTYPE_STREAM, HOST_MAC, PEER_MAC, buildFrame, framePayload } from '../net/eth.js';
import type { NetDriverModule } from '../drivers/net/types.js';
import type { World } from './world.js';

export interface NetWorld extends World {
  cls: 'network';
  wire: Wire;
  peer: PeerHost;
  netdev: NetDevice;
  core: NetDevice;
  hostStreams: StreamHub;
  peerStreams: StreamHub;
}

export const NIC_IRQ = 11;
/** The standby NIC's line (replication). */
export const STANDBY_NIC_IRQ = 12;

export function buildNetWorld(k: Kernel, driver: NetDriverModule): NetWorld {
  const params = k.params;
  const wire = new Wire(k.sched, params.linkMbps, params.linkPropagationUs);
  const device = driver.createDevice(k, wire, 0, NIC_IRQ, HOST_MAC);
  const peer = new PeerHost(k, wire, 1);
  const netdev = new NetDevice(k, 0);
  const sp: StreamParams = {
    initialRtoUs: params.streamInitialRtoUs, maxRtoUs: params.streamMaxRtoUs, maxRetries: params.streamMaxRetries,
    window: params.streamWindowSegments, segmentBytes: params.streamSegmentBytes, delayedAckUs: params.streamDelayedAckUs,
  };
  const log = (kind: string, msg: string) => k.log(kind, msg);
  const hostStreams = new StreamHub({ sched: k.sched, log, send: (s) => netdev.xmit(buildFrame(PEER_MAC, netdev.mac, ETHERTYPE_STREAM, s)) }, sp);
  const peerStreams = new StreamHub({ sched: k.sched, log: (kind, msg) => k.log(`peer-${kind}`, msg), send: (s) => { peer.send(HOST_MAC, ETHERTYPE_STREAM, s); return true; } }, sp);
  netdev.onProtocol(ETHERTYPE_STREAM, (f) => hostStreams.deliver(framePayload(f)));
  peer.on(ETHERTYPE_STREAM, (p) => peerStreams.deliver(p));
  // A second NIC with the same EEPROM address on a mirror port of the same switch.
  const replicaHardware = {
    makeStandby: () => driver.createDevice(k, wire, 0, STANDBY_NIC_IRQ, HOST_MAC),
    putInService: (d: DeviceModel) => wire.promote((d as DeviceModel & { port: WirePort }).port),
  };
  return { k, cls: 'network', driver, device, core: netdev, wire, peer, netdev, hostStreams, peerStreams, replicaHardware };
}
