/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * SeedChip hardware interface: PCI identity, BAR layout, register map,
 * interrupt vectors, page-table format, packet formats and the records the
 * device writes to host memory. This is the one definition shared by the
 * kernel driver (kernel/) and the device model (qemu-device/);
 * docs/hardware.md is the prose manual for every value here.
 *
 * Usable from kernel C and from C/C++ userspace: it only needs the fixed
 * width __u8/__u16/__u32/__u64 types of <linux/types.h>.
 */
#ifndef SEED_HW_H
#define SEED_HW_H

#include <linux/types.h>

/* PCI identity (placeholders until a vendor ID is assigned). */
#define SEED_PCI_VENDOR_ID		0x5eed
#define SEED_PCI_DEVICE_ID		0x0001
#define SEED_PCI_SUBSYS_VENDOR_ID	0x5eed
#define SEED_PCI_SUBSYS_ID		0x0001
#define SEED_PCI_REVISION		0x01
#define SEED_PCI_CLASS			0x120000 /* processing accelerator */

/* BARs. BAR0 (64-bit) holds the control registers, BAR2 (64-bit) MSI-X. */
#define SEED_BAR_REGS			0
#define SEED_BAR_REGS_SIZE		0x10000
#define SEED_BAR_MSIX			2
#define SEED_BAR_MSIX_SIZE		0x4000
#define SEED_MSIX_TABLE_OFFSET		0x0000
#define SEED_MSIX_PBA_OFFSET		0x2000

/* Queues and interrupt vectors: vector 0 is device events, 1 + q queue q. */
#define SEED_MAX_QUEUES			64
#define SEED_MSIX_VECTORS		(1 + SEED_MAX_QUEUES)
#define SEED_MSIX_VEC_EVENT		0
#define SEED_MSIX_VEC_QUEUE(q)		(1 + (q))

/*
 * BAR0 register map. All registers are 32 bits wide, little endian, and
 * must be accessed with aligned 32-bit reads and writes. 64-bit values are
 * split into _LO/_HI pairs; reads of undefined offsets return 0 and writes
 * to them are ignored.
 */

/* Identity block (read-only). */
#define SEED_REG_MAGIC			0x0000
#define   SEED_MAGIC			0x44454553 /* "SEED" in memory order */
#define SEED_REG_HW_REV			0x0004 /* major [31:16], minor [15:0] */
#define   SEED_HW_REV_MAJOR(v)		(((v) >> 16) & 0xffff)
#define   SEED_HW_REV_MINOR(v)		((v) & 0xffff)
#define   SEED_HW_REV_V1_0		0x00010000
#define SEED_REG_FW_VERSION		0x0008 /* major [31:24] minor [23:16] patch [15:0] */
#define   SEED_FW_MAJOR(v)		(((v) >> 24) & 0xff)
#define   SEED_FW_MINOR(v)		(((v) >> 16) & 0xff)
#define   SEED_FW_PATCH(v)		((v) & 0xffff)
#define SEED_REG_CAPS			0x000c /* SEED_CAP_* bits */
#define SEED_REG_HBM_SIZE_LO		0x0010 /* HBM size in bytes */
#define SEED_REG_HBM_SIZE_HI		0x0014
#define SEED_REG_QUEUE_INFO		0x0018
#define   SEED_QUEUE_INFO_QUEUES(v)	((v) & 0xff)	     /* hardware queues */
#define   SEED_QUEUE_INFO_ENGINES(v)	(((v) >> 8) & 0xff)  /* compute engines */
#define SEED_REG_DTYPES			0x001c /* SEED_DTYPE_* bits */
#define SEED_REG_PAGE_SIZES		0x0020 /* bit n set: 2^n byte pages (SEED_PAGE_SIZES_V1_0) */
#define SEED_REG_UUID(i)		(0x0030 + 4 * (i)) /* i = 0..3, byte order = memory order */
#define   SEED_UUID_BYTES		16
#define SEED_REG_SERIAL(i)		(0x0040 + 4 * (i)) /* i = 0..7, ASCII, NUL padded */
#define   SEED_SERIAL_BYTES		32

/* Capability bits (SEED_REG_CAPS). */
#define SEED_CAP_MMU			(1u << 0)
#define SEED_CAP_GEMM			(1u << 1)
#define SEED_CAP_ELEMENTWISE		(1u << 2)
#define SEED_CAP_REDUCE			(1u << 3)
#define SEED_CAP_TELEMETRY		(1u << 4)
#define SEED_CAP_POWER_LIMIT		(1u << 5) /* SEED_REG_POWER_LIMIT (§15.5) */
#define SEED_CAP_HBM_COPY		(1u << 6) /* HBM copy block (§6.1) */

/* Data type bits (SEED_REG_DTYPES). */
#define SEED_DTYPE_F32			(1u << 0)
#define SEED_DTYPE_F16			(1u << 1)
#define SEED_DTYPE_BF16			(1u << 2)
#define SEED_DTYPE_I8			(1u << 3)
#define SEED_DTYPE_I32			(1u << 4)

/* Device control block. */
#define SEED_REG_DEV_STATUS		0x0100 /* RO */
#define   SEED_DEV_STATUS_READY		(1u << 0)
#define   SEED_DEV_STATUS_FATAL		(1u << 1)
#define   SEED_DEV_STATUS_RESETTING	(1u << 2)
#define SEED_REG_DEV_CTRL		0x0104 /* RW */
#define   SEED_DEV_CTRL_RESET		(1u << 0) /* write 1: full reset, self clearing */
#define SEED_REG_SCRATCH		0x0108 /* RW, reset value 0 */
#define SEED_REG_IRQ_TEST		0x010c /* WO: raise MSI-X vector (value) */
#define SEED_REG_IRQ_TEST_COUNT		0x0110 /* RO: test interrupts raised since reset */


/*
 * Everything below extends the walking skeleton's interface to the whole
 * programming model of hardware revision 1.0. Section numbers (§) refer to
 * docs/hardware.md.
 */

/*
 * Compile-time layout checks usable from kernel C (C11 _Static_assert) and
 * C++ (static_assert). Every structure below is naturally aligned, has
 * explicit reserved fields and no implicit padding.
 */
#ifdef __cplusplus
#define SEED_HW_ASSERT(cond, msg)	static_assert(cond, msg)
#else
#define SEED_HW_ASSERT(cond, msg)	_Static_assert(cond, msg)
#endif
#define SEED_HW_OFFSETOF(type, member)	__builtin_offsetof(type, member)

/* Reset value of SEED_REG_PAGE_SIZES: 4 KiB, 2 MiB and 1 GiB pages (§7.4). */
#define SEED_PAGE_SIZES_V1_0		((1u << 12) | (1u << 21) | (1u << 30))

/* ----------------------------------------------------------------------- */
/* Limits of hardware revision 1.0 (§4, §7, §9, §10).                      */
/* ----------------------------------------------------------------------- */

#define SEED_MAX_CONTEXTS		64	/* MMU contexts */
#define SEED_MAX_ENGINES		16	/* compute engines */
#define SEED_HBM_SIZE_ALIGN		0x200000ull /* HBM size is a multiple of 2 MiB */

#define SEED_VA_BITS			48	/* device virtual address width */
#define SEED_PA_BITS			52	/* host DMA and HBM address width in a PTE */
#define SEED_PT_LEVELS			4	/* page-table levels, 3 (root) .. 0 */
#define SEED_PT_ENTRIES			512	/* 8-byte entries per 4 KiB table */
#define SEED_PAGE_SHIFT			12
#define SEED_PAGE_SIZE			(1u << SEED_PAGE_SHIFT)

#define SEED_PKT_SIZE			64	/* every packet, ring slot and record */
#define SEED_RING_ALIGN			4096	/* ring base alignment (bytes) */
#define SEED_RING_MIN_ENTRIES		16
#define SEED_RING_MAX_ENTRIES		65536
#define SEED_CPL_ALIGN			64	/* completion record alignment */
#define SEED_EVLOG_ALIGN		4096	/* event log base alignment */
#define SEED_EVLOG_MIN_ENTRIES		16
#define SEED_EVLOG_MAX_ENTRIES		65536
#define SEED_STATUS_ALIGN		64	/* status block alignment */
#define SEED_TELEM_ALIGN		64	/* telemetry snapshot alignment */
#define SEED_DESC_ALIGN			64	/* compute descriptor alignment */

#define SEED_INDIRECT_MAX_DEPTH		2	/* ring = level 0; deepest level 2 */
#define SEED_INDIRECT_MAX_PACKETS	(1u << 20)

/*
 * seed_pkt_indirect.context: an INDIRECT in the ring (level 0) may name the
 * MMU context its buffer runs in (§10.10). In a buffer (level >= 1) the
 * field must be 0, so a command buffer can never change its context.
 */
#define SEED_INDIRECT_CTX_VALID		(1u << 31)
#define SEED_INDIRECT_CTX_ID_MASK	0xffu
#define SEED_INDIRECT_CTX(c)		(SEED_INDIRECT_CTX_VALID | ((c) & SEED_INDIRECT_CTX_ID_MASK))
#define SEED_COPY_MAX_WIDTH		(1ull << 32) /* bytes per row */
#define SEED_COPY_MAX_HEIGHT		(1u << 20)   /* rows */
#define SEED_FILL_MAX_SIZE		(1ull << 40) /* bytes */
#define SEED_GEMM_MAX_DIM		65536	/* M, N, K */
#define SEED_TENSOR_MAX_DIM		(1u << 24) /* ELEMENTWISE/REDUCE rows, cols */

#define SEED_PRIORITY_MAX		3
#define SEED_IRQ_HOLDOFF_MAX_US		65535
#define SEED_WAIT_POLL_US		100	/* WAIT re-reads memory at least this often */
#define SEED_RESET_TIMEOUT_MS		1000	/* full device reset completes within */
#define SEED_QUEUE_RESET_TIMEOUT_MS	100	/* queue reset completes within */
#define SEED_TELEM_TIMEOUT_MS		10	/* telemetry snapshot written within */

/* ----------------------------------------------------------------------- */
/* Identity extension (read-only, §4.2).                                   */
/* ----------------------------------------------------------------------- */

#define SEED_REG_MMU_INFO		0x0060 /* RO */
#define   SEED_MMU_INFO_CONTEXTS(v)	((v) & 0xff)	     /* contexts */
#define   SEED_MMU_INFO_VA_BITS(v)	(((v) >> 8) & 0xff)  /* VA width */
#define   SEED_MMU_INFO_LEVELS(v)	(((v) >> 16) & 0xf)  /* page-table levels */
#define   SEED_MMU_INFO_V1_0		(SEED_MAX_CONTEXTS | (SEED_VA_BITS << 8) | \
					 (SEED_PT_LEVELS << 16))

/* ----------------------------------------------------------------------- */
/* Device control block, continued (§5).                                   */
/* ----------------------------------------------------------------------- */

/* More SEED_REG_DEV_STATUS bits; bits 31:4 are reserved and read 0. */
#define   SEED_DEV_STATUS_ECC_UE	(1u << 3) /* uncorrectable HBM error since reset */
#define   SEED_DEV_STATUS_RESERVED	0xfffffff0u

#define SEED_REG_WATCHDOG_MS		0x0114 /* RW, reset 0 (off): engine packet time limit */
#define SEED_REG_RESET_COUNT		0x0118 /* RO: completed resets since power-on */
#define SEED_REG_FATAL_CAUSE		0x011c /* RO: SEED_FATAL_*, 0 unless FATAL */

/* Causes of SEED_DEV_STATUS_FATAL (SEED_REG_FATAL_CAUSE, event info). */
#define SEED_FATAL_NONE			0
#define SEED_FATAL_INJECTED		1 /* fault injection "fatal" */
#define SEED_FATAL_NOTIFY_DMA		2 /* writing the event log or status block failed */
#define SEED_FATAL_INTERNAL		3 /* internal consistency check failed */

/* ----------------------------------------------------------------------- */
/* Event log and status block (§8). Preserved by SEED_DEV_CTRL_RESET.      */
/* ----------------------------------------------------------------------- */

#define SEED_REG_EVLOG_BASE_LO		0x0200 /* RW: host DMA address, 4 KiB aligned */
#define SEED_REG_EVLOG_BASE_HI		0x0204 /* RW */
#define SEED_REG_EVLOG_SIZE		0x0208 /* RW: entries, power of two */
#define SEED_REG_EVLOG_HEAD		0x020c /* RW: records consumed (free-running) */
#define SEED_REG_STATUS_ADDR_LO		0x0210 /* RW: status block host DMA address */
#define SEED_REG_STATUS_ADDR_HI		0x0214 /* RW */
#define SEED_REG_EVLOG_CTRL		0x0218 /* RW */
#define   SEED_EVLOG_CTRL_ENABLE	(1u << 0)  /* RW: log and status block on */
#define   SEED_EVLOG_CTRL_CFG_ERROR	(1u << 31) /* RO: last enable was refused */
#define SEED_REG_EVLOG_WPTR		0x021c /* RO: records written (free-running) */
#define SEED_REG_EVLOG_DROPPED		0x0220 /* RO: records dropped, log full */

/* ----------------------------------------------------------------------- */
/* MMU: TLB invalidation (§7.6) and context registers (§7.2).              */
/* ----------------------------------------------------------------------- */

#define SEED_REG_TLB_INV_VA_LO		0x0300 /* RW: first VA, 4 KiB granule */
#define SEED_REG_TLB_INV_VA_HI		0x0304 /* RW */
#define SEED_REG_TLB_INV_SIZE_LO	0x0308 /* RW: bytes; 0 = whole context */
#define SEED_REG_TLB_INV_SIZE_HI	0x030c /* RW */
#define SEED_REG_TLB_INV_CTRL		0x0310 /* RW */
#define   SEED_TLB_INV_CTRL_CTX(c)	((c) & 0xff)	/* context to invalidate */
#define   SEED_TLB_INV_CTRL_ALL		(1u << 16)	/* every context, whole VA space */
#define   SEED_TLB_INV_CTRL_IRQ		(1u << 17)	/* raise vector 0 when done */
#define SEED_REG_TLB_INV_SEQ		0x0314 /* WO: start; value reported when done */
#define SEED_REG_TLB_INV_DONE		0x0318 /* RO: last completed sequence number */

#define SEED_REG_CTX_BLOCK		0x0400
#define SEED_CTX_BLOCK_STRIDE		0x10
#define SEED_REG_CTX(c)			(SEED_REG_CTX_BLOCK + SEED_CTX_BLOCK_STRIDE * (c))
#define SEED_REG_CTX_ROOT_LO(c)		(SEED_REG_CTX(c) + 0x0) /* RW: root table, host DMA */
#define SEED_REG_CTX_ROOT_HI(c)		(SEED_REG_CTX(c) + 0x4) /* RW */
#define SEED_REG_CTX_CFG(c)		(SEED_REG_CTX(c) + 0x8) /* RW: write latches ROOT */
#define   SEED_CTX_CFG_VALID		(1u << 0)

/* Page-table entry (64-bit, little endian, in host memory, §7.3). */
#define SEED_PTE_VALID			(1ull << 0)
#define SEED_PTE_READ			(1ull << 1)  /* leaf only */
#define SEED_PTE_WRITE			(1ull << 2)  /* leaf only */
#define SEED_PTE_LEAF			(1ull << 3)  /* levels 2, 1: 1 GiB, 2 MiB page */
#define SEED_PTE_HBM			(1ull << 4)  /* leaf only: address is in HBM */
#define SEED_PTE_RESERVED		0x0000000000000fe0ull /* bits 11:5, must be 0 */
#define SEED_PTE_ADDR_MASK		0x000ffffffffff000ull /* bits 51:12 */
#define SEED_PTE_SW_MASK		0xfff0000000000000ull /* bits 63:52, ignored */
/* Level-l index of a VA (l = 3 is the root) and the page size of a level-l leaf. */
#define SEED_PT_INDEX(va, l)		(((va) >> (SEED_PAGE_SHIFT + 9 * (l))) & 0x1ff)
#define SEED_PT_LEAF_SIZE(l)		(1ull << (SEED_PAGE_SHIFT + 9 * (l)))

/* ----------------------------------------------------------------------- */
/* Telemetry (§15). 64-bit pairs: reading _LO latches _HI.                 */
/* ----------------------------------------------------------------------- */

#define SEED_REG_CLOCK_LO		0x0800 /* RO: device clock, ns since power-on */
#define SEED_REG_CLOCK_HI		0x0804 /* RO */
#define SEED_REG_TEMP			0x0808 /* RO: milli-degC, two's complement */
#define SEED_REG_POWER			0x080c /* RO: mW */
#define SEED_REG_CORE_CLK		0x0810 /* RO: MHz */
#define SEED_REG_HBM_CLK		0x0814 /* RO: MHz */
#define SEED_REG_ECC_CE_COUNT		0x0818 /* RO: corrected HBM errors since power-on */
#define SEED_REG_ECC_UE_COUNT		0x081c /* RO: uncorrectable HBM errors since power-on */
#define SEED_REG_TEMP_CRIT		0x0820 /* RO: milli-degC, critical temperature */
#define SEED_REG_POWER_CAP		0x0824 /* RO: mW, rated board power */
#define SEED_REG_TELEM_ADDR_LO		0x0828 /* RW: snapshot host DMA address */
#define SEED_REG_TELEM_ADDR_HI		0x082c /* RW */
#define SEED_REG_TELEM_SEQ		0x0830 /* WO: write a snapshot tagged with value */
#define SEED_REG_POWER_LIMIT		0x0834 /* RW: mW, board power limit (§15.5) */
#define SEED_REG_ENGINE_BUSY_LO(e)	(0x0880 + 8 * (e)) /* RO: engine e busy ns */
#define SEED_REG_ENGINE_BUSY_HI(e)	(0x0884 + 8 * (e)) /* RO */

/* Thermal and power model constants (§15.3). */
#define SEED_TELEM_TICK_MS		10
#define SEED_TELEM_T_AMBIENT_MC		35000	/* milli-degC */
#define SEED_TELEM_R_TH_MC_PER_W	150	/* milli-degC per W */
#define SEED_TELEM_TAU_THERMAL_MS	5000
#define SEED_TELEM_TAU_POWER_MS		100
#define SEED_TELEM_P_IDLE_MW		40000
#define SEED_TELEM_P_MAX_MW		300000
#define SEED_TELEM_P_LIMIT_MIN_MW	100000	/* lowest POWER_LIMIT (§15.5) */
#define SEED_TELEM_T_CRIT_MC		95000
#define SEED_TELEM_CORE_CLK_IDLE_MHZ	500
#define SEED_TELEM_CORE_CLK_BUSY_MHZ	1500
#define SEED_TELEM_HBM_CLK_MHZ		1600

/* ----------------------------------------------------------------------- */
/* HBM copy (§6.1): the host reads and writes HBM without a queue.         */
/* ----------------------------------------------------------------------- */

#define SEED_REG_HBMC_HBM_LO		0x0900 /* RW: HBM address, any byte */
#define SEED_REG_HBMC_HBM_HI		0x0904 /* RW */
#define SEED_REG_HBMC_HOST_LO		0x0908 /* RW: host DMA address, any byte */
#define SEED_REG_HBMC_HOST_HI		0x090c /* RW */
#define SEED_REG_HBMC_LEN		0x0910 /* RW: bytes, 1 .. SEED_HBMC_MAX_LEN */
#define SEED_REG_HBMC_CTRL		0x0914 /* RW */
#define   SEED_HBMC_CTRL_TO_HBM		(1u << 0)  /* host -> HBM; clear: HBM -> host */
#define   SEED_HBMC_CTRL_RESERVED	0xfffffffeu /* must be 0 */
#define SEED_REG_HBMC_SEQ		0x0918 /* WO: start; value reported when done */
#define SEED_REG_HBMC_DONE		0x091c /* RO: last completed sequence number */
#define SEED_REG_HBMC_STATUS		0x0920 /* RO: SEED_ERR_* of that copy */
#define SEED_REG_HBMC_COPIED		0x0924 /* RO: bytes that copy moved */
#define SEED_HBMC_MAX_LEN		(1u << 20)

/* ----------------------------------------------------------------------- */
/* Hardware queues (§9): one 64-byte register block per queue.             */
/* ----------------------------------------------------------------------- */

#define SEED_REG_QUEUE_BLOCK		0x1000
#define SEED_QUEUE_BLOCK_STRIDE		0x40
#define SEED_REG_QUEUE(q)		(SEED_REG_QUEUE_BLOCK + SEED_QUEUE_BLOCK_STRIDE * (q))

/* Offsets inside a queue block. */
#define SEED_QREG_RING_BASE_LO		0x00 /* RW*: host DMA address, 4 KiB aligned */
#define SEED_QREG_RING_BASE_HI		0x04 /* RW* */
#define SEED_QREG_RING_SIZE		0x08 /* RW*: entries, power of two */
#define SEED_QREG_CONTEXT		0x0c /* RW*: MMU context */
#define SEED_QREG_CPL_ADDR_LO		0x10 /* RW*: completion record, 64 B aligned */
#define SEED_QREG_CPL_ADDR_HI		0x14 /* RW* */
#define SEED_QREG_PRIORITY		0x18 /* RW: 0 (lowest) .. 3 */
#define SEED_QREG_IRQ_HOLDOFF		0x1c /* RW: interrupt moderation, us */
#define SEED_QREG_DOORBELL		0x20 /* WO: new tail (free-running) */
#define SEED_QREG_CTRL			0x24 /* RW */
#define SEED_QREG_STATUS		0x28 /* RO: diagnostics only */
#define SEED_QREG_HEAD			0x2c /* RO: diagnostics only */
#define SEED_QREG_TAIL			0x30 /* RO: diagnostics only */
#define SEED_QREG_ERROR			0x34 /* RO: diagnostics only */
#define SEED_QREG_RESET_INDEX		0x38 /* RW: ring index of a conditional reset */
/* (RW*: writable only while the queue is disabled.) */

#define SEED_REG_Q_RING_BASE_LO(q)	(SEED_REG_QUEUE(q) + SEED_QREG_RING_BASE_LO)
#define SEED_REG_Q_RING_BASE_HI(q)	(SEED_REG_QUEUE(q) + SEED_QREG_RING_BASE_HI)
#define SEED_REG_Q_RING_SIZE(q)		(SEED_REG_QUEUE(q) + SEED_QREG_RING_SIZE)
#define SEED_REG_Q_CONTEXT(q)		(SEED_REG_QUEUE(q) + SEED_QREG_CONTEXT)
#define SEED_REG_Q_CPL_ADDR_LO(q)	(SEED_REG_QUEUE(q) + SEED_QREG_CPL_ADDR_LO)
#define SEED_REG_Q_CPL_ADDR_HI(q)	(SEED_REG_QUEUE(q) + SEED_QREG_CPL_ADDR_HI)
#define SEED_REG_Q_PRIORITY(q)		(SEED_REG_QUEUE(q) + SEED_QREG_PRIORITY)
#define SEED_REG_Q_IRQ_HOLDOFF(q)	(SEED_REG_QUEUE(q) + SEED_QREG_IRQ_HOLDOFF)
#define SEED_REG_Q_DOORBELL(q)		(SEED_REG_QUEUE(q) + SEED_QREG_DOORBELL)
#define SEED_REG_Q_CTRL(q)		(SEED_REG_QUEUE(q) + SEED_QREG_CTRL)
#define SEED_REG_Q_STATUS(q)		(SEED_REG_QUEUE(q) + SEED_QREG_STATUS)
#define SEED_REG_Q_HEAD(q)		(SEED_REG_QUEUE(q) + SEED_QREG_HEAD)
#define SEED_REG_Q_TAIL(q)		(SEED_REG_QUEUE(q) + SEED_QREG_TAIL)
#define SEED_REG_Q_ERROR(q)		(SEED_REG_QUEUE(q) + SEED_QREG_ERROR)
#define SEED_REG_Q_RESET_INDEX(q)	(SEED_REG_QUEUE(q) + SEED_QREG_RESET_INDEX)

/* SEED_QREG_CTRL bits. */
#define   SEED_QUEUE_CTRL_ENABLE	(1u << 0) /* write 1: start a disabled queue */
#define   SEED_QUEUE_CTRL_RESET		(1u << 1) /* write 1: reset; reads 1 until done */
#define   SEED_QUEUE_CTRL_IRQ_EN	(1u << 2) /* queue may raise its MSI-X vector */
#define   SEED_QUEUE_CTRL_RESET_IF	(1u << 3) /* with RESET: only if RESET_INDEX runs */

/* SEED_QREG_STATUS: state in bits 3:0. */
#define   SEED_QUEUE_STATUS_STATE(v)	((v) & 0xf)
#define   SEED_QUEUE_STATE_DISABLED	0
#define   SEED_QUEUE_STATE_IDLE		1 /* enabled, head == tail */
#define   SEED_QUEUE_STATE_RUNNING	2
#define   SEED_QUEUE_STATE_WAITING	3 /* executing a WAIT packet */
#define   SEED_QUEUE_STATE_STOPPED	4 /* stopped on an error */
#define   SEED_QUEUE_STATE_RESETTING	5

/* ----------------------------------------------------------------------- */
/* Error codes (§13.1). Shared by completion records, event records and    */
/* SEED_QREG_ERROR. Values are stable.                                     */
/* ----------------------------------------------------------------------- */

#define SEED_ERR_NONE			0
#define SEED_ERR_BAD_OPCODE		1  /* unknown or unsupported opcode */
#define SEED_ERR_MALFORMED		2  /* reserved field/flag set, bad enum value */
#define SEED_ERR_BAD_DTYPE		3  /* unsupported data type (combination) */
#define SEED_ERR_BAD_SIZE		4  /* size, count or dimension out of range */
#define SEED_ERR_MISALIGNED		5  /* address not aligned as required */
#define SEED_ERR_MMU_FAULT		6  /* translation or permission fault */
#define SEED_ERR_BUS			7  /* host DMA to the ring failed */
#define SEED_ERR_INDIRECT_DEPTH		8  /* INDIRECT nested too deep */
#define SEED_ERR_WAIT_TIMEOUT		9  /* WAIT condition not met in time */
#define SEED_ERR_DOORBELL		10 /* doorbell value out of range */
#define SEED_ERR_QUEUE_CONFIG		11 /* queue enabled with invalid configuration */
#define SEED_ERR_ECC			12 /* uncorrectable HBM error in consumed data */
#define SEED_ERR_HANG			13 /* engine watchdog expired */
#define SEED_ERR_FATAL			14 /* device entered the FATAL state */
#define SEED_ERR_COUNT			15

/* MMU fault information word (completion record, MMU_FAULT event, §7.7). */
#define SEED_FAULT_ACCESS_READ		0
#define SEED_FAULT_ACCESS_WRITE		1
#define SEED_FAULT_REASON_NOT_PRESENT	1 /* an entry on the walk has VALID clear */
#define SEED_FAULT_REASON_PERMISSION	2 /* leaf lacks READ or WRITE */
#define SEED_FAULT_REASON_PTE_INVALID	3 /* reserved bits, misaligned leaf, bad LEAF/HBM */
#define SEED_FAULT_REASON_RANGE		4 /* VA >= 2^48 or HBM address >= HBM size */
#define SEED_FAULT_REASON_CONTEXT	5 /* the queue's context is not valid */
#define SEED_FAULT_REASON_WALK_BUS	6 /* reading a page table from the host failed */
#define SEED_FAULT_REASON_TARGET_BUS	7 /* the translated host access failed */
#define SEED_FAULT_LEVEL_NONE		0xff
#define SEED_FAULT_INFO(access, reason, level) \
	((__u32)(access) | ((__u32)(reason) << 8) | ((__u32)(level) << 16))
#define SEED_FAULT_INFO_ACCESS(v)	((v) & 0x1)
#define SEED_FAULT_INFO_REASON(v)	(((v) >> 8) & 0xff)
#define SEED_FAULT_INFO_LEVEL(v)	(((v) >> 16) & 0xff)

/* ----------------------------------------------------------------------- */
/* Packets (§10): 64 bytes each, little endian, in host memory.            */
/* ----------------------------------------------------------------------- */

/* Opcodes. 0x00 is reserved so that a zeroed slot is an error. */
#define SEED_OP_NOP			0x01
#define SEED_OP_COPY			0x02
#define SEED_OP_FILL			0x03
#define SEED_OP_SIGNAL			0x04
#define SEED_OP_WAIT			0x05
#define SEED_OP_TIMESTAMP		0x06
#define SEED_OP_INDIRECT		0x07
#define SEED_OP_GEMM			0x10
#define SEED_OP_ELEMENTWISE		0x11
#define SEED_OP_REDUCE			0x12

/* Header flags. */
#define SEED_PKT_F_FENCE		(1u << 0) /* on retire: completion.fence = hdr.fence */
#define SEED_PKT_F_IRQ			(1u << 1) /* on retire: write record, raise vector */
#define SEED_PKT_F_MASK			(SEED_PKT_F_FENCE | SEED_PKT_F_IRQ)

/* Data types of packets and descriptors; SEED_DTYPE_x == 1u << SEED_DT_x. */
#define SEED_DT_F32			0
#define SEED_DT_F16			1
#define SEED_DT_BF16			2
#define SEED_DT_I8			3
#define SEED_DT_I32			4
#define SEED_DT_SIZE(dt)		((dt) == SEED_DT_I8 ? 1u : \
					 ((dt) == SEED_DT_F16 || (dt) == SEED_DT_BF16) ? 2u : 4u)

/* GEMM epilogue activations and flags. */
#define SEED_ACT_NONE			0
#define SEED_ACT_RELU			1
#define SEED_ACT_GELU			2 /* 0.5 x (1 + erf(x / sqrt 2)) */
#define SEED_GEMM_F_TRANS_A		(1u << 0)
#define SEED_GEMM_F_TRANS_B		(1u << 1)
#define SEED_GEMM_F_BIAS		(1u << 2)
#define SEED_GEMM_F_MASK		0x7u

/* ELEMENTWISE operations: unary below 0x10, binary from 0x10. */
#define SEED_EW_COPY			0x00 /* convert src dtype to dst dtype */
#define SEED_EW_RELU			0x01
#define SEED_EW_GELU			0x02
#define SEED_EW_EXP			0x03
#define SEED_EW_NEG			0x04
#define SEED_EW_ABS			0x05
#define SEED_EW_SQRT			0x06
#define SEED_EW_ADD			0x10
#define SEED_EW_SUB			0x11
#define SEED_EW_MUL			0x12
#define SEED_EW_DIV			0x13
#define SEED_EW_MAX			0x14
#define SEED_EW_MIN			0x15
#define SEED_EW_IS_BINARY(op)		((op) >= SEED_EW_ADD)

/* REDUCE operations, along each row. */
#define SEED_REDUCE_SUM			0x00
#define SEED_REDUCE_MAX			0x01
#define SEED_REDUCE_MIN			0x02
#define SEED_REDUCE_SOFTMAX		0x03

/**
 * struct seed_pkt_header - first 16 bytes of every packet
 * @opcode: SEED_OP_*.
 * @flags: SEED_PKT_F_*; other bits must be 0. FENCE only at level 0.
 * @reserved: must be 0.
 * @tag: ignored by the device; copied into error reports for this packet.
 * @fence: with SEED_PKT_F_FENCE, written to seed_cpl_record.fence on retire.
 */
struct seed_pkt_header {
	__u8 opcode;
	__u8 flags;
	__u16 reserved;
	__u32 tag;
	__u64 fence;
};

/* Any packet, as stored in a ring slot or command buffer. */
struct seed_pkt_raw {
	struct seed_pkt_header hdr;
	__u64 payload[6];
};

struct seed_pkt_nop {
	struct seed_pkt_header hdr;
	__u64 reserved[6];		/* must be 0 */
};

/* dst[r * dst_pitch + i] = src[r * src_pitch + i], r < height, i < width. */
struct seed_pkt_copy {
	struct seed_pkt_header hdr;
	__u64 src;			/* device VA */
	__u64 dst;			/* device VA */
	__u64 width;			/* bytes per row, 1 .. SEED_COPY_MAX_WIDTH */
	__u32 height;			/* rows, 1 .. SEED_COPY_MAX_HEIGHT (1: 1-D) */
	__u32 reserved;			/* must be 0 */
	__u64 src_pitch;		/* bytes between source rows (any) */
	__u64 dst_pitch;		/* bytes between destination rows, >= width */
};

struct seed_pkt_fill {
	struct seed_pkt_header hdr;
	__u64 dst;			/* device VA, aligned to pattern_bytes */
	__u64 size;			/* bytes, multiple of pattern_bytes */
	__u64 pattern;			/* low pattern_bytes bytes, little endian */
	__u32 pattern_bytes;		/* 1, 2, 4 or 8 */
	__u32 reserved0;		/* must be 0 */
	__u64 reserved[2];		/* must be 0 */
};

struct seed_pkt_signal {
	struct seed_pkt_header hdr;
	__u64 addr;			/* device VA, 8-byte aligned */
	__u64 value;			/* stored with one 8-byte write */
	__u64 reserved[4];		/* must be 0 */
};

/* Waits until the 64-bit value at addr >= value (unsigned). */
struct seed_pkt_wait {
	struct seed_pkt_header hdr;
	__u64 addr;			/* device VA, 8-byte aligned */
	__u64 value;
	__u32 timeout_us;		/* 0: no time limit */
	__u32 reserved0;		/* must be 0 */
	__u64 reserved[3];		/* must be 0 */
};

struct seed_pkt_timestamp {
	struct seed_pkt_header hdr;
	__u64 addr;			/* device VA, 8-byte aligned */
	__u64 reserved[5];		/* must be 0 */
};

struct seed_pkt_indirect {
	struct seed_pkt_header hdr;
	__u64 addr;			/* device VA of the first packet, 64 B aligned */
	__u32 count;			/* packets, 1 .. SEED_INDIRECT_MAX_PACKETS */
	__u32 context;			/* SEED_INDIRECT_CTX(c) at level 0, or 0 */
	__u64 reserved[4];		/* must be 0 */
};

/* GEMM, ELEMENTWISE and REDUCE: the operation is described in memory. */
struct seed_pkt_compute {
	struct seed_pkt_header hdr;
	__u64 desc;			/* device VA of the descriptor, 64 B aligned */
	__u64 reserved[5];		/* must be 0 */
};

/*
 * struct seed_gemm_desc: C = act(alpha * op(A) * op(B) + beta * C + bias)
 *
 * Row-major. op(A) is M x K, op(B) is K x N, C is M x N. Leading dimensions
 * are in elements. Float inputs accumulate and store in f32; i8 inputs in
 * i32 (alpha, beta are then two's complement integers). 128 bytes.
 */
struct seed_gemm_desc {
	__u64 a;			/* 0x00 device VA */
	__u64 b;			/* 0x08 device VA */
	__u64 c;			/* 0x10 device VA, read if beta != 0, written */
	__u64 bias;			/* 0x18 device VA of N values, with F_BIAS */
	__u32 m;			/* 0x20 */
	__u32 n;			/* 0x24 */
	__u32 k;			/* 0x28 */
	__u32 lda;			/* 0x2c */
	__u32 ldb;			/* 0x30 */
	__u32 ldc;			/* 0x34 */
	__u32 alpha;			/* 0x38 f32 bits (i32 for SEED_DT_I8) */
	__u32 beta;			/* 0x3c f32 bits (i32 for SEED_DT_I8) */
	__u8 dtype;			/* 0x40 SEED_DT_F32, F16, BF16 or I8 */
	__u8 out_dtype;			/* 0x41 SEED_DT_F32 (float in) or I32 (i8 in) */
	__u8 activation;		/* 0x42 SEED_ACT_* */
	__u8 flags;			/* 0x43 SEED_GEMM_F_* */
	__u32 reserved0;		/* 0x44 must be 0 */
	__u64 reserved[7];		/* 0x48 must be 0 */
};

/*
 * struct seed_ew_desc: dst[i][j] = op(src0[i][j], src1[i][j])
 *
 * Element (i, j) of source s is at src_s + (i * row_stride + j * col_stride)
 * * element size; a stride of 0 broadcasts along that axis. The destination
 * is dense along a row. Strides are in elements. 64 bytes.
 */
struct seed_ew_desc {
	__u64 src0;			/* 0x00 device VA */
	__u64 src1;			/* 0x08 device VA, binary ops; else 0 */
	__u64 dst;			/* 0x10 device VA */
	__u32 rows;			/* 0x18 1 .. SEED_TENSOR_MAX_DIM */
	__u32 cols;			/* 0x1c 1 .. SEED_TENSOR_MAX_DIM */
	__u32 src0_row_stride;		/* 0x20 */
	__u32 src0_col_stride;		/* 0x24 */
	__u32 src1_row_stride;		/* 0x28 binary ops; else 0 */
	__u32 src1_col_stride;		/* 0x2c binary ops; else 0 */
	__u32 dst_row_stride;		/* 0x30 >= cols when rows > 1 */
	__u8 op;			/* 0x34 SEED_EW_* */
	__u8 src_dtype;			/* 0x35 both sources */
	__u8 dst_dtype;			/* 0x36 */
	__u8 reserved0;			/* 0x37 must be 0 */
	__u64 reserved1;		/* 0x38 must be 0 */
};

/*
 * struct seed_reduce_desc: row-wise SUM, MAX, MIN or SOFTMAX
 *
 * Source element (i, j) is at src + (i * src_row_stride + j) * size. SUM,
 * MAX and MIN write one value per row at dst + i * dst_row_stride * size;
 * SOFTMAX writes a row of cols values at the same place. 64 bytes.
 */
struct seed_reduce_desc {
	__u64 src;			/* 0x00 device VA */
	__u64 dst;			/* 0x08 device VA */
	__u32 rows;			/* 0x10 1 .. SEED_TENSOR_MAX_DIM */
	__u32 cols;			/* 0x14 1 .. SEED_TENSOR_MAX_DIM */
	__u32 src_row_stride;		/* 0x18 elements */
	__u32 dst_row_stride;		/* 0x1c elements; see §11.3 */
	__u8 op;			/* 0x20 SEED_REDUCE_* */
	__u8 src_dtype;			/* 0x21 SEED_DT_F32, F16 or BF16 */
	__u8 dst_dtype;			/* 0x22 SEED_DT_F32, F16 or BF16 */
	__u8 reserved0;			/* 0x23 must be 0 */
	__u32 reserved1;		/* 0x24 must be 0 */
	__u64 reserved[3];		/* 0x28 must be 0 */
};

/* ----------------------------------------------------------------------- */
/* Records the device writes to host memory (§8, §9.4, §15.4).             */
/* ----------------------------------------------------------------------- */

/* seed_cpl_record.status bits. */
#define SEED_CPL_STATUS_ERROR		(1u << 0) /* queue stopped; error fields valid */
#define SEED_CPL_STATUS_RESET_DONE	(1u << 1) /* written by a completed queue reset */
#define SEED_CPL_STATUS_IDLE		(1u << 2) /* enabled and head == tail when written */
#define SEED_CPL_STATUS_RESET_DECLINED	(1u << 3) /* a conditional reset did not apply */

/*
 * struct seed_cpl_record: per-queue completion record (64 bytes)
 *
 * Written by the device at SEED_QREG_CPL_ADDR_LO/HI: bytes 16..63 first, then
 * bytes 8..15, then bytes 0..7, each aligned 8-byte unit single-copy atomic.
 */
struct seed_cpl_record {
	__u64 fence;			/* 0x00 fence of the last retired FENCE packet */
	__u32 head;			/* 0x08 ring packets retired (free-running) */
	__u32 status;			/* 0x0c SEED_CPL_STATUS_* */
	__u32 error;			/* 0x10 SEED_ERR_* */
	__u32 error_index;		/* 0x14 ring index of the failing level-0 packet */
	__u32 error_offset;		/* 0x18 packet index in the innermost buffer */
	__u8 error_level;		/* 0x1c 0 = ring, 1..2 = indirect buffer */
	__u8 error_opcode;		/* 0x1d opcode of the failing packet */
	__u16 error_engine;		/* 0x1e engine, 0xffff if none */
	__u64 fault_addr;		/* 0x20 device VA of the failing access */
	__u32 error_tag;		/* 0x28 hdr.tag of the failing packet */
	__u32 fault_info;		/* 0x2c SEED_FAULT_INFO() for MMU faults */
	__u64 timestamp;		/* 0x30 device clock (ns) when written */
	__u32 resets;			/* 0x38 queue resets completed since device reset */
	__u32 reserved;			/* 0x3c written as 0 */
};

/* Event types and flags. */
#define SEED_EVENT_MMU_FAULT		1
#define SEED_EVENT_ECC_CORRECTED	2
#define SEED_EVENT_ECC_UNCORRECTED	3
#define SEED_EVENT_ENGINE_HANG		4
#define SEED_EVENT_QUEUE_ERROR		5
#define SEED_EVENT_RESET_DONE		6
#define SEED_EVENT_DEVICE_FATAL		7
#define SEED_EVENT_F_OVERFLOW		(1u << 0) /* records were dropped before this one */
#define SEED_EVENT_F_INJECTED		(1u << 1) /* caused by fault injection */
#define SEED_EVENT_NONE16		0xffff    /* queue/context/engine not applicable */

/*
 * struct seed_event: event log record (64 bytes)
 */
struct seed_event {
	__u32 seq;			/* 0x00 free-running index of this record */
	__u16 type;			/* 0x04 SEED_EVENT_* */
	__u16 flags;			/* 0x06 SEED_EVENT_F_* */
	__u64 timestamp;		/* 0x08 device clock (ns) */
	__u32 error;			/* 0x10 SEED_ERR_*, or 0 */
	__u16 queue;			/* 0x14 */
	__u16 context;			/* 0x16 */
	__u16 engine;			/* 0x18 */
	__u8 level;			/* 0x1a indirect level of the packet */
	__u8 opcode;			/* 0x1b opcode of the packet */
	__u32 packet_index;		/* 0x1c ring index of the level-0 packet */
	__u64 addr;			/* 0x20 device VA or HBM address */
	__u32 info;			/* 0x28 type specific */
	__u32 packet_offset;		/* 0x2c packet index in the innermost buffer */
	__u64 data;			/* 0x30 type specific */
	__u32 tag;			/* 0x38 hdr.tag of the packet */
	__u32 reserved;			/* 0x3c written as 0 */
};

/*
 * struct seed_status_block: device state mirrored into host memory (64 bytes)
 */
struct seed_status_block {
	__u32 dev_status;		/* 0x00 copy of SEED_REG_DEV_STATUS */
	__u32 evlog_wptr;		/* 0x04 records written (free-running) */
	__u32 evlog_dropped;		/* 0x08 records dropped since log enable */
	__u32 tlb_inv_done;		/* 0x0c last completed TLB invalidation */
	__u32 reset_count;		/* 0x10 copy of SEED_REG_RESET_COUNT */
	__u32 reserved0;		/* 0x14 written as 0 */
	__u64 timestamp;		/* 0x18 device clock (ns) of the update */
	__u64 reserved[4];		/* 0x20 written as 0 */
};

/*
 * struct seed_telemetry: snapshot written on SEED_REG_TELEM_SEQ (256 bytes)
 */
struct seed_telemetry {
	__u64 clock_ns;			/* 0x00 */
	__u32 temp_mc;			/* 0x08 two's complement */
	__u32 power_mw;			/* 0x0c */
	__u32 core_clk_mhz;		/* 0x10 */
	__u32 hbm_clk_mhz;		/* 0x14 */
	__u32 ecc_ce;			/* 0x18 */
	__u32 ecc_ue;			/* 0x1c */
	__u32 engines;			/* 0x20 valid entries of engine_busy_ns */
	__u32 reserved0;		/* 0x24 */
	__u64 engine_busy_ns[SEED_MAX_ENGINES]; /* 0x28 */
	__u64 reserved[10];		/* 0xa8 */
	__u32 seq;			/* 0xf8 written last: SEED_REG_TELEM_SEQ value */
	__u32 reserved1;		/* 0xfc */
};

/* ----------------------------------------------------------------------- */
/* Layout checks.                                                          */
/* ----------------------------------------------------------------------- */

SEED_HW_ASSERT(sizeof(struct seed_pkt_header) == 16, "packet header is 16 bytes");
SEED_HW_ASSERT(sizeof(struct seed_pkt_raw) == SEED_PKT_SIZE, "packet size");
SEED_HW_ASSERT(sizeof(struct seed_pkt_nop) == SEED_PKT_SIZE, "NOP size");
SEED_HW_ASSERT(sizeof(struct seed_pkt_copy) == SEED_PKT_SIZE, "COPY size");
SEED_HW_ASSERT(sizeof(struct seed_pkt_fill) == SEED_PKT_SIZE, "FILL size");
SEED_HW_ASSERT(sizeof(struct seed_pkt_signal) == SEED_PKT_SIZE, "SIGNAL size");
SEED_HW_ASSERT(sizeof(struct seed_pkt_wait) == SEED_PKT_SIZE, "WAIT size");
SEED_HW_ASSERT(sizeof(struct seed_pkt_timestamp) == SEED_PKT_SIZE, "TIMESTAMP size");
SEED_HW_ASSERT(sizeof(struct seed_pkt_indirect) == SEED_PKT_SIZE, "INDIRECT size");
SEED_HW_ASSERT(sizeof(struct seed_pkt_compute) == SEED_PKT_SIZE, "compute packet size");
SEED_HW_ASSERT(sizeof(struct seed_gemm_desc) == 128, "GEMM descriptor size");
SEED_HW_ASSERT(sizeof(struct seed_ew_desc) == 64, "ELEMENTWISE descriptor size");
SEED_HW_ASSERT(sizeof(struct seed_reduce_desc) == 64, "REDUCE descriptor size");
SEED_HW_ASSERT(sizeof(struct seed_cpl_record) == 64, "completion record size");
SEED_HW_ASSERT(sizeof(struct seed_event) == 64, "event record size");
SEED_HW_ASSERT(sizeof(struct seed_status_block) == 64, "status block size");
SEED_HW_ASSERT(sizeof(struct seed_telemetry) == 256, "telemetry snapshot size");

SEED_HW_ASSERT(SEED_HW_OFFSETOF(struct seed_pkt_copy, height) == 0x28, "COPY layout");
SEED_HW_ASSERT(SEED_HW_OFFSETOF(struct seed_pkt_wait, timeout_us) == 0x20, "WAIT layout");
SEED_HW_ASSERT(SEED_HW_OFFSETOF(struct seed_pkt_indirect, count) == 0x18, "INDIRECT layout");
SEED_HW_ASSERT(SEED_HW_OFFSETOF(struct seed_pkt_indirect, context) == 0x1c, "INDIRECT layout");
SEED_HW_ASSERT(SEED_HW_OFFSETOF(struct seed_gemm_desc, dtype) == 0x40, "GEMM layout");
SEED_HW_ASSERT(SEED_HW_OFFSETOF(struct seed_ew_desc, op) == 0x34, "ELEMENTWISE layout");
SEED_HW_ASSERT(SEED_HW_OFFSETOF(struct seed_reduce_desc, op) == 0x20, "REDUCE layout");
SEED_HW_ASSERT(SEED_HW_OFFSETOF(struct seed_cpl_record, fault_addr) == 0x20, "record layout");
SEED_HW_ASSERT(SEED_HW_OFFSETOF(struct seed_cpl_record, resets) == 0x38, "record layout");
SEED_HW_ASSERT(SEED_HW_OFFSETOF(struct seed_event, addr) == 0x20, "event layout");
SEED_HW_ASSERT(SEED_HW_OFFSETOF(struct seed_event, tag) == 0x38, "event layout");
SEED_HW_ASSERT(SEED_HW_OFFSETOF(struct seed_status_block, timestamp) == 0x18, "status layout");
SEED_HW_ASSERT(SEED_HW_OFFSETOF(struct seed_telemetry, engine_busy_ns) == 0x28, "telemetry");
SEED_HW_ASSERT(SEED_HW_OFFSETOF(struct seed_telemetry, seq) == 0xf8, "telemetry layout");

SEED_HW_ASSERT(SEED_DTYPE_F32 == 1u << SEED_DT_F32 && SEED_DTYPE_F16 == 1u << SEED_DT_F16 &&
	       SEED_DTYPE_BF16 == 1u << SEED_DT_BF16 && SEED_DTYPE_I8 == 1u << SEED_DT_I8 &&
	       SEED_DTYPE_I32 == 1u << SEED_DT_I32, "dtype enum matches capability bits");
SEED_HW_ASSERT(SEED_REG_QUEUE(SEED_MAX_QUEUES) <= SEED_BAR_REGS_SIZE, "queue blocks fit BAR0");
SEED_HW_ASSERT(SEED_REG_CTX(SEED_MAX_CONTEXTS) <= 0x0800, "context block overlaps telemetry");
SEED_HW_ASSERT(SEED_REG_ENGINE_BUSY_HI(SEED_MAX_ENGINES - 1) < SEED_REG_HBMC_HBM_LO,
	       "engine counters overlap the HBM copy block");
SEED_HW_ASSERT(SEED_MMU_INFO_V1_0 == 0x00043040, "MMU_INFO reset value");
SEED_HW_ASSERT(SEED_PAGE_SIZES_V1_0 == 0x40201000u, "PAGE_SIZES reset value");

#endif /* SEED_HW_H */
