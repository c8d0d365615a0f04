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
#include <linux/types.h>

#include "seed_drv.h"
#include "seed_hw_reg.h"

static inline u32 __seed_rd32(struct seed_device *sdev, u32 reg, const char *name)
{
	u32 val = readl(sdev->regs + reg);

	seed_dbg(sdev, REG, "RD %s [0x%04x] = 0x%08x\n", name, reg, val);
	return val;
}

static inline void __seed_wr32(struct seed_device *sdev, u32 reg, u32 val, const char *name)
{
	seed_dbg(sdev, REG, "WR %s [0x%04x] = 0x%08x\n", name, reg, val);
	writel(val, sdev->regs + reg);
}

/* The register name is stringified so REG debug output is symbolic. */
#define seed_rd32(sdev, reg)		__seed_rd32(sdev, reg, #reg)
#define seed_wr32(sdev, reg, val)	__seed_wr32(sdev, reg, val, #reg)

#endif /* __SEED_HW_REG_IO_H__ */
