/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * MMU contexts and their page tables (docs/hardware.md §7), private to the
 * memory subsystem.
 */
#ifndef __SEED_MMU_H__
#define __SEED_MMU_H__

#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/types.h>

#include <drm/drm_mm.h>

#include "seed_hw_reg.h"

struct seed_device;
struct seed_pt;

/* User VA space: VA 0 stays unmapped so that null pointers fault. */
#define SEED_USER_VA_START	SZ_1M
#define SEED_USER_VA_END	(1ull << (SEED_VA_BITS - 1))

/**
 * struct seed_ctx - a device address space (docs/hardware.md §7.2)
 * @sdev: Device.
 * @user: A user context, with a VA allocator in @va.
 * @lock: Protects the page tables under @root and @va.
 * @root: Root (level 3) page table; NULL once teardown freed the tables.
 * @va: VA allocator of a user context, over [%SEED_USER_VA_START,
 *	%SEED_USER_VA_END).
 * @link: In &seed_mem.contexts (user contexts), under &seed_mem.lock; or in
 *	&seed_mem.zombies, under &seed_mem.bind_lock.
 * @hw_id: Hardware context id the page tables are bound to, 0 if none (the
 *	kernel context is always bound to 0). Under &seed_mem.bind_lock.
 * @lru: In &seed_mem.bound_lru while a user context is bound.
 * @pins: Jobs that run with the binding: from the moment they are about to
 *	be written to a ring until their finished fence signals. A pinned
 *	context keeps its hardware id. Raised under &seed_mem.bind_lock,
 *	dropped from any context.
 *
 * A user context exists from open to close of its file; its page tables are
 * bound to one of the device's hardware contexts only while it has jobs to
 * run, and it keeps that binding until another context needs the id.
 */
struct seed_ctx {
	struct seed_device *sdev;
	bool user;
	/* Protects the page tables and the VA allocator. */
	struct mutex lock;
	struct seed_pt *root;
	struct drm_mm va;
	struct list_head link;
	u32 hw_id;
	struct list_head lru;
	atomic_t pins;
};

int seed_mmu_init(struct seed_device *sdev);
void seed_mmu_fini(struct seed_device *sdev);

struct seed_ctx *seed_ctx_create(struct seed_device *sdev);
void seed_ctx_destroy(struct seed_ctx *ctx);
void seed_mmu_teardown(struct seed_device *sdev);

int seed_mmu_map_locked(struct seed_ctx *ctx, u64 va, u64 addr, u64 size, u64 prot);
int seed_mmu_unmap_locked(struct seed_ctx *ctx, u64 va, u64 size);

#endif /* __SEED_MMU_H__ */
