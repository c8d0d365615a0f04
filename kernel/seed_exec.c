// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Execution subsystem: the hardware queues the driver runs, their setup at
 * probe and teardown at remove, and the kernel queue.
 *
 * Hardware queue q interrupts on MSI-X vector 1 + q; only queues with a
 * vector of their own are used. The last usable queue is the kernel queue,
 * which runs in MMU context 0 (all of HBM at VA = HBM address) and clears
 * memory for the memory code (seed_kq_fill()). The first ones are the user
 * rings: rings_per_priority of them for each of the four priorities, each
 * fed by a DRM scheduler whose entities are user queues (seed_job.c). A
 * ring's own packets run in context 0; each job is an INDIRECT naming the
 * context its client is bound to (docs/hardware.md §10.10, §17.10), so the
 * jobs of any number of clients share the rings.
 *
 * Lifetime: rings and the kernel queue are created at probe. At remove
 * their hardware is stopped and what the device could reach is freed
 * (seed_exec_fini(), seed_exec_release_hw()); the structures, with the
 * schedulers whose entities may still belong to open files, live until the
 * DRM device is released.
 */

#include <linux/dma-fence.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <linux/error-injection.h>

#include <drm/drm_managed.h>

#include <uapi/drm/seed_accel.h>

#include "seed_drv.h"
#include "seed_hw_reg_io.h"
#include "seed_hwq.h"
#include "seed_pm.h"
#include "seed_reset.h"

static unsigned int seed_rings_per_priority = 4;
module_param_named(rings_per_priority, seed_rings_per_priority, uint, 0444);
MODULE_PARM_DESC(rings_per_priority,
		 "Hardware queues carrying user jobs, per priority (1 .. 15, default 4)");

/* How long the last close waits for cancelled jobs still waiting on others. */
#define SEED_EXEC_RELEASE_WAIT_MS	60000

/**
 * seed_exec_job_done() - a job pushed to a scheduler was freed
 * @sdev: device
 */
void seed_exec_job_done(struct seed_device *sdev)
{
	if (atomic_dec_and_test(&sdev->exec.live_jobs))
		wake_up_all(&sdev->exec.jobs_wq);
}

static void seed_exec_release(struct drm_device *drm, void *data)
{
	struct seed_device *sdev = data;
	struct seed_exec *exec = &sdev->exec;
	u32 i;

	/*
	 * Every file is closed, but a cancelled job frees itself only once
	 * the fences it depended on (maybe another driver's) have signalled,
	 * through its scheduler: the schedulers stay until then.
	 */
	if (!wait_event_timeout(exec->jobs_wq, !atomic_read(&exec->live_jobs),
				msecs_to_jiffies(SEED_EXEC_RELEASE_WAIT_MS))) {
		seed_err(sdev, "%d jobs still wait for their dependencies: rings kept\n",
			 atomic_read(&exec->live_jobs));
		return;
	}

	for (i = 0; i < exec->num_rings; i++) {
		drm_sched_fini(&exec->rings[i].sched);
		seed_hwq_destroy(exec->rings[i].hwq);
	}
	exec->num_rings = 0;
	kfree(exec->rings);
	exec->rings = NULL;
	if (exec->kq)
		seed_hwq_destroy(exec->kq);
	exec->kq = NULL;
}

static void seed_exec_release_wq(struct drm_device *drm, void *wq)
{
	destroy_workqueue(wq);
}

/**
 * seed_exec_early_init() - locks and the recovery workqueue
 * @sdev: device, before its interrupts and event log are set up
 *
 * From here on seed_exec_schedule_reset() may be called (a FATAL event);
 * the reset itself waits until probe is done.
 *
 * Return: 0 or a negative error code.
 */
int seed_exec_early_init(struct seed_device *sdev)
{
	struct seed_exec *exec = &sdev->exec;
	int ret;

	mutex_init(&exec->lock);
	mutex_init(&exec->kq_lock);
	mutex_init(&exec->reset_lock);
	atomic_set(&exec->reset_count, 0);
	atomic_set(&exec->live_jobs, 0);
	init_waitqueue_head(&exec->jobs_wq);
	seed_exec_reset_init(sdev);

	exec->wq = alloc_ordered_workqueue("seed-exec-%s", WQ_MEM_RECLAIM,
					   pci_name(sdev->pdev));
	if (!exec->wq)
		return -ENOMEM;
	ret = drmm_add_action_or_reset(&sdev->drm, seed_exec_release_wq, exec->wq);
	if (ret)
		return ret;
	/* Registered after the workqueue's: runs before it is destroyed. */
	return drmm_add_action_or_reset(&sdev->drm, seed_exec_release, sdev);
}

static noinline int seed_exec_ring_init(struct seed_device *sdev, struct seed_ring *ring,
					u32 id, u32 priority)
{
	struct seed_exec *exec = &sdev->exec;
	struct drm_sched_init_args args = {
		.ops = &seed_sched_ops,
		.timeout_wq = exec->wq,
		.num_rqs = DRM_SCHED_PRIORITY_COUNT,
		.credit_limit = SEED_HWQ_RING_ENTRIES,
		/* Timeouts are the hardware queue's watchdog (seed_reset.c). */
		.timeout = MAX_SCHEDULE_TIMEOUT,
		.dev = sdev->drm.dev,
	};
	struct seed_hwq *hwq;
	int ret;

	hwq = seed_hwq_create(sdev, id, 0, priority);
	if (IS_ERR(hwq))
		return PTR_ERR(hwq);

	args.name = hwq->name;
	ret = drm_sched_init(&ring->sched, &args);
	if (ret) {
		seed_err(sdev, "cannot create the scheduler of ring %u: %d\n", id, ret);
		mutex_lock(&exec->reset_lock);
		seed_hwq_stop(hwq);
		if (seed_hwq_reset(hwq))
			seed_warn(sdev, "ring %u did not reset\n", id);
		seed_hwq_kill(hwq, -ENODEV, DRM_SEED_JOB_DEVICE_LOST);
		mutex_unlock(&exec->reset_lock);
		seed_hwq_destroy(hwq);
		return ret;
	}
	ring->hwq = hwq;
	ring->priority = priority;
	atomic_set(&ring->nqueues, 0);
	mutex_init(&ring->entity_lock);
	return 0;
}
ALLOW_ERROR_INJECTION(seed_exec_ring_init, ERRNO);

/**
 * seed_exec_init() - create the kernel queue and the user rings
 * @sdev: device with interrupts, events and memory set up
 *
 * On failure, what was created is stopped by seed_exec_fini() and freed with
 * the DRM device, as after a successful probe.
 *
 * Return: 0 or a negative error code.
 */
int seed_exec_init(struct seed_device *sdev)
{
	struct seed_exec *exec = &sdev->exec;
	struct seed_hwq *kq;
	u32 n, rpp, i;
	int ret;

	n = min_t(u32, sdev->hw.num_queues, SEED_MAX_QUEUES);
	if (sdev->irq.nvecs < SEED_MSIX_VEC_QUEUE(n)) {
		n = sdev->irq.nvecs > 1 ? sdev->irq.nvecs - 1 : 0;
		seed_warn(sdev, "%u MSI-X vectors: using %u of %u queues\n",
			  sdev->irq.nvecs, n, sdev->hw.num_queues);
	}
	if (n < 1 + SEED_NUM_PRIORITIES) {
		seed_err(sdev, "%u usable queues, need %u: no execution\n", n,
			 1 + SEED_NUM_PRIORITIES);
		return -ENODEV;
	}

	rpp = clamp_t(u32, seed_rings_per_priority, 1, (n - 1) / SEED_NUM_PRIORITIES);
	if (rpp != seed_rings_per_priority)
		seed_warn(sdev, "rings_per_priority=%u not possible, using %u\n",
			  seed_rings_per_priority, rpp);

	/*
	 * Freed by seed_exec_release(), not by a managed action: those run in
	 * reverse order, and this one would run before the release that
	 * still needs the rings' schedulers.
	 */
	exec->rings = kcalloc(rpp * SEED_NUM_PRIORITIES, sizeof(*exec->rings), GFP_KERNEL);
	if (!exec->rings)
		return -ENOMEM;
	exec->rings_per_prio = rpp;

	/* Published under reset_lock, for recovery and teardown to see. */
	kq = seed_hwq_create(sdev, n - 1, 0, SEED_PRIORITY_MAX);
	if (IS_ERR(kq))
		return PTR_ERR(kq);
	mutex_lock(&exec->reset_lock);
	exec->kq = kq;
	mutex_unlock(&exec->reset_lock);

	for (i = 0; i < rpp * SEED_NUM_PRIORITIES; i++) {
		ret = seed_exec_ring_init(sdev, &exec->rings[i], i, i / rpp);
		if (ret)
			return ret;
		mutex_lock(&exec->reset_lock);
		exec->num_rings = i + 1;
		mutex_unlock(&exec->reset_lock);
	}

	seed_dbg(sdev, INIT, "%u user rings (%u per priority), kernel queue %u\n",
		 exec->num_rings, rpp, n - 1);
	return 0;
}
ALLOW_ERROR_INJECTION(seed_exec_init, ERRNO);

/**
 * seed_exec_start() - the device is registered: recovery may run
 * @sdev: device
 */
void seed_exec_start(struct seed_device *sdev)
{
	seed_exec_run_deferred_reset(sdev);
}

/**
 * seed_exec_fini() - stop the device (remove, or a failed probe)
 * @sdev: device, unplugged: no new ioctl reaches the hardware
 *
 * Teardown steps 1 to 3 of §17.9, then bus mastering off: the queues are
 * stopped and the device reset, so no queue or engine touches memory, the
 * event log is disabled, and the device can make no DMA at all afterwards,
 * whatever state it is in. Every packet still in flight fails with
 * DRM_SEED_JOB_DEVICE_LOST, later ones when they are pushed. Then waiters
 * that need the device to be quiet (TLB invalidations of closing files) are
 * released: memory may be freed from now on.
 */
void seed_exec_fini(struct seed_device *sdev)
{
	struct seed_exec *exec = &sdev->exec;
	struct seed_hwq *hwq;
	bool cookie;
	u32 i;

	mutex_lock(&exec->reset_lock);
	WRITE_ONCE(exec->unplugged, true);
	mutex_unlock(&exec->reset_lock);
	/* Recovery that started before finds the device unplugged and stops. */
	cancel_work_sync(&exec->reset_work);

	mutex_lock(&exec->reset_lock);
	cookie = dma_fence_begin_signalling();
	for (i = 0; i < SEED_EXEC_NUM_HWQ(exec); i++) {
		hwq = seed_exec_hwq(exec, i);
		if (hwq)
			seed_hwq_stop(hwq);
	}
	seed_events_fini(sdev);
	pci_clear_master(sdev->pdev);
	for (i = 0; i < SEED_EXEC_NUM_HWQ(exec); i++) {
		hwq = seed_exec_hwq(exec, i);
		if (hwq)
			seed_hwq_kill(hwq, -ENODEV, DRM_SEED_JOB_DEVICE_LOST);
	}
	dma_fence_end_signalling(cookie);
	mutex_unlock(&exec->reset_lock);

	complete_all(&sdev->quiesced);
}

/**
 * seed_exec_release_hw() - free what the stopped device could reach
 * @sdev: device, after seed_exec_fini()
 *
 * Frees the queues' interrupts, rings and completion records.
 */
void seed_exec_release_hw(struct seed_device *sdev)
{
	struct seed_exec *exec = &sdev->exec;
	u32 i;

	for (i = 0; i < exec->num_rings; i++)
		seed_hwq_release_hw(exec->rings[i].hwq);
	if (exec->kq)
		seed_hwq_release_hw(exec->kq);
	cancel_work_sync(&exec->uevent_work);
}

/* Runs one packet on the kernel queue and waits for it. */
static int seed_kq_run(struct seed_device *sdev, const struct seed_pkt_raw *pkt)
{
	struct seed_exec *exec = &sdev->exec;
	struct seed_hw_fence *hf;
	struct dma_fence *fence;
	unsigned int timeout_ms;
	long left;
	int ret;

	lockdep_assert_held(&exec->kq_lock);

	if (!exec->kq || READ_ONCE(exec->lost))
		return -ENODEV;

	hf = seed_hw_fence_alloc();
	if (!hf)
		return -ENOMEM;
	fence = seed_hwq_push(exec->kq, hf, pkt, NULL, NULL);
	if (IS_ERR(fence)) {
		kfree(hf);
		return PTR_ERR(fence);
	}

	/*
	 * The queue's watchdog fails the packet after the job timeout; this
	 * wait is only a backstop should recovery itself be stuck.
	 */
	timeout_ms = 3 * READ_ONCE(seed_job_timeout_ms);
	left = dma_fence_wait_timeout(fence, false, msecs_to_jiffies(timeout_ms));
	if (!left) {
		seed_err(sdev, "kernel queue: packet not finished after %u ms\n", timeout_ms);
		seed_exec_recover_hwq(exec->kq, fence, "kernel queue timeout");
	}

	if (!dma_fence_is_signaled(fence))
		ret = -ETIMEDOUT;
	else
		ret = fence->error;
	dma_fence_put(fence);
	return ret;
}

/**
 * seed_kq_fill() - fill device memory through the kernel queue
 * @sdev: device
 * @va: start, a VA of context 0 (= HBM address)
 * @size: bytes
 * @pattern: 8-byte pattern, little endian. If @va or @size is not a multiple
 *	of 8, all 8 bytes must be equal (the fill then goes byte by byte).
 *
 * Synchronous; sleeps. Must not be called with &seed_mem.lock held, as a
 * timeout escalates to a device reset, which re-programs the contexts.
 *
 * Return: 0, -EINVAL for an unusable pattern, -ENODEV without a kernel queue,
 * -ETIMEDOUT, or the error of the FILL packet.
 */
int seed_kq_fill(struct seed_device *sdev, u64 va, u64 size, u64 pattern)
{
	struct seed_exec *exec = &sdev->exec;
	struct seed_pkt_raw raw = {};
	struct seed_pkt_fill *fill = (struct seed_pkt_fill *)&raw;
	u32 pattern_bytes = 8;
	int ret = 0;

	BUILD_BUG_ON(sizeof(*fill) != sizeof(raw));

	if (!IS_ALIGNED(va, 8) || !IS_ALIGNED(size, 8)) {
		if (pattern != (pattern & 0xff) * 0x0101010101010101ull)
			return -EINVAL;
		pattern_bytes = 1;
	}

	ret = seed_pm_get(sdev);
	if (ret)
		return ret;
	mutex_lock(&exec->kq_lock);
	while (size && !ret) {
		u64 chunk = min_t(u64, size, SEED_FILL_MAX_SIZE);

		fill->hdr.opcode = SEED_OP_FILL;
		fill->hdr.flags = 0;
		fill->dst = va;
		fill->size = chunk;
		fill->pattern = pattern;
		fill->pattern_bytes = pattern_bytes;
		ret = seed_kq_run(sdev, &raw);
		va += chunk;
		size -= chunk;
	}
	mutex_unlock(&exec->kq_lock);
	seed_pm_put(sdev);
	return ret;
}
