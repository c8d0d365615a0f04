/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Device memory management: the HBM allocator, MMU contexts with their page
 * tables (docs/hardware.md §7), and buffer objects (GEM).
 *
 * Lock order: &seed_bo.lock, then &seed_ctx.lock, then &seed_mem.lock. TLB
 * invalidations (which sleep) are issued with &seed_ctx.lock held, never
 * with &seed_mem.lock held.
 */
#ifndef __SEED_MEM_H__
#define __SEED_MEM_H__

#include <linux/atomic.h>
#include <linux/gpu_buddy.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/xarray.h>

struct dma_buf;
struct drm_device;
struct drm_file;
struct drm_gem_object;
struct seed_ctx;
struct seed_device;
struct seed_file;
struct drm_seed_query_memory;

/**
 * struct seed_mem - memory state of a chip
 * @lock: Protects @buddy, the usage counters, @ctx_ids, @ctx_used,
 *	@contexts, @zombies, @quarantine, @retired, @retired_blocks and
 *	@retire_pending.
 * @buddy: HBM allocator (4 KiB chunks). Lives until the DRM device is
 *	released, after the last BO is gone.
 * @hbm_used: HBM bytes allocated to BOs.
 * @hbm_retired: HBM bytes retired after uncorrectable errors.
 * @host_used: Host bytes held by host BOs.
 * @ctx_ids: Hardware context ids in use.
 * @ctx_used: Hardware context ids used at least once since probe; a reused
 *	id is invalidated before use (docs/hardware.md §17.2).
 * @kctx: Kernel context (id 0): all of HBM mapped at VA = HBM address, used
 *	by the driver to clear memory.
 * @contexts: All live contexts, reprogrammed after a device reset.
 * @zombies: Destroyed contexts whose final TLB invalidation failed: their
 *	page tables are kept until the next device reset or teardown.
 * @quarantine: BOs whose unmap invalidation failed: a reference is held on
 *	each until teardown so the device cannot reach freed memory.
 * @retired: Retired HBM pages, by page number; marked %XA_MARK_1 while the
 *	page still belongs to a BO and is yet to be taken out of @buddy.
 * @retired_blocks: Buddy blocks of retired pages, never freed before
 *	teardown.
 * @retire_pending: Entries of @retired marked pending.
 * @hbm_ready: @buddy is set up; pages can be retired (events may arrive
 *	before the memory subsystem is).
 */
struct seed_mem {
	/* Protects the allocator, the counters and the lists. */
	struct mutex lock;
	struct gpu_buddy buddy;
	u64 hbm_used;
	u64 hbm_retired;
	u64 host_used;
	unsigned long ctx_ids[BITS_TO_LONGS(64)];
	unsigned long ctx_used[BITS_TO_LONGS(64)];
	struct seed_ctx *kctx;
	struct list_head contexts;
	struct list_head zombies;
	struct list_head quarantine;
	struct xarray retired;
	struct list_head retired_blocks;
	unsigned int retire_pending;
	bool hbm_ready;
};

/**
 * struct seed_file_mem - per-client memory accounting
 * @hbm_bytes: HBM held by BOs this client created (while it holds them).
 * @host_bytes: Host memory held by BOs this client created (while it holds
 *	them).
 */
struct seed_file_mem {
	atomic64_t hbm_bytes;
	atomic64_t host_bytes;
};

int seed_mem_init(struct seed_device *sdev);
void seed_mem_fini(struct seed_device *sdev);
void seed_mem_restore(struct seed_device *sdev);

int seed_mem_file_open(struct seed_file *sf);
void seed_mem_file_close(struct seed_file *sf);

u32 seed_ctx_id(const struct seed_ctx *ctx);

void seed_mem_retire_hbm_page(struct seed_device *sdev, u64 hbm_addr);
void seed_mem_query(struct seed_device *sdev, struct seed_file *sf,
		    struct drm_seed_query_memory *out);

int seed_bo_lookup_range(struct seed_file *sf, u32 handle, u64 offset, u64 len,
			 struct drm_gem_object **obj, u64 *va);
bool seed_gem_is_hbm(const struct drm_gem_object *obj);

struct drm_gem_object *seed_gem_create_object(struct drm_device *drm, size_t size);
struct drm_gem_object *seed_gem_prime_import(struct drm_device *drm, struct dma_buf *dma_buf);
int seed_bo_create_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int seed_bo_info_ioctl(struct drm_device *drm, void *data, struct drm_file *file);

#endif /* __SEED_MEM_H__ */
