// An e1000-like gigabit NIC driver. Everything it knows lives in its adapter struct and rings
// in its own protection domain; every load, store, branch, loop bound, allocation and kernel
// call goes through the execution context at a named fault site.
import type { ExecContext } from '../../sim/exec.js';
import type { NetKernelApi, NetStats } from '../../kernel/netcore.js';
import { ND, IFF_PROMISC, NETDEV_TX_BUSY, NETDEV_TX_OK } from '../../kernel/netcore.js';
import {
  NicDevice, REG, CTRL_RST, STATUS_LU, ICR_TXDW, ICR_LSC, ICR_RXO, ICR_RXT0, RCTL_EN, RCTL_UPE, RCTL_MPE,
  TCTL_EN, RAH_AV, DESC_BYTES, DD, RX_BUFFER_BYTES, EERD_START, mtaBit,
} from '../../devices/nic.js';
import { NetDriver, NetDriverModule, ENOMEM, EINVAL, ENODEV } from './types.js';
import { flagCall } from '../services.js';

const MAGIC = 0xe1000e10;
const RING = 16;
const WATCHDOG_US = 2_000_000; // e1000_watchdog runs every 2 s // descriptors per ring (the real driver defaults to 256; scaled with the model)
/** Adapter struct layout (byte offsets). */
const A = {
  MAGIC: 0, OPEN: 4, MTU: 8, MAC_LO: 12, MAC_HI: 16,
  TX_RING: 20, TX_COUNT: 24, TX_USE: 28, TX_CLEAN: 32, TX_INFO: 36,
  RX_RING: 40, RX_COUNT: 44, RX_CLEAN: 48, RX_INFO: 52,
  RX_PACKETS: 56, TX_PACKETS: 60, RX_BYTES: 64, TX_BYTES: 68, RX_ERRORS: 72, TX_ERRORS: 76, IRQ: 80,
  SIZE: 96,
} as const;

class E1000 implements NetDriver {
  constructor(private readonly x: ExecContext, private readonly k: NetKernelApi, private readonly dev: NicDevice) {}

  probe(): number {
    const x = this.x;
    const a = x.alloc('e1000.probe.alloc_adapter', A.SIZE, (n) => x.call('e1000.probe.kmalloc', [n], (s) => this.k.kmalloc(s)));
    if (x.br('e1000.probe.adapter_null', a === 0)) return ENOMEM;
    x.st('e1000.probe.magic', a + A.MAGIC, MAGIC);
    x.wrReg('e1000.probe.reset', this.dev, REG.CTRL, CTRL_RST);
    const words = [0, 1, 2].map((w) => {
      x.wrReg('e1000.probe.eerd_start', this.dev, REG.EERD, (w << 8) | EERD_START);
      return x.rdReg('e1000.probe.eerd_data', this.dev, REG.EERD) >>> 16;
    });
    const lo = (words[0] | (words[1] << 16)) >>> 0, hi = words[2];
    if (x.br('e1000.probe.mac_invalid', lo === 0 && hi === 0)) return ENODEV;
    x.st('e1000.probe.mac_lo', a + A.MAC_LO, lo);
    x.st('e1000.probe.mac_hi', a + A.MAC_HI, hi);
    x.st('e1000.probe.mtu', a + A.MTU, 1500);
    x.st('e1000.probe.tx_count', a + A.TX_COUNT, RING);
    x.st('e1000.probe.rx_count', a + A.RX_COUNT, RING);
    x.st('e1000.probe.irq', a + A.IRQ, this.dev.irqLine);
    x.call('e1000.probe.publish_mac', [x.ld('e1000.probe.read_mac_lo', a + A.MAC_LO), x.ld('e1000.probe.read_mac_hi', a + A.MAC_HI)],
      (l, h) => this.k.publishMac(l, h));
    return a;
  }

  remove(a: number): void {
    const x = this.x;
    if (x.br('e1000.remove.is_open', x.ld('e1000.remove.open', a + A.OPEN) !== 0)) this.stop(a);
    x.call('e1000.remove.kfree', [a], (p) => this.k.kfree(p));
  }

  private allocZeroed(site: string, bytes: number): number {
    const x = this.x;
    return x.alloc(site, bytes, (n) => x.call(`${site}.kmalloc`, [n], (s) => this.k.kmalloc(s)));
  }

  open(a: number): number {
    const x = this.x;
    const txCount = x.ld('e1000.open.tx_count', a + A.TX_COUNT);
    const rxCount = x.ld('e1000.open.rx_count', a + A.RX_COUNT);
    const txRing = this.allocZeroed('e1000.open.alloc_tx_ring', txCount * DESC_BYTES);
    const txInfo = this.allocZeroed('e1000.open.alloc_tx_info', txCount * 4);
    const rxRing = this.allocZeroed('e1000.open.alloc_rx_ring', rxCount * DESC_BYTES);
    const rxInfo = this.allocZeroed('e1000.open.alloc_rx_info', rxCount * 4);
    if (x.br('e1000.open.alloc_failed', txRing === 0 || txInfo === 0 || rxRing === 0 || rxInfo === 0)) {
      for (const p of [txRing, txInfo, rxRing, rxInfo]) if (p) x.call('e1000.open.unwind_kfree', [p], (q) => this.k.kfree(q));
      return ENOMEM;
    }
    x.st('e1000.open.tx_ring', a + A.TX_RING, txRing);
    x.st('e1000.open.tx_info', a + A.TX_INFO, txInfo);
    x.st('e1000.open.rx_ring', a + A.RX_RING, rxRing);
    x.st('e1000.open.rx_info', a + A.RX_INFO, rxInfo);
    x.st('e1000.open.tx_use', a + A.TX_USE, 0);
    x.st('e1000.open.tx_clean', a + A.TX_CLEAN, 0);
    x.st('e1000.open.rx_clean', a + A.RX_CLEAN, 0);
    const nTx = x.bound('e1000.open.tx_init_loop', txCount);
    for (let i = 0; i < nTx; i++) {
      x.st('e1000.open.tx_desc_clear', txRing + i * DESC_BYTES + 12, 0);
      x.st('e1000.open.tx_info_clear', txInfo + i * 4, 0);
    }
    const nRx = x.bound('e1000.open.rx_fill_loop', rxCount);
    for (let i = 0; i < nRx; i++) {
      const skb = x.alloc('e1000.open.rx_alloc_skb', RX_BUFFER_BYTES, () => x.call('e1000.open.dev_alloc_skb', [], () => this.k.allocSkb()));
      if (x.br('e1000.open.rx_skb_null', skb === 0)) break;
      x.st('e1000.open.rx_info_set', rxInfo + i * 4, skb);
      x.st('e1000.open.rx_desc_addr', rxRing + i * DESC_BYTES, skb);
      x.st('e1000.open.rx_desc_status', rxRing + i * DESC_BYTES + 8, 0);
    }
    const d = this.dev;
    x.wrReg('e1000.open.tdbal', d, REG.TDBAL, x.ldp('e1000.open.read_tx_ring', a + A.TX_RING));
    x.wrReg('e1000.open.tdlen', d, REG.TDLEN, txCount * DESC_BYTES);
    x.wrReg('e1000.open.tdh', d, REG.TDH, 0);
    x.wrReg('e1000.open.tdt', d, REG.TDT, 0);
    x.wrReg('e1000.open.rdbal', d, REG.RDBAL, x.ldp('e1000.open.read_rx_ring', a + A.RX_RING));
    x.wrReg('e1000.open.rdlen', d, REG.RDLEN, rxCount * DESC_BYTES);
    x.wrReg('e1000.open.rdh', d, REG.RDH, 0);
    x.wrReg('e1000.open.rdt', d, REG.RDT, rxCount - 1);
    x.wrReg('e1000.open.ral', d, REG.RAL, x.ld('e1000.open.mac_lo', a + A.MAC_LO));
    x.wrReg('e1000.open.rah', d, REG.RAH, x.ld('e1000.open.mac_hi', a + A.MAC_HI) | RAH_AV);
    x.wrReg('e1000.open.rctl', d, REG.RCTL, RCTL_EN);
    this.setMulticastList(a);
    x.wrReg('e1000.open.tctl', d, REG.TCTL, TCTL_EN);
    x.call('e1000.open.request_irq', [x.ld('e1000.open.irq', a + A.IRQ)], (line) => this.k.requestIrq(line));
    x.wrReg('e1000.open.ims', d, REG.IMS, ICR_TXDW | ICR_LSC | ICR_RXO | ICR_RXT0);
    x.st('e1000.open.mark_open', a + A.OPEN, 1);
    x.call('e1000.open.mod_timer', [WATCHDOG_US], (us) => this.k.modTimer(us));
    const up = x.br('e1000.open.link_up', (x.rdReg('e1000.open.status', d, REG.STATUS) & STATUS_LU) !== 0);
    x.call('e1000.open.carrier', [up ? 1 : 0], flagCall((on) => this.k.setCarrier(on)));
    return 0;
  }

  stop(a: number): number {
    const x = this.x, d = this.dev;
    x.call('e1000.stop.del_timer', [], () => this.k.delTimer());
    x.wrReg('e1000.stop.imc', d, REG.IMC, 0xffffffff);
    x.wrReg('e1000.stop.rctl', d, REG.RCTL, 0);
    x.wrReg('e1000.stop.tctl', d, REG.TCTL, 0);
    x.call('e1000.stop.free_irq', [x.ld('e1000.stop.irq', a + A.IRQ)], (line) => this.k.freeIrq(line));
    x.call('e1000.stop.carrier_off', [0], () => this.k.setCarrier(false));
    this.freeBuffers(a, 'tx', A.TX_INFO, A.TX_COUNT);
    this.freeBuffers(a, 'rx', A.RX_INFO, A.RX_COUNT);
    for (const off of [A.TX_RING, A.TX_INFO, A.RX_RING, A.RX_INFO]) {
      x.call('e1000.stop.kfree_ring', [x.ldp('e1000.stop.read_ring', a + off)], (p) => this.k.kfree(p));
    }
    x.st('e1000.stop.mark_closed', a + A.OPEN, 0);
    return 0;
  }

  private freeBuffers(a: number, which: string, infoOff: number, countOff: number): void {
    const x = this.x;
    const info = x.ldp(`e1000.stop.${which}_info`, a + infoOff);
    const n = x.bound(`e1000.stop.${which}_free_loop`, x.ld(`e1000.stop.${which}_count`, a + countOff));
    for (let i = 0; i < n; i++) {
      const skb = x.ldp(`e1000.stop.${which}_skb`, info + i * 4);
      if (x.br(`e1000.stop.${which}_has_skb`, skb !== 0)) {
        x.call(`e1000.stop.${which}_free_skb`, [skb], (s) => this.k.freeSkb(s));
        x.st(`e1000.stop.${which}_info_clear`, info + i * 4, 0);
      }
    }
  }

  startXmit(a: number, skb: number, len: number): number {
    const x = this.x;
    const count = x.ld('e1000.xmit.count', a + A.TX_COUNT);
    const use = x.ld('e1000.xmit.use', a + A.TX_USE);
    const clean = x.ld('e1000.xmit.clean', a + A.TX_CLEAN);
    if (x.br('e1000.xmit.ring_full', (clean + count - use - 1) % count === 0)) {
      x.call('e1000.xmit.stop_queue', [], () => this.k.stopQueue());
      return NETDEV_TX_BUSY;
    }
    const ring = x.ldp('e1000.xmit.ring', a + A.TX_RING);
    const info = x.ldp('e1000.xmit.info', a + A.TX_INFO);
    const desc = ring + use * DESC_BYTES;
    x.st('e1000.xmit.desc_addr', desc, skb);
    x.st('e1000.xmit.desc_len', desc + 4, len);
    x.st('e1000.xmit.desc_status', desc + 12, 0);
    x.st('e1000.xmit.info_skb', info + use * 4, skb);
    let next = use + 1;
    if (x.br('e1000.xmit.wrap', next >= count)) next = 0;
    x.st('e1000.xmit.use_update', a + A.TX_USE, next);
    x.wrReg('e1000.xmit.tdt', this.dev, REG.TDT, next);
    if (x.br('e1000.xmit.now_full', (clean + count - next - 1) % count === 0)) {
      x.call('e1000.xmit.stop_queue_full', [], () => this.k.stopQueue());
    }
    return NETDEV_TX_OK;
  }

  setMacAddress(a: number, lo: number, hi: number): number {
    const x = this.x;
    if (x.br('e1000.set_mac.invalid', (lo & 1) === 1 || (lo === 0 && hi === 0))) return EINVAL;
    x.st('e1000.set_mac.lo', a + A.MAC_LO, lo);
    x.st('e1000.set_mac.hi', a + A.MAC_HI, hi);
    x.wrReg('e1000.set_mac.ral', this.dev, REG.RAL, x.ld('e1000.set_mac.read_lo', a + A.MAC_LO));
    x.wrReg('e1000.set_mac.rah', this.dev, REG.RAH, x.ld('e1000.set_mac.read_hi', a + A.MAC_HI) | RAH_AV);
    return 0;
  }

  setMulticastList(a: number): number {
    const x = this.x, d = this.dev, nd = this.k.netdevAddr;
    void a;
    const flags = x.ld('e1000.set_rx_mode.flags', nd + ND.FLAGS);
    let rctl = x.rdReg('e1000.set_rx_mode.rctl', d, REG.RCTL);
    if (x.br('e1000.set_rx_mode.promisc', (flags & IFF_PROMISC) !== 0)) rctl |= RCTL_UPE | RCTL_MPE;
    else rctl &= ~(RCTL_UPE | RCTL_MPE);
    const mta = new Array(8).fill(0); // a local array: the hash table is built on the stack
    const n = x.bound('e1000.set_rx_mode.mc_loop', x.ld('e1000.set_rx_mode.mc_count', nd + ND.MC_COUNT));
    for (let i = 0; i < n; i++) {
      const lo = x.ld('e1000.set_rx_mode.mc_lo', nd + ND.MC_LIST + i * 8);
      const hi = x.ld('e1000.set_rx_mode.mc_hi', nd + ND.MC_LIST + i * 8 + 4);
      const bit = mtaBit({ lo, hi });
      mta[bit >>> 5] |= 1 << (bit & 31);
    }
    const words = x.bound('e1000.set_rx_mode.mta_loop', 8);
    for (let i = 0; i < words; i++) x.wrReg('e1000.set_rx_mode.mta', d, REG.MTA + i, mta[i] ?? 0);
    x.wrReg('e1000.set_rx_mode.write_rctl', d, REG.RCTL, rctl >>> 0);
    return 0;
  }

  changeMtu(a: number, mtu: number): number {
    const x = this.x;
    if (x.br('e1000.change_mtu.range', mtu < 68 || mtu > 16110)) return EINVAL;
    x.st('e1000.change_mtu.store', a + A.MTU, mtu);
    return 0;
  }

  getStats(a: number): NetStats {
    const x = this.x;
    return {
      rxPackets: x.ld('e1000.get_stats.rx_packets', a + A.RX_PACKETS),
      txPackets: x.ld('e1000.get_stats.tx_packets', a + A.TX_PACKETS),
      rxBytes: x.ld('e1000.get_stats.rx_bytes', a + A.RX_BYTES),
      txBytes: x.ld('e1000.get_stats.tx_bytes', a + A.TX_BYTES),
      rxErrors: x.ld('e1000.get_stats.rx_errors', a + A.RX_ERRORS),
      txErrors: x.ld('e1000.get_stats.tx_errors', a + A.TX_ERRORS),
    };
  }

  /** Linux calls this when transmission stalls: reset the hardware and bring it back up. */
  txTimeout(a: number): void {
    const x = this.x;
    this.stop(a);
    x.wrReg('e1000.tx_timeout.reset', this.dev, REG.CTRL, CTRL_RST);
    this.open(a);
    x.call('e1000.tx_timeout.wake', [], () => this.k.wakeQueue());
  }

  /** e1000_watchdog: poll the link (a lost link interrupt is noticed here) and re-arm. */
  timer(a: number): void {
    const x = this.x;
    if (!x.br('e1000.watchdog.open', x.ld('e1000.watchdog.read_open', a + A.OPEN) !== 0)) return;
    const up = (x.rdReg('e1000.watchdog.status', this.dev, REG.STATUS) & STATUS_LU) !== 0;
    x.call('e1000.watchdog.carrier', [up ? 1 : 0], flagCall((on) => this.k.setCarrier(on)));
    x.call('e1000.watchdog.mod_timer', [WATCHDOG_US], (us) => this.k.modTimer(us));
  }

  interrupt(a: number): void {
    const x = this.x, d = this.dev;
    if (!x.irq('e1000.isr.entry')) return;
    const icr = x.rdReg('e1000.isr.icr', d, REG.ICR);
    if (x.br('e1000.isr.lsc', (icr & ICR_LSC) !== 0)) {
      const up = (x.rdReg('e1000.isr.status', d, REG.STATUS) & STATUS_LU) !== 0;
      x.call('e1000.isr.carrier', [up ? 1 : 0], flagCall((on) => this.k.setCarrier(on)));
    }
    if (x.br('e1000.isr.rx', (icr & (ICR_RXT0 | ICR_RXO)) !== 0)) this.cleanRx(a);
    if (x.br('e1000.isr.tx', (icr & ICR_TXDW) !== 0)) this.cleanTx(a);
  }

  private cleanTx(a: number): void {
    const x = this.x;
    const count = x.ld('e1000.clean_tx.count', a + A.TX_COUNT);
    const ring = x.ldp('e1000.clean_tx.ring', a + A.TX_RING);
    const info = x.ldp('e1000.clean_tx.info', a + A.TX_INFO);
    let clean = x.ld('e1000.clean_tx.clean', a + A.TX_CLEAN);
    let cleaned = 0;
    const n = x.bound('e1000.clean_tx.loop', count);
    for (let i = 0; i < n; i++) {
      const desc = ring + clean * DESC_BYTES;
      if (!x.br('e1000.clean_tx.dd', (x.ld('e1000.clean_tx.status', desc + 12) & DD) !== 0)) break;
      const skb = x.ldp('e1000.clean_tx.skb', info + clean * 4);
      if (x.br('e1000.clean_tx.has_skb', skb !== 0)) {
        const len = x.ld('e1000.clean_tx.len', desc + 4);
        x.call('e1000.clean_tx.free_skb', [skb], (s) => this.k.freeSkb(s));
        x.st('e1000.clean_tx.tx_packets', a + A.TX_PACKETS, x.ld('e1000.clean_tx.read_tx_packets', a + A.TX_PACKETS) + 1);
        x.st('e1000.clean_tx.tx_bytes', a + A.TX_BYTES, x.ld('e1000.clean_tx.read_tx_bytes', a + A.TX_BYTES) + len);
      }
      x.st('e1000.clean_tx.info_clear', info + clean * 4, 0);
      x.st('e1000.clean_tx.status_clear', desc + 12, 0);
      clean = clean + 1 >= count ? 0 : clean + 1;
      cleaned++;
    }
    x.st('e1000.clean_tx.store_clean', a + A.TX_CLEAN, clean);
    if (x.br('e1000.clean_tx.wake', cleaned > 0)) x.call('e1000.clean_tx.wake_queue', [], () => this.k.wakeQueue());
  }

  private cleanRx(a: number): void {
    const x = this.x;
    const count = x.ld('e1000.clean_rx.count', a + A.RX_COUNT);
    const ring = x.ldp('e1000.clean_rx.ring', a + A.RX_RING);
    const info = x.ldp('e1000.clean_rx.info', a + A.RX_INFO);
    let clean = x.ld('e1000.clean_rx.clean', a + A.RX_CLEAN);
    const n = x.bound('e1000.clean_rx.loop', count);
    for (let i = 0; i < n; i++) {
      const desc = ring + clean * DESC_BYTES;
      if (!x.br('e1000.clean_rx.dd', (x.ld('e1000.clean_rx.status', desc + 8) & DD) !== 0)) break;
      const len = x.ld('e1000.clean_rx.len', desc + 4);
      const skb = x.ldp('e1000.clean_rx.skb', info + clean * 4);
      const fresh = x.alloc('e1000.clean_rx.alloc_skb', RX_BUFFER_BYTES, () => x.call('e1000.clean_rx.dev_alloc_skb', [], () => this.k.allocSkb()));
      if (x.br('e1000.clean_rx.drop', fresh === 0 || len < 14 || len > RX_BUFFER_BYTES)) {
        // keep the old buffer in the ring and drop the frame
        if (fresh !== 0) x.call('e1000.clean_rx.free_fresh', [fresh], (s) => this.k.freeSkb(s));
        x.st('e1000.clean_rx.rx_errors', a + A.RX_ERRORS, x.ld('e1000.clean_rx.read_rx_errors', a + A.RX_ERRORS) + 1);
      } else {
        x.call('e1000.clean_rx.netif_rx', [skb, len], (s, l) => this.k.netifRx(s, l));
        x.st('e1000.clean_rx.rx_packets', a + A.RX_PACKETS, x.ld('e1000.clean_rx.read_rx_packets', a + A.RX_PACKETS) + 1);
        x.st('e1000.clean_rx.rx_bytes', a + A.RX_BYTES, x.ld('e1000.clean_rx.read_rx_bytes', a + A.RX_BYTES) + len);
        x.st('e1000.clean_rx.info_set', info + clean * 4, fresh);
        x.st('e1000.clean_rx.desc_addr', desc, fresh);
      }
      x.st('e1000.clean_rx.status_clear', desc + 8, 0);
      x.wrReg('e1000.clean_rx.rdt', this.dev, REG.RDT, clean);
      clean = clean + 1 >= count ? 0 : clean + 1;
    }
    x.st('e1000.clean_rx.store_clean', a + A.RX_CLEAN, clean);
  }
}

export const e1000: NetDriverModule = {
  id: 'e1000',
  cls: 'network',
  description: 'Intel PRO/1000-like gigabit NIC (network class)',
  createDevice: (k, wire, side, irq, mac) => new NicDevice(k, 'e1000-nic0', wire, side, irq, mac),
  create: (ctx, api, dev) => new E1000(ctx, api, dev as NicDevice),
};
