// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Hardware queues (docs/hardware.md §9, §17.4, §17.5, §17.7).
 *
 * Each packet written to a ring carries FENCE | IRQ and a fence number that
 * increases per queue; a &struct seed_hw_fence stands for it. The interrupt
 * handler of vector 1 + q reads only the completion record in host memory:
 * every fence at or below record.fence is signalled. An ERROR record stops
 * the queue; the handler marks it stopped and queues its error work, which
 * resets the queue (§17.7), fails the guilty packet and writes the others
 * into the ring again. Packets submitted while a queue is stopped wait on
 * &seed_hwq.inflight and are written when it restarts.
 *
 * Locking: &seed_hwq.lock (a spinlock, taken in hard interrupt context)
 * protects the software state, the ring and the doorbell. Resets, enables
 * and teardown run under &seed_exec.reset_lock (see seed_reset.c), which
 * also guarantees that no register is touched once a queue is dead.
 */

#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/ktime.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/error-injection.h>

#include <uapi/drm/seed_accel.h>

#include "seed_drv.h"
#include "seed_hw_reg_io.h"
#include "seed_hwq.h"
#include "seed_reset.h"
#include "seed_trace.h"

static const char *seed_hw_fence_driver_name(struct dma_fence *f)
{
	return DRIVER_NAME;
}

static const char *seed_hw_fence_timeline_name(struct dma_fence *f)
{
	return "seed-hwq";
}

static const struct dma_fence_ops seed_hw_fence_ops = {
	.get_driver_name = seed_hw_fence_driver_name,
	.get_timeline_name = seed_hw_fence_timeline_name,
};

/**
 * seed_hw_fence_alloc() - allocate a fence for seed_hwq_push()
 *
 * Allocated ahead of time so that pushing a packet, on the fence signalling
 * path of the scheduler, does not allocate memory. Free an unused one with
 * kfree().
 *
 * Return: the fence, or NULL.
 */
struct seed_hw_fence *seed_hw_fence_alloc(void)
{
	return kzalloc(sizeof(struct seed_hw_fence), GFP_KERNEL);
}
ALLOW_ERROR_INJECTION(seed_hw_fence_alloc, NULL);

static void seed_hwq_doorbell_locked(struct seed_hwq *hwq)
{
	lockdep_assert_held(&hwq->lock);
	/* writel() orders the ring stores before the doorbell (§12.1). */
	seed_wr32(hwq->sdev, SEED_REG_Q_DOORBELL(hwq->id), hwq->tail);
}

static void seed_hwq_emit_locked(struct seed_hwq *hwq, struct seed_hw_fence *hf)
{
	struct seed_pkt_raw *slot = &hwq->ring[hwq->tail & (SEED_HWQ_RING_ENTRIES - 1)];

	memcpy(slot, &hf->pkt, sizeof(*slot));
	hf->ring_index = hwq->tail;
	hf->emitted = true;
	hf->emit_ns = ktime_get_ns();
	hwq->tail++;
}

/* When the packet started: it was written, or the one before it retired. */
static u64 seed_hw_fence_start_locked(struct seed_hwq *hwq, struct seed_hw_fence *hf)
{
	return max(hf->emit_ns, hwq->last_done_ns);
}

static void seed_hwq_account_locked(struct seed_hwq *hwq, struct seed_hw_fence *hf, u64 now)
{
	u64 start = seed_hw_fence_start_locked(hwq, hf);

	if (hf->busy_ns && hf->emitted && now > start)
		atomic64_add(now - start, hf->busy_ns);
	hwq->last_done_ns = now;
}

/* Takes the list's reference. */
static void seed_hwq_signal_locked(struct seed_hwq *hwq, struct seed_hw_fence *hf, int err)
{
	lockdep_assert_held(&hwq->lock);
	if (err)
		dma_fence_set_error(&hf->base, err);
	list_del_init(&hf->link);
	hwq->ninflight--;
	dma_fence_signal(&hf->base);
	dma_fence_put(&hf->base);
}

static void seed_hwq_fail_locked(struct seed_hwq *hwq, struct seed_hw_fence *hf,
				 const struct seed_job_outcome *o, int err)
{
	if (hf->outcome)
		*hf->outcome = *o;
	seed_hwq_account_locked(hwq, hf, ktime_get_ns());
	seed_hwq_signal_locked(hwq, hf, err);
}

/* Signals every fence the completion record reports as retired. */
static u32 seed_hwq_process_locked(struct seed_hwq *hwq)
{
	struct seed_hw_fence *hf, *tmp;
	u64 fence, now, dev_ns;
	u32 status;

	fence = READ_ONCE(hwq->cpl->fence);
	/* §9.4: head/status and the error fields are at least as new. */
	dma_rmb();
	status = READ_ONCE(hwq->cpl->status);
	dev_ns = READ_ONCE(hwq->cpl->timestamp);

	now = ktime_get_ns();
	list_for_each_entry_safe(hf, tmp, &hwq->inflight, link) {
		if (hf->base.seqno > fence)
			break;
		/* The record is this packet's only if it retired last. */
		if (hf->base.seqno == fence)
			hf->dev_ns = dev_ns;
		seed_hwq_account_locked(hwq, hf, now);
		seed_hwq_signal_locked(hwq, hf, 0);
	}
	return status;
}

static struct seed_hw_fence *seed_hwq_cancelled_head_locked(struct seed_hwq *hwq);

/* Queues the recovery work, once, if the queue needs it. */
static void seed_hwq_kick_locked(struct seed_hwq *hwq)
{
	lockdep_assert_held(&hwq->lock);
	if (hwq->dead || hwq->error_pending)
		return;
	if (!seed_hwq_cancelled_head_locked(hwq))
		return;
	hwq->error_pending = true;
	queue_work(hwq->sdev->exec.wq, &hwq->error_work);
}

static irqreturn_t seed_hwq_irq(int irq, void *arg)
{
	struct seed_hwq *hwq = arg;
	struct seed_device *sdev = hwq->sdev;
	u32 status;

	atomic64_inc(&sdev->irq.count);

	spin_lock(&hwq->lock);
	status = seed_hwq_process_locked(hwq);
	if ((status & SEED_CPL_STATUS_ERROR) && !hwq->stopped && !hwq->dead &&
	    !hwq->error_pending) {
		hwq->stopped = true;
		hwq->error_pending = true;
		queue_work(sdev->exec.wq, &hwq->error_work);
	} else {
		/* The packet running now belongs to a client that went away. */
		seed_hwq_kick_locked(hwq);
	}
	spin_unlock(&hwq->lock);

	wake_up_all(&hwq->wq);
	return IRQ_HANDLED;
}

static void seed_hwq_error_work(struct work_struct *work)
{
	struct seed_hwq *hwq = container_of(work, struct seed_hwq, error_work);

	seed_exec_recover_hwq(hwq, NULL, "queue reset failed");
}

/*
 * §17.4 step 2-3: the queue must be DISABLED (fresh, or after a queue or
 * device reset). The completion record is cleared first so that nothing
 * stale (an old ERROR) is seen until the enable record arrives.
 */
static void seed_hwq_enable_locked(struct seed_hwq *hwq)
{
	struct seed_device *sdev = hwq->sdev;
	u32 q = hwq->id;

	lockdep_assert_held(&hwq->lock);
	memset(hwq->cpl, 0, sizeof(*hwq->cpl));
	hwq->tail = 0;

	seed_wr32(sdev, SEED_REG_Q_RING_BASE_LO(q), lower_32_bits(hwq->ring_dma));
	seed_wr32(sdev, SEED_REG_Q_RING_BASE_HI(q), upper_32_bits(hwq->ring_dma));
	seed_wr32(sdev, SEED_REG_Q_RING_SIZE(q), SEED_HWQ_RING_ENTRIES);
	seed_wr32(sdev, SEED_REG_Q_CONTEXT(q), hwq->ctx);
	seed_wr32(sdev, SEED_REG_Q_CPL_ADDR_LO(q), lower_32_bits(hwq->cpl_dma));
	seed_wr32(sdev, SEED_REG_Q_CPL_ADDR_HI(q), upper_32_bits(hwq->cpl_dma));
	seed_wr32(sdev, SEED_REG_Q_PRIORITY(q), hwq->priority);
	seed_wr32(sdev, SEED_REG_Q_IRQ_HOLDOFF(q), 0);
	seed_wr32(sdev, SEED_REG_Q_CTRL(q), SEED_QUEUE_CTRL_ENABLE | SEED_QUEUE_CTRL_IRQ_EN);
}

/**
 * seed_hwq_create() - allocate, program and enable a hardware queue
 * @sdev: device
 * @id: hardware queue number; its vector 1 + @id must exist
 * @ctx: MMU context the queue runs in
 * @priority: PRIORITY register value, 0 .. SEED_PRIORITY_MAX
 *
 * The queue must be DISABLED (true after the device reset of probe). Not
 * visible to recovery until the caller publishes it under
 * &seed_exec.reset_lock.
 *
 * Return: the queue or an ERR_PTR().
 */
struct seed_hwq *seed_hwq_create(struct seed_device *sdev, u32 id, u32 ctx, u32 priority)
{
	struct device *dev = sdev->drm.dev;
	struct seed_hwq *hwq;
	int ret;

	hwq = kzalloc(sizeof(*hwq), GFP_KERNEL);
	if (!hwq)
		return ERR_PTR(-ENOMEM);

	hwq->sdev = sdev;
	hwq->id = id;
	hwq->ctx = ctx;
	hwq->priority = priority;
	hwq->irq = -1;
	hwq->fence_ctx = dma_fence_context_alloc(1);
	spin_lock_init(&hwq->lock);
	INIT_LIST_HEAD(&hwq->inflight);
	init_waitqueue_head(&hwq->wq);
	INIT_WORK(&hwq->error_work, seed_hwq_error_work);
	INIT_DELAYED_WORK(&hwq->watchdog, seed_hwq_watchdog_work);
	snprintf(hwq->name, sizeof(hwq->name), "%s-q%u@%s", DRIVER_NAME, id,
		 pci_name(sdev->pdev));

	/* Coherent allocations are page aligned: SEED_RING_ALIGN, SEED_CPL_ALIGN. */
	hwq->ring = dma_alloc_coherent(dev, SEED_HWQ_RING_ENTRIES * SEED_PKT_SIZE,
				       &hwq->ring_dma, GFP_KERNEL);
	if (!hwq->ring) {
		ret = -ENOMEM;
		goto err_free;
	}
	hwq->cpl = dma_alloc_coherent(dev, sizeof(*hwq->cpl), &hwq->cpl_dma, GFP_KERNEL);
	if (!hwq->cpl) {
		ret = -ENOMEM;
		goto err_ring;
	}

	ret = pci_irq_vector(sdev->pdev, SEED_MSIX_VEC_QUEUE(id));
	if (ret < 0)
		goto err_cpl;
	ret = request_irq(ret, seed_hwq_irq, 0, hwq->name, hwq);
	if (ret) {
		seed_err(sdev, "cannot request the IRQ of queue %u: %d\n", id, ret);
		goto err_cpl;
	}
	hwq->irq = pci_irq_vector(sdev->pdev, SEED_MSIX_VEC_QUEUE(id));

	spin_lock_irq(&hwq->lock);
	seed_hwq_enable_locked(hwq);
	spin_unlock_irq(&hwq->lock);

	seed_dbg(sdev, JOB, "hw queue %u enabled, context %u, priority %u\n", id, ctx, priority);
	return hwq;

err_cpl:
	dma_free_coherent(dev, sizeof(*hwq->cpl), hwq->cpl, hwq->cpl_dma);
err_ring:
	dma_free_coherent(dev, SEED_HWQ_RING_ENTRIES * SEED_PKT_SIZE, hwq->ring, hwq->ring_dma);
err_free:
	kfree(hwq);
	return ERR_PTR(ret);
}

/**
 * seed_hwq_kill() - stop using a hardware queue for good
 * @hwq: queue, already reset (or on a device that reaches no memory)
 * @err: error for the fences still in flight
 * @job_error: DRM_SEED_JOB_* for them
 *
 * Fails every packet in flight and every one pushed later. No register of
 * the queue is written afterwards. Caller holds &seed_exec.reset_lock.
 */
void seed_hwq_kill(struct seed_hwq *hwq, int err, u32 job_error)
{
	lockdep_assert_held(&hwq->sdev->exec.reset_lock);

	spin_lock_irq(&hwq->lock);
	hwq->dead = true;
	hwq->stopped = true;
	spin_unlock_irq(&hwq->lock);

	seed_hwq_fail_all(hwq, err, job_error);
	/* Pending error work finds the queue dead and returns. */
}

/**
 * seed_hwq_release_hw() - free what the device could reach
 * @hwq: queue, killed by seed_hwq_kill() on a device that no longer runs it
 *	(reset, or bus mastering off)
 *
 * Frees the interrupt, the ring and the completion record. The structure
 * stays until seed_hwq_destroy(): users may still push packets, which fail.
 * Must not be called with &seed_exec.reset_lock held: waits for the queue's
 * recovery work, which takes it.
 */
void seed_hwq_release_hw(struct seed_hwq *hwq)
{
	struct device *dev = hwq->sdev->drm.dev;

	if (hwq->irq >= 0) {
		free_irq(hwq->irq, hwq);
		hwq->irq = -1;
	}
	cancel_work_sync(&hwq->error_work);
	cancel_delayed_work_sync(&hwq->watchdog);
	if (hwq->cpl)
		dma_free_coherent(dev, sizeof(*hwq->cpl), hwq->cpl, hwq->cpl_dma);
	if (hwq->ring)
		dma_free_coherent(dev, SEED_HWQ_RING_ENTRIES * SEED_PKT_SIZE, hwq->ring,
				  hwq->ring_dma);
	hwq->cpl = NULL;
	hwq->ring = NULL;
}

/**
 * seed_hwq_destroy() - free a hardware queue
 * @hwq: queue, killed by seed_hwq_kill()
 *
 * Must not be called with &seed_exec.reset_lock held (see
 * seed_hwq_release_hw()).
 */
void seed_hwq_destroy(struct seed_hwq *hwq)
{
	seed_hwq_release_hw(hwq);
	kfree(hwq);
}

/**
 * seed_hwq_push() - run one packet on a hardware queue
 * @hwq: queue
 * @hf: fence from seed_hw_fence_alloc(); on error the caller still owns it
 * @pkt: packet; its header gets FENCE | IRQ and the fence number
 * @outcome: filled in if the packet fails, may be NULL
 * @busy_ns: client busy time to add the packet's run time to, may be NULL
 *
 * Never sleeps and allocates nothing. If the queue is stopped, the packet
 * waits and is written when the queue restarts.
 *
 * Return: a reference to the fence signalled when the packet retired or
 * failed, or ERR_PTR(-ENODEV) if the queue is dead, ERR_PTR(-EBUSY) if the
 * ring is full.
 */
struct dma_fence *seed_hwq_push(struct seed_hwq *hwq, struct seed_hw_fence *hf,
				const struct seed_pkt_raw *pkt,
				struct seed_job_outcome *outcome, atomic64_t *busy_ns)
{
	unsigned long flags;

	spin_lock_irqsave(&hwq->lock, flags);
	if (hwq->dead) {
		spin_unlock_irqrestore(&hwq->lock, flags);
		return ERR_PTR(-ENODEV);
	}
	if (hwq->failing) {
		spin_unlock_irqrestore(&hwq->lock, flags);
		return ERR_PTR(-EIO);
	}
	if (hwq->ninflight >= SEED_HWQ_RING_ENTRIES) {
		spin_unlock_irqrestore(&hwq->lock, flags);
		return ERR_PTR(-EBUSY);
	}

	spin_lock_init(&hf->lock);
	dma_fence_init(&hf->base, &seed_hw_fence_ops, &hf->lock, hwq->fence_ctx, ++hwq->seqno);
	hf->pkt = *pkt;
	hf->pkt.hdr.flags |= SEED_PKT_F_FENCE | SEED_PKT_F_IRQ;
	hf->pkt.hdr.fence = hwq->seqno;
	hf->outcome = outcome;
	hf->busy_ns = busy_ns;

	/* One reference for the list, one for the caller. */
	dma_fence_get(&hf->base);
	list_add_tail(&hf->link, &hwq->inflight);
	if (!hwq->ninflight++)
		seed_hwq_watch(hwq);

	if (!hwq->stopped) {
		seed_hwq_emit_locked(hwq, hf);
		seed_hwq_doorbell_locked(hwq);
	}
	spin_unlock_irqrestore(&hwq->lock, flags);

	return &hf->base;
}

/* SEED_ERR_* of a completion record to what JOB_STATUS reports. */
static int seed_hwq_outcome(const struct seed_cpl_record *rec, struct seed_job_outcome *o)
{
	memset(o, 0, sizeof(*o));
	o->hw_error = rec->error;

	if (seed_hw_err_is_invalid_packet(rec->error)) {
		o->error = DRM_SEED_JOB_INVALID_PACKET;
		o->fault_addr = rec->fault_addr;
		o->packet_offset = rec->error_offset;
		o->packet_level = rec->error_level;
		o->packet_opcode = rec->error_opcode;
		return -EINVAL;
	}

	switch (rec->error) {
	case SEED_ERR_MMU_FAULT:
		o->error = DRM_SEED_JOB_MMU_FAULT;
		o->fault_addr = rec->fault_addr;
		o->fault_info = rec->fault_info;
		o->packet_offset = rec->error_offset;
		o->packet_level = rec->error_level;
		o->packet_opcode = rec->error_opcode;
		return -EFAULT;
	case SEED_ERR_ECC:
		o->error = DRM_SEED_JOB_ECC;
		o->fault_addr = rec->fault_addr;
		return -EIO;
	case SEED_ERR_HANG:
	case SEED_ERR_WAIT_TIMEOUT:
		o->error = DRM_SEED_JOB_TIMEOUT;
		return -ETIMEDOUT;
	case SEED_ERR_FATAL:
		o->error = DRM_SEED_JOB_RESET;
		return -EIO;
	default:
		o->error = DRM_SEED_JOB_HW_ERROR;
		return -EIO;
	}
}

/**
 * seed_hwq_fail_all() - fail every packet in flight
 * @hwq: queue, stopped or dead
 * @err: error of the fences
 * @job_error: DRM_SEED_JOB_* for JOB_STATUS
 */
void seed_hwq_fail_all(struct seed_hwq *hwq, int err, u32 job_error)
{
	struct seed_job_outcome o = { .error = job_error };
	struct seed_hw_fence *hf, *tmp;

	spin_lock_irq(&hwq->lock);
	list_for_each_entry_safe(hf, tmp, &hwq->inflight, link)
		seed_hwq_fail_locked(hwq, hf, &o, err);
	hwq->guilty = NULL;
	spin_unlock_irq(&hwq->lock);
}

/**
 * seed_hwq_fail_until_restart() - fail every packet until the queue restarts
 * @hwq: stopped queue
 *
 * For a reset no fence may wait for (a bus reset): the packets in flight
 * fail now with DRM_SEED_JOB_RESET, packets pushed until seed_hwq_restart()
 * fail at once. Caller holds &seed_exec.reset_lock.
 */
void seed_hwq_fail_until_restart(struct seed_hwq *hwq)
{
	lockdep_assert_held(&hwq->sdev->exec.reset_lock);

	spin_lock_irq(&hwq->lock);
	hwq->failing = true;
	spin_unlock_irq(&hwq->lock);
	seed_hwq_fail_all(hwq, -EIO, DRM_SEED_JOB_RESET);
}

/**
 * seed_hwq_overdue() - the packet running longer than allowed, if any
 * @hwq: queue
 * @timeout_ns: longest run time of one packet
 * @wait_ns: out: when nothing is overdue but a packet runs, the time until
 *	it would be; else 0
 *
 * A packet runs from when it was written, or from when the one before it
 * retired, whichever is later: the queue runs its packets one at a time.
 * A stopped queue is being recovered; nothing of it is overdue.
 *
 * Return: a reference to the overdue packet's fence, or NULL.
 */
struct dma_fence *seed_hwq_overdue(struct seed_hwq *hwq, u64 timeout_ns, u64 *wait_ns)
{
	struct seed_hw_fence *hf;
	struct dma_fence *fence = NULL;
	unsigned long flags;
	u64 now, start;

	*wait_ns = 0;
	spin_lock_irqsave(&hwq->lock, flags);
	hf = list_first_entry_or_null(&hwq->inflight, struct seed_hw_fence, link);
	if (hf && hf->emitted && !hwq->stopped && !hwq->dead) {
		now = ktime_get_ns();
		start = seed_hw_fence_start_locked(hwq, hf);
		if (now >= start + timeout_ns)
			fence = dma_fence_get(&hf->base);
		else
			*wait_ns = start + timeout_ns - now;
	}
	spin_unlock_irqrestore(&hwq->lock, flags);
	return fence;
}

/**
 * seed_hwq_stop() - stop writing packets to a queue
 * @hwq: queue
 *
 * Packets pushed from now on wait until seed_hwq_restart().
 */
void seed_hwq_stop(struct seed_hwq *hwq)
{
	spin_lock_irq(&hwq->lock);
	hwq->stopped = true;
	seed_hwq_process_locked(hwq);
	spin_unlock_irq(&hwq->lock);
}

static bool seed_hwq_reset_done(struct seed_hwq *hwq, struct seed_hw_fence *target)
{
	u32 status = READ_ONCE(hwq->cpl->status);

	if (status & SEED_CPL_STATUS_RESET_DONE)
		return true;
	/*
	 * A declined conditional reset: its record may be overwritten at once
	 * by the next packet's, but the target packet retired, which the
	 * record's fence shows for good.
	 */
	return target && ((status & SEED_CPL_STATUS_RESET_DECLINED) ||
			  READ_ONCE(hwq->cpl->fence) >= target->base.seqno);
}

/*
 * Writes a queue reset, conditional on @target's ring index if @target is
 * given (§14.2), and waits for its outcome. Caller holds
 * &seed_exec.reset_lock.
 */
static int seed_hwq_reset_write(struct seed_hwq *hwq, struct seed_hw_fence *target)
{
	struct seed_device *sdev = hwq->sdev;
	u32 ctrl = SEED_QUEUE_CTRL_RESET | SEED_QUEUE_CTRL_IRQ_EN;
	long left;
	int ret = 0;

	lockdep_assert_held(&sdev->exec.reset_lock);

	/*
	 * §17.7 waits for resets = r + 1, but r is unreliable when the enable
	 * record of a young queue has not landed yet. Clearing the status
	 * instead makes any RESET_DONE seen afterwards this reset's: only a
	 * reset writes that bit, and the record was snapshotted by the caller.
	 */
	spin_lock_irq(&hwq->lock);
	WRITE_ONCE(hwq->cpl->status, 0);
	spin_unlock_irq(&hwq->lock);
	if (target) {
		seed_wr32(sdev, SEED_REG_Q_RESET_INDEX(hwq->id), target->ring_index);
		ctrl |= SEED_QUEUE_CTRL_RESET_IF;
	}
	seed_wr32(sdev, SEED_REG_Q_CTRL(hwq->id), ctrl);

	left = wait_event_timeout(hwq->wq, seed_hwq_reset_done(hwq, target),
				  msecs_to_jiffies(SEED_HWQ_RESET_TIMEOUT_MS));
	if (!left && !seed_hwq_reset_done(hwq, target)) {
		seed_err(sdev, "queue %u reset did not complete in %u ms\n",
			 hwq->id, SEED_HWQ_RESET_TIMEOUT_MS);
		ret = -ETIMEDOUT;
	} else if (!(READ_ONCE(hwq->cpl->status) & SEED_CPL_STATUS_RESET_DONE)) {
		seed_dbg(sdev, RESET, "queue %u: packet %llu retired, reset declined\n",
			 hwq->id, target->base.seqno);
		ret = -EAGAIN;
	} else {
		seed_dbg(sdev, RESET, "queue %u reset done (%u resets)\n", hwq->id,
			 READ_ONCE(hwq->cpl->resets));
	}
	trace_seed_queue_reset(sdev->drm.dev, hwq->id, target ? target->base.seqno : 0, ret);
	return ret;
}

/**
 * seed_hwq_reset() - reset a hardware queue (§17.7 steps 1-3)
 * @hwq: queue, stopped with seed_hwq_stop() and not dead
 *
 * On success the device no longer touches memory on behalf of anything the
 * queue was running, and the queue is DISABLED. Caller holds
 * &seed_exec.reset_lock.
 *
 * Return: 0, or -ETIMEDOUT (escalate to a device reset).
 */
int seed_hwq_reset(struct seed_hwq *hwq)
{
	return seed_hwq_reset_write(hwq, NULL);
}

/* Fails every cancelled packet: their clients are gone. */
static void seed_hwq_drop_cancelled_locked(struct seed_hwq *hwq)
{
	struct seed_job_outcome o = { .error = DRM_SEED_JOB_CANCELLED };
	struct seed_hw_fence *hf, *tmp;

	list_for_each_entry_safe(hf, tmp, &hwq->inflight, link) {
		if (hf->cancelled)
			seed_hwq_fail_locked(hwq, hf, &o, -ECANCELED);
	}
}

/*
 * Enables a queue a reset disabled and writes every packet still on it to
 * the ring again, cancelled ones dropped first.
 */
static void seed_hwq_rewrite_locked(struct seed_hwq *hwq)
{
	struct seed_hw_fence *hf;

	hwq->guilty = NULL;
	seed_hwq_drop_cancelled_locked(hwq);

	seed_hwq_enable_locked(hwq);
	list_for_each_entry(hf, &hwq->inflight, link) {
		hf->emitted = false;
		seed_hwq_emit_locked(hwq, hf);
	}
	hwq->stopped = false;
	hwq->failing = false;
	hwq->error_pending = false;
	if (hwq->tail) {
		seed_hwq_doorbell_locked(hwq);
		seed_hwq_watch(hwq);
	}
}

/**
 * seed_hwq_restart() - fail the guilty packet, re-enable, write the rest
 * @hwq: queue, DISABLED by a queue or device reset
 * @snap: completion record from before a queue reset (whose RESET_DONE record
 *	no longer holds the error), or NULL to use the current record (a device
 *	reset writes none)
 * @aborted: the packet a conditional reset stopped, or NULL
 *
 * The guilty packet is the one at the record's error_index if the queue
 * stopped on an error; else @aborted, which fails as cancelled if its client
 * went away and with a timeout otherwise; else (a device reset) the first
 * packet that was in the ring, which the reset aborted: it fails with a
 * timeout if it is &seed_hwq.guilty (set by the timeout handler before it
 * escalated), else with DRM_SEED_JOB_RESET. Cancelled packets fail too.
 * Packets after the guilty one had not started; they are written again and
 * run normally. Caller holds &seed_exec.reset_lock.
 */
void seed_hwq_restart(struct seed_hwq *hwq, const struct seed_cpl_record *snap,
		      struct seed_hw_fence *aborted)
{
	struct seed_cpl_record rec;
	struct seed_hw_fence *hf, *guilty = NULL;
	struct seed_job_outcome o = { .error = DRM_SEED_JOB_RESET };
	int err = -EIO;

	lockdep_assert_held(&hwq->sdev->exec.reset_lock);

	spin_lock_irq(&hwq->lock);
	if (hwq->dead) {
		spin_unlock_irq(&hwq->lock);
		return;
	}
	seed_hwq_process_locked(hwq);
	if (snap)
		rec = *snap;
	else
		memcpy(&rec, hwq->cpl, sizeof(rec));

	if (rec.status & SEED_CPL_STATUS_ERROR) {
		list_for_each_entry(hf, &hwq->inflight, link) {
			if (hf->emitted && hf->ring_index == rec.error_index) {
				guilty = hf;
				break;
			}
		}
		err = seed_hwq_outcome(&rec, &o);
	}
	if (!guilty) {
		hf = list_first_entry_or_null(&hwq->inflight, struct seed_hw_fence, link);
		if (hf && hf->emitted && (!aborted || hf == aborted)) {
			guilty = hf;
			memset(&o, 0, sizeof(o));
			if (hf->cancelled) {
				o.error = DRM_SEED_JOB_CANCELLED;
				err = -ECANCELED;
			} else if (hf == hwq->guilty || hf == aborted) {
				o.error = DRM_SEED_JOB_TIMEOUT;
				err = -ETIMEDOUT;
			} else {
				o.error = DRM_SEED_JOB_RESET;
				err = -EIO;
			}
		}
	}
	if (guilty) {
		seed_dbg(hwq->sdev, RESET, "queue %u: failing fence %llu (%d)\n",
			 hwq->id, guilty->base.seqno, err);
		seed_hwq_fail_locked(hwq, guilty, &o, err);
	}
	seed_hwq_rewrite_locked(hwq);
	spin_unlock_irq(&hwq->lock);
}

/**
 * seed_hwq_running() - whether the device holds packets of a queue
 * @hwq: queue
 *
 * Return: true while a packet written to the ring has not retired.
 */
bool seed_hwq_running(struct seed_hwq *hwq)
{
	struct seed_hw_fence *hf;
	bool running = false;

	spin_lock_irq(&hwq->lock);
	seed_hwq_process_locked(hwq);
	list_for_each_entry(hf, &hwq->inflight, link) {
		if (hf->emitted) {
			running = true;
			break;
		}
	}
	spin_unlock_irq(&hwq->lock);
	return running;
}

/**
 * seed_hwq_resume() - write every packet again after system sleep
 * @hwq: queue, stopped by system suspend, the device reset since
 *
 * Unlike seed_hwq_restart() nothing fails: a packet the chip was running
 * when it lost power runs again from its start, the others as usual.
 * Caller holds &seed_exec.reset_lock.
 */
void seed_hwq_resume(struct seed_hwq *hwq)
{
	lockdep_assert_held(&hwq->sdev->exec.reset_lock);

	spin_lock_irq(&hwq->lock);
	if (!hwq->dead)
		seed_hwq_rewrite_locked(hwq);
	spin_unlock_irq(&hwq->lock);
}

/*
 * Stops the packet of @target if it is the one running, with a conditional
 * reset: a packet of another client that runs meanwhile is never aborted.
 */
static int seed_hwq_abort(struct seed_hwq *hwq, struct seed_hw_fence *target)
{
	struct seed_hw_fence *head;
	int ret;

	spin_lock_irq(&hwq->lock);
	seed_hwq_process_locked(hwq);
	head = list_first_entry_or_null(&hwq->inflight, struct seed_hw_fence, link);
	if (hwq->dead || hwq->stopped || head != target || !head->emitted) {
		/* Retired, or not running yet: nothing to stop now. */
		spin_unlock_irq(&hwq->lock);
		return 0;
	}
	hwq->guilty = target;
	spin_unlock_irq(&hwq->lock);

	ret = seed_hwq_reset_write(hwq, target);
	if (ret == -EAGAIN) {
		spin_lock_irq(&hwq->lock);
		hwq->guilty = NULL;
		spin_unlock_irq(&hwq->lock);
		return 0;
	}
	if (ret)
		return ret;
	seed_hwq_restart(hwq, NULL, target);
	return 0;
}

/* The packet running now is cancelled; NULL if none is. */
static struct seed_hw_fence *seed_hwq_cancelled_head_locked(struct seed_hwq *hwq)
{
	struct seed_hw_fence *head;

	head = list_first_entry_or_null(&hwq->inflight, struct seed_hw_fence, link);
	return head && head->cancelled && head->emitted && !hwq->stopped ? head : NULL;
}

/**
 * seed_hwq_cancel() - the client of a packet went away
 * @hwq: queue
 * @fence: hardware fence of the packet (from seed_hwq_push())
 *
 * The packet fails with DRM_SEED_JOB_CANCELLED as soon as it runs, or at
 * once if the queue restarts first; packets of other clients around it are
 * not touched. Any context.
 */
void seed_hwq_cancel(struct seed_hwq *hwq, struct dma_fence *fence)
{
	unsigned long flags;

	struct seed_hw_fence *hf = to_seed_hw_fence(fence);

	spin_lock_irqsave(&hwq->lock, flags);
	/* Off the list once signalled. */
	if (!list_empty(&hf->link) && !hwq->dead) {
		hf->cancelled = true;
		seed_hwq_kick_locked(hwq);
	}
	spin_unlock_irqrestore(&hwq->lock, flags);
}

/**
 * seed_hwq_recover() - recover a queue
 * @hwq: queue
 * @hint: fence of a packet that timed out, or NULL
 *
 * After an ERROR record the queue is reset and restarted. Otherwise the
 * packet of @hint, if it still runs, and then any cancelled packet that
 * runs, are stopped with a conditional reset. Does nothing if there is
 * nothing to do. Caller holds &seed_exec.reset_lock.
 *
 * Return: 0, or -ETIMEDOUT if a queue reset did not complete: the caller
 * escalates to a device reset, which restarts the queue.
 */
int seed_hwq_recover(struct seed_hwq *hwq, struct dma_fence *hint)
{
	struct seed_hw_fence *head;
	struct seed_cpl_record snap;
	u32 status;
	int ret;

	lockdep_assert_held(&hwq->sdev->exec.reset_lock);

	spin_lock_irq(&hwq->lock);
	status = seed_hwq_process_locked(hwq);
	hwq->error_pending = false;
	if (hwq->dead) {
		spin_unlock_irq(&hwq->lock);
		return 0;
	}
	if (status & SEED_CPL_STATUS_ERROR) {
		hwq->stopped = true;
		memcpy(&snap, hwq->cpl, sizeof(snap));
		spin_unlock_irq(&hwq->lock);

		seed_dbg(hwq->sdev, RESET, "queue %u error %u at index %u\n",
			 hwq->id, snap.error, snap.error_index);
		ret = seed_hwq_reset(hwq);
		if (ret)
			return ret;
		seed_hwq_restart(hwq, &snap, NULL);
		return 0;
	}
	spin_unlock_irq(&hwq->lock);

	if (hint) {
		ret = seed_hwq_abort(hwq, to_seed_hw_fence(hint));
		if (ret)
			return ret;
	}

	/* Each round stops one cancelled packet that runs; declines retry. */
	for (;;) {
		spin_lock_irq(&hwq->lock);
		seed_hwq_process_locked(hwq);
		head = hwq->dead ? NULL : seed_hwq_cancelled_head_locked(hwq);
		if (head)
			dma_fence_get(&head->base);
		spin_unlock_irq(&hwq->lock);
		if (!head)
			return 0;
		ret = seed_hwq_abort(hwq, head);
		dma_fence_put(&head->base);
		if (ret)
			return ret;
	}
}
