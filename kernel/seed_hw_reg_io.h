/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * BAR0 register accessors. Every register is 32 bits wide and must be
 * accessed with aligned 32-bit reads and writes.
 */
#ifndef __SEED_HW_REG_IO_H__
#define __SEED_HW_REG_IO_H__

#include <linux/io.h>
#include <linux/pm_runtime.h>
#include <linux/types.h>

#include <drm/drm_print.h>

#include "seed_drv.h"
#include "seed_hw_reg.h"

/*
 * In D3hot reads return all-ones and writes are lost (docs/hardware.md
 * §2.4): every path that touches registers holds a runtime PM reference
 * (seed_pm.c). Catch one that does not.
 */
static inline void seed_reg_check_awake(struct seed_device *sdev, u32 reg)
{
	drm_WARN_ONCE(&sdev->drm, pm_runtime_status_suspended(sdev->drm.dev),
		      "register 0x%04x accessed while runtime suspended\n", reg);
}

static inline u32 __seed_rd32(struct seed_device *sdev, u32 reg, const char *name)
{
	u32 val;

	seed_reg_check_awake(sdev, reg);
	val = readl(sdev->regs + reg);

	seed_dbg(sdev, REG, "RD %s [0x%04x] = 0x%08x\n", name, reg, val);
	return val;
}

static inline void __seed_wr32(struct seed_device *sdev, u32 reg, u32 val, const char *name)
{
	seed_dbg(sdev, REG, "WR %s [0x%04x] = 0x%08x\n", name, reg, val);
	seed_reg_check_awake(sdev, reg);
	writel(val, sdev->regs + reg);
}

/* The register name is stringified so REG debug output is symbolic. */
#define seed_rd32(sdev, reg)		__seed_rd32(sdev, reg, #reg)
#define seed_wr32(sdev, reg, val)	__seed_wr32(sdev, reg, val, #reg)

#endif /* __SEED_HW_REG_IO_H__ */
