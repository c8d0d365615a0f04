/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Hardware facade: identity discovery and device-level register operations.
 * The register map is in seed_hw_reg.h.
 */
#ifndef __SEED_HW_PRIV_H__
#define __SEED_HW_PRIV_H__

#include <linux/types.h>

#include "seed_hw_reg.h"

struct seed_device;

/**
 * struct seed_hw_info - identity of a chip, read once at probe
 * @hbm_size: Device memory (HBM) size in bytes.
 * @hw_revision: &SEED_REG_HW_REV, major in bits 31:16, minor in 15:0.
 * @fw_version: &SEED_REG_FW_VERSION, major 31:24, minor 23:16, patch 15:0.
 * @caps: &SEED_REG_CAPS, SEED_CAP_* bits.
 * @dtypes: &SEED_REG_DTYPES, SEED_DTYPE_* bits.
 * @page_sizes: &SEED_REG_PAGE_SIZES, bit n set for 2^n byte pages.
 * @num_queues: Hardware queues, 1 to &SEED_MAX_QUEUES.
 * @num_engines: Compute engines, at least 1.
 * @num_contexts: MMU contexts, 2 to &SEED_MAX_CONTEXTS.
 * @uuid: Device UUID, bytes in register memory order (RFC 4122 order).
 * @serial: Serial number, printable ASCII, NUL terminated and NUL padded.
 */
struct seed_hw_info {
	u64 hbm_size;
	u32 hw_revision;
	u32 fw_version;
	u32 caps;
	u32 dtypes;
	u32 page_sizes;
	u32 num_queues;
	u32 num_engines;
	u32 num_contexts;
	u8 uuid[SEED_UUID_BYTES];
	char serial[SEED_SERIAL_BYTES];
};

int seed_hw_init(struct seed_device *sdev);
void seed_hw_irq_test(struct seed_device *sdev, u32 vector);
u32 seed_hw_irq_test_count(struct seed_device *sdev);

/* Longest wait for one HBM copy (at most 1 MiB, 1 ms per MiB, §6.1). */
#define SEED_HBMC_TIMEOUT_US	5000
long seed_hw_hbm_read(struct seed_device *sdev, u64 hbm, dma_addr_t dma, u32 len);

#endif /* __SEED_HW_PRIV_H__ */
