// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Device coredumps (docs/driver.md, "Device coredumps").
 *
 * When a queue is recovered from a job's failure (an MMU fault, an invalid
 * packet, an engine hang or WAIT timeout, the driver's job timeout) or the
 * device went FATAL, recovery fills in a snapshot under
 * &seed_exec.reset_lock: the reason, registers, the queue's ring and
 * completion record, the failing job with its command buffer, the BOs it
 * listed with their contents (up to SEED_COREDUMP_BO_BYTES each and
 * SEED_COREDUMP_TOTAL_BO_BYTES in all: host BOs from their pages, HBM BOs
 * through the device's HBM copy block) and the last device events.
 * Recovery signals fences, so nothing here sleeps to allocate or takes a
 * lock that is held while allocating: the snapshot was allocated at probe,
 * BO contents are copied into pages allocated with GFP_NOWAIT (what
 * cannot be had is left out and marked truncated), and the VAs of the
 * job's BOs were recorded when it was submitted.
 *
 * After recovery a work item first drops the snapshot's references to the
 * BOs, so that memory the job's owner frees after the failure is not held
 * while the dump is being built, then builds the dump into vmalloc'd
 * memory, hands it to dev_coredumpv() and releases the snapshot. One
 * snapshot per chip: a failure while it is in use is only
 * counted (&drm_seed_dump_info.skipped of the next dump). The devcoredump
 * core keeps one dump per device until it is read and freed, or for five
 * minutes, and would drop a dump made meanwhile: the work does not build
 * one then, and counts it as skipped too.
 */

#include <linux/devcoredump.h>
#include <linux/dma-mapping.h>
#include <linux/dma-fence.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/vmalloc.h>

#include <drm/drm_gem.h>
#include <drm/drm_managed.h>

#include "seed_coredump.h"
#include "seed_drv.h"
#include "seed_hw_reg_io.h"
#include "seed_hw.h"
#include "seed_hwq.h"

static bool seed_coredump_enabled = true;
module_param_named(coredump, seed_coredump_enabled, bool, 0644);
MODULE_PARM_DESC(coredump,
		 "Write a device coredump when a job fails on the chip or it goes FATAL (default on)");

/* Register blocks every dump holds. */
static const struct {
	const char *name;
	u32 offset;
	u32 count;
} seed_coredump_reg_blocks[] = {
	{ "identity", SEED_REG_MAGIC, (SEED_REG_MMU_INFO - SEED_REG_MAGIC) / 4 + 1 },
	{ "device", SEED_REG_DEV_STATUS, (SEED_REG_FATAL_CAUSE - SEED_REG_DEV_STATUS) / 4 + 1 },
	{ "event log", SEED_REG_EVLOG_BASE_LO,
	  (SEED_REG_EVLOG_DROPPED - SEED_REG_EVLOG_BASE_LO) / 4 + 1 },
	{ "tlb", SEED_REG_TLB_INV_VA_LO, (SEED_REG_TLB_INV_DONE - SEED_REG_TLB_INV_VA_LO) / 4 + 1 },
	{ "telemetry", SEED_REG_CLOCK_LO, (SEED_REG_POWER_LIMIT - SEED_REG_CLOCK_LO) / 4 + 1 },
};

/* Reads @count registers from @offset into the snapshot as one range. */
static void seed_coredump_regs(struct seed_device *sdev, struct seed_coredump_snap *snap,
			       const char *name, u32 offset, u32 count)
{
	struct drm_seed_dump_reg_range *r;
	u32 used = 0, i;

	for (i = 0; i < snap->nranges; i++)
		used += snap->ranges[i].count;
	if (snap->nranges >= SEED_COREDUMP_REG_RANGES || count > SEED_COREDUMP_REGS - used)
		return;

	r = &snap->ranges[snap->nranges++];
	strscpy_pad(r->name, name, sizeof(r->name));
	r->offset = offset;
	r->count = count;
	for (i = 0; i < count; i++)
		snap->regs[used + i] = __seed_rd32(sdev, offset + 4 * i, name);
}

/* The last event records the device wrote, oldest first. */
static void seed_coredump_events(struct seed_device *sdev, struct seed_coredump_snap *snap)
{
	struct seed_events *ev = &sdev->events;
	u32 wptr, n, i;

	snap->events.count = 0;
	snap->events.written = 0;
	if (!ev->log || !ev->status || !ev->log_size)
		return;
	wptr = READ_ONCE(ev->status->evlog_wptr);
	n = min3(wptr, (u32)SEED_COREDUMP_EVENTS, ev->log_size);
	for (i = 0; i < n; i++)
		memcpy(&snap->event[i], &ev->log[(wptr - n + i) & (ev->log_size - 1)],
		       sizeof(snap->event[i]));
	snap->events.count = n;
	snap->events.written = wptr;
}

/* Starts a snapshot: false if dumps are off or the snapshot is in use. */
static struct seed_coredump_snap *seed_coredump_begin(struct seed_device *sdev)
{
	struct seed_coredump *cd = &sdev->coredump;
	struct seed_coredump_snap *snap = cd->snap;

	lockdep_assert_held(&sdev->exec.reset_lock);

	if (!READ_ONCE(seed_coredump_enabled) || !snap)
		return NULL;
	if (test_and_set_bit(0, &cd->busy)) {
		atomic_inc(&cd->skipped);
		atomic_inc(&cd->skipped_total);
		return NULL;
	}

	snap->commit = false;
	snap->nranges = 0;
	snap->has_queue = false;
	snap->has_job = false;
	snap->cmd_obj = NULL;
	snap->nbos = 0;
	snap->bos_omitted = 0;
	memset(&snap->info, 0, sizeof(snap->info));
	memset(&snap->job, 0, sizeof(snap->job));
	return snap;
}

/* What every dump holds: identity, time, registers, events. */
static void seed_coredump_device(struct seed_device *sdev, struct seed_coredump_snap *snap,
				 u32 reason, u32 hw_error, const char *text)
{
	struct drm_seed_dump_info *info = &snap->info;
	u32 i;

	info->reason = reason;
	info->hw_error = hw_error;
	strscpy_pad(info->text, text, sizeof(info->text));
	memcpy(info->serial, sdev->hw.serial, min(sizeof(info->serial), sizeof(sdev->hw.serial)));
	info->serial[sizeof(info->serial) - 1] = '\0';
	memcpy(info->uuid, sdev->hw.uuid, sizeof(info->uuid));
	strscpy_pad(info->pci, pci_name(sdev->pdev), sizeof(info->pci));
	strscpy_pad(info->driver_version, DRIVER_VERSION, sizeof(info->driver_version));
	info->time_ns = ktime_get_real_ns();
	info->hw_revision = sdev->hw.hw_revision;
	info->fw_version = sdev->hw.fw_version;
	info->dev_status = seed_rd32(sdev, SEED_REG_DEV_STATUS);
	info->fatal_cause = seed_rd32(sdev, SEED_REG_FATAL_CAUSE);
	info->device_ns = seed_rd32(sdev, SEED_REG_CLOCK_LO);
	info->device_ns |= (u64)seed_rd32(sdev, SEED_REG_CLOCK_HI) << 32;
	info->reset_count = atomic_read(&sdev->exec.reset_count);
	info->skipped = atomic_xchg(&sdev->coredump.skipped, 0);

	for (i = 0; i < ARRAY_SIZE(seed_coredump_reg_blocks); i++)
		seed_coredump_regs(sdev, snap, seed_coredump_reg_blocks[i].name,
				   seed_coredump_reg_blocks[i].offset,
				   seed_coredump_reg_blocks[i].count);
	seed_coredump_events(sdev, snap);
}

/**
 * seed_coredump_add_bo() - add a BO of the failing job to a snapshot
 * @snap: snapshot being filled in
 * @obj: the BO; a reference is taken, dropped when the dump work starts
 * @handle: its handle in the submitting file
 * @va: its device VA in the job's context
 * @flags: DRM_SEED_DUMP_BO_CMD, DRM_SEED_DUMP_BO_WRITE
 *
 * A BO added twice is listed once, with the flags of both.
 */
void seed_coredump_add_bo(struct seed_coredump_snap *snap, struct drm_gem_object *obj,
			  u32 handle, u64 va, u32 flags)
{
	u32 i;

	for (i = 0; i < snap->nbos; i++) {
		if (snap->bos[i].obj == obj) {
			snap->bos[i].flags |= flags;
			return;
		}
	}
	if (snap->nbos >= SEED_COREDUMP_BOS) {
		snap->bos_omitted++;
		return;
	}
	drm_gem_object_get(obj);
	snap->bos[snap->nbos].obj = obj;
	snap->bos[snap->nbos].handle = handle;
	snap->bos[snap->nbos].flags = flags;
	snap->bos[snap->nbos].va = va;
	snap->nbos++;
}

/* The queue, its ring, and the job of @hf with its command buffer. */
static void seed_coredump_queue(struct seed_hwq *hwq, struct seed_coredump_snap *snap,
				struct seed_hw_fence *hf)
{
	struct drm_seed_dump_queue *q = &snap->queue;
	struct drm_seed_dump_job *job = &snap->job;
	u64 len;

	lockdep_assert_held(&hwq->lock);

	q->index = hwq->id;
	q->ring_entries = SEED_HWQ_RING_ENTRIES;
	q->ring_base = hwq->ring_dma;
	q->tail = hwq->tail;
	q->context = hwq->ctx;
	q->priority = hwq->priority;
	memcpy(q->cpl, hwq->cpl, sizeof(q->cpl));
	q->head = ((struct seed_cpl_record *)q->cpl)->head;
	BUILD_BUG_ON(SEED_HWQ_RING_ENTRIES != SEED_COREDUMP_RING_ENTRIES);
	memcpy(snap->ring, hwq->ring, sizeof(snap->ring));
	snap->has_queue = true;

	if (!hf)
		return;
	job->fence = hf->base.seqno;
	job->ring_index = hf->ring_index;
	memcpy(job->packet, &hf->pkt, sizeof(job->packet));
	if (hf->job)
		seed_job_coredump(hf->job, snap);
	snap->has_job = true;

	if (!snap->cmd_obj)
		return;
	len = min_t(u64, (u64)job->cmd_count * SEED_PKT_SIZE, sizeof(snap->cmd));
	if (len < (u64)job->cmd_count * SEED_PKT_SIZE)
		job->flags |= DRM_SEED_DUMP_JOB_CMD_TRUNCATED;
	if (seed_gem_read(snap->cmd_obj, snap->cmd_offset, snap->cmd, len))
		job->flags |= DRM_SEED_DUMP_JOB_CMD_NO_BYTES;
	else
		job->cmd_bytes = len;
}

/* The register blocks of hardware queue @q and of the job's context. */
static void seed_coredump_queue_regs(struct seed_device *sdev, struct seed_coredump_snap *snap,
				     u32 q)
{
	char name[DRM_SEED_DUMP_NAME_LEN];

	snprintf(name, sizeof(name), "queue %u", q);
	seed_coredump_regs(sdev, snap, name, SEED_REG_QUEUE(q), SEED_QUEUE_BLOCK_STRIDE / 4);
	if (snap->has_job && snap->job.hw_context < SEED_MAX_CONTEXTS) {
		snprintf(name, sizeof(name), "context %u", snap->job.hw_context);
		seed_coredump_regs(sdev, snap, name, SEED_REG_CTX(snap->job.hw_context),
				   SEED_CTX_BLOCK_STRIDE / 4);
	}
}

static u32 seed_coredump_reason(u32 hw_error)
{
	if (seed_hw_err_is_invalid_packet(hw_error))
		return DRM_SEED_DUMP_REASON_INVALID_PACKET;
	switch (hw_error) {
	case SEED_ERR_MMU_FAULT:
		return DRM_SEED_DUMP_REASON_MMU_FAULT;
	case SEED_ERR_HANG:
		return DRM_SEED_DUMP_REASON_HANG;
	case SEED_ERR_WAIT_TIMEOUT:
		return DRM_SEED_DUMP_REASON_WAIT_TIMEOUT;
	case SEED_ERR_FATAL:
		return DRM_SEED_DUMP_REASON_FATAL;
	default:
		return DRM_SEED_DUMP_REASON_QUEUE_ERROR;
	}
}

static const char *seed_coredump_reason_text(u32 reason)
{
	switch (reason) {
	case DRM_SEED_DUMP_REASON_MMU_FAULT:
		return "MMU fault";
	case DRM_SEED_DUMP_REASON_INVALID_PACKET:
		return "invalid packet";
	case DRM_SEED_DUMP_REASON_HANG:
		return "engine hang";
	case DRM_SEED_DUMP_REASON_WAIT_TIMEOUT:
		return "WAIT timeout";
	case DRM_SEED_DUMP_REASON_JOB_TIMEOUT:
		return "job timeout";
	case DRM_SEED_DUMP_REASON_FATAL:
		return "device FATAL";
	default:
		return "queue error";
	}
}

/* Frees the pages holding BO contents. */
static void seed_coredump_free_data(struct seed_coredump_snap *snap)
{
	while (snap->ndata)
		__free_page(snap->data[--snap->ndata]);
}

/*
 * Copies @n bytes of HBM BO @obj from @offset into @page with the device's
 * HBM copy block (docs/hardware.md §6.1): no queue is involved, so this
 * works while the queue is stopped on the error and while the chip is
 * FATAL. Returns the bytes copied (fewer before a poisoned page) or an
 * error.
 */
static long seed_coredump_read_hbm(struct seed_device *sdev, struct drm_gem_object *obj,
				   u64 offset, struct page *page, size_t n)
{
	struct device *dev = &sdev->pdev->dev;
	dma_addr_t dma;
	u64 addr;
	long got;

	/* Blocks are whole pages: a page of the BO is contiguous in HBM. */
	if (seed_gem_hbm_extent(obj, offset, &addr) < n)
		return -EFAULT;
	dma = dma_map_page(dev, page, 0, n, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, dma))
		return -ENOMEM;
	got = seed_hw_hbm_read(sdev, addr, dma, n);
	dma_unmap_page(dev, dma, n, DMA_FROM_DEVICE);
	return got;
}

/*
 * Copies up to @len bytes of @b's contents into pages allocated without
 * sleeping (recovery signals fences: no reclaim), as far as they can be
 * had; sets @b->bytes to what was copied. Host BOs are read from their
 * pinned pages, HBM BOs by the device.
 */
static void seed_coredump_copy_bo(struct seed_device *sdev, struct seed_coredump_snap *snap,
				  struct seed_coredump_bo *b, u64 len)
{
	bool hbm = b->placement == DRM_SEED_BO_HBM;

	b->first_page = snap->ndata;
	b->bytes = 0;
	while (b->bytes < len && snap->ndata < SEED_COREDUMP_DATA_PAGES) {
		size_t n = min_t(u64, len - b->bytes, PAGE_SIZE);
		struct page *page = alloc_page(GFP_NOWAIT | __GFP_NOWARN);
		long got = n;

		if (!page)
			return;
		if (hbm) {
			got = seed_coredump_read_hbm(sdev, b->obj, b->bytes, page, n);
		} else {
			void *dst = kmap_local_page(page);

			if (seed_gem_read(b->obj, b->bytes, dst, n))
				got = -EFAULT;
			kunmap_local(dst);
		}
		if (got <= 0) {
			__free_page(page);
			return;
		}
		snap->data[snap->ndata++] = page;
		b->bytes += got;
		if (got < n)
			return; /* a poisoned HBM page: its contents are lost */
	}
}

/* Whether the contents of the job's HBM BOs can be copied now. */
static bool seed_coredump_hbm_readable(struct seed_device *sdev)
{
	struct seed_exec *exec = &sdev->exec;

	return (sdev->hw.caps & SEED_CAP_HBM_COPY) && !READ_ONCE(exec->lost) &&
	       !READ_ONCE(exec->unplugged) && !READ_ONCE(exec->bus_resetting);
}

/*
 * The command buffer of a job whose command BO is in HBM could not be read
 * when the queue was recorded; its bytes are among the BO's contents now.
 */
static void seed_coredump_cmd_from_bo(struct seed_coredump_snap *snap)
{
	struct drm_seed_dump_job *job = &snap->job;
	struct seed_coredump_bo *b;
	u64 len, off, done;

	if (!(job->flags & DRM_SEED_DUMP_JOB_CMD_NO_BYTES) || job->cmd_bo >= snap->nbos)
		return;
	b = &snap->bos[job->cmd_bo];
	len = min_t(u64, (u64)job->cmd_count * SEED_PKT_SIZE, sizeof(snap->cmd));
	if (snap->cmd_offset > b->bytes || len > b->bytes - snap->cmd_offset)
		return;
	for (done = 0; done < len; done += off) {
		u64 at = snap->cmd_offset + done;

		off = min_t(u64, len - done, PAGE_SIZE - offset_in_page(at));
		memcpy_from_page(snap->cmd + done, snap->data[b->first_page + at / PAGE_SIZE],
				 offset_in_page(at), off);
	}
	job->cmd_bytes = len;
	job->flags &= ~DRM_SEED_DUMP_JOB_CMD_NO_BYTES;
}

/*
 * Describes the job's BOs and copies their contents (up to
 * SEED_COREDUMP_BO_BYTES each, SEED_COREDUMP_TOTAL_BO_BYTES in all) while
 * the snapshot holds references to them, so that the dump work needs none:
 * seed_coredump_finish() drops them as soon as recovery is done, and a BO
 * its owner frees after the job failed is gone at once.
 */
static void seed_coredump_take_bos(struct seed_device *sdev, struct seed_coredump_snap *snap)
{
	bool hbm_readable = seed_coredump_hbm_readable(sdev);
	u64 budget = SEED_COREDUMP_TOTAL_BO_BYTES;
	u32 i, flags;

	snap->job.cmd_bo = ~0u;
	for (i = 0; i < snap->nbos; i++) {
		struct seed_coredump_bo *b = &snap->bos[i];
		u64 len = 0;

		if (b->obj == snap->cmd_obj)
			snap->job.cmd_bo = i;
		seed_gem_dump_describe(b->obj, &b->placement, &flags, &b->page_size);
		b->flags |= flags;
		b->size = b->obj->size;
		if (b->placement == DRM_SEED_BO_HBM)
			b->readable = hbm_readable;
		else
			b->readable = seed_gem_readable(b->obj);
		if (b->readable)
			len = min3(b->size, (u64)SEED_COREDUMP_BO_BYTES, budget);
		seed_coredump_copy_bo(sdev, snap, b, len);
		budget -= b->bytes;
	}
	if (snap->has_job)
		seed_coredump_cmd_from_bo(snap);
}

/**
 * seed_coredump_capture_hwq() - snapshot a queue about to be recovered
 * @hwq: queue, not dead
 * @hint: fence of a packet that timed out, or NULL
 *
 * Records the packet the queue stopped on with an error, or else the one
 * of @hint if it still runs; nothing if neither (a cancelled packet is
 * stopped: no failure). Caller holds &seed_exec.reset_lock and calls
 * seed_coredump_finish_hwq() after the recovery if this returned true.
 *
 * Return: true if a snapshot was taken.
 */
bool seed_coredump_capture_hwq(struct seed_hwq *hwq, struct dma_fence *hint)
{
	struct seed_device *sdev = hwq->sdev;
	struct seed_coredump_snap *snap;
	struct seed_hw_fence *hf, *guilty = NULL;
	u32 status, error = 0, reason;

	lockdep_assert_held(&sdev->exec.reset_lock);

	if (!READ_ONCE(seed_coredump_enabled) || !hwq->cpl || !hwq->ring)
		return false;

	status = READ_ONCE(hwq->cpl->status);
	if (status & SEED_CPL_STATUS_ERROR) {
		error = READ_ONCE(hwq->cpl->error);
		reason = seed_coredump_reason(error);
	} else if (hint) {
		if (dma_fence_is_signaled(hint))
			return false;
		reason = DRM_SEED_DUMP_REASON_JOB_TIMEOUT;
	} else {
		return false;
	}

	snap = seed_coredump_begin(sdev);
	if (!snap)
		return false;
	seed_coredump_device(sdev, snap, reason, error, seed_coredump_reason_text(reason));

	spin_lock_irq(&hwq->lock);
	if (status & SEED_CPL_STATUS_ERROR) {
		u32 index = READ_ONCE(hwq->cpl->error_index);

		list_for_each_entry(hf, &hwq->inflight, link) {
			if (hf->emitted && hf->ring_index == index) {
				guilty = hf;
				break;
			}
		}
	} else {
		hf = to_seed_hw_fence(hint);
		if (!list_empty(&hf->link) && hf->emitted)
			guilty = hf;
	}
	seed_coredump_queue(hwq, snap, guilty);
	spin_unlock_irq(&hwq->lock);

	seed_coredump_queue_regs(sdev, snap, hwq->id);
	seed_coredump_take_bos(sdev, snap);
	return true;
}

/**
 * seed_coredump_capture_fatal() - snapshot a FATAL device before its reset
 * @sdev: device
 *
 * Records the device and the first hardware queue that stopped with the
 * error FATAL, with the packet it ran. Caller holds &seed_exec.reset_lock
 * and calls seed_coredump_finish() after the reset if this returned true.
 *
 * Return: true if a snapshot was taken.
 */
bool seed_coredump_capture_fatal(struct seed_device *sdev)
{
	struct seed_exec *exec = &sdev->exec;
	struct seed_coredump_snap *snap;
	struct seed_hw_fence *hf, *guilty;
	struct seed_hwq *hwq;
	u32 i;

	lockdep_assert_held(&exec->reset_lock);

	if (exec->lost || exec->unplugged || exec->bus_resetting)
		return false;
	snap = seed_coredump_begin(sdev);
	if (!snap)
		return false;
	seed_coredump_device(sdev, snap, DRM_SEED_DUMP_REASON_FATAL, SEED_ERR_FATAL,
			     seed_coredump_reason_text(DRM_SEED_DUMP_REASON_FATAL));

	for (i = 0; i < SEED_EXEC_NUM_HWQ(exec); i++) {
		hwq = seed_exec_hwq(exec, i);
		if (!hwq || hwq->dead || !hwq->cpl || !hwq->ring)
			continue;
		spin_lock_irq(&hwq->lock);
		hf = list_first_entry_or_null(&hwq->inflight, struct seed_hw_fence, link);
		guilty = hf && hf->emitted ? hf : NULL;
		if (guilty)
			seed_coredump_queue(hwq, snap, guilty);
		spin_unlock_irq(&hwq->lock);
		if (guilty) {
			seed_coredump_queue_regs(sdev, snap, hwq->id);
			break;
		}
	}
	seed_coredump_take_bos(sdev, snap);
	return true;
}

/**
 * seed_coredump_finish() - write the dump of a snapshot, or drop it
 * @sdev: device
 * @commit: write it (the failure was real); else only release it
 *
 * The dump is built by a work item, which first drops the snapshot's
 * references to the job's BOs (their contents were copied at capture).
 * Any context that may queue work; called under &seed_exec.reset_lock,
 * so that removal, which takes it before it waits for the work, sees the
 * work queued.
 */
void seed_coredump_finish(struct seed_device *sdev, bool commit)
{
	struct seed_coredump *cd = &sdev->coredump;

	cd->snap->commit = commit;
	queue_work(system_unbound_wq, &cd->work);
}

/**
 * seed_coredump_finish_hwq() - after the recovery of a queue
 * @sdev: device
 * @hint: the @hint given to seed_coredump_capture_hwq()
 *
 * A job timeout is only dumped if the packet did fail: it may have retired
 * before it could be stopped.
 */
void seed_coredump_finish_hwq(struct seed_device *sdev, struct dma_fence *hint)
{
	bool commit = true;

	if (sdev->coredump.snap->info.reason == DRM_SEED_DUMP_REASON_JOB_TIMEOUT)
		commit = dma_fence_get_status(hint) < 0;
	seed_coredump_finish(sdev, commit);
}

/* Sections a dump has at most: one of each type. */
#define SEED_COREDUMP_MAX_SECTIONS	6

struct seed_coredump_writer {
	u8 *buf;
	u64 pos;
	struct drm_seed_dump_section *table;
	u32 nsections;
};

static void *seed_coredump_put(struct seed_coredump_writer *w, const void *src, u64 len)
{
	void *dst = w->buf + w->pos;

	if (src)
		memcpy(dst, src, len);
	w->pos += ALIGN(len, 8);
	return dst;
}

static void seed_coredump_section(struct seed_coredump_writer *w, u32 type, u64 start)
{
	struct drm_seed_dump_section *s = &w->table[w->nsections++];

	s->type = type;
	s->flags = 0;
	s->offset = start;
	s->size = w->pos - start;
}

static void seed_coredump_write_regs(struct seed_coredump_writer *w,
				     struct seed_coredump_snap *snap)
{
	struct drm_seed_dump_regs regs = { .count = snap->nranges };
	u64 start = w->pos;
	u32 i, first = 0;

	seed_coredump_put(w, &regs, sizeof(regs));
	for (i = 0; i < snap->nranges; i++) {
		seed_coredump_put(w, &snap->ranges[i], sizeof(snap->ranges[i]));
		seed_coredump_put(w, &snap->regs[first], snap->ranges[i].count * 4);
		first += snap->ranges[i].count;
	}
	seed_coredump_section(w, DRM_SEED_DUMP_SECTION_REGS, start);
}

static void seed_coredump_write_job(struct seed_coredump_writer *w,
				    struct seed_coredump_snap *snap)
{
	u64 start = w->pos;

	seed_coredump_put(w, &snap->job, sizeof(snap->job));
	seed_coredump_put(w, snap->cmd, snap->job.cmd_bytes);
	seed_coredump_section(w, DRM_SEED_DUMP_SECTION_JOB, start);
}

static void seed_coredump_write_bos(struct seed_coredump_writer *w,
				    struct seed_coredump_snap *snap)
{
	struct drm_seed_dump_bos bos = { .count = snap->nbos, .omitted = snap->bos_omitted };
	u64 start = w->pos, off;
	u32 i, page;

	seed_coredump_put(w, &bos, sizeof(bos));
	for (i = 0; i < snap->nbos; i++) {
		struct seed_coredump_bo *b = &snap->bos[i];
		struct drm_seed_dump_bo *d = seed_coredump_put(w, NULL, sizeof(*d));

		d->placement = b->placement;
		d->page_size = b->page_size;
		d->handle = b->handle;
		d->flags = b->flags;
		d->prot = DRM_SEED_DUMP_PROT_READ;
		if (!(b->flags & DRM_SEED_DUMP_BO_READ_ONLY))
			d->prot |= DRM_SEED_DUMP_PROT_WRITE;
		d->va = b->va;
		d->size = b->size;
		d->data_size = b->bytes;
		if (d->data_size < d->size && b->readable)
			d->flags |= DRM_SEED_DUMP_BO_TRUNCATED;
		for (off = 0, page = b->first_page; off < b->bytes; off += PAGE_SIZE, page++)
			memcpy_from_page(w->buf + w->pos + off, snap->data[page], 0,
					 min_t(u64, b->bytes - off, PAGE_SIZE));
		w->pos += ALIGN(d->data_size, 8);
	}
	seed_coredump_section(w, DRM_SEED_DUMP_SECTION_BOS, start);
}

/* Bytes of the dump of @snap. */
static u64 seed_coredump_size(struct seed_coredump_snap *snap)
{
	u64 size;
	u32 i, nregs = 0;

	for (i = 0; i < snap->nranges; i++)
		nregs += snap->ranges[i].count;
	size = sizeof(struct drm_seed_dump_header) +
	       SEED_COREDUMP_MAX_SECTIONS * sizeof(struct drm_seed_dump_section) +
	       sizeof(snap->info) +
	       sizeof(struct drm_seed_dump_regs) +
	       snap->nranges * (sizeof(struct drm_seed_dump_reg_range) + 4) + nregs * 4 +
	       sizeof(snap->queue) + sizeof(snap->ring) +
	       sizeof(snap->job) + ALIGN(snap->job.cmd_bytes, 8) +
	       sizeof(struct drm_seed_dump_bos) +
	       sizeof(snap->events) + snap->events.count * sizeof(struct seed_event);
	for (i = 0; i < snap->nbos; i++)
		size += sizeof(struct drm_seed_dump_bo) + ALIGN(snap->bos[i].bytes, 8);
	return size;
}

/*
 * The devcoredump core keeps one dump per device until it is read and
 * freed (or for five minutes) and drops the ones made meanwhile; it links
 * the pending one into the device's sysfs directory. Looked up from the
 * dump work, not on the recovery path (kernfs locks are held while
 * allocating).
 */
static bool seed_coredump_pending(struct seed_device *sdev)
{
	struct kernfs_node *kn = sysfs_get_dirent(sdev->drm.dev->kobj.sd, "devcoredump");

	if (!kn)
		return false;
	sysfs_put(kn);
	return true;
}

static void seed_coredump_work(struct work_struct *work)
{
	struct seed_device *sdev = container_of(work, struct seed_device, coredump.work);
	struct seed_coredump *cd = &sdev->coredump;
	struct seed_coredump_snap *snap = cd->snap;
	struct seed_coredump_writer w = {};
	struct drm_seed_dump_header *hdr;
	u32 delay = READ_ONCE(cd->delay_ms);
	u64 size, start;
	u32 i;

	/* Not needed any more: buffers their owner frees go at once. */
	for (i = 0; i < snap->nbos; i++) {
		drm_gem_object_put(snap->bos[i].obj);
		snap->bos[i].obj = NULL;
	}
	snap->cmd_obj = NULL;
	if (!snap->commit)
		goto release;
	if (delay)
		msleep(min(delay, SEED_COREDUMP_MAX_DELAY_MS));
	if (seed_coredump_pending(sdev)) {
		/* It would be dropped: count it, and those it counted, instead. */
		atomic_add(snap->info.skipped + 1, &cd->skipped);
		atomic_inc(&cd->skipped_total);
		goto release;
	}

	size = seed_coredump_size(snap);
	w.buf = vzalloc(size);
	if (!w.buf) {
		seed_warn(sdev, "no memory for a coredump of %llu bytes\n", size);
		goto release;
	}

	hdr = seed_coredump_put(&w, NULL, sizeof(*hdr));
	w.table = seed_coredump_put(&w, NULL, SEED_COREDUMP_MAX_SECTIONS *
				    sizeof(struct drm_seed_dump_section));

	start = w.pos;
	seed_coredump_put(&w, &snap->info, sizeof(snap->info));
	seed_coredump_section(&w, DRM_SEED_DUMP_SECTION_INFO, start);

	seed_coredump_write_regs(&w, snap);

	if (snap->has_queue) {
		start = w.pos;
		seed_coredump_put(&w, &snap->queue, sizeof(snap->queue));
		seed_coredump_put(&w, snap->ring, sizeof(snap->ring));
		seed_coredump_section(&w, DRM_SEED_DUMP_SECTION_QUEUE, start);
	}
	if (snap->has_job) {
		seed_coredump_write_job(&w, snap);
		seed_coredump_write_bos(&w, snap);
	}

	start = w.pos;
	seed_coredump_put(&w, &snap->events, sizeof(snap->events));
	seed_coredump_put(&w, snap->event, snap->events.count * sizeof(struct seed_event));
	seed_coredump_section(&w, DRM_SEED_DUMP_SECTION_EVENTS, start);

	/* Unused entries of the section table stay zero: type 0 is none. */
	hdr->magic = DRM_SEED_DUMP_MAGIC;
	hdr->version = DRM_SEED_DUMP_VERSION;
	hdr->total_size = w.pos;
	hdr->header_size = sizeof(*hdr);
	hdr->section_count = w.nsections;
	WARN_ON_ONCE(w.pos > size);

	/* Userspace can cause this at will: rate limited. */
	dev_info_ratelimited(sdev->drm.dev, "coredump written (%s, %llu bytes)\n",
			     snap->info.text, w.pos);
	atomic_inc(&cd->written);
	/* Takes the buffer, also when it drops the dump (one is pending). */
	dev_coredumpv(sdev->drm.dev, w.buf, w.pos, GFP_KERNEL);

release:
	seed_coredump_free_data(snap);
	snap->nbos = 0;
	clear_bit_unlock(0, &cd->busy);
}

static void seed_coredump_release(struct drm_device *drm, void *data)
{
	kvfree(data);
}

/**
 * seed_coredump_init() - allocate the snapshot buffer
 * @sdev: device
 *
 * Without memory for it the chip works, without coredumps.
 *
 * Return: 0 or a negative error code.
 */
int seed_coredump_init(struct seed_device *sdev)
{
	struct seed_coredump *cd = &sdev->coredump;
	struct seed_coredump_snap *snap;
	int ret;

	INIT_WORK(&cd->work, seed_coredump_work);
	atomic_set(&cd->skipped, 0);
	atomic_set(&cd->skipped_total, 0);
	atomic_set(&cd->written, 0);
	snap = kvzalloc(sizeof(*snap), GFP_KERNEL);
	if (!snap) {
		seed_warn(sdev, "no memory for coredumps\n");
		return 0;
	}
	ret = drmm_add_action_or_reset(&sdev->drm, seed_coredump_release, snap);
	if (ret)
		return ret;
	cd->snap = snap;
	return 0;
}

/**
 * seed_coredump_fini() - wait for a dump being written
 * @sdev: device being removed, with recovery stopped
 *
 * The pending dump is written (it needs no hardware), so a failure just
 * before an unbind still leaves its dump.
 */
void seed_coredump_fini(struct seed_device *sdev)
{
	flush_work(&sdev->coredump.work);
}
