// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * HBM allocator (docs/hardware.md §6): a buddy allocator over
 * [0, hbm_size) with 4 KiB chunks, usage accounting, and retirement of pages
 * hit by uncorrectable ECC errors (§13.4).
 *
 * Big allocations are made of 2 MiB aligned blocks where possible, so that
 * they map with 2 MiB (or 1 GiB) pages. The allocator lives as long as the
 * DRM device: BOs may outlive the PCI device.
 */

#include <linux/errno.h>
#include <linux/sizes.h>
#include <linux/xarray.h>
#include <linux/error-injection.h>

#include <drm/drm_managed.h>

#include <uapi/drm/seed_accel.h>

#include "seed_drv.h"
#include "seed_hbm.h"

#define SEED_HBM_CHUNK		SZ_4K
#define SEED_HBM_BIG_BLOCK	SZ_2M
#define SEED_RETIRE_PENDING	XA_MARK_1

/* Takes retired page @page out of the allocator; false if a BO holds it. */
static bool seed_hbm_take_page(struct seed_mem *mem, u64 page)
{
	lockdep_assert_held(&mem->lock);

	return !gpu_buddy_alloc_blocks(&mem->buddy, page, page + SEED_HBM_CHUNK,
				       SEED_HBM_CHUNK, SEED_HBM_CHUNK,
				       &mem->retired_blocks, GPU_BUDDY_RANGE_ALLOCATION);
}

/* Retires the pages that were still held by a BO when they went bad. */
static void seed_hbm_take_pending(struct seed_mem *mem)
{
	unsigned long index;
	void *entry;

	lockdep_assert_held(&mem->lock);

	if (!mem->retire_pending)
		return;

	xa_for_each_marked(&mem->retired, index, entry, SEED_RETIRE_PENDING) {
		if (seed_hbm_take_page(mem, (u64)index << SEED_PAGE_SHIFT)) {
			xa_clear_mark(&mem->retired, index, SEED_RETIRE_PENDING);
			mem->retire_pending--;
		}
	}
}

/*
 * Runs when the DRM device is released: every BO, and so every block but
 * the retired ones, has been freed by then.
 */
static void seed_hbm_release(struct drm_device *drm, void *data)
{
	struct seed_mem *mem = data;

	gpu_buddy_free_list(&mem->buddy, &mem->retired_blocks, 0);
	xa_destroy(&mem->retired);
	gpu_buddy_fini(&mem->buddy);
}

/**
 * seed_hbm_init() - set up the HBM allocator
 * @sdev: device; &seed_hw_info.hbm_size must be known
 *
 * Return: 0 or a negative error code.
 */
int seed_hbm_init(struct seed_device *sdev)
{
	struct seed_mem *mem = &sdev->mem;
	u64 size = sdev->hw.hbm_size;
	int ret;

	if (!size || !IS_ALIGNED(size, SZ_2M)) {
		seed_err(sdev, "HBM size %#llx is not a multiple of 2 MiB\n", size);
		return -ENODEV;
	}

	xa_init(&mem->retired);
	INIT_LIST_HEAD(&mem->retired_blocks);

	ret = gpu_buddy_init(&mem->buddy, size, SEED_HBM_CHUNK);
	if (ret) {
		seed_err(sdev, "cannot set up the HBM allocator: %d\n", ret);
		return ret;
	}

	ret = drmm_add_action_or_reset(&sdev->drm, seed_hbm_release, mem);
	if (ret)
		return ret;

	/* Pairs with the acquire in seed_mem_retire_hbm_page(). */
	smp_store_release(&mem->hbm_ready, true);
	return 0;
}

/* Allocates @size bytes made of blocks of at least @min bytes. */
static int seed_hbm_alloc_min(struct seed_mem *mem, u64 size, u64 min,
			      struct list_head *blocks)
{
	return gpu_buddy_alloc_blocks(&mem->buddy, 0, mem->buddy.size, size, min,
				      blocks, 0);
}

/**
 * seed_hbm_alloc() - allocate HBM
 * @sdev: device
 * @size: bytes, a nonzero multiple of 4 KiB
 * @blocks: list the gpu_buddy blocks are added to
 *
 * The part of @size that is a multiple of 2 MiB comes in 2 MiB aligned
 * blocks unless HBM is too fragmented. Every block is aligned to its size.
 *
 * Return: 0, or -ENOSPC when HBM is exhausted (@blocks is then unchanged).
 */
int seed_hbm_alloc(struct seed_device *sdev, u64 size, struct list_head *blocks)
{
	struct seed_mem *mem = &sdev->mem;
	u64 big = round_down(size, SEED_HBM_BIG_BLOCK);
	LIST_HEAD(allocated);
	int ret = 0;

	if (!size || !IS_ALIGNED(size, SEED_HBM_CHUNK))
		return -EINVAL;

	mutex_lock(&mem->lock);
	if (size > mem->buddy.avail) {
		ret = -ENOSPC;
		goto out_unlock;
	}

	if (big) {
		ret = seed_hbm_alloc_min(mem, big, SEED_HBM_BIG_BLOCK, &allocated);
		if (ret)
			ret = seed_hbm_alloc_min(mem, big, SEED_HBM_CHUNK, &allocated);
		if (ret)
			goto out_unlock;
	}
	if (size > big) {
		ret = seed_hbm_alloc_min(mem, size - big, SEED_HBM_CHUNK, &allocated);
		if (ret) {
			gpu_buddy_free_list(&mem->buddy, &allocated, 0);
			goto out_unlock;
		}
	}

	list_splice_tail(&allocated, blocks);
	mem->hbm_used += size;

out_unlock:
	mutex_unlock(&mem->lock);
	/* gpu_buddy also says -ENOSPC for "no block that fits". */
	return ret ? -ENOSPC : 0;
}
ALLOW_ERROR_INJECTION(seed_hbm_alloc, ERRNO);

/**
 * seed_hbm_free() - give HBM back
 * @sdev: device
 * @size: bytes, as passed to seed_hbm_alloc()
 * @blocks: the blocks seed_hbm_alloc() returned; emptied
 *
 * The caller makes sure no device mapping of the blocks remains in any TLB,
 * except the kernel context's permanent one.
 */
void seed_hbm_free(struct seed_device *sdev, u64 size, struct list_head *blocks)
{
	struct seed_mem *mem = &sdev->mem;

	mutex_lock(&mem->lock);
	gpu_buddy_free_list(&mem->buddy, blocks, 0);
	mem->hbm_used -= size;
	seed_hbm_take_pending(mem);
	mutex_unlock(&mem->lock);
}

/**
 * seed_mem_retire_hbm_page() - never hand out an HBM page again
 * @sdev: device
 * @hbm_addr: any address in the 4 KiB page, e.g. from an ECC_UNCORRECTED
 *	event
 *
 * A free page is taken out of the allocator at once; a page held by a BO
 * when its owner frees it. Retiring a page twice is harmless. May sleep.
 */
void seed_mem_retire_hbm_page(struct seed_device *sdev, u64 hbm_addr)
{
	struct seed_mem *mem = &sdev->mem;
	u64 page = round_down(hbm_addr, SEED_HBM_CHUNK);
	unsigned long index = page >> SEED_PAGE_SHIFT;
	bool pending = false;
	int ret;

	/* Pairs with the release in seed_hbm_init(). */
	if (!smp_load_acquire(&mem->hbm_ready)) {
		seed_err(sdev, "HBM page %#llx not retired: allocator not ready\n", page);
		return;
	}
	if (hbm_addr >= sdev->hw.hbm_size) {
		seed_err(sdev, "HBM address %#llx out of range\n", hbm_addr);
		return;
	}

	mutex_lock(&mem->lock);
	ret = xa_insert(&mem->retired, index, xa_mk_value(0), GFP_KERNEL);
	if (!ret) {
		mem->hbm_retired += SEED_HBM_CHUNK;
		if (!seed_hbm_take_page(mem, page)) {
			xa_set_mark(&mem->retired, index, SEED_RETIRE_PENDING);
			mem->retire_pending++;
			pending = true;
		}
	}
	mutex_unlock(&mem->lock);

	if (ret == -EBUSY)
		return;
	if (ret)
		seed_err(sdev, "cannot record retired HBM page %#llx: %d\n", page, ret);
	else
		seed_warn(sdev, "retired HBM page %#llx%s\n", page,
			  pending ? " (when its BO is freed)" : "");
}

/**
 * seed_mem_query() - fill DRM_SEED_QUERY_MEMORY
 * @sdev: device
 * @sf: calling client
 * @out: result
 */
void seed_mem_query(struct seed_device *sdev, struct seed_file *sf,
		    struct drm_seed_query_memory *out)
{
	struct seed_mem *mem = &sdev->mem;

	mutex_lock(&mem->lock);
	out->hbm_total = sdev->hw.hbm_size;
	out->hbm_used = mem->hbm_used;
	out->hbm_retired = mem->hbm_retired;
	out->host_used = mem->host_used;
	mutex_unlock(&mem->lock);

	out->client_hbm = sf ? atomic64_read(&sf->mem.hbm_bytes) : 0;
	out->client_host = sf ? atomic64_read(&sf->mem.host_bytes) : 0;
}
