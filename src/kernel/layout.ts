// Where things live in the simulated address space. Gaps between regions are unmapped, so a
// corrupted pointer usually lands in unmapped space, sometimes in another region.
export const KERNEL_BASE = 0x10000;
export const KERNEL_SIZE = 0x30000;
export const NETDEV_BASE = KERNEL_BASE;          // net_device structs, 0x200 each
export const NETDEV_STRIDE = 0x200;
export const SKB_TABLE_BASE = KERNEL_BASE + 0x1000; // skb metadata: (owner, ~owner) per slot
export const KERNEL_DATA_BASE = KERNEL_BASE + 0x2000; // the rest of kernel data, sealed per page
export const SKB_BASE = 0x80000;                  // packet buffers (writable by drivers)
export const SKB_SLOT = 0x800;                    // 2 KiB per skb
export const SKB_SLOTS = 128;
export const DRIVER_BASE = 0x100000;              // one 64 KiB protection domain per instance
export const DRIVER_STRIDE = 0x20000;             // with a 64 KiB unmapped gap after each
export const DRIVER_SIZE = 0x10000;
export const DRIVER_SLOTS = 8;
