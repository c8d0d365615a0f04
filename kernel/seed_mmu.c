// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * MMU contexts (docs/hardware.md §7): 4-level page tables in coherent host
 * memory, mapping and unmapping with TLB invalidation (§17.3), context
 * programming (§17.2) and restoring after a device reset (§17.8).
 *
 * Context 0 is the kernel context: all of HBM at VA = HBM address. Every
 * open file gets a user context with its own VA allocator. Page-table pages
 * are only freed with their context, after it was invalidated: unmapping
 * clears leaves and leaves the (now possibly empty) tables in place, where
 * later mappings reuse them.
 */

#include <linux/bitmap.h>
#include <linux/dma-mapping.h>
#include <linux/errno.h>
#include <linux/slab.h>

#include <drm/drm_drv.h>
#include <drm/drm_managed.h>

#include "seed_drv.h"
#include "seed_gem.h"
#include "seed_hbm.h"
#include "seed_hw_reg_io.h"
#include "seed_mmu.h"

/**
 * struct seed_pt - one 4 KiB page table
 * @entries: The 512 entries, in coherent memory the device reads.
 * @dma: DMA address of @entries.
 * @child: Tables below this one by index (levels 3 to 1), or NULL.
 */
struct seed_pt {
	__le64 *entries;
	dma_addr_t dma;
	struct seed_pt **child;
};

static struct seed_pt *seed_pt_alloc(struct seed_device *sdev, int level)
{
	struct seed_pt *pt;

	pt = kzalloc(sizeof(*pt), GFP_KERNEL);
	if (!pt)
		return NULL;

	if (level > 0) {
		pt->child = kcalloc(SEED_PT_ENTRIES, sizeof(*pt->child), GFP_KERNEL);
		if (!pt->child)
			goto err_free;
	}

	pt->entries = dma_alloc_coherent(sdev->drm.dev, SEED_PAGE_SIZE, &pt->dma, GFP_KERNEL);
	if (!pt->entries)
		goto err_free;

	/* A table entry holds bits 51:12 of the address (§7.3). */
	if (pt->dma & ~SEED_PTE_ADDR_MASK) {
		seed_err_ratelimited(sdev, "page table at %pad is out of the device's reach\n",
				     &pt->dma);
		dma_free_coherent(sdev->drm.dev, SEED_PAGE_SIZE, pt->entries, pt->dma);
		goto err_free;
	}
	return pt;

err_free:
	kfree(pt->child);
	kfree(pt);
	return NULL;
}

static void seed_pt_free(struct seed_device *sdev, struct seed_pt *pt)
{
	unsigned int i;

	if (!pt)
		return;

	if (pt->child) {
		for (i = 0; i < SEED_PT_ENTRIES; i++)
			seed_pt_free(sdev, pt->child[i]);
		kfree(pt->child);
	}
	dma_free_coherent(sdev->drm.dev, SEED_PAGE_SIZE, pt->entries, pt->dma);
	kfree(pt);
}

static bool seed_pte_valid(__le64 pte)
{
	return le64_to_cpu(pte) & SEED_PTE_VALID;
}

/* Whether a leaf of @level (2 or 1) may be used: page size supported. */
static bool seed_mmu_level_ok(struct seed_device *sdev, int level)
{
	return sdev->hw.page_sizes & BIT(SEED_PAGE_SHIFT + 9 * level);
}

/*
 * Maps the largest page that fits at @va and stores its size in @mapped.
 * Tables are created on the way down; a new table is zeroed (all entries
 * invalid) before the entry pointing to it is written.
 */
static int seed_mmu_map_page(struct seed_ctx *ctx, u64 va, u64 addr, u64 size,
			     u64 prot, u64 *mapped)
{
	struct seed_device *sdev = ctx->sdev;
	struct seed_pt *pt = ctx->root;
	int level;

	for (level = SEED_PT_LEVELS - 1; level >= 0; level--) {
		u64 leaf = SEED_PT_LEAF_SIZE(level);
		unsigned int idx = SEED_PT_INDEX(va, level);
		struct seed_pt *child;

		if (level == 0 ||
		    (level < SEED_PT_LEVELS - 1 && !pt->child[idx] && leaf <= size &&
		     IS_ALIGNED(va | addr, leaf) && seed_mmu_level_ok(sdev, level))) {
			u64 pte = addr | prot | SEED_PTE_VALID;

			if (seed_pte_valid(pt->entries[idx]))
				return -EEXIST;
			if (level)
				pte |= SEED_PTE_LEAF;
			WRITE_ONCE(pt->entries[idx], cpu_to_le64(pte));
			*mapped = leaf;
			return 0;
		}

		child = pt->child[idx];
		if (!child) {
			/* A valid entry without a table below is a leaf. */
			if (seed_pte_valid(pt->entries[idx]))
				return -EEXIST;
			child = seed_pt_alloc(sdev, level - 1);
			if (!child)
				return -ENOMEM;
			pt->child[idx] = child;
			dma_wmb();
			WRITE_ONCE(pt->entries[idx], cpu_to_le64(child->dma | SEED_PTE_VALID));
		}
		pt = child;
	}
	return -EINVAL;
}

/**
 * seed_mmu_map_locked() - map a contiguous range
 * @ctx: context, &seed_ctx.lock held
 * @va: device VA, 4 KiB aligned
 * @addr: HBM address (@prot has %SEED_PTE_HBM) or host DMA address, 4 KiB
 *	aligned
 * @size: bytes, a multiple of 4 KiB
 * @prot: %SEED_PTE_READ, %SEED_PTE_WRITE and %SEED_PTE_HBM bits
 *
 * Uses the largest pages the alignment of @va and @addr allows. The range
 * must be unmapped. New entries need no invalidation (§7.6); the next
 * register write publishes them. On failure part of the range may be
 * mapped: the caller unmaps the whole range with seed_mmu_unmap_locked().
 *
 * Return: 0, -EINVAL for a misaligned or unreachable range, -ENOMEM, or
 * -EEXIST if part of the range is mapped already.
 */
int seed_mmu_map_locked(struct seed_ctx *ctx, u64 va, u64 addr, u64 size, u64 prot)
{
	u64 mapped;
	int ret;

	lockdep_assert_held(&ctx->lock);

	if (!size)
		return 0;
	if (!IS_ALIGNED(va | addr | size, SEED_PAGE_SIZE) ||
	    (prot & ~(SEED_PTE_READ | SEED_PTE_WRITE | SEED_PTE_HBM)) ||
	    size > BIT_ULL(SEED_VA_BITS) || va > BIT_ULL(SEED_VA_BITS) - size ||
	    ((addr + size - 1) & ~(SEED_PTE_ADDR_MASK | (SEED_PAGE_SIZE - 1))) ||
	    addr + size - 1 < addr)
		return -EINVAL;

	while (size) {
		ret = seed_mmu_map_page(ctx, va, addr, size, prot, &mapped);
		if (ret)
			return ret;
		va += mapped;
		addr += mapped;
		size -= mapped;
	}
	return 0;
}

/* Clears every entry of [va, end) under @pt, a table of @level. */
static void seed_pt_clear(struct seed_pt *pt, int level, u64 va, u64 end)
{
	while (va < end) {
		u64 leaf = SEED_PT_LEAF_SIZE(level);
		u64 next = min(round_down(va, leaf) + leaf, end);
		unsigned int idx = SEED_PT_INDEX(va, level);

		if (pt->child && pt->child[idx])
			seed_pt_clear(pt->child[idx], level - 1, va, next);
		else
			WRITE_ONCE(pt->entries[idx], 0);
		va = next;
	}
}

/**
 * seed_mmu_unmap_locked() - unmap a range and invalidate it
 * @ctx: context, &seed_ctx.lock held
 * @va: first VA of the range, 4 KiB aligned
 * @size: bytes, a multiple of 4 KiB
 *
 * Clears the leaves covering the range, which must not partially cover a
 * larger page, then invalidates the range in the device's TLB and waits
 * for it (§17.3).
 *
 * Return: 0 when the memory that was mapped can be reused, which includes
 * the case of a device that is gone; a negative error code if the
 * invalidation failed and the device may still reach that memory.
 */
int seed_mmu_unmap_locked(struct seed_ctx *ctx, u64 va, u64 size)
{
	struct seed_device *sdev = ctx->sdev;
	int ret = 0, idx;

	lockdep_assert_held(&ctx->lock);

	if (!size)
		return 0;

	seed_pt_clear(ctx->root, SEED_PT_LEVELS - 1, va, va + size);

	if (drm_dev_enter(&sdev->drm, &idx)) {
		ret = seed_hw_tlb_invalidate(sdev, ctx->id, va, size);
		drm_dev_exit(idx);
	}
	/* A device that is gone makes no more accesses. */
	if (ret == -ENODEV)
		ret = 0;
	if (ret)
		seed_err_ratelimited(sdev, "context %u: TLB invalidation of %#llx+%#llx failed: %d\n",
				     ctx->id, va, size, ret);
	return ret;
}

/* Writes the root of @ctx and VALID into its context registers (§17.2). */
static void seed_ctx_program(struct seed_ctx *ctx)
{
	struct seed_device *sdev = ctx->sdev;

	seed_wr32(sdev, SEED_REG_CTX_ROOT_LO(ctx->id), lower_32_bits(ctx->root->dma));
	seed_wr32(sdev, SEED_REG_CTX_ROOT_HI(ctx->id), upper_32_bits(ctx->root->dma));
	seed_wr32(sdev, SEED_REG_CTX_CFG(ctx->id), SEED_CTX_CFG_VALID);
}

static struct seed_ctx *seed_ctx_alloc(struct seed_device *sdev, bool user)
{
	struct seed_ctx *ctx;

	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return NULL;

	ctx->root = seed_pt_alloc(sdev, SEED_PT_LEVELS - 1);
	if (!ctx->root) {
		kfree(ctx);
		return NULL;
	}
	ctx->sdev = sdev;
	ctx->user = user;
	mutex_init(&ctx->lock);
	INIT_LIST_HEAD(&ctx->link);
	if (user)
		drm_mm_init(&ctx->va, SEED_USER_VA_START, SEED_USER_VA_END - SEED_USER_VA_START);
	return ctx;
}

static void seed_ctx_free(struct seed_ctx *ctx)
{
	seed_pt_free(ctx->sdev, ctx->root);
	if (ctx->user)
		drm_mm_takedown(&ctx->va);
	mutex_destroy(&ctx->lock);
	kfree(ctx);
}

/**
 * seed_ctx_create() - create a user context
 * @sdev: device; the caller holds drm_dev_enter()
 *
 * Return: the context, or ERR_PTR(-ENOSPC) when all hardware contexts are
 * in use, ERR_PTR(-ENOMEM), or the error of the invalidation of a reused
 * context id.
 */
struct seed_ctx *seed_ctx_create(struct seed_device *sdev)
{
	struct seed_mem *mem = &sdev->mem;
	struct seed_ctx *ctx;
	unsigned int id;
	bool reused;
	int ret;

	ctx = seed_ctx_alloc(sdev, true);
	if (!ctx)
		return ERR_PTR(-ENOMEM);

	mutex_lock(&mem->lock);
	id = find_next_zero_bit(mem->ctx_ids, SEED_MAX_CONTEXTS, 1);
	if (id >= SEED_MAX_CONTEXTS) {
		mutex_unlock(&mem->lock);
		seed_ctx_free(ctx);
		return ERR_PTR(-ENOSPC);
	}
	__set_bit(id, mem->ctx_ids);
	reused = __test_and_set_bit(id, mem->ctx_used);
	ctx->id = id;
	seed_ctx_program(ctx);
	list_add_tail(&ctx->link, &mem->contexts);
	mutex_unlock(&mem->lock);

	if (reused) {
		ret = seed_hw_tlb_invalidate(sdev, id, 0, 0);
		if (ret) {
			seed_err(sdev, "context %u: invalidation failed: %d\n", id, ret);
			seed_ctx_destroy(ctx);
			return ERR_PTR(ret);
		}
	}

	seed_dbg(sdev, MMU, "context %u created, root %pad\n", id, &ctx->root->dma);
	return ctx;
}

/**
 * seed_ctx_destroy() - destroy a user context
 * @ctx: context without any mapping left and without queues using it
 *
 * Clears VALID, invalidates the context and frees its tables (§17.3). If
 * the invalidation fails the tables and the id are kept until the next
 * device reset or teardown.
 */
void seed_ctx_destroy(struct seed_ctx *ctx)
{
	struct seed_device *sdev = ctx->sdev;
	struct seed_mem *mem = &sdev->mem;
	bool entered;
	int ret = 0, idx;

	entered = drm_dev_enter(&sdev->drm, &idx);

	mutex_lock(&mem->lock);
	list_del_init(&ctx->link);
	if (entered)
		seed_wr32(sdev, SEED_REG_CTX_CFG(ctx->id), 0);
	mutex_unlock(&mem->lock);

	if (entered) {
		ret = seed_hw_tlb_invalidate(sdev, ctx->id, 0, 0);
		drm_dev_exit(idx);
		if (ret == -ENODEV)
			ret = 0;
	}

	mutex_lock(&mem->lock);
	if (ret)
		list_add_tail(&ctx->link, &mem->zombies);
	else
		__clear_bit(ctx->id, mem->ctx_ids);
	mutex_unlock(&mem->lock);

	if (ret) {
		seed_err(sdev, "context %u: invalidation failed (%d), tables kept\n",
			 ctx->id, ret);
		return;
	}

	seed_dbg(sdev, MMU, "context %u destroyed\n", ctx->id);
	seed_ctx_free(ctx);
}

/* Frees the contexts whose tables the device can no longer reach. */
static void seed_mmu_free_zombies(struct seed_device *sdev)
{
	struct seed_mem *mem = &sdev->mem;
	struct seed_ctx *ctx, *next;
	LIST_HEAD(zombies);

	mutex_lock(&mem->lock);
	list_splice_init(&mem->zombies, &zombies);
	list_for_each_entry(ctx, &zombies, link)
		__clear_bit(ctx->id, mem->ctx_ids);
	mutex_unlock(&mem->lock);

	list_for_each_entry_safe(ctx, next, &zombies, link) {
		list_del(&ctx->link);
		seed_ctx_free(ctx);
	}
}

/**
 * seed_mmu_init() - create the kernel context
 * @sdev: device being probed
 *
 * Maps all of HBM at VA = HBM address, readable and writable, with the
 * largest pages possible, and programs it as context 0.
 *
 * Return: 0 or a negative error code.
 */
int seed_mmu_init(struct seed_device *sdev)
{
	struct seed_mem *mem = &sdev->mem;
	struct seed_ctx *kctx;
	int ret;

	kctx = seed_ctx_alloc(sdev, false);
	if (!kctx)
		return -ENOMEM;

	mutex_lock(&kctx->lock);
	ret = seed_mmu_map_locked(kctx, 0, 0, sdev->hw.hbm_size,
				  SEED_PTE_READ | SEED_PTE_WRITE | SEED_PTE_HBM);
	mutex_unlock(&kctx->lock);
	if (ret) {
		seed_err(sdev, "cannot map HBM into the kernel context: %d\n", ret);
		seed_ctx_free(kctx);
		return ret;
	}

	mutex_lock(&mem->lock);
	kctx->id = 0;
	__set_bit(0, mem->ctx_ids);
	__set_bit(0, mem->ctx_used);
	seed_ctx_program(kctx);
	list_add_tail(&kctx->link, &mem->contexts);
	mem->kctx = kctx;
	mutex_unlock(&mem->lock);
	return 0;
}

/**
 * seed_mmu_fini() - destroy the kernel context at teardown
 * @sdev: device, reset (or gone) so that nothing walks page tables anymore
 */
void seed_mmu_fini(struct seed_device *sdev)
{
	struct seed_mem *mem = &sdev->mem;
	struct seed_ctx *kctx;

	mutex_lock(&mem->lock);
	kctx = mem->kctx;
	mem->kctx = NULL;
	if (kctx) {
		list_del_init(&kctx->link);
		seed_wr32(sdev, SEED_REG_CTX_CFG(0), 0);
		__clear_bit(0, mem->ctx_ids);
	}
	mutex_unlock(&mem->lock);

	if (kctx)
		seed_ctx_free(kctx);
	seed_mmu_free_zombies(sdev);
}

/*
 * Runs when the DRM device is released, before the HBM allocator goes: frees
 * what a failed invalidation racing with seed_mem_fini() may have kept.
 */
static void seed_mem_release(struct drm_device *drm, void *data)
{
	struct seed_device *sdev = data;

	seed_gem_quarantine_release(sdev);
	seed_mmu_free_zombies(sdev);
}

/**
 * seed_mem_init() - set up the memory subsystem at probe
 * @sdev: device
 *
 * Return: 0 or a negative error code.
 */
int seed_mem_init(struct seed_device *sdev)
{
	struct seed_mem *mem = &sdev->mem;
	int ret;

	ret = drmm_mutex_init(&sdev->drm, &mem->lock);
	if (ret)
		return ret;

	INIT_LIST_HEAD(&mem->contexts);
	INIT_LIST_HEAD(&mem->zombies);
	INIT_LIST_HEAD(&mem->quarantine);

	ret = seed_hbm_init(sdev);
	if (ret)
		return ret;

	/* Registered after the allocator's release, so it runs before it. */
	ret = drmm_add_action_or_reset(&sdev->drm, seed_mem_release, sdev);
	if (ret)
		return ret;

	return seed_mmu_init(sdev);
}

/**
 * seed_mem_fini() - tear down what the hardware uses, at remove
 * @sdev: device, reset or gone: nothing reaches memory anymore
 *
 * User contexts and BOs may live on while files are open; they are freed
 * when their last user goes away. The HBM allocator lives until the DRM
 * device is released.
 */
void seed_mem_fini(struct seed_device *sdev)
{
	seed_mmu_fini(sdev);
	seed_gem_quarantine_release(sdev);
}

/**
 * seed_mem_restore() - reprogram every context after a device reset
 * @sdev: device; the caller holds drm_dev_enter() and the device is READY
 *
 * A device reset makes every context invalid with root 0 and flushes the
 * TLB (§14.1): the roots are written again, no invalidation is needed
 * (§17.8). Contexts kept after a failed invalidation are freed now. Must
 * not be called with &seed_mem.lock held.
 */
void seed_mem_restore(struct seed_device *sdev)
{
	struct seed_mem *mem = &sdev->mem;
	struct seed_ctx *ctx;

	mutex_lock(&mem->lock);
	list_for_each_entry(ctx, &mem->contexts, link)
		seed_ctx_program(ctx);
	mutex_unlock(&mem->lock);

	seed_mmu_free_zombies(sdev);
}

/**
 * seed_mem_file_open() - create the address space of a new client
 * @sf: client; the caller holds drm_dev_enter()
 *
 * Return: 0, -ENOSPC when every hardware context is taken, or another
 * negative error code.
 */
int seed_mem_file_open(struct seed_file *sf)
{
	struct seed_ctx *ctx;

	ctx = seed_ctx_create(sf->sdev);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);

	sf->ctx = ctx;
	return 0;
}

/**
 * seed_mem_file_close() - destroy the address space of a client
 * @sf: client whose GEM handles are all closed and whose queues are gone
 */
void seed_mem_file_close(struct seed_file *sf)
{
	if (!sf->ctx)
		return;

	seed_ctx_destroy(sf->ctx);
	sf->ctx = NULL;
}

/**
 * seed_ctx_id() - hardware id of a context
 * @ctx: context
 *
 * Return: the id to program into a queue's CONTEXT register.
 */
u32 seed_ctx_id(const struct seed_ctx *ctx)
{
	return ctx->id;
}
