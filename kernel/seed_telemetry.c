// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Telemetry snapshots (docs/hardware.md §15.4): one register write asks the
 * device to DMA every counter into host memory, instead of some forty MMIO
 * reads, each a round trip to the device.
 */

#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/errno.h>
#include <linux/jiffies.h>
#include <linux/error-injection.h>

#include <drm/drm_drv.h>

#include "seed_drv.h"
#include "seed_hw_reg_io.h"
#include "seed_pm.h"
#include "seed_telemetry.h"

/* The device writes within SEED_TELEM_TIMEOUT_MS; emulation stretches it. */
#define SEED_TELEM_WAIT_MS	(SEED_TELEM_TIMEOUT_MS * 50)

/**
 * seed_telemetry_init() - allocate the snapshot buffer
 * @sdev: device
 *
 * Return: 0 or -ENOMEM.
 */
int seed_telemetry_init(struct seed_device *sdev)
{
	struct seed_telem *t = &sdev->telem;

	mutex_init(&t->lock);
	t->buf = dmam_alloc_coherent(sdev->drm.dev, sizeof(*t->buf), &t->buf_dma, GFP_KERNEL);
	return t->buf ? 0 : -ENOMEM;
}
ALLOW_ERROR_INJECTION(seed_telemetry_init, ERRNO);

/**
 * seed_telemetry_read() - take a telemetry snapshot
 * @sdev: device
 * @out: the snapshot
 *
 * May sleep for a few milliseconds.
 *
 * Return: 0; -ENODEV if the device is gone; -ETIMEDOUT if it did not answer.
 */
int seed_telemetry_read(struct seed_device *sdev, struct seed_telemetry *out)
{
	struct seed_telem *t = &sdev->telem;
	unsigned long deadline;
	int ret = 0, idx;
	bool woken;
	u32 seq;

	if (!drm_dev_enter(&sdev->drm, &idx))
		return -ENODEV;
	/* Wakes a suspended chip for the read only (docs/driver.md). */
	ret = seed_pm_get_brief(sdev, &woken);
	if (ret) {
		drm_dev_exit(idx);
		return ret;
	}

	mutex_lock(&t->lock);
	seq = ++t->seq;
	/* A device reset clears TELEM_ADDR (§14.1): set it every time. */
	seed_wr32(sdev, SEED_REG_TELEM_ADDR_LO, lower_32_bits(t->buf_dma));
	seed_wr32(sdev, SEED_REG_TELEM_ADDR_HI, upper_32_bits(t->buf_dma));
	seed_wr32(sdev, SEED_REG_TELEM_SEQ, seq);

	/* The device writes seq last (§15.4). */
	deadline = jiffies + msecs_to_jiffies(SEED_TELEM_WAIT_MS);
	while (READ_ONCE(t->buf->seq) != seq) {
		if (time_after(jiffies, deadline)) {
			ret = -ETIMEDOUT;
			goto unlock;
		}
		usleep_range(100, 500);
	}
	dma_rmb();
	memcpy(out, t->buf, sizeof(*out));
unlock:
	mutex_unlock(&t->lock);
	seed_pm_put_brief(sdev, woken);
	drm_dev_exit(idx);
	return ret;
}
