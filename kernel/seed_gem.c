// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Buffer objects (GEM). Two kinds share struct seed_bo:
 *
 * - HBM BOs: a private GEM object holding gpu_buddy blocks. The host reaches
 *   them only through the device, so they cannot be mmapped or exported.
 *   They are cleared through the kernel queue before being handed out.
 * - Host BOs: shmem objects (drm_gem_shmem helpers), pinned and DMA mapped
 *   for their whole life, mmappable and exportable. Objects imported from
 *   other devices' dma-bufs are host BOs too, mapped by their sg table.
 * - Userptr BOs (BO_USERPTR): host BOs over pages of a process, pinned
 *   long term and DMA mapped for their whole life, neither mmappable
 *   through the accel file nor exportable.
 *
 * A BO is mapped into the device address space of every file holding a
 * handle to it: drm_gem_object_funcs.open maps it into the file's context
 * and .close unmaps it, invalidating the TLB, before the handle is gone.
 * A reference on a BO therefore keeps its memory, not its device mappings.
 *
 * The drm_driver must set .gem_create_object = seed_gem_create_object so that
 * the shmem helpers allocate struct seed_bo; without it host BOs and imports
 * fail with -EOPNOTSUPP.
 *
 * Locking: &seed_bo.lock protects the BO's mappings and is taken before
 * &seed_ctx.lock (see seed_mem.h). The usage counters of &seed_mem are under
 * &seed_mem.lock, the per-client ones are atomic.
 */

#include <linux/dma-buf.h>
#include <linux/err.h>
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/capability.h>
#include <linux/resource.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/error-injection.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_prime.h>

#include <uapi/drm/seed_accel.h>
#include <uapi/drm/seed_accel_dump.h>

#include "seed_drv.h"
#include "seed_gem.h"
#include "seed_hbm.h"
#include "seed_mmu.h"
#include "seed_trace.h"

MODULE_IMPORT_NS(DMA_BUF);

unsigned int seed_max_hbm_per_file_mb;
module_param_named(max_hbm_per_file_mb, seed_max_hbm_per_file_mb, uint, 0644);
MODULE_PARM_DESC(max_hbm_per_file_mb,
		 "HBM one open file may hold in BOs it created, MiB (0 = no limit, the default)");

static unsigned int seed_max_pinned_per_file_mb;
module_param_named(max_pinned_per_file_mb, seed_max_pinned_per_file_mb, uint, 0644);
MODULE_PARM_DESC(max_pinned_per_file_mb,
		 "User memory one open file may hold pinned in userptr BOs, MiB (0 = no limit, the default)");

/* Accounting class of userptr BOs, next to DRM_SEED_BO_HBM and _HOST. */
#define SEED_BO_ACCT_USERPTR	2

/**
 * struct seed_bo_mapping - a BO mapped into one context
 * @link: In &seed_bo.mappings.
 * @ctx: Context.
 * @node: VA range in &seed_ctx.va.
 * @refs: Handles of the context's file on the BO.
 */
struct seed_bo_mapping {
	struct list_head link;
	struct seed_ctx *ctx;
	struct drm_mm_node node;
	unsigned int refs;
};

/**
 * struct seed_bo - a buffer object
 * @base: GEM shmem object; HBM BOs only use its GEM object. Must stay first:
 *	the shmem helpers free the structure through it.
 * @placement: DRM_SEED_BO_HBM or DRM_SEED_BO_HOST.
 * @flags: DRM_SEED_BO_* flags.
 * @lock: Protects @mappings, @creator and @counted.
 * @mappings: Contexts the BO is mapped into.
 * @creator: File that created the BO, while it holds a handle; only
 *	compared, never dereferenced.
 * @counted: The BO is counted in the creator's &seed_file_mem.
 * @hbm_size: HBM allocated in @blocks (HBM BOs).
 * @blocks: gpu_buddy blocks (HBM BOs), in VA order.
 * @host_accounted: The BO is counted in &seed_mem.host_used.
 * @sgt: DMA-mapped pages (host BOs), owned by the shmem helpers or the
 *	import; NULL once teardown removed the DMA mapping.
 * @host_link: In &seed_mem.host_bos while @sgt is mapped.
 * @pages: Pinned user pages (userptr BOs), NULL otherwise.
 * @npages: Entries of @pages.
 * @pin_mm: The process whose &mm_struct.pinned_vm counts @pages (userptr
 *	BOs), with a reference to it (mmgrab).
 * @id: Unique while the module is loaded; names the BO in traces.
 */
struct seed_bo {
	struct drm_gem_shmem_object base;
	u32 placement;
	u32 flags;
	/* Protects the mappings and the creator accounting. */
	struct mutex lock;
	struct list_head mappings;
	struct drm_file *creator;
	bool counted;
	u64 hbm_size;
	struct list_head blocks;
	bool host_accounted;
	struct sg_table *sgt;
	struct list_head host_link;
	struct page **pages;
	unsigned long npages;
	struct mm_struct *pin_mm;
	u64 id;
};

/**
 * struct seed_quarantined - a BO whose memory the device may still reach
 * @link: In &seed_mem.quarantine.
 * @obj: Reference held until teardown.
 */
struct seed_quarantined {
	struct list_head link;
	struct drm_gem_object *obj;
};

static const struct drm_gem_object_funcs seed_hbm_bo_funcs;
static const struct drm_gem_object_funcs seed_host_bo_funcs;
static const struct drm_gem_object_funcs seed_userptr_bo_funcs;

static struct seed_bo *to_seed_bo(struct drm_gem_object *obj)
{
	return container_of(obj, struct seed_bo, base.base);
}

static struct seed_device *seed_bo_sdev(struct seed_bo *bo)
{
	return to_seed_device(bo->base.base.dev);
}

/**
 * seed_gem_is_hbm() - tell HBM BOs from host BOs
 * @obj: a GEM object of seed.ko
 *
 * Return: true for an HBM BO.
 */
bool seed_gem_is_hbm(const struct drm_gem_object *obj)
{
	return obj->funcs == &seed_hbm_bo_funcs;
}

/* Keeps @obj alive, and so its memory in use, until teardown. */
static void seed_gem_quarantine(struct drm_gem_object *obj)
{
	struct seed_mem *mem = &to_seed_device(obj->dev)->mem;
	struct seed_quarantined *q;

	drm_gem_object_get(obj);
	q = kmalloc(sizeof(*q), GFP_KERNEL);
	if (!q)
		return;	/* The reference is leaked: the memory is never reused. */

	q->obj = obj;
	mutex_lock(&mem->lock);
	list_add_tail(&q->link, &mem->quarantine);
	mutex_unlock(&mem->lock);
}

/**
 * seed_gem_quarantine_release() - drop the BOs kept after failed unmaps
 * @sdev: device, reset or gone: nothing reaches memory anymore
 */
void seed_gem_quarantine_release(struct seed_device *sdev)
{
	struct seed_mem *mem = &sdev->mem;
	struct seed_quarantined *q, *next;
	LIST_HEAD(list);

	mutex_lock(&mem->lock);
	list_splice_init(&mem->quarantine, &list);
	mutex_unlock(&mem->lock);

	list_for_each_entry_safe(q, next, &list, link) {
		drm_gem_object_put(q->obj);
		kfree(q);
	}
}

static u64 seed_bo_va_align(u64 size)
{
	if (size >= SZ_1G)
		return SZ_1G;
	if (size >= SZ_2M)
		return SZ_2M;
	return SEED_PAGE_SIZE;
}

static struct seed_bo_mapping *seed_bo_find_mapping(struct seed_bo *bo, struct seed_ctx *ctx)
{
	struct seed_bo_mapping *m;

	lockdep_assert_held(&bo->lock);

	list_for_each_entry(m, &bo->mappings, link)
		if (m->ctx == ctx)
			return m;
	return NULL;
}

/* Maps @bo's memory at [va, va + size); the caller holds ctx->lock. */
static int seed_bo_map_pages(struct seed_bo *bo, struct seed_ctx *ctx, u64 va, u64 prot)
{
	struct seed_device *sdev = seed_bo_sdev(bo);
	u64 end = va + bo->base.base.size;
	struct gpu_buddy_block *block;
	struct scatterlist *sg;
	unsigned int i;
	int ret;

	if (bo->placement == DRM_SEED_BO_HBM) {
		list_for_each_entry(block, &bo->blocks, link) {
			u64 len = gpu_buddy_block_size(&sdev->mem.buddy, block);

			if (len > end - va)
				return -EINVAL;
			ret = seed_mmu_map_locked(ctx, va, gpu_buddy_block_offset(block), len,
						  prot | SEED_PTE_HBM);
			if (ret)
				return ret;
			va += len;
		}
		return 0;
	}

	/* Teardown removed the device's mapping: the device is gone. */
	if (!bo->sgt)
		return -ENODEV;

	for_each_sgtable_dma_sg(bo->sgt, sg, i) {
		u64 len = sg_dma_len(sg);

		if (len > end - va)
			return -EINVAL;
		ret = seed_mmu_map_locked(ctx, va, sg_dma_address(sg), len, prot);
		if (ret)
			return ret;
		va += len;
	}
	return 0;
}

/* Gives @bo a VA range in @ctx and maps it there. */
static noinline int seed_bo_map(struct seed_bo *bo, struct seed_ctx *ctx, struct seed_bo_mapping *m)
{
	struct drm_gem_object *obj = &bo->base.base;
	u64 prot = SEED_PTE_READ;
	int ret;

	if (!(bo->flags & DRM_SEED_BO_DEVICE_READ_ONLY))
		prot |= SEED_PTE_WRITE;

	mutex_lock(&ctx->lock);
	ret = drm_mm_insert_node_in_range(&ctx->va, &m->node, obj->size,
					  seed_bo_va_align(obj->size), 0,
					  SEED_USER_VA_START, SEED_USER_VA_END,
					  DRM_MM_INSERT_BEST);
	if (ret) {
		ret = -ENOSPC;
		goto out_unlock;
	}

	ret = seed_bo_map_pages(bo, ctx, m->node.start, prot);
	if (ret) {
		if (seed_mmu_unmap_locked(ctx, m->node.start, m->node.size))
			seed_gem_quarantine(obj);
		drm_mm_remove_node(&m->node);
	}

out_unlock:
	mutex_unlock(&ctx->lock);
	return ret;
}
ALLOW_ERROR_INJECTION(seed_bo_map, ERRNO);

static void seed_bo_unmap(struct seed_bo *bo, struct seed_bo_mapping *m)
{
	struct seed_ctx *ctx = m->ctx;
	int ret;

	mutex_lock(&ctx->lock);
	ret = seed_mmu_unmap_locked(ctx, m->node.start, m->node.size);
	drm_mm_remove_node(&m->node);
	mutex_unlock(&ctx->lock);

	if (ret)
		seed_gem_quarantine(&bo->base.base);
}

/* @acct: DRM_SEED_BO_HBM, DRM_SEED_BO_HOST or SEED_BO_ACCT_USERPTR. */
static atomic64_t *seed_file_mem_counter(struct seed_file *sf, u32 acct)
{
	switch (acct) {
	case DRM_SEED_BO_HBM:
		return &sf->mem.hbm_bytes;
	case SEED_BO_ACCT_USERPTR:
		return &sf->mem.pinned_bytes;
	default:
		return &sf->mem.host_bytes;
	}
}

static u32 seed_bo_acct(struct seed_bo *bo)
{
	return bo->pages ? SEED_BO_ACCT_USERPTR : bo->placement;
}

static void seed_bo_account(struct seed_bo *bo, struct drm_file *file, bool add)
{
	atomic64_t *counter = seed_file_mem_counter(to_seed_file(file), seed_bo_acct(bo));
	s64 size = bo->base.base.size;

	atomic64_add(add ? size : -size, counter);
}

/*
 * Counts @size bytes of a new BO against its creator, before the memory is
 * allocated, so that concurrent creations cannot exceed the limit together.
 */
static int seed_file_mem_reserve(struct seed_file *sf, u32 acct, u64 size)
{
	atomic64_t *counter = seed_file_mem_counter(sf, acct);
	u64 limit = 0;

	if (acct == DRM_SEED_BO_HBM)
		limit = (u64)seed_max_hbm_per_file_mb << 20;
	else if (acct == SEED_BO_ACCT_USERPTR)
		limit = (u64)seed_max_pinned_per_file_mb << 20;

	if (atomic64_add_return(size, counter) > limit && limit) {
		atomic64_sub(size, counter);
		seed_dbg(sf->sdev, IOCTL, "%#llx bytes over the %s limit of the file\n",
			 size, acct == DRM_SEED_BO_HBM ? "HBM" : "pinned memory");
		return -EDQUOT;
	}
	return 0;
}

/* drm_gem_object_funcs.open: map the BO into the file's context. */
static int seed_bo_open(struct drm_gem_object *obj, struct drm_file *file)
{
	struct seed_file *sf = to_seed_file(file);
	struct seed_bo *bo = to_seed_bo(obj);
	struct seed_bo_mapping *m;
	int ret = 0;

	if (!sf || !sf->ctx)
		return -ENODEV;

	mutex_lock(&bo->lock);
	m = seed_bo_find_mapping(bo, sf->ctx);
	if (m) {
		m->refs++;
		goto out_unlock;
	}

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	m->ctx = sf->ctx;
	m->refs = 1;
	ret = seed_bo_map(bo, sf->ctx, m);
	if (ret) {
		kfree(m);
		goto out_unlock;
	}
	list_add_tail(&m->link, &bo->mappings);

out_unlock:
	mutex_unlock(&bo->lock);
	return ret;
}

/* drm_gem_object_funcs.close: unmap the BO from the file's context. */
static void seed_bo_close(struct drm_gem_object *obj, struct drm_file *file)
{
	struct seed_file *sf = to_seed_file(file);
	struct seed_bo *bo = to_seed_bo(obj);
	struct seed_bo_mapping *m;

	if (!sf || !sf->ctx)
		return;

	mutex_lock(&bo->lock);
	m = seed_bo_find_mapping(bo, sf->ctx);
	if (!m || --m->refs)
		goto out_unlock;

	list_del(&m->link);
	if (file == bo->creator) {
		if (bo->counted)
			seed_bo_account(bo, file, false);
		bo->counted = false;
		bo->creator = NULL;
	}
	seed_bo_unmap(bo, m);
	kfree(m);

out_unlock:
	mutex_unlock(&bo->lock);
}

static enum drm_gem_object_status seed_bo_status(struct drm_gem_object *obj)
{
	/* Pinned for life: HBM blocks and host pages are always resident. */
	return DRM_GEM_OBJECT_RESIDENT;
}

static size_t seed_bo_rss(struct drm_gem_object *obj)
{
	return obj->size;
}

static atomic64_t seed_bo_ids = ATOMIC64_INIT(0);

static void seed_bo_init(struct seed_bo *bo, u32 placement)
{
	bo->id = atomic64_inc_return(&seed_bo_ids);
	mutex_init(&bo->lock);
	INIT_LIST_HEAD(&bo->mappings);
	INIT_LIST_HEAD(&bo->blocks);
	INIT_LIST_HEAD(&bo->host_link);
	bo->placement = placement;
}

/* The device may reach @bo's pages from now on: teardown must unmap them. */
static void seed_host_bo_track(struct seed_bo *bo, struct sg_table *sgt)
{
	struct seed_mem *mem = &seed_bo_sdev(bo)->mem;

	bo->sgt = sgt;
	mutex_lock(&mem->lock);
	list_add_tail(&bo->host_link, &mem->host_bos);
	mutex_unlock(&mem->lock);
}

/* A device read-only BO is only read by the device. */
static enum dma_data_direction seed_userptr_dma_dir(struct seed_bo *bo)
{
	return bo->flags & DRM_SEED_BO_DEVICE_READ_ONLY ? DMA_TO_DEVICE : DMA_BIDIRECTIONAL;
}

/*
 * The same user page may be in several userptr BOs (of this or other
 * files), so device-writable mappings of it overlap. Without cache
 * maintenance per mapping (coherent DMA, as on x86, where the sync is a
 * no-op) that is harmless; telling the DMA API so keeps its debug checks,
 * which reject overlapping writable mappings, quiet.
 */
static unsigned long seed_userptr_dma_attrs(struct seed_bo *bo)
{
	return bo->flags & DRM_SEED_BO_DEVICE_READ_ONLY ? 0 : DMA_ATTR_SKIP_CPU_SYNC;
}

/**
 * seed_gem_teardown() - remove the device's DMA mappings of host BOs
 * @sdev: device that reaches no memory any more, being removed
 *
 * The BOs live on while files hold them (and mmap() of their pages keeps
 * working); only the mappings for the device, which is going away, end.
 */
void seed_gem_teardown(struct seed_device *sdev)
{
	struct seed_mem *mem = &sdev->mem;
	struct seed_bo *bo, *next;

	mutex_lock(&mem->lock);
	list_for_each_entry_safe(bo, next, &mem->host_bos, host_link) {
		struct drm_gem_object *obj = &bo->base.base;

		list_del_init(&bo->host_link);
		if (bo->pages) {
			/* The pages stay pinned until the BO is freed. */
			dma_unmap_sgtable(sdev->drm.dev, bo->sgt, seed_userptr_dma_dir(bo),
					  seed_userptr_dma_attrs(bo));
			sg_free_table(bo->sgt);
			kfree(bo->sgt);
		} else if (obj->import_attach) {
			dma_buf_unmap_attachment_unlocked(obj->import_attach, bo->sgt,
							  DMA_BIDIRECTIONAL);
		} else {
			dma_resv_lock(obj->resv, NULL);
			dma_unmap_sgtable(sdev->drm.dev, bo->sgt, DMA_BIDIRECTIONAL, 0);
			sg_free_table(bo->sgt);
			kfree(bo->sgt);
			dma_resv_unlock(obj->resv);
		}
		/* The shmem helpers see no table and unmap nothing at free. */
		bo->base.sgt = NULL;
		bo->sgt = NULL;
	}
	mutex_unlock(&mem->lock);
}

static void seed_hbm_bo_free(struct drm_gem_object *obj)
{
	struct seed_bo *bo = to_seed_bo(obj);

	trace_seed_bo_free(obj->dev->dev, bo->id, obj->size, bo->placement);
	/* Every handle is closed: no user mapping (and TLB entry) is left. */
	if (bo->hbm_size)
		seed_hbm_free(seed_bo_sdev(bo), bo->hbm_size, &bo->blocks);
	drm_gem_object_release(obj);
	mutex_destroy(&bo->lock);
	kfree(bo);
}

static struct dma_buf *seed_hbm_bo_export(struct drm_gem_object *obj, int flags)
{
	/* Nothing but the device can reach HBM. */
	return ERR_PTR(-EOPNOTSUPP);
}

static int seed_hbm_bo_mmap(struct drm_gem_object *obj, struct vm_area_struct *vma)
{
	return -EINVAL;
}

static const struct drm_gem_object_funcs seed_hbm_bo_funcs = {
	.free = seed_hbm_bo_free,
	.open = seed_bo_open,
	.close = seed_bo_close,
	.export = seed_hbm_bo_export,
	.mmap = seed_hbm_bo_mmap,
	.status = seed_bo_status,
	.rss = seed_bo_rss,
};

static void seed_host_bo_free(struct drm_gem_object *obj)
{
	struct seed_bo *bo = to_seed_bo(obj);
	struct seed_mem *mem = &seed_bo_sdev(bo)->mem;

	trace_seed_bo_free(obj->dev->dev, bo->id, obj->size, bo->placement);
	mutex_lock(&mem->lock);
	list_del_init(&bo->host_link);
	if (bo->host_accounted)
		mem->host_used -= obj->size;
	mutex_unlock(&mem->lock);
	mutex_destroy(&bo->lock);
	/* Unmaps and frees the pages (or releases the import), frees @bo. */
	drm_gem_shmem_free(&bo->base);
}

static const struct drm_gem_object_funcs seed_host_bo_funcs = {
	.free = seed_host_bo_free,
	.open = seed_bo_open,
	.close = seed_bo_close,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = drm_gem_shmem_object_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.status = seed_bo_status,
	.rss = seed_bo_rss,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

/*
 * Pinned user pages count against the pinning process's RLIMIT_MEMLOCK, as
 * for RDMA memory regions and io_uring's fixed buffers: in
 * &mm_struct.pinned_vm (VmPin in /proc/PID/status), unless it has
 * CAP_IPC_LOCK. Lockless, so a BO can be freed from any context.
 */
static int seed_userptr_charge(struct mm_struct *mm, unsigned long npages)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;

	if (atomic64_add_return(npages, &mm->pinned_vm) > limit && !capable(CAP_IPC_LOCK)) {
		atomic64_sub(npages, &mm->pinned_vm);
		return -ENOMEM;
	}
	mmgrab(mm);
	return 0;
}

static void seed_userptr_uncharge(struct mm_struct *mm, unsigned long npages)
{
	atomic64_sub(npages, &mm->pinned_vm);
	mmdrop(mm);
}

static void seed_userptr_bo_free(struct drm_gem_object *obj)
{
	struct seed_bo *bo = to_seed_bo(obj);
	struct seed_device *sdev = seed_bo_sdev(bo);
	struct seed_mem *mem = &sdev->mem;
	struct sg_table *sgt;

	trace_seed_bo_free(obj->dev->dev, bo->id, obj->size, bo->placement);
	/* Every handle is closed and no job holds the BO: the device is done. */
	mutex_lock(&mem->lock);
	list_del_init(&bo->host_link);
	sgt = bo->sgt;
	bo->sgt = NULL;
	mutex_unlock(&mem->lock);
	if (sgt) {
		dma_unmap_sgtable(sdev->drm.dev, sgt, seed_userptr_dma_dir(bo),
				  seed_userptr_dma_attrs(bo));
		sg_free_table(sgt);
		kfree(sgt);
	}
	/* The device may have written them unless it could only read. */
	unpin_user_pages_dirty_lock(bo->pages, bo->npages,
				    !(bo->flags & DRM_SEED_BO_DEVICE_READ_ONLY));
	seed_userptr_uncharge(bo->pin_mm, bo->npages);
	kvfree(bo->pages);
	drm_gem_object_release(obj);
	mutex_destroy(&bo->lock);
	kfree(bo);
}

static struct dma_buf *seed_userptr_bo_export(struct drm_gem_object *obj, int flags)
{
	/* Another device would hold pages the process lent to this one. */
	return ERR_PTR(-EOPNOTSUPP);
}

static const struct drm_gem_object_funcs seed_userptr_bo_funcs = {
	.free = seed_userptr_bo_free,
	.open = seed_bo_open,
	.close = seed_bo_close,
	.export = seed_userptr_bo_export,
	.mmap = seed_hbm_bo_mmap,
	.status = seed_bo_status,
	.rss = seed_bo_rss,
};

/**
 * seed_gem_create_object() - &drm_driver.gem_create_object
 * @drm: DRM device
 * @size: object size
 *
 * Allocates the structure of host BOs for the drm_gem_shmem helpers, both
 * for BO_CREATE and for dma-buf imports.
 *
 * Return: the GEM object or ERR_PTR(-ENOMEM).
 */
struct drm_gem_object *seed_gem_create_object(struct drm_device *drm, size_t size)
{
	struct seed_bo *bo;

	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return ERR_PTR(-ENOMEM);

	seed_bo_init(bo, DRM_SEED_BO_HOST);
	bo->base.base.funcs = &seed_host_bo_funcs;
	return &bo->base.base;
}

/*
 * The one place HBM is cleared before it is handed out (docs/hardware.md §6):
 * a FILL through the kernel queue, where kernel VA = HBM address.
 */
static noinline int seed_hbm_bo_clear(struct seed_device *sdev, struct seed_bo *bo)
{
	struct gpu_buddy_block *block;
	u64 start = 0, len = 0;
	int ret;

	list_for_each_entry(block, &bo->blocks, link) {
		u64 offset = gpu_buddy_block_offset(block);
		u64 size = gpu_buddy_block_size(&sdev->mem.buddy, block);

		if (len && start + len == offset) {
			len += size;
			continue;
		}
		if (len) {
			ret = seed_kq_fill(sdev, start, len, 0);
			if (ret)
				goto err;
		}
		start = offset;
		len = size;
	}

	ret = len ? seed_kq_fill(sdev, start, len, 0) : 0;
	if (ret)
		goto err;
	return 0;

err:
	seed_err_ratelimited(sdev, "cannot clear HBM %#llx+%#llx: %d\n", start, len, ret);
	return ret;
}
ALLOW_ERROR_INJECTION(seed_hbm_bo_clear, ERRNO);

static struct drm_gem_object *seed_hbm_bo_create(struct seed_device *sdev, u64 size)
{
	struct drm_gem_object *obj;
	struct seed_bo *bo;
	int ret;

	if (size > sdev->hw.hbm_size)
		return ERR_PTR(-ENOSPC);

	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return ERR_PTR(-ENOMEM);

	seed_bo_init(bo, DRM_SEED_BO_HBM);
	obj = &bo->base.base;
	obj->funcs = &seed_hbm_bo_funcs;
	drm_gem_private_object_init(&sdev->drm, obj, size);

	ret = seed_hbm_alloc(sdev, size, &bo->blocks);
	if (ret)
		goto err_put;
	bo->hbm_size = size;

	ret = seed_hbm_bo_clear(sdev, bo);
	if (ret)
		goto err_put;
	return obj;

err_put:
	drm_gem_object_put(obj);
	return ERR_PTR(ret);
}

static noinline struct drm_gem_object *seed_host_bo_create(struct seed_device *sdev, u64 size)
{
	struct drm_gem_shmem_object *shmem;
	struct drm_gem_object *obj;
	struct sg_table *sgt;
	struct seed_bo *bo;

	/* Fail early rather than push the system into the OOM killer. */
	if (size > (u64)totalram_pages() << PAGE_SHIFT)
		return ERR_PTR(-ENOMEM);

	shmem = drm_gem_shmem_create(&sdev->drm, size);
	if (IS_ERR(shmem))
		return ERR_CAST(shmem);

	obj = &shmem->base;
	if (obj->funcs != &seed_host_bo_funcs) {
		seed_err_ratelimited(sdev, "gem_create_object is not seed_gem_create_object\n");
		drm_gem_object_put(obj);
		return ERR_PTR(-EOPNOTSUPP);
	}
	bo = to_seed_bo(obj);

	/* Pins the (zeroed) pages and maps them for the device. */
	sgt = drm_gem_shmem_get_pages_sgt(shmem);
	if (IS_ERR(sgt)) {
		drm_gem_object_put(obj);
		return ERR_CAST(sgt);
	}
	seed_host_bo_track(bo, sgt);

	mutex_lock(&sdev->mem.lock);
	sdev->mem.host_used += size;
	mutex_unlock(&sdev->mem.lock);
	bo->host_accounted = true;
	return obj;
}
ALLOW_ERROR_INJECTION(seed_host_bo_create, ERRNO);

/* Device VA of @obj in @ctx. */
static int seed_bo_va(struct drm_gem_object *obj, struct seed_ctx *ctx, u64 *va)
{
	struct seed_bo *bo = to_seed_bo(obj);
	struct seed_bo_mapping *m;

	mutex_lock(&bo->lock);
	m = seed_bo_find_mapping(bo, ctx);
	if (m)
		*va = m->node.start;
	mutex_unlock(&bo->lock);

	/* No mapping: the handle was closed while being created. */
	return m ? 0 : -ENOENT;
}

/**
 * seed_bo_create_ioctl() - DRM_IOCTL_SEED_BO_CREATE
 * @drm: DRM device
 * @data: struct drm_seed_bo_create
 * @file: caller
 *
 * Return: 0; -EINVAL for a bad field; -ENOSPC or -ENOMEM when HBM, host
 * memory or the caller's VA space is exhausted; -EDQUOT when the file would
 * hold more HBM than max_hbm_per_file_mb allows; -ENODEV once the device is
 * gone; -ENOENT if another thread closed the new handle before its VA could
 * be reported; or the error of clearing HBM.
 */
int seed_bo_create_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct seed_device *sdev = to_seed_device(drm);
	struct seed_file *sf = to_seed_file(file);
	struct drm_seed_bo_create *args = data;
	struct drm_gem_object *obj;
	u64 size, va = 0;
	u32 handle;
	int ret, idx;

	if (args->pad || (args->flags & ~DRM_SEED_BO_FLAGS) ||
	    (args->placement != DRM_SEED_BO_HBM && args->placement != DRM_SEED_BO_HOST) ||
	    !args->size || args->size > U64_MAX - (SEED_PAGE_SIZE - 1)) {
		seed_dbg(sdev, IOCTL, "BO_CREATE: bad size %#llx placement %u flags %#x pad %#x\n",
			 args->size, args->placement, args->flags, args->pad);
		return -EINVAL;
	}

	size = round_up(args->size, SEED_PAGE_SIZE);
	if (size > SEED_USER_VA_END - SEED_USER_VA_START)
		return -ENOSPC;

	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	ret = seed_file_mem_reserve(sf, args->placement, size);
	if (ret)
		goto out_exit;

	if (args->placement == DRM_SEED_BO_HBM)
		obj = seed_hbm_bo_create(sdev, size);
	else
		obj = seed_host_bo_create(sdev, size);
	if (IS_ERR(obj)) {
		ret = PTR_ERR(obj);
		goto out_unreserve;
	}
	/* Counted already: closing the creator's last handle uncounts it. */
	to_seed_bo(obj)->flags = args->flags;
	to_seed_bo(obj)->creator = file;
	to_seed_bo(obj)->counted = true;

	ret = drm_gem_handle_create(file, obj, &handle);
	if (ret) {
		drm_gem_object_put(obj);
		goto out_unreserve;
	}
	/* Before dropping the reference: the free cannot come first. */
	trace_seed_bo_create(drm->dev, file->client_id, to_seed_bo(obj)->id, handle, size,
			     args->placement);
	ret = seed_bo_va(obj, sf->ctx, &va);
	drm_gem_object_put(obj);
	if (ret)
		goto out_exit;

	args->size = size;
	args->handle = handle;
	args->device_va = va;
	seed_dbg(sdev, IOCTL, "BO_CREATE: handle %u, %s, %#llx bytes at VA %#llx\n",
		 handle, args->placement == DRM_SEED_BO_HBM ? "HBM" : "host", size, va);
	drm_dev_exit(idx);
	return 0;

out_unreserve:
	atomic64_sub(size, seed_file_mem_counter(sf, args->placement));
out_exit:
	drm_dev_exit(idx);
	return ret;
}

/*
 * Pins [@start, @start + @size) of the caller for @bo, all or nothing, and
 * charges them to its RLIMIT_MEMLOCK.
 */
static int seed_userptr_pin(struct seed_bo *bo, u64 start, u64 size)
{
	unsigned long npages = size >> PAGE_SHIFT, done = 0;
	unsigned int gup = FOLL_LONGTERM;
	struct page **pages;
	int ret;

	if (!(bo->flags & DRM_SEED_BO_DEVICE_READ_ONLY))
		gup |= FOLL_WRITE;

	ret = seed_userptr_charge(current->mm, npages);
	if (ret)
		return ret;
	pages = kvmalloc_array(npages, sizeof(*pages), GFP_KERNEL);
	if (!pages) {
		ret = -ENOMEM;
		goto err_uncharge;
	}

	while (done < npages) {
		int chunk = min_t(unsigned long, npages - done, SZ_64K);

		ret = pin_user_pages_fast(start + (done << PAGE_SHIFT), chunk, gup, pages + done);
		if (ret <= 0) {
			ret = ret ? ret : -EFAULT;
			goto err_unpin;
		}
		done += ret;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto err_unpin;
		}
	}
	bo->pages = pages;
	bo->npages = npages;
	bo->pin_mm = current->mm;
	return 0;

err_unpin:
	unpin_user_pages(pages, done);
	kvfree(pages);
err_uncharge:
	seed_userptr_uncharge(current->mm, npages);
	return ret;
}

/* DMA maps the pinned pages of @bo for the device. */
static int seed_userptr_map_dma(struct seed_device *sdev, struct seed_bo *bo)
{
	struct sg_table *sgt;
	int ret;

	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	if (!sgt)
		return -ENOMEM;

	ret = sg_alloc_table_from_pages(sgt, bo->pages, bo->npages, 0,
					bo->npages << PAGE_SHIFT, GFP_KERNEL);
	if (ret)
		goto err_free;

	ret = dma_map_sgtable(sdev->drm.dev, sgt, seed_userptr_dma_dir(bo),
			      seed_userptr_dma_attrs(bo));
	if (ret)
		goto err_table;

	seed_host_bo_track(bo, sgt);
	return 0;

err_table:
	sg_free_table(sgt);
err_free:
	kfree(sgt);
	return ret;
}

static noinline struct drm_gem_object *
seed_userptr_bo_create(struct seed_device *sdev, u64 start, u64 size, u32 flags)
{
	struct drm_gem_object *obj;
	struct seed_bo *bo;
	int ret;

	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return ERR_PTR(-ENOMEM);

	seed_bo_init(bo, DRM_SEED_BO_HOST);
	bo->flags = flags;
	ret = seed_userptr_pin(bo, start, size);
	if (ret) {
		mutex_destroy(&bo->lock);
		kfree(bo);
		return ERR_PTR(ret);
	}

	obj = &bo->base.base;
	obj->funcs = &seed_userptr_bo_funcs;
	drm_gem_private_object_init(&sdev->drm, obj, size);

	/* From here on freeing the object unpins the pages. */
	ret = seed_userptr_map_dma(sdev, bo);
	if (ret) {
		drm_gem_object_put(obj);
		return ERR_PTR(ret);
	}
	return obj;
}
ALLOW_ERROR_INJECTION(seed_userptr_bo_create, ERRNO);

/**
 * seed_bo_userptr_ioctl() - DRM_IOCTL_SEED_BO_USERPTR
 * @drm: DRM device
 * @data: struct drm_seed_bo_userptr
 * @file: caller
 *
 * Return: 0; -EINVAL for a bad field; -ENOMEM or -ENOSPC when the range is
 * larger than system memory or the caller's VA space, or they run out;
 * -ENOMEM over the caller's RLIMIT_MEMLOCK (without CAP_IPC_LOCK);
 * -EFAULT when a page cannot be pinned with the access the flags ask for;
 * -EDQUOT over max_pinned_per_file_mb; -ENODEV once the device is gone;
 * -ENOENT if another thread closed the new handle before its VA could be
 * reported.
 */
int seed_bo_userptr_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct seed_device *sdev = to_seed_device(drm);
	struct seed_file *sf = to_seed_file(file);
	struct drm_seed_bo_userptr *args = data;
	struct drm_gem_object *obj;
	u64 size = args->size;
	u32 handle;
	u64 va = 0;
	int ret, idx;

	if (args->reserved || (args->flags & ~DRM_SEED_BO_USERPTR_FLAGS) || !size ||
	    !IS_ALIGNED(args->user_ptr, SEED_PAGE_SIZE) || !IS_ALIGNED(size, SEED_PAGE_SIZE) ||
	    !IS_ALIGNED(args->user_ptr, PAGE_SIZE) || !IS_ALIGNED(size, PAGE_SIZE) ||
	    args->user_ptr + size < args->user_ptr) {
		seed_dbg(sdev, IOCTL, "BO_USERPTR: bad range %#llx+%#llx flags %#x reserved %#llx\n",
			 args->user_ptr, size, args->flags, args->reserved);
		return -EINVAL;
	}
	if (!access_ok(u64_to_user_ptr(args->user_ptr), size))
		return -EFAULT;
	if (size > SEED_USER_VA_END - SEED_USER_VA_START)
		return -ENOSPC;
	/* Fail early rather than push the system into the OOM killer. */
	if (size > (u64)totalram_pages() << PAGE_SHIFT)
		return -ENOMEM;

	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	ret = seed_file_mem_reserve(sf, SEED_BO_ACCT_USERPTR, size);
	if (ret)
		goto out_exit;

	obj = seed_userptr_bo_create(sdev, args->user_ptr, size, args->flags);
	if (IS_ERR(obj)) {
		ret = PTR_ERR(obj);
		goto out_unreserve;
	}
	to_seed_bo(obj)->creator = file;
	to_seed_bo(obj)->counted = true;

	ret = drm_gem_handle_create(file, obj, &handle);
	if (ret) {
		drm_gem_object_put(obj);
		goto out_unreserve;
	}
	trace_seed_bo_create(drm->dev, file->client_id, to_seed_bo(obj)->id, handle, size,
			     DRM_SEED_BO_HOST);
	ret = seed_bo_va(obj, sf->ctx, &va);
	drm_gem_object_put(obj);
	if (ret)
		goto out_exit;

	args->handle = handle;
	args->device_va = va;
	seed_dbg(sdev, IOCTL, "BO_USERPTR: handle %u, %#llx bytes at VA %#llx\n", handle, size, va);
	drm_dev_exit(idx);
	return 0;

out_unreserve:
	atomic64_sub(size, seed_file_mem_counter(sf, SEED_BO_ACCT_USERPTR));
out_exit:
	drm_dev_exit(idx);
	return ret;
}

/**
 * seed_bo_info_ioctl() - DRM_IOCTL_SEED_BO_INFO
 * @drm: DRM device
 * @data: struct drm_seed_bo_info
 * @file: caller
 *
 * Return: 0; -EINVAL for nonzero flags or pad; -ENOENT for an unknown
 * handle; -ENODEV once the device is gone.
 */
int seed_bo_info_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct seed_file *sf = to_seed_file(file);
	struct drm_seed_bo_info *args = data;
	struct drm_gem_object *obj;
	u64 va, mmap_offset = 0;
	struct seed_bo *bo;
	int ret, idx;

	if (args->flags || args->pad)
		return -EINVAL;

	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj) {
		ret = -ENOENT;
		goto out_exit;
	}
	bo = to_seed_bo(obj);

	ret = seed_bo_va(obj, sf->ctx, &va);
	if (ret)
		goto out_put;

	if (bo->placement == DRM_SEED_BO_HOST && !bo->pages) {
		ret = drm_gem_create_mmap_offset(obj);
		if (ret)
			goto out_put;
		mmap_offset = drm_vma_node_offset_addr(&obj->vma_node);
	}

	args->flags = bo->flags;
	args->size = obj->size;
	args->device_va = va;
	args->mmap_offset = mmap_offset;
	args->placement = bo->placement;

out_put:
	drm_gem_object_put(obj);
out_exit:
	drm_dev_exit(idx);
	return ret;
}

/**
 * seed_bo_lookup_range() - find a range of a BO for the device
 * @sf: client
 * @handle: GEM handle in @sf
 * @offset: byte offset in the BO
 * @len: bytes, at least 1
 * @obj: out: the BO, with a reference the caller drops with
 *	drm_gem_object_put()
 * @va: out: device VA of @offset in the client's context
 *
 * Return: 0; -ENOENT for an unknown handle; -EINVAL if [@offset, @offset +
 * @len) is empty or not inside the BO.
 */
int seed_bo_lookup_range(struct seed_file *sf, u32 handle, u64 offset, u64 len,
			 struct drm_gem_object **obj, u64 *va)
{
	struct drm_gem_object *o;
	u64 start;
	int ret;

	o = drm_gem_object_lookup(sf->file, handle);
	if (!o)
		return -ENOENT;

	if (!len || offset > o->size || len > o->size - offset) {
		ret = -EINVAL;
		goto err_put;
	}

	ret = seed_bo_va(o, sf->ctx, &start);
	if (ret)
		goto err_put;

	*obj = o;
	*va = start + offset;
	return 0;

err_put:
	drm_gem_object_put(o);
	return ret;
}
ALLOW_ERROR_INJECTION(seed_bo_lookup_range, ERRNO);

/* Imports a dma-buf of another device as a host BO mapped by its sg table. */
static struct drm_gem_object *seed_gem_import_foreign(struct drm_device *drm,
						      struct dma_buf *dma_buf)
{
	struct dma_buf_attachment *attach;
	struct drm_gem_object *obj;
	struct sg_table *sgt;
	int ret;

	attach = dma_buf_attach(dma_buf, drm->dev);
	if (IS_ERR(attach))
		return ERR_CAST(attach);
	get_dma_buf(dma_buf);

	sgt = dma_buf_map_attachment_unlocked(attach, DMA_BIDIRECTIONAL);
	if (IS_ERR(sgt)) {
		ret = PTR_ERR(sgt);
		goto err_detach;
	}

	obj = drm_gem_shmem_prime_import_sg_table(drm, attach, sgt);
	if (IS_ERR(obj)) {
		ret = PTR_ERR(obj);
		goto err_unmap;
	}
	/* From here on freeing the object releases the import. */
	obj->import_attach = attach;
	obj->resv = dma_buf->resv;

	if (obj->funcs != &seed_host_bo_funcs) {
		drm_gem_object_put(obj);
		return ERR_PTR(-EOPNOTSUPP);
	}
	seed_host_bo_track(to_seed_bo(obj), sgt);
	return obj;

err_unmap:
	dma_buf_unmap_attachment_unlocked(attach, sgt, DMA_BIDIRECTIONAL);
err_detach:
	dma_buf_detach(dma_buf, attach);
	dma_buf_put(dma_buf);
	return ERR_PTR(ret);
}

/**
 * seed_gem_prime_import() - &drm_driver.gem_prime_import
 * @drm: DRM device
 * @dma_buf: dma-buf to import
 *
 * A dma-buf exported by this device gives back its BO; any other one
 * becomes a host BO mapped by the sg table of its attachment.
 *
 * Return: a referenced GEM object or an ERR_PTR().
 */
struct drm_gem_object *seed_gem_prime_import(struct drm_device *drm, struct dma_buf *dma_buf)
{
	struct drm_gem_object *obj;

	/* Own BOs come back as they are; others need gem_prime_import_sg_table. */
	obj = drm_gem_prime_import(drm, dma_buf);
	if (!IS_ERR(obj) || PTR_ERR(obj) != -EINVAL || drm->driver->gem_prime_import_sg_table)
		return obj;

	return seed_gem_import_foreign(drm, dma_buf);
}

/**
 * seed_bo_ctx_va() - device VA of a BO in a client's context
 * @obj: a GEM object of seed.ko
 * @ctx: context of a file holding a handle to @obj
 * @va: out: the VA of the BO's first byte
 *
 * Return: 0, or -ENOENT if @obj is not mapped in @ctx.
 */
int seed_bo_ctx_va(struct drm_gem_object *obj, struct seed_ctx *ctx, u64 *va)
{
	return seed_bo_va(obj, ctx, va);
}

/* The pages of a host BO, or NULL (an import, or no pages any more). */
static struct page **seed_bo_host_pages(struct seed_bo *bo)
{
	if (bo->placement != DRM_SEED_BO_HOST || bo->base.base.import_attach)
		return NULL;
	return bo->pages ?: bo->base.pages;
}

/**
 * seed_gem_readable() - can seed_gem_read() copy the BO's contents?
 * @obj: a GEM object of seed.ko
 *
 * Return: true for host BOs made by seed.ko (shmem or userptr), false for
 * HBM BOs and imports.
 */
bool seed_gem_readable(struct drm_gem_object *obj)
{
	return seed_bo_host_pages(to_seed_bo(obj));
}

/**
 * seed_gem_read() - copy bytes of a host BO
 * @obj: a GEM object of seed.ko, with a reference held
 * @offset: first byte
 * @buf: destination
 * @len: bytes; [@offset, @offset + @len) must be inside the BO
 *
 * Host BOs keep their pages pinned for their whole life, so this takes no
 * lock and allocates nothing: it may run on the recovery path.
 *
 * Return: 0, or -EOPNOTSUPP for a BO whose pages the driver does not hold.
 */
int seed_gem_read(struct drm_gem_object *obj, u64 offset, void *buf, size_t len)
{
	struct page **pages = seed_bo_host_pages(to_seed_bo(obj));
	char *dst = buf;

	if (!pages)
		return -EOPNOTSUPP;
	if (offset > obj->size || len > obj->size - offset)
		return -EINVAL;
	while (len) {
		size_t in_page = offset & ~PAGE_MASK;
		size_t n = min_t(size_t, len, PAGE_SIZE - in_page);

		memcpy_from_page(dst, pages[offset >> PAGE_SHIFT], in_page, n);
		dst += n;
		offset += n;
		len -= n;
	}
	return 0;
}

/**
 * seed_gem_hbm_extent() - where a byte of an HBM BO lies in HBM
 * @obj: a GEM object of seed.ko, with a reference held
 * @offset: byte of the BO
 * @addr: out: its HBM address
 *
 * The BO's blocks do not change while it exists, so this takes no lock and
 * allocates nothing: it may run on the recovery path.
 *
 * Return: bytes from @offset that are contiguous in HBM (the rest of its
 * block), or 0 if @obj is not an HBM BO or @offset is outside it.
 */
u64 seed_gem_hbm_extent(struct drm_gem_object *obj, u64 offset, u64 *addr)
{
	struct seed_bo *bo = to_seed_bo(obj);
	struct seed_device *sdev = seed_bo_sdev(bo);
	struct gpu_buddy_block *block;
	u64 start = 0;

	if (bo->placement != DRM_SEED_BO_HBM || offset >= obj->size)
		return 0;
	list_for_each_entry(block, &bo->blocks, link) {
		u64 size = gpu_buddy_block_size(&sdev->mem.buddy, block);

		if (offset < start + size) {
			*addr = gpu_buddy_block_offset(block) + offset - start;
			return min(size - (offset - start), obj->size - offset);
		}
		start += size;
	}
	return 0;
}

/**
 * seed_gem_dump_describe() - what a coredump says about a BO
 * @obj: a GEM object of seed.ko
 * @placement: out: DRM_SEED_BO_HBM or DRM_SEED_BO_HOST
 * @flags: out: DRM_SEED_DUMP_BO_READ_ONLY, _IMPORTED, _USERPTR
 * @page_size: out: granule of its device mappings
 */
void seed_gem_dump_describe(struct drm_gem_object *obj, u32 *placement, u32 *flags,
			    u64 *page_size)
{
	struct seed_bo *bo = to_seed_bo(obj);

	*placement = bo->placement;
	*flags = 0;
	if (bo->flags & DRM_SEED_BO_DEVICE_READ_ONLY)
		*flags |= DRM_SEED_DUMP_BO_READ_ONLY;
	if (obj->import_attach)
		*flags |= DRM_SEED_DUMP_BO_IMPORTED;
	if (bo->pages)
		*flags |= DRM_SEED_DUMP_BO_USERPTR;
	*page_size = bo->placement == DRM_SEED_BO_HBM ? seed_bo_va_align(obj->size) :
			SEED_PAGE_SIZE;
}
