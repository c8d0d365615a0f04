/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Device memory management: the HBM allocator, MMU contexts with their page
 * tables (docs/hardware.md §7), and buffer objects (GEM).
 *
 * Lock order: &seed_bo.lock, then &seed_ctx.lock, then &seed_mem.bind_lock,
 * then the TLB invalidation lock of seed_events.c. &seed_mem.lock nests
 * inside &seed_ctx.lock and is never held together with
 * &seed_mem.bind_lock. TLB invalidations (which sleep) are issued with
 * &seed_ctx.lock and &seed_mem.bind_lock held, never with &seed_mem.lock.
 */
#ifndef __SEED_MEM_H__
#define __SEED_MEM_H__

#include <linux/atomic.h>
#include <linux/gpu_buddy.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "seed_hw_reg.h"

struct dma_buf;
struct dma_fence;
struct drm_device;
struct drm_file;
struct drm_gem_object;
struct seed_ctx;
struct seed_ctx_waiter;
struct seed_device;
struct seed_file;
struct drm_seed_query_memory;

/**
 * struct seed_mem - memory state of a chip
 * @lock: Protects @buddy, the usage counters, @quarantine, @retired,
 *	@retired_blocks, @retire_pending and @host_bos. Held while allocating:
 *	never taken on the fence signalling path.
 * @ctx_list_lock: Protects @contexts and @torn_down. Outside
 *	&seed_ctx.lock.
 * @buddy: HBM allocator (4 KiB chunks). Lives until the DRM device is
 *	released, after the last BO is gone.
 * @hbm_used: HBM bytes allocated to BOs.
 * @hbm_retired: HBM bytes retired after uncorrectable errors.
 * @host_used: Host bytes held by host BOs.
 * @kctx: Kernel context (id 0): all of HBM mapped at VA = HBM address, used
 *	by the driver to clear memory.
 * @contexts: Every user context with its tables (&seed_ctx.link), for
 *	teardown.
 * @quarantine: BOs whose unmap invalidation failed: a reference is held on
 *	each until the next device reset or teardown, so the device cannot
 *	reach freed memory.
 * @quarantine_work: Releases @quarantine after a device reset (freeing BOs
 *	has no place on the recovery path).
 * @host_bos: Host BOs mapped for the device (&seed_bo.host_link), whose DMA
 *	mappings teardown removes.
 * @retired: Retired HBM pages, by page number; marked %XA_MARK_1 while the
 *	page still belongs to a BO and is yet to be taken out of @buddy.
 * @retired_blocks: Buddy blocks of retired pages, never freed before
 *	teardown.
 * @retire_pending: Entries of @retired marked pending.
 * @hbm_ready: @buddy is set up; pages can be retired (events may arrive
 *	before the memory subsystem is).
 * @torn_down: Teardown freed every page table and DMA mapping: the device
 *	is gone, contexts keep only their software state.
 * @bind_lock: Protects the binding of user contexts to hardware context ids:
 *	@bound, @bound_lru, @tainted, @ctx_used, @zombies and &seed_ctx.hw_id.
 *	Taken on the fence signalling path (a job binds its context before it
 *	runs): never held while allocating memory.
 * @bound: Context bound to each hardware id, or NULL; [0] is @kctx.
 * @bound_lru: Bound user contexts, least recently pinned first.
 * @tainted: Hardware ids whose invalidation failed, unusable until the next
 *	device reset.
 * @ctx_used: Hardware ids bound at least once since the last device reset:
 *	binding one again needs an invalidation (§17.2).
 * @zombies: Destroyed contexts whose final invalidation failed: their
 *	page tables are kept until the next device reset or teardown.
 * @waiter_lock: Protects @waiter; taken in interrupt context.
 * @waiter: Signalled when a hardware id may have become free; jobs that
 *	found every id pinned wait for it. NULL when nobody waits.
 * @waiter_fence_ctx: dma_fence context of the waiters.
 * @waiter_seqno: Last waiter seqno.
 * @unpin_wq: Woken when a context is no longer pinned.
 */
struct seed_mem {
	/* Protects the allocator, the counters and the lists. */
	struct mutex lock;
	struct mutex ctx_list_lock; /* contexts, torn_down */
	struct gpu_buddy buddy;
	u64 hbm_used;
	u64 hbm_retired;
	u64 host_used;
	struct seed_ctx *kctx;
	struct list_head contexts;
	struct list_head quarantine;
	struct work_struct quarantine_work;
	struct list_head host_bos;
	struct xarray retired;
	struct list_head retired_blocks;
	unsigned int retire_pending;
	bool hbm_ready;
	bool torn_down;

	/* Protects the binding of contexts to hardware ids. */
	struct mutex bind_lock;
	struct seed_ctx *bound[SEED_MAX_CONTEXTS];
	struct list_head bound_lru;
	unsigned long tainted[BITS_TO_LONGS(SEED_MAX_CONTEXTS)];
	unsigned long ctx_used[BITS_TO_LONGS(SEED_MAX_CONTEXTS)];
	struct list_head zombies;
	spinlock_t waiter_lock; /* waiter */
	struct seed_ctx_waiter *waiter;
	u64 waiter_fence_ctx;
	u64 waiter_seqno;
	wait_queue_head_t unpin_wq;
};

/**
 * struct seed_file_mem - per-client memory accounting
 * @hbm_bytes: HBM held by BOs this client created (while it holds them).
 * @host_bytes: Host memory held by BOs this client created (while it holds
 *	them).
 * @pinned_bytes: User memory pinned by userptr BOs this client created
 *	(while it holds them).
 */
struct seed_file_mem {
	atomic64_t hbm_bytes;
	atomic64_t host_bytes;
	atomic64_t pinned_bytes;
};

extern unsigned int seed_max_hbm_per_file_mb;

int seed_mem_init(struct seed_device *sdev);
void seed_mem_fini(struct seed_device *sdev);
void seed_mem_restore(struct seed_device *sdev);

int seed_mem_file_open(struct seed_file *sf);
void seed_mem_file_close(struct seed_file *sf);

u32 seed_ctx_hw_id(struct seed_ctx *ctx);
struct seed_ctx_waiter *seed_ctx_waiter_alloc(void);
void seed_ctx_waiter_free(struct seed_ctx_waiter *w);
struct dma_fence *seed_ctx_pin(struct seed_ctx *ctx, struct seed_ctx_waiter **spare,
			       u32 *hw_id, int *err);
void seed_ctx_unpin(struct seed_ctx *ctx);

void seed_mem_retire_hbm_page(struct seed_device *sdev, u64 hbm_addr);
void seed_mem_query(struct seed_device *sdev, struct seed_file *sf,
		    struct drm_seed_query_memory *out);

int seed_bo_lookup_range(struct seed_file *sf, u32 handle, u64 offset, u64 len,
			 struct drm_gem_object **obj, u64 *va);
bool seed_gem_is_hbm(const struct drm_gem_object *obj);
int seed_bo_ctx_va(struct drm_gem_object *obj, struct seed_ctx *ctx, u64 *va);
bool seed_gem_readable(struct drm_gem_object *obj);
int seed_gem_read(struct drm_gem_object *obj, u64 offset, void *buf, size_t len);
u64 seed_gem_hbm_extent(struct drm_gem_object *obj, u64 offset, u64 *addr);
void seed_gem_dump_describe(struct drm_gem_object *obj, u32 *placement, u32 *flags,
			    u64 *page_size);

struct drm_gem_object *seed_gem_create_object(struct drm_device *drm, size_t size);
struct drm_gem_object *seed_gem_prime_import(struct drm_device *drm, struct dma_buf *dma_buf);
int seed_bo_create_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int seed_bo_userptr_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int seed_bo_info_ioctl(struct drm_device *drm, void *data, struct drm_file *file);

#endif /* __SEED_MEM_H__ */
