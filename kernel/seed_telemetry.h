/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Telemetry snapshots (docs/hardware.md §15.4).
 */
#ifndef __SEED_TELEMETRY_H__
#define __SEED_TELEMETRY_H__

#include <linux/mutex.h>
#include <linux/types.h>

#include "seed_hw_reg.h"

struct seed_device;

/**
 * struct seed_telem - telemetry snapshot buffer
 * @lock: One snapshot at a time.
 * @buf: Snapshot written by the device (coherent DMA memory).
 * @buf_dma: DMA address of @buf.
 * @seq: Tag of the last snapshot requested.
 */
struct seed_telem {
	struct mutex lock;		/* one snapshot at a time */
	struct seed_telemetry *buf;
	dma_addr_t buf_dma;
	u32 seq;
};

int seed_telemetry_init(struct seed_device *sdev);
int seed_telemetry_read(struct seed_device *sdev, struct seed_telemetry *out);

#endif /* __SEED_TELEMETRY_H__ */
