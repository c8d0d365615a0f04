/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * MMU contexts and their page tables (docs/hardware.md §7), private to the
 * memory subsystem.
 */
#ifndef __SEED_MMU_H__
#define __SEED_MMU_H__

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
 * @id: Hardware context id; 0 is the kernel context.
 * @user: A user context, with a VA allocator in @va.
 * @lock: Protects the page tables under @root and @va.
 * @root: Root (level 3) page table.
 * @va: VA allocator of a user context, over [%SEED_USER_VA_START,
 *	%SEED_USER_VA_END).
 * @link: In &seed_mem.contexts or &seed_mem.zombies, under &seed_mem.lock.
 */
struct seed_ctx {
	struct seed_device *sdev;
	u32 id;
	bool user;
	/* Protects the page tables and the VA allocator. */
	struct mutex lock;
	struct seed_pt *root;
	struct drm_mm va;
	struct list_head link;
};

int seed_mmu_init(struct seed_device *sdev);
void seed_mmu_fini(struct seed_device *sdev);

struct seed_ctx *seed_ctx_create(struct seed_device *sdev);
void seed_ctx_destroy(struct seed_ctx *ctx);

int seed_mmu_map_locked(struct seed_ctx *ctx, u64 va, u64 addr, u64 size, u64 prot);
int seed_mmu_unmap_locked(struct seed_ctx *ctx, u64 va, u64 size);

#endif /* __SEED_MMU_H__ */
