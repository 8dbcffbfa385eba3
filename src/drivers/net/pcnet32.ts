// A pcnet32-like driver for the PCnet model: indirect register access through RAP/RDP, an
// init block the chip reads by DMA (with an INIT/IDON handshake the driver polls for),
// descriptors owned by whoever holds the OWN bit, negated byte counts, and a chip re-init
// to change the address filter. Its internals share nothing with e1000's; the kernel
// interface, and so the shadow, are the same.
import type { ExecContext } from '../../sim/exec.js';
import type { NetKernelApi, NetStats } from '../../kernel/netcore.js';
import { ND, IFF_PROMISC, NETDEV_TX_BUSY, NETDEV_TX_OK } from '../../kernel/netcore.js';
import type { DeviceModel } from '../../devices/device-model.js';
import {
  PcnetDevice, PORT, CSR0_INIT, CSR0_STRT, CSR0_STOP, CSR0_TDMD, CSR0_IENA, CSR0_IDON, CSR0_TINT, CSR0_RINT, CSR0_MISS,
  BCR4_LNKST, MODE_PROM, IB, DESC, OWN, ERR, STP, ENP, BUFFER_BYTES, ladrfBit,
} from '../../devices/pcnet.js';
import { NetDriver, NetDriverModule, ENOMEM, EINVAL, ENODEV } from './types.js';
import { Wire } from '../../devices/wire.js';
import { flagCall } from '../services.js';

const MAGIC = 0x9c4e7032;
const TX_LOG2 = 4, RX_LOG2 = 5; // 16 transmit, 32 receive descriptors
const TX_RING = 1 << TX_LOG2, RX_RING = 1 << RX_LOG2;
const WATCHDOG_US = 2_000_000;
const LINK_POLL_US = 100_000; // the chip has no link interrupt: poll quickly while the link is down
const IDON_POLLS = 100;
/** Private struct (struct pcnet32_private) layout. */
const P = {
  MAGIC: 0, OPEN: 4, INIT_BLOCK: 8, TX_RING: 12, RX_RING: 16, TX_SKBS: 20, RX_SKBS: 24,
  CUR_TX: 28, DIRTY_TX: 32, CUR_RX: 36, TX_FULL: 40, MAC_LO: 44, MAC_HI: 48, MTU: 52, IRQ: 56,
  RX_PACKETS: 60, TX_PACKETS: 64, RX_BYTES: 68, TX_BYTES: 72, RX_ERRORS: 76, TX_ERRORS: 80, SIZE: 96,
} as const;

class Pcnet32 implements NetDriver {
  constructor(private readonly x: ExecContext, private readonly k: NetKernelApi, private readonly dev: PcnetDevice) {}

  private csr(site: string, reg: number, value?: number): number {
    const x = this.x, d = this.dev;
    x.wrReg(`${site}.rap`, d, PORT.RAP, reg);
    if (value === undefined) return x.rdReg(`${site}.rdp_read`, d, PORT.RDP);
    x.wrReg(`${site}.rdp_write`, d, PORT.RDP, value);
    return 0;
  }

  private kalloc(site: string, bytes: number): number {
    const x = this.x;
    return x.alloc(site, bytes, (n) => x.call(`${site}.kmalloc`, [n], (s) => this.k.kmalloc(s)));
  }

  probe(): number {
    const x = this.x, d = this.dev;
    const lp = this.kalloc('pcnet32.probe.alloc_private', P.SIZE);
    if (x.br('pcnet32.probe.private_null', lp === 0)) return ENOMEM;
    x.st('pcnet32.probe.magic', lp + P.MAGIC, MAGIC);
    x.rdReg('pcnet32.probe.reset', d, PORT.RESET);
    let lo = 0, hi = 0;
    const n = x.bound('pcnet32.probe.aprom_loop', 6);
    for (let i = 0; i < n; i++) {
      const b = x.rdReg('pcnet32.probe.aprom', d, PORT.APROM + i) & 0xff;
      if (i < 4) lo |= b << (8 * i); else hi |= b << (8 * (i - 4));
    }
    if (x.br('pcnet32.probe.mac_invalid', (lo >>> 0) === 0 && hi === 0)) return ENODEV;
    x.st('pcnet32.probe.mac_lo', lp + P.MAC_LO, lo >>> 0);
    x.st('pcnet32.probe.mac_hi', lp + P.MAC_HI, hi);
    x.st('pcnet32.probe.mtu', lp + P.MTU, 1500);
    x.st('pcnet32.probe.irq', lp + P.IRQ, d.irqLine);
    const ib = this.kalloc('pcnet32.probe.alloc_init_block', IB.BYTES);
    if (x.br('pcnet32.probe.init_block_null', ib === 0)) { x.call('pcnet32.probe.unwind_kfree', [lp], (p) => this.k.kfree(p)); return ENOMEM; }
    x.st('pcnet32.probe.init_block', lp + P.INIT_BLOCK, ib);
    x.call('pcnet32.probe.publish_mac', [lo >>> 0, hi], (l, h) => this.k.publishMac(l, h));
    return lp;
  }

  remove(lp: number): void {
    const x = this.x;
    if (x.br('pcnet32.remove.is_open', x.ld('pcnet32.remove.open', lp + P.OPEN) !== 0)) this.stop(lp);
    x.call('pcnet32.remove.kfree_init_block', [x.ldp('pcnet32.remove.init_block', lp + P.INIT_BLOCK)], (p) => this.k.kfree(p));
    x.call('pcnet32.remove.kfree', [lp], (p) => this.k.kfree(p));
  }

  /** Fill the init block from the private struct and the kernel's rx mode. */
  private buildInitBlock(lp: number): void {
    const x = this.x, nd = this.k.netdevAddr;
    const ib = x.ldp('pcnet32.init_block.ptr', lp + P.INIT_BLOCK);
    const flags = x.ld('pcnet32.init_block.flags', nd + ND.FLAGS);
    let mode = (RX_LOG2 << 20) | (TX_LOG2 << 28);
    if (x.br('pcnet32.init_block.promisc', (flags & IFF_PROMISC) !== 0)) mode |= MODE_PROM;
    x.st('pcnet32.init_block.mode', ib + IB.MODE, mode);
    x.st('pcnet32.init_block.padr_lo', ib + IB.PADR_LO, x.ld('pcnet32.init_block.mac_lo', lp + P.MAC_LO));
    x.st('pcnet32.init_block.padr_hi', ib + IB.PADR_HI, x.ld('pcnet32.init_block.mac_hi', lp + P.MAC_HI));
    const ladrf = [0, 0];
    const n = x.bound('pcnet32.init_block.mc_loop', x.ld('pcnet32.init_block.mc_count', nd + ND.MC_COUNT));
    for (let i = 0; i < n; i++) {
      const bit = ladrfBit({ lo: x.ld('pcnet32.init_block.mc_lo', nd + ND.MC_LIST + i * 8), hi: x.ld('pcnet32.init_block.mc_hi', nd + ND.MC_LIST + i * 8 + 4) });
      ladrf[bit >>> 5] |= 1 << (bit & 31);
    }
    x.st('pcnet32.init_block.ladrf0', ib + IB.LADRF0, ladrf[0]);
    x.st('pcnet32.init_block.ladrf1', ib + IB.LADRF1, ladrf[1]);
    x.st('pcnet32.init_block.rdra', ib + IB.RDRA, x.ldp('pcnet32.init_block.rx_ring', lp + P.RX_RING));
    x.st('pcnet32.init_block.tdra', ib + IB.TDRA, x.ldp('pcnet32.init_block.tx_ring', lp + P.TX_RING));
  }

  /** Hand the init block to the chip, wait for IDON, and start it. */
  private initChip(lp: number): number {
    const x = this.x;
    const ib = x.ldp('pcnet32.init_chip.ib', lp + P.INIT_BLOCK);
    this.csr('pcnet32.init_chip.stop', 0, CSR0_STOP);
    this.csr('pcnet32.init_chip.iadr_lo', 1, ib & 0xffff);
    this.csr('pcnet32.init_chip.iadr_hi', 2, ib >>> 16);
    this.csr('pcnet32.init_chip.init', 0, CSR0_INIT);
    const polls = x.bound('pcnet32.init_chip.idon_loop', IDON_POLLS);
    let done = false;
    for (let i = 0; i < polls && !done; i++) done = x.br('pcnet32.init_chip.idon', (this.csr('pcnet32.init_chip.poll', 0) & CSR0_IDON) !== 0);
    if (x.br('pcnet32.init_chip.timeout', !done)) return -5;
    this.csr('pcnet32.init_chip.start', 0, CSR0_IDON | CSR0_IENA | CSR0_STRT);
    return 0;
  }

  open(lp: number): number {
    const x = this.x;
    const txRing = this.kalloc('pcnet32.open.alloc_tx_ring', TX_RING * DESC.BYTES);
    const rxRing = this.kalloc('pcnet32.open.alloc_rx_ring', RX_RING * DESC.BYTES);
    const txSkbs = this.kalloc('pcnet32.open.alloc_tx_skbs', TX_RING * 4);
    const rxSkbs = this.kalloc('pcnet32.open.alloc_rx_skbs', RX_RING * 4);
    if (x.br('pcnet32.open.alloc_failed', !txRing || !rxRing || !txSkbs || !rxSkbs)) {
      for (const p of [txRing, rxRing, txSkbs, rxSkbs]) if (p) x.call('pcnet32.open.unwind_kfree', [p], (q) => this.k.kfree(q));
      return ENOMEM;
    }
    x.st('pcnet32.open.tx_ring', lp + P.TX_RING, txRing);
    x.st('pcnet32.open.rx_ring', lp + P.RX_RING, rxRing);
    x.st('pcnet32.open.tx_skbs', lp + P.TX_SKBS, txSkbs);
    x.st('pcnet32.open.rx_skbs', lp + P.RX_SKBS, rxSkbs);
    for (const off of [P.CUR_TX, P.DIRTY_TX, P.CUR_RX, P.TX_FULL]) x.st('pcnet32.open.reset_index', lp + off, 0);
    const nTx = x.bound('pcnet32.open.tx_init_loop', TX_RING);
    for (let i = 0; i < nTx; i++) {
      x.st('pcnet32.open.tx_desc_flags', txRing + i * DESC.BYTES + DESC.FLAGS, 0);
      x.st('pcnet32.open.tx_skb_clear', txSkbs + i * 4, 0);
    }
    const nRx = x.bound('pcnet32.open.rx_init_loop', RX_RING);
    for (let i = 0; i < nRx; i++) {
      const skb = x.alloc('pcnet32.open.rx_alloc', BUFFER_BYTES, () => x.call('pcnet32.open.dev_alloc_skb', [], () => this.k.allocSkb()));
      if (x.br('pcnet32.open.rx_skb_null', skb === 0)) break;
      x.st('pcnet32.open.rx_skb_set', rxSkbs + i * 4, skb);
      x.st('pcnet32.open.rx_desc_addr', rxRing + i * DESC.BYTES + DESC.ADDR, skb);
      x.st('pcnet32.open.rx_desc_flags', rxRing + i * DESC.BYTES + DESC.FLAGS, OWN | ((-BUFFER_BYTES) & 0xffff));
    }
    this.buildInitBlock(lp);
    if (x.br('pcnet32.open.init_failed', this.initChip(lp) !== 0)) return -5;
    x.call('pcnet32.open.request_irq', [x.ld('pcnet32.open.irq', lp + P.IRQ)], (line) => this.k.requestIrq(line));
    x.st('pcnet32.open.mark_open', lp + P.OPEN, 1);
    this.checkLink('pcnet32.open');
    return 0;
  }

  /** Read the link state, tell the kernel, and re-arm the watchdog (sooner while down). */
  private checkLink(site: string): void {
    const x = this.x;
    x.wrReg(`${site}.bcr_rap`, this.dev, PORT.RAP, 4);
    const up = x.br(`${site}.link_up`, (x.rdReg(`${site}.bcr4`, this.dev, PORT.BDP) & BCR4_LNKST) !== 0);
    x.call(`${site}.carrier`, [up ? 1 : 0], flagCall((on) => this.k.setCarrier(on)));
    x.call(`${site}.mod_timer`, [up ? WATCHDOG_US : LINK_POLL_US], (us) => this.k.modTimer(us));
  }

  stop(lp: number): number {
    const x = this.x;
    x.call('pcnet32.stop.del_timer', [], () => this.k.delTimer());
    this.csr('pcnet32.stop.chip_stop', 0, CSR0_STOP);
    x.call('pcnet32.stop.free_irq', [x.ld('pcnet32.stop.irq', lp + P.IRQ)], (line) => this.k.freeIrq(line));
    x.call('pcnet32.stop.carrier_off', [0], () => this.k.setCarrier(false));
    for (const [which, off, count] of [['tx', P.TX_SKBS, TX_RING], ['rx', P.RX_SKBS, RX_RING]] as const) {
      const arr = x.ldp(`pcnet32.stop.${which}_skbs`, lp + off);
      const n = x.bound(`pcnet32.stop.${which}_free_loop`, count);
      for (let i = 0; i < n; i++) {
        const skb = x.ldp(`pcnet32.stop.${which}_skb`, arr + i * 4);
        if (x.br(`pcnet32.stop.${which}_has_skb`, skb !== 0)) {
          x.call(`pcnet32.stop.${which}_free_skb`, [skb], (s) => this.k.freeSkb(s));
          x.st(`pcnet32.stop.${which}_skb_clear`, arr + i * 4, 0);
        }
      }
    }
    for (const off of [P.TX_RING, P.RX_RING, P.TX_SKBS, P.RX_SKBS]) {
      x.call('pcnet32.stop.kfree', [x.ldp('pcnet32.stop.read_ptr', lp + off)], (p) => this.k.kfree(p));
    }
    x.st('pcnet32.stop.mark_closed', lp + P.OPEN, 0);
    return 0;
  }

  startXmit(lp: number, skb: number, len: number): number {
    const x = this.x;
    const cur = x.ld('pcnet32.xmit.cur_tx', lp + P.CUR_TX);
    const entry = cur & (TX_RING - 1);
    const ring = x.ldp('pcnet32.xmit.ring', lp + P.TX_RING);
    const desc = ring + entry * DESC.BYTES;
    if (x.br('pcnet32.xmit.desc_busy', (x.ld('pcnet32.xmit.desc_flags', desc + DESC.FLAGS) & OWN) !== 0)) {
      x.st('pcnet32.xmit.set_full', lp + P.TX_FULL, 1);
      x.call('pcnet32.xmit.stop_queue', [], () => this.k.stopQueue());
      return NETDEV_TX_BUSY;
    }
    const skbs = x.ldp('pcnet32.xmit.skbs', lp + P.TX_SKBS);
    x.st('pcnet32.xmit.skb', skbs + entry * 4, skb);
    x.st('pcnet32.xmit.desc_addr', desc + DESC.ADDR, skb);
    x.st('pcnet32.xmit.desc_flags_own', desc + DESC.FLAGS, OWN | STP | ENP | ((-len) & 0xffff));
    x.st('pcnet32.xmit.cur_tx_update', lp + P.CUR_TX, cur + 1);
    this.csr('pcnet32.xmit.demand', 0, CSR0_IENA | CSR0_TDMD);
    const next = ring + ((cur + 1) & (TX_RING - 1)) * DESC.BYTES;
    if (x.br('pcnet32.xmit.next_busy', (x.ld('pcnet32.xmit.next_flags', next + DESC.FLAGS) & OWN) !== 0)) {
      x.st('pcnet32.xmit.set_full_after', lp + P.TX_FULL, 1);
      x.call('pcnet32.xmit.stop_queue_full', [], () => this.k.stopQueue());
    }
    return NETDEV_TX_OK;
  }

  /** pcnet32 must stop and re-initialise the chip to change its address filter. */
  private reinitChip(lp: number): number {
    this.buildInitBlock(lp);
    return this.initChip(lp);
  }

  setMacAddress(lp: number, lo: number, hi: number): number {
    const x = this.x;
    if (x.br('pcnet32.set_mac.invalid', (lo & 1) === 1 || (lo === 0 && hi === 0))) return EINVAL;
    x.st('pcnet32.set_mac.lo', lp + P.MAC_LO, lo);
    x.st('pcnet32.set_mac.hi', lp + P.MAC_HI, hi);
    if (x.br('pcnet32.set_mac.running', x.ld('pcnet32.set_mac.open', lp + P.OPEN) !== 0)) return this.reinitChip(lp);
    return 0;
  }

  setMulticastList(lp: number): number {
    const x = this.x;
    if (!x.br('pcnet32.set_multicast.running', x.ld('pcnet32.set_multicast.open', lp + P.OPEN) !== 0)) return 0;
    return this.reinitChip(lp);
  }

  changeMtu(lp: number, mtu: number): number {
    const x = this.x;
    if (x.br('pcnet32.change_mtu.range', mtu < 60 || mtu > 1500)) return EINVAL;
    x.st('pcnet32.change_mtu.store', lp + P.MTU, mtu);
    return 0;
  }

  getStats(lp: number): NetStats {
    const x = this.x;
    return {
      rxPackets: x.ld('pcnet32.get_stats.rx_packets', lp + P.RX_PACKETS), txPackets: x.ld('pcnet32.get_stats.tx_packets', lp + P.TX_PACKETS),
      rxBytes: x.ld('pcnet32.get_stats.rx_bytes', lp + P.RX_BYTES), txBytes: x.ld('pcnet32.get_stats.tx_bytes', lp + P.TX_BYTES),
      rxErrors: x.ld('pcnet32.get_stats.rx_errors', lp + P.RX_ERRORS), txErrors: x.ld('pcnet32.get_stats.tx_errors', lp + P.TX_ERRORS),
    };
  }

  txTimeout(lp: number): void {
    this.stop(lp);
    this.x.rdReg('pcnet32.tx_timeout.reset', this.dev, PORT.RESET);
    this.open(lp);
    this.x.call('pcnet32.tx_timeout.wake', [], () => this.k.wakeQueue());
  }

  timer(lp: number): void {
    const x = this.x;
    if (!x.br('pcnet32.watchdog.open', x.ld('pcnet32.watchdog.read_open', lp + P.OPEN) !== 0)) return;
    this.checkLink('pcnet32.watchdog');
  }

  interrupt(lp: number): void {
    const x = this.x;
    if (!x.irq('pcnet32.isr.entry')) return;
    const csr0 = this.csr('pcnet32.isr.read_csr0', 0);
    this.csr('pcnet32.isr.ack', 0, (csr0 & (CSR0_IDON | CSR0_TINT | CSR0_RINT | CSR0_MISS)) | CSR0_IENA);
    if (x.br('pcnet32.isr.rint', (csr0 & (CSR0_RINT | CSR0_MISS)) !== 0)) this.rx(lp);
    if (x.br('pcnet32.isr.tint', (csr0 & CSR0_TINT) !== 0)) this.txDone(lp);
  }

  private txDone(lp: number): void {
    const x = this.x;
    const ring = x.ldp('pcnet32.tx_done.ring', lp + P.TX_RING);
    const skbs = x.ldp('pcnet32.tx_done.skbs', lp + P.TX_SKBS);
    let dirty = x.ld('pcnet32.tx_done.dirty', lp + P.DIRTY_TX);
    const cur = x.ld('pcnet32.tx_done.cur', lp + P.CUR_TX);
    const n = x.bound('pcnet32.tx_done.loop', TX_RING);
    let freed = 0;
    for (let i = 0; i < n && x.br('pcnet32.tx_done.more', dirty !== cur); i++) {
      const entry = dirty & (TX_RING - 1);
      const flags = x.ld('pcnet32.tx_done.flags', ring + entry * DESC.BYTES + DESC.FLAGS);
      if (x.br('pcnet32.tx_done.owned', (flags & OWN) !== 0)) break;
      const skb = x.ldp('pcnet32.tx_done.skb', skbs + entry * 4);
      if (x.br('pcnet32.tx_done.has_skb', skb !== 0)) {
        x.call('pcnet32.tx_done.free_skb', [skb], (s) => this.k.freeSkb(s));
        x.st('pcnet32.tx_done.skb_clear', skbs + entry * 4, 0);
        const errs = x.br('pcnet32.tx_done.err', (flags & ERR) !== 0);
        const off = errs ? P.TX_ERRORS : P.TX_PACKETS;
        x.st('pcnet32.tx_done.count', lp + off, x.ld('pcnet32.tx_done.read_count', lp + off) + 1);
        if (!errs) x.st('pcnet32.tx_done.bytes', lp + P.TX_BYTES, x.ld('pcnet32.tx_done.read_bytes', lp + P.TX_BYTES) + ((-(flags | 0xffff0000)) & 0xffff));
      }
      dirty++;
      freed++;
    }
    x.st('pcnet32.tx_done.store_dirty', lp + P.DIRTY_TX, dirty);
    if (x.br('pcnet32.tx_done.was_full', freed > 0 && x.ld('pcnet32.tx_done.full', lp + P.TX_FULL) !== 0)) {
      x.st('pcnet32.tx_done.clear_full', lp + P.TX_FULL, 0);
      x.call('pcnet32.tx_done.wake_queue', [], () => this.k.wakeQueue());
    }
  }

  private rx(lp: number): void {
    const x = this.x;
    const ring = x.ldp('pcnet32.rx.ring', lp + P.RX_RING);
    const skbs = x.ldp('pcnet32.rx.skbs', lp + P.RX_SKBS);
    let cur = x.ld('pcnet32.rx.cur', lp + P.CUR_RX);
    const n = x.bound('pcnet32.rx.loop', RX_RING);
    for (let i = 0; i < n; i++) {
      const entry = cur & (RX_RING - 1);
      const desc = ring + entry * DESC.BYTES;
      const flags = x.ld('pcnet32.rx.flags', desc + DESC.FLAGS);
      if (x.br('pcnet32.rx.owned', (flags & OWN) !== 0)) break;
      const len = x.ld('pcnet32.rx.mcnt', desc + DESC.MCNT) & 0xfff;
      const skb = x.ldp('pcnet32.rx.skb', skbs + entry * 4);
      const fresh = x.alloc('pcnet32.rx.alloc', BUFFER_BYTES, () => x.call('pcnet32.rx.dev_alloc_skb', [], () => this.k.allocSkb()));
      if (x.br('pcnet32.rx.drop', (flags & ERR) !== 0 || fresh === 0 || len < 14)) {
        if (fresh !== 0) x.call('pcnet32.rx.free_fresh', [fresh], (s) => this.k.freeSkb(s));
        x.st('pcnet32.rx.errors', lp + P.RX_ERRORS, x.ld('pcnet32.rx.read_errors', lp + P.RX_ERRORS) + 1);
      } else {
        x.call('pcnet32.rx.netif_rx', [skb, len], (s, l) => this.k.netifRx(s, l));
        x.st('pcnet32.rx.packets', lp + P.RX_PACKETS, x.ld('pcnet32.rx.read_packets', lp + P.RX_PACKETS) + 1);
        x.st('pcnet32.rx.bytes', lp + P.RX_BYTES, x.ld('pcnet32.rx.read_bytes', lp + P.RX_BYTES) + len);
        x.st('pcnet32.rx.skb_set', skbs + entry * 4, fresh);
        x.st('pcnet32.rx.desc_addr', desc + DESC.ADDR, fresh);
      }
      // Give the descriptor back to the chip.
      x.st('pcnet32.rx.desc_own', desc + DESC.FLAGS, OWN | ((-BUFFER_BYTES) & 0xffff));
      cur++;
    }
    x.st('pcnet32.rx.store_cur', lp + P.CUR_RX, cur);
  }
}

export const pcnet32: NetDriverModule = {
  id: 'pcnet32',
  cls: 'network',
  description: 'AMD PCnet32-like NIC: init block, OWN-bit descriptors, indirect registers (network class)',
  createDevice: (k, wire: Wire, side, irq, mac) => new PcnetDevice(k, 'pcnet32-nic0', wire, side, irq, mac),
  create: (ctx, api, dev: DeviceModel) => new Pcnet32(ctx, api, dev as PcnetDevice),
};
