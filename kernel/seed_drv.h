/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Core of seed.ko: the per-device structure and the logging helpers.
 */
#ifndef __SEED_DRV_H__
#define __SEED_DRV_H__

#include <drm/drm_device.h>
#include <drm/drm_file.h>
#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/completion.h>
#include <linux/device.h>
#include <linux/pci.h>
#include <linux/types.h>

#include "seed_coredump.h"
#include "seed_events.h"
#include "seed_exec.h"
#include "seed_hw.h"
#include "seed_irq.h"
#include "seed_mem.h"
#include "seed_telemetry.h"

#define DRIVER_NAME	"seed"
#define DRIVER_DESC	"SeedChip AI accelerator"
/*
 * The stack's one version (the repository's VERSION file), passed in by
 * Kbuild: the DRM driver version (DRM_IOCTL_VERSION) and MODULE_VERSION.
 */
#define DRIVER_MAJOR		SEED_VERSION_MAJOR
#define DRIVER_MINOR		SEED_VERSION_MINOR
#define DRIVER_PATCHLEVEL	SEED_VERSION_PATCH
#define DRIVER_VERSION		SEED_VERSION_STRING

/* Categories of seed_dbg(), selected with the dbg_mask module parameter. */
#define SEED_DBG_INIT	BIT(0)
#define SEED_DBG_REG	BIT(1)
#define SEED_DBG_IRQ	BIT(2)
#define SEED_DBG_IOCTL	BIT(3)
#define SEED_DBG_MMU	BIT(4)
#define SEED_DBG_JOB	BIT(5)
#define SEED_DBG_EVENT	BIT(6)
#define SEED_DBG_RESET	BIT(7)
#define SEED_DBG_PM	BIT(8)

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
 * @events: Status block, event log and TLB invalidation (seed_events.c).
 * @mem: HBM allocator, MMU contexts and buffer objects (seed_mem.h).
 * @exec: Hardware queues, jobs, schedulers and recovery (seed_exec.h).
 * @telem: Telemetry snapshot buffer (seed_telemetry.c).
 * @coredump: Device coredumps (seed_coredump.c).
 * @hwmon: hwmon device (temperature, power), or NULL.
 * @quiesced: Completed at removal once the device can reach no memory
 *	(reset, bus mastering off); waiters may then free what it could reach.
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
	struct seed_events events;
	struct seed_mem mem;
	struct seed_exec exec;
	struct seed_telem telem;
	struct seed_coredump coredump;
	struct device *hwmon;
	struct completion quiesced;
};

/**
 * struct seed_file - one open file of /dev/accel/accelN: a client
 * @sdev: Device.
 * @file: DRM file; its client_id (drm-client-id in fdinfo) names the client
 *	in logs, debugfs and scheduler traces.
 * @ctx: Device address space of the client, created at open (seed_mem.h).
 * @mem: Per-client memory accounting (seed_mem.h).
 * @exec: Per-client queues and accounting (seed_exec.h).
 */
struct seed_file {
	struct seed_device *sdev;
	struct drm_file *file;
	struct seed_ctx *ctx;
	struct seed_file_mem mem;
	struct seed_file_exec exec;
};

static inline struct seed_file *to_seed_file(struct drm_file *file)
{
	return file->driver_priv;
}

static inline struct seed_device *to_seed_device(struct drm_device *drm)
{
	return container_of(drm, struct seed_device, drm);
}

#endif /* __SEED_DRV_H__ */
