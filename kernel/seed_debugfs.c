// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * debugfs files in the DRM device's directory (/sys/kernel/debug/accel/<N>/),
 * readable and writable by root only. Not ABI.
 *
 * - events: event log position and event counters.
 * - regs: device, event log and per-queue registers, read from the device.
 * - queues: hardware queues in use (the kernel queue first): context,
 *   priority, software tail and fence, jobs in flight, state, and the
 *   completion record as the device last wrote it.
 * - contexts: live MMU contexts (0 is the kernel's).
 * - clients: open files with their memory and device time.
 * - reset: write 1 to reset the device through the recovery path, as a job
 *   timeout would (a trigger for testing recovery).
 */

#include <linux/debugfs.h>
#include <linux/kstrtox.h>
#include <linux/seq_file.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>

#include "seed_debugfs.h"
#include "seed_drv.h"
#include "seed_hw_reg_io.h"
#include "seed_hwq.h"
#include "seed_mmu.h"
#include "seed_pm.h"

static int seed_debugfs_events_show(struct seq_file *m, void *unused)
{
	struct seed_device *sdev = m->private;
	struct seed_events *ev = &sdev->events;

	seq_printf(m, "enabled:        %d\n", READ_ONCE(ev->enabled));
	seq_printf(m, "log_size:       %u\n", ev->log_size);
	seq_printf(m, "head:           %u\n", READ_ONCE(ev->head));
	seq_printf(m, "wptr:           %u\n", READ_ONCE(ev->status->evlog_wptr));
	seq_printf(m, "dropped:        %lld\n", (long long)atomic64_read(&ev->dropped));
	seq_printf(m, "dev_status:     0x%08x\n", READ_ONCE(ev->status->dev_status));
	seq_printf(m, "reset_count:    %u\n", READ_ONCE(ev->status->reset_count));
	seq_printf(m, "tlb_inv_done:   %u\n", READ_ONCE(ev->status->tlb_inv_done));
	seq_printf(m, "tlb_seq:        %u\n", READ_ONCE(ev->tlb_seq));
	seq_printf(m, "mmu_faults:     %lld\n", (long long)atomic64_read(&ev->mmu_faults));
	seq_printf(m, "queue_errors:   %lld\n", (long long)atomic64_read(&ev->queue_errors));
	seq_printf(m, "ecc_corrected:  %lld\n", (long long)atomic64_read(&ev->ecc_corrected));
	seq_printf(m, "ecc_uncorrected: %lld\n", (long long)atomic64_read(&ev->ecc_uncorrected));
	seq_printf(m, "fatal:          %lld\n", (long long)atomic64_read(&ev->fatal));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(seed_debugfs_events);

static int seed_debugfs_regs_show(struct seq_file *m, void *unused)
{
	struct seed_device *sdev = m->private;
	unsigned int q;
	int idx, ret;
	bool woken;

	if (!drm_dev_enter(&sdev->drm, &idx))
		return -ENODEV;
	ret = seed_pm_get_brief(sdev, &woken);
	if (ret) {
		drm_dev_exit(idx);
		return ret;
	}

	seq_printf(m, "DEV_STATUS     0x%08x\n", seed_rd32(sdev, SEED_REG_DEV_STATUS));
	seq_printf(m, "RESET_COUNT    %u\n", seed_rd32(sdev, SEED_REG_RESET_COUNT));
	seq_printf(m, "FATAL_CAUSE    %u\n", seed_rd32(sdev, SEED_REG_FATAL_CAUSE));
	seq_printf(m, "WATCHDOG_MS    %u\n", seed_rd32(sdev, SEED_REG_WATCHDOG_MS));
	seq_printf(m, "EVLOG_CTRL     0x%08x\n", seed_rd32(sdev, SEED_REG_EVLOG_CTRL));
	seq_printf(m, "EVLOG_WPTR     %u\n", seed_rd32(sdev, SEED_REG_EVLOG_WPTR));
	seq_printf(m, "EVLOG_DROPPED  %u\n", seed_rd32(sdev, SEED_REG_EVLOG_DROPPED));
	seq_printf(m, "TLB_INV_DONE   %u\n", seed_rd32(sdev, SEED_REG_TLB_INV_DONE));
	seq_puts(m, "queue state head tail error context\n");
	for (q = 0; q < sdev->hw.num_queues; q++) {
		u32 status = seed_rd32(sdev, SEED_REG_Q_STATUS(q));

		if (SEED_QUEUE_STATUS_STATE(status) == SEED_QUEUE_STATE_DISABLED)
			continue;
		seq_printf(m, "%5u %5u %u %u %u %u\n", q, SEED_QUEUE_STATUS_STATE(status),
			   seed_rd32(sdev, SEED_REG_Q_HEAD(q)), seed_rd32(sdev, SEED_REG_Q_TAIL(q)),
			   seed_rd32(sdev, SEED_REG_Q_ERROR(q)),
			   seed_rd32(sdev, SEED_REG_Q_CONTEXT(q)));
	}
	seed_pm_put_brief(sdev, woken);
	drm_dev_exit(idx);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(seed_debugfs_regs);

static void seed_debugfs_hwq(struct seq_file *m, const char *role, struct seed_hwq *hwq,
			     int nqueues)
{
	unsigned long flags;
	u64 seqno, cpl_fence = 0;
	u32 tail, ninflight, cpl_head = 0, cpl_status = 0, cpl_error = 0;
	bool stopped, dead;

	spin_lock_irqsave(&hwq->lock, flags);
	tail = hwq->tail;
	seqno = hwq->seqno;
	ninflight = hwq->ninflight;
	stopped = hwq->stopped;
	dead = hwq->dead;
	/* Released with the hardware at teardown. */
	if (hwq->cpl) {
		cpl_fence = READ_ONCE(hwq->cpl->fence);
		cpl_head = READ_ONCE(hwq->cpl->head);
		cpl_status = READ_ONCE(hwq->cpl->status);
		cpl_error = READ_ONCE(hwq->cpl->error);
	}
	spin_unlock_irqrestore(&hwq->lock, flags);

	seq_printf(m, "%-6s %3u %4u %7d %10u %10llu %8u %-7s %10llu %10u 0x%x %u\n", role,
		   hwq->id, hwq->priority, nqueues, tail, seqno, ninflight,
		   dead ? "dead" : stopped ? "stopped" : "running", cpl_fence, cpl_head,
		   cpl_status, cpl_error);
}

static int seed_debugfs_queues_show(struct seq_file *m, void *unused)
{
	struct seed_device *sdev = m->private;
	struct seed_exec *exec = &sdev->exec;
	u32 i;

	seq_puts(m, "role   hwq prio nqueues       tail      seqno inflight state   cpl.fence   cpl.head status error\n");
	mutex_lock(&exec->reset_lock);
	if (exec->kq)
		seed_debugfs_hwq(m, "kernel", exec->kq, 0);
	for (i = 0; i < exec->num_rings; i++)
		seed_debugfs_hwq(m, "user", exec->rings[i].hwq,
				 atomic_read(&exec->rings[i].nqueues));
	mutex_unlock(&exec->reset_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(seed_debugfs_queues);

static int seed_debugfs_contexts_show(struct seq_file *m, void *unused)
{
	struct seed_device *sdev = m->private;
	struct seed_mem *mem = &sdev->mem;
	struct seed_ctx *ctx;
	u32 id;

	/* Hardware ids and the tables bound to them, then the waiters. */
	seq_puts(m, "id user pins state\n");
	mutex_lock(&mem->bind_lock);
	for (id = 0; id < sdev->hw.num_contexts; id++) {
		ctx = mem->bound[id];
		if (ctx)
			seq_printf(m, "%2u %4d %4d bound\n", id, ctx->user,
				   atomic_read(&ctx->pins));
		else if (test_bit(id, mem->tainted))
			seq_printf(m, "%2u    -    - tainted\n", id);
	}
	seq_printf(m, "waiting: %s\n", READ_ONCE(mem->waiter) ? "yes" : "no");
	mutex_unlock(&mem->bind_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(seed_debugfs_contexts);

static int seed_debugfs_clients_show(struct seq_file *m, void *unused)
{
	struct seed_device *sdev = m->private;
	struct drm_file *file;

	seq_puts(m, "client hwctx queues  hbm_bytes host_bytes    busy_ns\n");
	mutex_lock(&sdev->drm.filelist_mutex);
	list_for_each_entry(file, &sdev->drm.filelist, lhead) {
		struct seed_file *sf = to_seed_file(file);

		if (!sf)
			continue;
		seq_printf(m, "%6llu %5u %6d %10lld %10lld %10lld\n", file->client_id,
			   sf->ctx ? seed_ctx_hw_id(sf->ctx) : 0,
			   atomic_read(&sf->exec.nqueues),
			   (long long)atomic64_read(&sf->mem.hbm_bytes),
			   (long long)atomic64_read(&sf->mem.host_bytes),
			   (long long)atomic64_read(&sf->exec.busy_ns));
	}
	mutex_unlock(&sdev->drm.filelist_mutex);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(seed_debugfs_clients);

static ssize_t seed_debugfs_reset_write(struct file *f, const char __user *buf, size_t len,
					loff_t *pos)
{
	struct seed_device *sdev = f->private_data;
	bool doit;
	int ret;

	ret = kstrtobool_from_user(buf, len, &doit);
	if (ret)
		return ret;
	if (!doit)
		return -EINVAL;
	ret = seed_exec_reset_device(sdev, "requested through debugfs");
	return ret ? ret : len;
}

static int seed_debugfs_coredump_stats_show(struct seq_file *m, void *unused)
{
	struct seed_device *sdev = m->private;

	seq_printf(m, "written %d\nskipped %d\n", atomic_read(&sdev->coredump.written),
		   atomic_read(&sdev->coredump.skipped_total));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(seed_debugfs_coredump_stats);

static const struct file_operations seed_debugfs_reset_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = seed_debugfs_reset_write,
};

/**
 * seed_debugfs_init() - create the debugfs files
 * @sdev: registered device
 *
 * debugfs is optional: failures are ignored, as debugfs expects. The files
 * go away with the DRM device's directory.
 */
void seed_debugfs_init(struct seed_device *sdev)
{
	struct dentry *root = sdev->drm.debugfs_root;

	if (IS_ERR_OR_NULL(root))
		return;
	debugfs_create_file("events", 0400, root, sdev, &seed_debugfs_events_fops);
	debugfs_create_file("regs", 0400, root, sdev, &seed_debugfs_regs_fops);
	debugfs_create_file("queues", 0400, root, sdev, &seed_debugfs_queues_fops);
	debugfs_create_file("contexts", 0400, root, sdev, &seed_debugfs_contexts_fops);
	debugfs_create_file("clients", 0400, root, sdev, &seed_debugfs_clients_fops);
	debugfs_create_file("reset", 0200, root, sdev, &seed_debugfs_reset_fops);
	debugfs_create_u32("coredump_delay_ms", 0600, root, &sdev->coredump.delay_ms);
	debugfs_create_file("coredump_stats", 0400, root, sdev,
			    &seed_debugfs_coredump_stats_fops);
}
