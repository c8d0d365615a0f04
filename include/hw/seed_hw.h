/* SPDX-License-Identifier: (GPL-2.0-only OR MIT) */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * SeedChip hardware interface: PCI identity, BAR layout, register map and
 * interrupt vectors. This is the one definition shared by the kernel driver
 * (kernel/) and the device model (qemu-device/); docs/hardware.md is the
 * prose manual for every value here.
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
#define SEED_REG_PAGE_SIZES		0x0020 /* bit n set: 2^n byte pages */
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

#endif /* SEED_HW_H */
