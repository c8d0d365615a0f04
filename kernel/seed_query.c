// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Client-facing queries: DRM_IOCTL_SEED_QUERY, the admin reset ioctl and
 * DRM fdinfo (Documentation/gpu/drm-usage-stats.rst).
 */

#include <linux/capability.h>
#include <linux/dma-resv.h>
#include <linux/errno.h>
#include <linux/idr.h>
#include <linux/minmax.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>

#include <uapi/drm/seed_accel.h>

#include "seed_drv.h"
#include "seed_query.h"

static int seed_query_telemetry(struct seed_device *sdev, struct drm_seed_query_telemetry *out)
{
	struct seed_telemetry snap;
	unsigned int e;
	int ret;

	ret = seed_telemetry_read(sdev, &snap);
	if (ret)
		return ret;

	out->clock_ns = snap.clock_ns;
	out->temp_mc = (s32)snap.temp_mc;
	out->power_mw = snap.power_mw;
	out->core_clk_mhz = snap.core_clk_mhz;
	out->hbm_clk_mhz = snap.hbm_clk_mhz;
	out->ecc_corrected = snap.ecc_ce;
	out->ecc_uncorrected = snap.ecc_ue;
	out->num_engines = min_t(u32, snap.engines, ARRAY_SIZE(out->engine_busy_ns));
	out->reset_count = atomic_read(&sdev->exec.reset_count);
	for (e = 0; e < out->num_engines; e++)
		out->engine_busy_ns[e] = snap.engine_busy_ns[e];
	return 0;
}

/**
 * seed_query_ioctl() - DRM_IOCTL_SEED_QUERY
 * @drm: DRM device
 * @data: struct drm_seed_query
 * @file: caller
 *
 * Return: 0, -EINVAL for an unknown type or nonzero reserved fields,
 * -EFAULT, -ENODEV, or the error of the query itself.
 */
int seed_query_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct seed_device *sdev = to_seed_device(drm);
	struct drm_seed_query *args = data;
	union {
		struct drm_seed_query_memory mem;
		struct drm_seed_query_telemetry telem;
	} result;
	u32 size;
	int ret = 0, idx;

	if (args->flags || args->pad)
		return -EINVAL;

	switch (args->type) {
	case DRM_SEED_QUERY_MEMORY:
		size = sizeof(result.mem);
		break;
	case DRM_SEED_QUERY_TELEMETRY:
		size = sizeof(result.telem);
		break;
	default:
		seed_dbg(sdev, IOCTL, "QUERY: unknown type %u\n", args->type);
		return -EINVAL;
	}

	if (!args->size) {
		args->size = size;
		return 0;
	}

	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	memset(&result, 0, sizeof(result));
	if (args->type == DRM_SEED_QUERY_MEMORY)
		seed_mem_query(sdev, to_seed_file(file), &result.mem);
	else
		ret = seed_query_telemetry(sdev, &result.telem);
	drm_dev_exit(idx);
	if (ret)
		return ret;

	size = min(size, args->size);
	if (copy_to_user(u64_to_user_ptr(args->data), &result, size))
		return -EFAULT;
	args->size = size;
	return 0;
}

/**
 * seed_reset_ioctl() - DRM_IOCTL_SEED_RESET
 * @drm: DRM device
 * @data: struct drm_seed_reset
 * @file: caller
 *
 * Return: 0 once the device works again; -EPERM without CAP_SYS_ADMIN;
 * -EINVAL; -ENODEV or -EIO if the device could not be recovered.
 */
int seed_reset_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct seed_device *sdev = to_seed_device(drm);
	struct drm_seed_reset *args = data;
	char reason[48];
	int ret, idx;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (args->type != DRM_SEED_RESET_DEVICE || args->flags)
		return -EINVAL;
	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	snprintf(reason, sizeof(reason), "requested by %s[%d]", current->comm,
		 task_pid_nr(current));
	ret = seed_exec_reset_device(sdev, reason);
	drm_dev_exit(idx);
	return ret;
}

/*
 * One BO's share of the memory statistics, as drm_show_memory_stats()
 * counts it: shared (more than one handle, or exported) or private;
 * resident and purgeable by the object's status callback; active while its
 * reservation object holds unsignalled fences.
 */
static void seed_fdinfo_count(struct drm_gem_object *obj, struct drm_memory_stats *stats)
{
	enum drm_gem_object_status s = obj->funcs->status ? obj->funcs->status(obj) : 0;
	size_t size = obj->funcs->rss ? obj->funcs->rss(obj) : obj->size;

	if (drm_gem_object_is_shared_for_memory_stats(obj))
		stats->shared += obj->size;
	else
		stats->private += obj->size;

	if (s & DRM_GEM_OBJECT_RESIDENT)
		stats->resident += size;
	else
		s &= ~DRM_GEM_OBJECT_PURGEABLE;

	if (!dma_resv_test_signaled(obj->resv, dma_resv_usage_rw(true))) {
		stats->active += size;
		s &= ~DRM_GEM_OBJECT_PURGEABLE;
	}

	if (s & DRM_GEM_OBJECT_PURGEABLE)
		stats->purgeable += size;
}

/**
 * seed_show_fdinfo() - driver part of /proc/PID/fdinfo/FD
 * @p: printer
 * @file: DRM file
 *
 * The DRM core prints drm-driver, drm-pdev and drm-client-id. Here:
 * drm-engine-compute, the device time of the client's finished jobs, with
 * drm-engine-capacity-compute (the compute engines, which run jobs of
 * different rings in parallel) when there is more than one; and the
 * memory of the BOs the file holds handles to, counted as
 * drm_show_memory_stats() does, but per region: hbm and host.
 */
void seed_show_fdinfo(struct drm_printer *p, struct drm_file *file)
{
	struct seed_file *sf = to_seed_file(file);
	struct seed_device *sdev = sf->sdev;
	struct drm_memory_stats hbm = {}, host = {};
	/* Every BO of seed.ko has a status callback, so even with none. */
	const enum drm_gem_object_status supported = DRM_GEM_OBJECT_RESIDENT |
						       DRM_GEM_OBJECT_PURGEABLE;
	struct drm_gem_object *obj;
	int id;

	drm_printf(p, "drm-engine-compute:\t%llu ns\n",
		   (unsigned long long)atomic64_read(&sf->exec.busy_ns));
	if (sdev->hw.num_engines > 1)
		drm_printf(p, "drm-engine-capacity-compute:\t%u\n", sdev->hw.num_engines);

	spin_lock(&file->table_lock);
	idr_for_each_entry(&file->object_idr, obj, id)
		seed_fdinfo_count(obj, seed_gem_is_hbm(obj) ? &hbm : &host);
	spin_unlock(&file->table_lock);

	drm_print_memory_stats(p, &hbm, supported, "hbm");
	drm_print_memory_stats(p, &host, supported, "host");
}
