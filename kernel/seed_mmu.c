// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * MMU contexts (docs/hardware.md §7): 4-level page tables in coherent host
 * memory, mapping and unmapping with TLB invalidation (§17.3), context
 * programming (§17.2) and restoring after a device reset (§17.8).
 *
 * Context 0 is the kernel context: all of HBM at VA = HBM address. Every
 * open file gets a user context with its own VA allocator and page tables,
 * however many files there are. Page-table pages are only freed with their
 * context, after it was invalidated: unmapping clears leaves and leaves the
 * (now possibly empty) tables in place, where later mappings reuse them.
 *
 * Binding (docs/hardware.md §17.10): the device has only a few hardware
 * contexts. A user context is bound to one, its root written into that
 * id's registers, when a job of its file is about to run (seed_ctx_pin(),
 * from the scheduler's prepare_job), and stays bound until another context
 * needs the id and this one has no job in flight (least recently pinned
 * first). Binding an id that was used before invalidates it whole, so no
 * translation of its previous owner survives; unbinding writes nothing.
 * When every id is pinned, the job waits on a fence signalled when a
 * context is unpinned. Jobs name the bound id in their INDIRECT packet.
 */

#include <linux/bitmap.h>
#include <linux/dma-fence.h>
#include <linux/dma-mapping.h>
#include <linux/errno.h>
#include <linux/slab.h>
#include <linux/error-injection.h>

#include <drm/drm_drv.h>
#include <drm/drm_managed.h>

#include "seed_drv.h"
#include "seed_gem.h"
#include "seed_hbm.h"
#include "seed_hw_reg_io.h"
#include "seed_mmu.h"
#include "seed_pm.h"

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

static noinline struct seed_pt *seed_pt_alloc(struct seed_device *sdev, int level)
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
ALLOW_ERROR_INJECTION(seed_pt_alloc, NULL);

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

	if (!ctx->root)
		return -ENODEV;
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
ALLOW_ERROR_INJECTION(seed_mmu_map_locked, ERRNO);

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
 * larger page, then, if the context is bound to a hardware id, invalidates
 * the range in the device's TLB and waits for it (§17.3). An unbound
 * context has no translation cached: its next binding invalidates the id.
 *
 * Return: 0 when the memory that was mapped can be reused, which includes
 * the case of a device that is gone; a negative error code if the
 * invalidation failed and the device may still reach that memory.
 */
int seed_mmu_unmap_locked(struct seed_ctx *ctx, u64 va, u64 size)
{
	struct seed_device *sdev = ctx->sdev;
	struct seed_mem *mem = &sdev->mem;
	int ret = 0;

	lockdep_assert_held(&ctx->lock);

	if (!size || !ctx->root)
		return 0;

	seed_pt_clear(ctx->root, SEED_PT_LEVELS - 1, va, va + size);

	mutex_lock(&mem->bind_lock);
	if (ctx->hw_id || !ctx->user)
		ret = seed_hw_tlb_invalidate(sdev, ctx->hw_id, va, size);
	mutex_unlock(&mem->bind_lock);

	/* A device that is gone or stopped makes no more accesses. */
	if (ret == -ENODEV)
		ret = 0;
	if (ret)
		seed_err_ratelimited(sdev, "context %u: TLB invalidation of %#llx+%#llx failed: %d\n",
				     ctx->hw_id, va, size, ret);
	return ret;
}

/* Writes the root of @ctx and VALID into the registers of hardware id @id (§17.2). */
static void seed_ctx_program(struct seed_ctx *ctx, u32 id)
{
	struct seed_device *sdev = ctx->sdev;

	seed_wr32(sdev, SEED_REG_CTX_ROOT_LO(id), lower_32_bits(ctx->root->dma));
	seed_wr32(sdev, SEED_REG_CTX_ROOT_HI(id), upper_32_bits(ctx->root->dma));
	seed_wr32(sdev, SEED_REG_CTX_CFG(id), SEED_CTX_CFG_VALID);
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
	INIT_LIST_HEAD(&ctx->lru);
	atomic_set(&ctx->pins, 0);
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
 * @sdev: device
 *
 * The context gets page tables but no hardware id: opening the device never
 * fails for lack of hardware contexts.
 *
 * Return: the context, or ERR_PTR(-ENOMEM), or ERR_PTR(-ENODEV) once the
 * device is gone.
 */
struct seed_ctx *seed_ctx_create(struct seed_device *sdev)
{
	struct seed_mem *mem = &sdev->mem;
	struct seed_ctx *ctx;

	ctx = seed_ctx_alloc(sdev, true);
	if (!ctx)
		return ERR_PTR(-ENOMEM);

	mutex_lock(&mem->ctx_list_lock);
	if (mem->torn_down) {
		mutex_unlock(&mem->ctx_list_lock);
		seed_ctx_free(ctx);
		return ERR_PTR(-ENODEV);
	}
	list_add_tail(&ctx->link, &mem->contexts);
	mutex_unlock(&mem->ctx_list_lock);

	seed_dbg(sdev, MMU, "context created, root %pad\n", &ctx->root->dma);
	return ctx;
}
ALLOW_ERROR_INJECTION(seed_ctx_create, ERRNO);

/* -- Binding ------------------------------------------------------------- */

/**
 * struct seed_ctx_waiter - a fence for jobs waiting for a hardware context
 * @base: Signalled once a context was unpinned after the fence was made.
 * @lock: Lock of @base.
 */
struct seed_ctx_waiter {
	struct dma_fence base;
	spinlock_t lock; /* of base */
};

static const char *seed_ctx_waiter_driver_name(struct dma_fence *f)
{
	return DRIVER_NAME;
}

static const char *seed_ctx_waiter_timeline_name(struct dma_fence *f)
{
	return "seed-ctx-bind";
}

static const struct dma_fence_ops seed_ctx_waiter_ops = {
	.get_driver_name = seed_ctx_waiter_driver_name,
	.get_timeline_name = seed_ctx_waiter_timeline_name,
};

/**
 * seed_ctx_waiter_alloc() - allocate a waiter fence ahead of time
 *
 * seed_ctx_pin() runs where it must not allocate; each job brings one.
 *
 * Return: the (uninitialised) waiter, or NULL.
 */
struct seed_ctx_waiter *seed_ctx_waiter_alloc(void)
{
	return kzalloc(sizeof(struct seed_ctx_waiter), GFP_KERNEL);
}
ALLOW_ERROR_INJECTION(seed_ctx_waiter_alloc, NULL);

/**
 * seed_ctx_waiter_free() - free a waiter seed_ctx_pin() did not use
 * @w: waiter, or NULL
 */
void seed_ctx_waiter_free(struct seed_ctx_waiter *w)
{
	kfree(w);
}

/* Signals the waiters, if any; any context. */
static void seed_ctx_wake_waiters(struct seed_mem *mem)
{
	struct seed_ctx_waiter *w;
	unsigned long flags;

	spin_lock_irqsave(&mem->waiter_lock, flags);
	w = mem->waiter;
	mem->waiter = NULL;
	spin_unlock_irqrestore(&mem->waiter_lock, flags);
	if (w) {
		dma_fence_signal(&w->base);
		dma_fence_put(&w->base);
	}
}

/*
 * A free hardware id, else the id of the least recently pinned context with
 * nothing in flight (returned in @victim), else 0. Pins only rise under
 * bind_lock, which the caller holds, so a victim stays unpinned.
 */
static u32 seed_ctx_find_id(struct seed_device *sdev, struct seed_ctx **victim)
{
	struct seed_mem *mem = &sdev->mem;
	struct seed_ctx *ctx;
	u32 id;

	lockdep_assert_held(&mem->bind_lock);

	*victim = NULL;
	for (id = 1; id < sdev->hw.num_contexts; id++)
		if (!mem->bound[id] && !test_bit(id, mem->tainted))
			return id;
	list_for_each_entry(ctx, &mem->bound_lru, lru) {
		if (!atomic_read(&ctx->pins)) {
			*victim = ctx;
			return ctx->hw_id;
		}
	}
	return 0;
}

/* Gives id @id to @ctx: program its root and drop what the id cached. */
static int seed_ctx_bind_locked(struct seed_ctx *ctx, u32 id, struct seed_ctx *victim)
{
	struct seed_device *sdev = ctx->sdev;
	struct seed_mem *mem = &sdev->mem;
	int ret = 0, idx;

	lockdep_assert_held(&mem->bind_lock);

	if (victim) {
		victim->hw_id = 0;
		list_del_init(&victim->lru);
		mem->bound[id] = NULL;
	}
	if (READ_ONCE(sdev->exec.lost) || !drm_dev_enter(&sdev->drm, &idx))
		return -ENODEV;

	seed_ctx_program(ctx, id);
	if (__test_and_set_bit(id, mem->ctx_used))
		ret = seed_hw_tlb_invalidate(sdev, id, 0, 0);
	drm_dev_exit(idx);
	if (ret) {
		/* The id may still hold translations of its previous owner. */
		__set_bit(id, mem->tainted);
		seed_err_ratelimited(sdev, "context id %u: invalidation failed (%d), id unusable until reset\n",
				     id, ret);
		return ret == -ENODEV ? ret : -EIO;
	}
	mem->bound[id] = ctx;
	ctx->hw_id = id;
	seed_dbg(sdev, MMU, "context %pad bound to id %u%s\n", &ctx->root->dma, id,
		 victim ? " (evicted another)" : "");
	return 0;
}

/**
 * seed_ctx_pin() - bind a user context for a job about to run
 * @ctx: user context
 * @spare: a waiter from seed_ctx_waiter_alloc(); taken (set to NULL) if it
 *	is needed, else left to the caller
 * @hw_id: out: the hardware id, when pinned
 * @err: out: 0 when pinned, or why the job cannot run (-ENODEV: the device
 *	is gone; -EIO: the invalidation of the id failed)
 *
 * Never allocates memory; may sleep (register writes and a TLB invalidation
 * when the context was not bound). On success the caller must call
 * seed_ctx_unpin() once its job has finished.
 *
 * Return: NULL when done (see @err), or a fence to wait for before calling
 * again: every hardware id is pinned by jobs in flight.
 */
struct dma_fence *seed_ctx_pin(struct seed_ctx *ctx, struct seed_ctx_waiter **spare,
			       u32 *hw_id, int *err)
{
	struct seed_device *sdev = ctx->sdev;
	struct seed_mem *mem = &sdev->mem;
	struct dma_fence *fence = NULL;
	struct seed_ctx *victim;
	u32 id;

	*err = 0;
	mutex_lock(&mem->bind_lock);
	if (ctx->hw_id)
		goto pinned;
	if (!ctx->root) {
		*err = -ENODEV;
		goto out_unlock;
	}

	/*
	 * Looked for under waiter_lock: a context unpinned after the search
	 * finds the waiter installed and signals it.
	 */
	spin_lock_irq(&mem->waiter_lock);
	id = seed_ctx_find_id(sdev, &victim);
	if (!id) {
		if (!mem->waiter) {
			mem->waiter = *spare;
			*spare = NULL;
			spin_lock_init(&mem->waiter->lock);
			dma_fence_init(&mem->waiter->base, &seed_ctx_waiter_ops,
				       &mem->waiter->lock, mem->waiter_fence_ctx,
				       ++mem->waiter_seqno);
		}
		fence = dma_fence_get(&mem->waiter->base);
	}
	spin_unlock_irq(&mem->waiter_lock);
	if (fence)
		goto out_unlock;

	*err = seed_ctx_bind_locked(ctx, id, victim);
	if (*err)
		goto out_unlock;

pinned:
	atomic_inc(&ctx->pins);
	list_move_tail(&ctx->lru, &mem->bound_lru);
	*hw_id = ctx->hw_id;
out_unlock:
	mutex_unlock(&mem->bind_lock);
	return fence;
}

/**
 * seed_ctx_unpin() - a job that pinned @ctx has finished
 * @ctx: context
 *
 * Any context, including hard interrupts.
 */
void seed_ctx_unpin(struct seed_ctx *ctx)
{
	struct seed_mem *mem = &ctx->sdev->mem;

	if (atomic_dec_and_test(&ctx->pins)) {
		seed_ctx_wake_waiters(mem);
		wake_up_all(&mem->unpin_wq);
	}
}

/**
 * seed_ctx_hw_id() - hardware id a context is bound to
 * @ctx: context
 *
 * Return: the id, 0 if not bound (user contexts; 0 is the kernel's).
 */
u32 seed_ctx_hw_id(struct seed_ctx *ctx)
{
	return READ_ONCE(ctx->hw_id);
}

/**
 * seed_ctx_destroy() - destroy a user context
 * @ctx: context without any mapping left and without jobs
 *
 * If the context is bound: clears VALID of its id and invalidates it, then
 * frees its tables (§17.3). If the invalidation fails the tables are kept
 * until the next device reset or teardown, and the id is not used again
 * before then.
 */
void seed_ctx_destroy(struct seed_ctx *ctx)
{
	struct seed_device *sdev = ctx->sdev;
	struct seed_mem *mem = &sdev->mem;
	bool zombie = false, awake = false;
	int ret = 0, idx;
	u32 id;

	/* Jobs unpin when their fence signals; queues are gone by now. */
	wait_event(mem->unpin_wq, !atomic_read(&ctx->pins));

	/* A bound context is cleared in the registers: the chip must be awake. */
	if (READ_ONCE(ctx->hw_id) && !READ_ONCE(sdev->exec.lost))
		awake = !seed_pm_get(sdev);

	mutex_lock(&mem->ctx_list_lock);
	list_del_init(&ctx->link);
	mutex_unlock(&mem->ctx_list_lock);

	mutex_lock(&mem->bind_lock);
	id = ctx->hw_id;
	if (id) {
		mem->bound[id] = NULL;
		list_del_init(&ctx->lru);
		ctx->hw_id = 0;
		if (!READ_ONCE(sdev->exec.lost) && !awake) {
			/* Could not wake it: keep the tables until a reset. */
			ret = -EIO;
		} else if (!READ_ONCE(sdev->exec.lost) && drm_dev_enter(&sdev->drm, &idx)) {
			seed_wr32(sdev, SEED_REG_CTX_CFG(id), 0);
			ret = seed_hw_tlb_invalidate(sdev, id, 0, 0);
			drm_dev_exit(idx);
		}
		if (ret && ret != -ENODEV) {
			__set_bit(id, mem->tainted);
			list_add_tail(&ctx->link, &mem->zombies);
			zombie = true;
		}
	}
	mutex_unlock(&mem->bind_lock);
	if (awake)
		seed_pm_put(sdev);

	/* A freed id may be what a waiting job needs. */
	if (id)
		seed_ctx_wake_waiters(mem);

	if (zombie) {
		seed_err(sdev, "context id %u: invalidation failed (%d), tables kept\n", id, ret);
		return;
	}
	seed_ctx_free(ctx);
}

/* Frees the contexts whose tables the device can no longer reach. */
static void seed_mmu_free_zombies_locked(struct seed_device *sdev)
{
	struct seed_mem *mem = &sdev->mem;
	struct seed_ctx *ctx, *next;

	lockdep_assert_held(&mem->bind_lock);

	list_for_each_entry_safe(ctx, next, &mem->zombies, link) {
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

	mutex_lock(&mem->bind_lock);
	kctx->hw_id = 0;
	mem->bound[0] = kctx;
	__set_bit(0, mem->ctx_used);
	seed_ctx_program(kctx, 0);
	mem->kctx = kctx;
	mutex_unlock(&mem->bind_lock);
	return 0;
}
ALLOW_ERROR_INJECTION(seed_mmu_init, ERRNO);

/**
 * seed_mmu_teardown() - free every page table, at remove
 * @sdev: device that reaches no memory any more (reset, bus mastering off)
 *
 * Frees the tables of the kernel context, of every user context (whose
 * files may stay open: their contexts keep only their VA allocators) and of
 * the zombies. Later map and unmap calls find no tables, and jobs cannot
 * bind a context any more.
 */
void seed_mmu_teardown(struct seed_device *sdev)
{
	struct seed_mem *mem = &sdev->mem;
	struct seed_ctx *kctx, *ctx, *next;

	mutex_lock(&mem->bind_lock);
	kctx = mem->kctx;
	mem->kctx = NULL;
	list_for_each_entry_safe(ctx, next, &mem->bound_lru, lru) {
		ctx->hw_id = 0;
		list_del_init(&ctx->lru);
	}
	memset(mem->bound, 0, sizeof(mem->bound));
	seed_mmu_free_zombies_locked(sdev);
	mutex_unlock(&mem->bind_lock);

	if (kctx)
		seed_ctx_free(kctx);

	mutex_lock(&mem->ctx_list_lock);
	mem->torn_down = true;
	list_for_each_entry(ctx, &mem->contexts, link) {
		mutex_lock(&ctx->lock);
		seed_pt_free(sdev, ctx->root);
		ctx->root = NULL;
		mutex_unlock(&ctx->lock);
	}
	mutex_unlock(&mem->ctx_list_lock);

	/* Jobs waiting for an id find no tables to bind and fail. */
	seed_ctx_wake_waiters(mem);
}

/**
 * seed_mem_restore() - reprogram the bound contexts after a device reset
 * @sdev: device; the device is READY
 *
 * A device reset makes every context invalid with root 0 and flushes the
 * TLB (§14.1): the roots of the bound contexts are written again and no
 * invalidation is needed (§17.8); every id starts clean. Contexts kept
 * after a failed invalidation are freed now. Runs on the recovery path:
 * takes only &seed_mem.bind_lock.
 */
void seed_mem_restore(struct seed_device *sdev)
{
	struct seed_mem *mem = &sdev->mem;
	struct seed_ctx *ctx;
	u32 id;

	mutex_lock(&mem->bind_lock);
	bitmap_zero(mem->tainted, SEED_MAX_CONTEXTS);
	bitmap_zero(mem->ctx_used, SEED_MAX_CONTEXTS);
	for (id = 0; id < SEED_MAX_CONTEXTS; id++) {
		ctx = mem->bound[id];
		if (ctx && ctx->root) {
			seed_ctx_program(ctx, id);
			__set_bit(id, mem->ctx_used);
		}
	}
	seed_mmu_free_zombies_locked(sdev);
	mutex_unlock(&mem->bind_lock);

	/* Ids freed from zombies may be what waiting jobs need. */
	seed_ctx_wake_waiters(mem);
	queue_work(system_wq, &mem->quarantine_work);
}

static void seed_mem_quarantine_work(struct work_struct *work)
{
	struct seed_device *sdev = container_of(work, struct seed_device, mem.quarantine_work);

	seed_gem_quarantine_release(sdev);
}

/*
 * Runs when the DRM device is released, before the HBM allocator goes: frees
 * what a failed invalidation racing with teardown may have kept.
 */
static void seed_mem_release(struct drm_device *drm, void *data)
{
	struct seed_device *sdev = data;
	struct seed_mem *mem = &sdev->mem;

	cancel_work_sync(&mem->quarantine_work);
	seed_gem_quarantine_release(sdev);
	mutex_lock(&mem->bind_lock);
	seed_mmu_free_zombies_locked(sdev);
	mutex_unlock(&mem->bind_lock);
	seed_ctx_wake_waiters(mem);
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
	ret = drmm_mutex_init(&sdev->drm, &mem->bind_lock);
	if (ret)
		return ret;
	ret = drmm_mutex_init(&sdev->drm, &mem->ctx_list_lock);
	if (ret)
		return ret;

	INIT_LIST_HEAD(&mem->contexts);
	INIT_LIST_HEAD(&mem->zombies);
	INIT_LIST_HEAD(&mem->quarantine);
	INIT_LIST_HEAD(&mem->host_bos);
	INIT_LIST_HEAD(&mem->bound_lru);
	INIT_WORK(&mem->quarantine_work, seed_mem_quarantine_work);
	spin_lock_init(&mem->waiter_lock);
	init_waitqueue_head(&mem->unpin_wq);
	mem->waiter_fence_ctx = dma_fence_context_alloc(1);

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
 * seed_mem_fini() - free what the device could reach, at remove
 * @sdev: device, reset or gone, bus mastering off: nothing reaches memory
 *
 * Page tables of every context, DMA mappings of host BOs and the BOs kept
 * after failed invalidations go now; contexts and BOs themselves live on
 * while files are open, and are freed when their last user goes away. The
 * HBM allocator lives until the DRM device is released.
 */
void seed_mem_fini(struct seed_device *sdev)
{
	seed_mmu_teardown(sdev);
	seed_gem_teardown(sdev);
	cancel_work_sync(&sdev->mem.quarantine_work);
	seed_gem_quarantine_release(sdev);
}

/**
 * seed_mem_file_open() - create the address space of a new client
 * @sf: client
 *
 * Return: 0, or a negative error code (never for lack of hardware contexts).
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
ALLOW_ERROR_INJECTION(seed_mem_file_open, ERRNO);

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
