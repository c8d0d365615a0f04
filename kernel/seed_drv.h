/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Core of seed.ko: the per-device structure and the logging helpers.
 */
#ifndef __SEED_DRV_H__
#define __SEED_DRV_H__

#include <drm/drm_device.h>
#include <linux/bits.h>
#include <linux/device.h>
#include <linux/pci.h>
#include <linux/types.h>

#include "seed_hw.h"
#include "seed_irq.h"

#define DRIVER_NAME	"seed"
#define DRIVER_DESC	"SeedChip AI accelerator"
#define DRIVER_MAJOR	1
#define DRIVER_MINOR	0

/* Categories of seed_dbg(), selected with the dbg_mask module parameter. */
#define SEED_DBG_INIT	BIT(0)
#define SEED_DBG_REG	BIT(1)
#define SEED_DBG_IRQ	BIT(2)
#define SEED_DBG_IOCTL	BIT(3)

extern unsigned int seed_dbg_mask;

/*
 * Errors and warnings carry the function name: they report hardware or
 * driver failures and are looked for in bug reports. Anything userspace can
 * trigger at will goes through seed_dbg() or the _ratelimited variants.
 */
#define seed_err(sdev, fmt, ...) \
	dev_err((sdev)->drm.dev, "%s(): " fmt, __func__, ##__VA_ARGS__)

#define seed_err_ratelimited(sdev, fmt, ...) \
	dev_err_ratelimited((sdev)->drm.dev, "%s(): " fmt, __func__, ##__VA_ARGS__)

#define seed_warn(sdev, fmt, ...) \
	dev_warn((sdev)->drm.dev, "%s(): " fmt, __func__, ##__VA_ARGS__)

#define seed_info(sdev, fmt, ...) \
	dev_info((sdev)->drm.dev, fmt, ##__VA_ARGS__)

/*
 * Debug messages need their category bit in dbg_mask and, as every
 * dev_dbg(), dynamic debug enabled for the module (modprobe seed
 * dbg_mask=0xf dyndbg=+p).
 */
#define seed_dbg(sdev, cat, fmt, ...) do {					\
	if (unlikely(seed_dbg_mask & SEED_DBG_##cat))				\
		dev_dbg((sdev)->drm.dev, "[%s] " fmt, #cat, ##__VA_ARGS__);	\
} while (0)

/**
 * struct seed_device - one SeedChip bound to seed.ko
 * @drm: DRM device; its lifetime (and so this structure's) lasts until the
 *	last file handle is closed, which may be after the PCI device is gone.
 * @pdev: PCI function of the chip.
 * @regs: BAR0, the control registers (&SEED_BAR_REGS).
 * @hw: Identity read from the hardware at probe; constant afterwards.
 * @irq: MSI-X vectors and interrupt accounting.
 *
 * Fields touching the hardware (@regs, @irq's vectors) are only valid
 * between probe and remove; callers outside those paths must hold
 * drm_dev_enter().
 */
struct seed_device {
	struct drm_device drm;
	struct pci_dev *pdev;
	void __iomem *regs;
	struct seed_hw_info hw;
	struct seed_irq irq;
};

static inline struct seed_device *to_seed_device(struct drm_device *drm)
{
	return container_of(drm, struct seed_device, drm);
}

#endif /* __SEED_DRV_H__ */
