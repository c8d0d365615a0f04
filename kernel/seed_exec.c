// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Execution subsystem setup and the kernel queue.
 *
 * Hardware queue q interrupts on MSI-X vector 1 + q. When fewer vectors were
 * allocated than the device has queues, only the queues with a vector of
 * their own are used. The last usable queue is the kernel queue, which runs
 * in MMU context 0 (all of HBM at VA = HBM address) and clears memory for
 * the memory code (seed_kq_fill()); the others serve user queues.
 */

#include <linux/dma-fence.h>
#include <linux/pci.h>
#include <linux/workqueue.h>

#include <drm/drm_managed.h>

#include <uapi/drm/seed_accel.h>

#include "seed_drv.h"
#include "seed_hw_reg_io.h"
#include "seed_hwq.h"
#include "seed_reset.h"

static void seed_exec_release_wq(struct drm_device *drm, void *wq)
{
	destroy_workqueue(wq);
}

/**
 * seed_exec_init() - set up queues and recovery
 * @sdev: device with interrupts, events and memory set up
 *
 * Return: 0 or a negative error code.
 */
int seed_exec_init(struct seed_device *sdev)
{
	struct seed_exec *exec = &sdev->exec;
	struct seed_hwq *kq;
	u32 n;
	int ret;

	mutex_init(&exec->lock);
	mutex_init(&exec->kq_lock);
	mutex_init(&exec->reset_lock);
	atomic_set(&exec->reset_count, 0);
	exec->lost = false;
	seed_exec_reset_init(sdev);

	/* Outlives the device's removal: scheduler timeouts run on it. */
	exec->wq = alloc_ordered_workqueue("seed-exec-%s", WQ_MEM_RECLAIM,
					   pci_name(sdev->pdev));
	if (!exec->wq)
		return -ENOMEM;
	ret = drmm_add_action_or_reset(&sdev->drm, seed_exec_release_wq, exec->wq);
	if (ret)
		return ret;

	n = min_t(u32, sdev->hw.num_queues, SEED_MAX_QUEUES);
	if (sdev->irq.nvecs < SEED_MSIX_VEC_QUEUE(n)) {
		n = sdev->irq.nvecs > 1 ? sdev->irq.nvecs - 1 : 0;
		seed_warn(sdev, "%u MSI-X vectors: using %u of %u queues\n",
			  sdev->irq.nvecs, n, sdev->hw.num_queues);
	}
	exec->num_hwq = n;
	if (!n) {
		seed_err(sdev, "no queue has an interrupt vector: no execution\n");
		return 0;
	}

	mutex_lock(&exec->reset_lock);
	kq = seed_hwq_create(sdev, n - 1, 0, SEED_PRIORITY_MAX);
	if (!IS_ERR(kq)) {
		exec->kq = kq;
		set_bit(n - 1, exec->hwq_used);
	}
	mutex_unlock(&exec->reset_lock);
	if (IS_ERR(kq))
		return PTR_ERR(kq);

	seed_dbg(sdev, INIT, "%u hardware queues, kernel queue %u\n", n, n - 1);
	return 0;
}

/**
 * seed_exec_fini() - stop all execution (device removal)
 * @sdev: device
 *
 * Resets every hardware queue (unless the device stopped responding), fails
 * whatever was in flight with DRM_SEED_JOB_DEVICE_LOST and frees the queue
 * interrupts. User queues keep their (dead) hardware queue until their file
 * is closed; jobs submitted to them fail.
 */
void seed_exec_fini(struct seed_device *sdev)
{
	struct seed_exec *exec = &sdev->exec;
	struct seed_hwq *hwq;
	bool alive;
	int i;

	cancel_work_sync(&exec->reset_work);

	mutex_lock(&exec->reset_lock);
	alive = !exec->lost &&
		!(seed_rd32(sdev, SEED_REG_DEV_STATUS) & SEED_DEV_STATUS_RESERVED);
	WRITE_ONCE(exec->lost, true);
	for (i = 0; i <= SEED_MAX_QUEUES; i++) {
		hwq = i < SEED_MAX_QUEUES ? exec->hwq[i] : exec->kq;
		if (!hwq)
			continue;
		if (alive && !hwq->dead) {
			seed_hwq_stop(hwq);
			seed_hwq_reset(hwq);
		}
		seed_hwq_kill(hwq, -ENODEV, DRM_SEED_JOB_DEVICE_LOST);
	}
	mutex_unlock(&exec->reset_lock);

	if (exec->kq) {
		seed_hwq_destroy(exec->kq);
		exec->kq = NULL;
	}
}

/* Runs one packet on the kernel queue and waits for it. */
static int seed_kq_run(struct seed_device *sdev, const struct seed_pkt_raw *pkt)
{
	struct seed_exec *exec = &sdev->exec;
	struct seed_hw_fence *hf;
	struct dma_fence *fence;
	long left;
	int ret;

	lockdep_assert_held(&exec->kq_lock);

	if (!exec->kq || READ_ONCE(exec->lost))
		return -ENODEV;

	hf = seed_hw_fence_alloc();
	if (!hf)
		return -ENOMEM;
	fence = seed_hwq_push(exec->kq, hf, pkt, NULL);
	if (IS_ERR(fence)) {
		kfree(hf);
		return PTR_ERR(fence);
	}

	left = dma_fence_wait_timeout(fence, false, msecs_to_jiffies(seed_job_timeout_ms));
	if (!left) {
		seed_err(sdev, "kernel queue: packet timed out\n");
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
	return ret;
}
