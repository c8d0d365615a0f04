// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Device-level notifications (docs/hardware.md §8): bring-up of the status
 * block and event log (§17.1), processing of event records on vector 0
 * (§17.6), full device reset (§14.3) and TLB invalidation (§7.6, §17.3).
 */

#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/errno.h>
#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/error-injection.h>

#include <drm/drm_drv.h>

#include "seed_drv.h"
#include "seed_events.h"
#include "seed_hw_reg_io.h"
#include "seed_pm.h"

/* Records in the event log: 64 KiB of host memory. */
#define SEED_EVLOG_ENTRIES		1024

/*
 * Time limits for the device's answers. The manual's limits are for the
 * device itself; a guest under TCG emulation sees them stretched, so the
 * driver waits ten times longer before it declares the device unresponsive.
 */
#define SEED_EVENTS_SLACK		10
#define SEED_TLB_INV_TIMEOUT_MS		(100 * SEED_EVENTS_SLACK)
#define SEED_TLB_INV_SPIN_US		20

static unsigned int seed_watchdog_ms = 10000;
module_param_named(watchdog_ms, seed_watchdog_ms, uint, 0444);
MODULE_PARM_DESC(watchdog_ms,
		 "Engine watchdog: longest time one compute packet may run, ms (0 = off, default 10000)");

/* Modular comparison of free-running 32-bit counters (§1.2). */
static bool seed_seq_reached(u32 now, u32 target)
{
	return (s32)(now - target) >= 0;
}

static bool seed_dev_status_lost(u32 status)
{
	return status & SEED_DEV_STATUS_RESERVED;
}

/*
 * Device reset with the event log disabled: the only register polling of the
 * interface (§17.1 step 3). Also used at teardown, after drm_dev_unplug(),
 * so it does not depend on drm_dev_enter().
 */
static int seed_hw_device_reset_poll(struct seed_device *sdev, unsigned int timeout_ms)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(timeout_ms);
	u32 status;

	seed_wr32(sdev, SEED_REG_DEV_CTRL, SEED_DEV_CTRL_RESET);
	for (;;) {
		status = seed_rd32(sdev, SEED_REG_DEV_STATUS);
		if (seed_dev_status_lost(status))
			return -ENODEV;
		if ((status & SEED_DEV_STATUS_READY) && !(status & SEED_DEV_STATUS_RESETTING))
			return 0;
		if (time_after(jiffies, deadline))
			return -ETIMEDOUT;
		usleep_range(1000, 2000);
	}
}

/**
 * seed_events_enable() - point the device at the status block and event log
 * @sdev: device, with the event log disabled (after probe or a bus reset)
 *
 * Return: 0, -EIO if the device rejects the configuration, -ENODEV if it
 * does not answer.
 */
int seed_events_enable(struct seed_device *sdev)
{
	struct seed_events *ev = &sdev->events;
	u32 ctrl;

	mutex_lock(&ev->lock);
	memset(ev->status, 0, sizeof(*ev->status));
	ev->head = 0;
	ev->head_stale = false;

	seed_wr32(sdev, SEED_REG_EVLOG_BASE_LO, lower_32_bits(ev->log_dma));
	seed_wr32(sdev, SEED_REG_EVLOG_BASE_HI, upper_32_bits(ev->log_dma));
	seed_wr32(sdev, SEED_REG_EVLOG_SIZE, ev->log_size);
	seed_wr32(sdev, SEED_REG_STATUS_ADDR_LO, lower_32_bits(ev->status_dma));
	seed_wr32(sdev, SEED_REG_STATUS_ADDR_HI, upper_32_bits(ev->status_dma));
	seed_wr32(sdev, SEED_REG_EVLOG_CTRL, SEED_EVLOG_CTRL_ENABLE);

	/* Bring-up path: one read back to learn whether the device accepted. */
	ctrl = seed_rd32(sdev, SEED_REG_EVLOG_CTRL);
	if (ctrl == U32_MAX) {
		mutex_unlock(&ev->lock);
		return -ENODEV;
	}
	if (!(ctrl & SEED_EVLOG_CTRL_ENABLE) || (ctrl & SEED_EVLOG_CTRL_CFG_ERROR)) {
		mutex_unlock(&ev->lock);
		seed_err(sdev, "device rejected the event log configuration (EVLOG_CTRL 0x%08x)\n",
			 ctrl);
		return -EIO;
	}
	WRITE_ONCE(ev->enabled, true);
	/* Invalidations started before a bus reset are forgotten by it. */
	ev->tlb_seq = seed_rd32(sdev, SEED_REG_TLB_INV_DONE);
	mutex_unlock(&ev->lock);

	seed_wr32(sdev, SEED_REG_WATCHDOG_MS, seed_watchdog_ms);
	return 0;
}

/**
 * seed_events_disable() - stop the device writing the status block and log
 * @sdev: device
 *
 * On return no write of the device to either is in flight (§8.1), so their
 * memory may be freed. Does not depend on drm_dev_enter().
 */
void seed_events_disable(struct seed_device *sdev)
{
	struct seed_events *ev = &sdev->events;

	mutex_lock(&ev->lock);
	WRITE_ONCE(ev->enabled, false);
	seed_wr32(sdev, SEED_REG_EVLOG_CTRL, 0);
	/* Flush the posted write (§12.4). */
	seed_rd32(sdev, SEED_REG_DEV_STATUS);
	mutex_unlock(&ev->lock);
}

/**
 * seed_events_suspend() - the chip goes to D3hot: no more EVLOG_HEAD writes
 * @sdev: device
 *
 * Events the device writes until then are still processed; the new head
 * is written by seed_events_resume().
 */
void seed_events_suspend(struct seed_device *sdev)
{
	struct seed_events *ev = &sdev->events;

	mutex_lock(&ev->lock);
	ev->suspended = true;
	mutex_unlock(&ev->lock);
}

/**
 * seed_events_resume() - the chip is in D0 again
 * @sdev: device
 *
 * Writes the head consumed while it was suspended, so the device does not
 * see the log fuller than it is.
 */
void seed_events_resume(struct seed_device *sdev)
{
	struct seed_events *ev = &sdev->events;
	int idx;

	mutex_lock(&ev->lock);
	ev->suspended = false;
	if (ev->enabled && ev->head_stale && drm_dev_enter(&sdev->drm, &idx)) {
		seed_wr32(sdev, SEED_REG_EVLOG_HEAD, ev->head);
		ev->head_stale = false;
		drm_dev_exit(idx);
	}
	mutex_unlock(&ev->lock);
}

static void seed_events_retire_work(struct work_struct *work)
{
	struct seed_events *ev = container_of(work, struct seed_events, retire_work);
	struct seed_device *sdev = container_of(ev, struct seed_device, events);
	u64 addr;

	spin_lock_irq(&ev->retire_lock);
	while (ev->retire_count) {
		addr = ev->retire_addr[--ev->retire_count];
		spin_unlock_irq(&ev->retire_lock);
		seed_mem_retire_hbm_page(sdev, addr);
		spin_lock_irq(&ev->retire_lock);
	}
	spin_unlock_irq(&ev->retire_lock);
}

/* Hands a page to retire to the retire work; the event thread allocates nothing. */
static void seed_events_retire_later(struct seed_device *sdev, u64 addr)
{
	struct seed_events *ev = &sdev->events;
	bool queued = false;

	spin_lock_irq(&ev->retire_lock);
	if (ev->retire_count < SEED_EVENTS_RETIRE_MAX) {
		ev->retire_addr[ev->retire_count++] = addr;
		queued = true;
	}
	spin_unlock_irq(&ev->retire_lock);
	if (queued)
		schedule_work(&ev->retire_work);
	else
		/* A flood of errors: better late waiters than a page reused. */
		seed_mem_retire_hbm_page(sdev, addr);
}

/**
 * seed_events_early_init() - initialise locks and wait queue
 * @sdev: device
 *
 * Called before the interrupt vectors exist: the vector 0 thread uses them
 * from the interrupt self-test on, before the log is enabled.
 */
void seed_events_early_init(struct seed_device *sdev)
{
	struct seed_events *ev = &sdev->events;

	mutex_init(&ev->lock);
	mutex_init(&ev->tlb_lock);
	init_waitqueue_head(&ev->wq);
	spin_lock_init(&ev->retire_lock);
	INIT_WORK(&ev->retire_work, seed_events_retire_work);
}

/**
 * seed_events_reset_at_probe() - bring-up step 3 of §17.1
 * @sdev: device with BAR0 mapped, bus mastering still off
 *
 * A previous driver instance may have left queues running, or work frozen
 * by a stop of bus mastering: the event log goes off and the device is
 * reset before bus mastering is turned on, so that nothing from before can
 * reach memory.
 *
 * Return: 0 or a negative error code.
 */
int seed_events_reset_at_probe(struct seed_device *sdev)
{
	int ret;

	seed_wr32(sdev, SEED_REG_EVLOG_CTRL, 0);
	ret = seed_hw_device_reset_poll(sdev, SEED_RESET_TIMEOUT_MS * SEED_EVENTS_SLACK);
	if (ret)
		seed_err(sdev, "device did not come out of reset: %d\n", ret);
	return ret;
}

/**
 * seed_events_init() - bring-up steps 5 and 6 of §17.1
 * @sdev: device, reset, with bus mastering and MSI-X enabled
 *
 * Allocates and enables the status block and the event log and arms the
 * engine watchdog.
 *
 * Return: 0 or a negative error code.
 */
int seed_events_init(struct seed_device *sdev)
{
	struct seed_events *ev = &sdev->events;
	struct device *dev = sdev->drm.dev;
	int ret;

	ev->log_size = SEED_EVLOG_ENTRIES;

	/* The device also wants 16 .. 65536 records; it rejects other sizes. */
	BUILD_BUG_ON(!is_power_of_2(SEED_EVLOG_ENTRIES));

	/* Coherent allocations are page aligned: both alignment rules hold. */
	ev->status = dmam_alloc_coherent(dev, PAGE_SIZE, &ev->status_dma, GFP_KERNEL);
	ev->log = dmam_alloc_coherent(dev, ev->log_size * sizeof(*ev->log), &ev->log_dma,
				      GFP_KERNEL);
	if (!ev->status || !ev->log)
		return -ENOMEM;

	ret = seed_events_enable(sdev);
	if (ret)
		return ret;

	seed_dbg(sdev, INIT, "event log: %u records, watchdog %u ms\n",
		 ev->log_size, seed_watchdog_ms);
	return 0;
}
ALLOW_ERROR_INJECTION(seed_events_init, ERRNO);

/**
 * seed_events_fini() - teardown steps 2 and 3 of §17.9
 * @sdev: device whose queues are stopped
 *
 * Resets the device, so that no queue or engine touches memory any more,
 * then disables the event log and status block. Runs after
 * drm_dev_unplug(), so it does not use drm_dev_enter(); if the device is
 * gone the register accesses are harmless. A lost device gets no reset: its
 * bus mastering is already off.
 */
void seed_events_fini(struct seed_device *sdev)
{
	if (!READ_ONCE(sdev->exec.lost) &&
	    seed_hw_device_reset_poll(sdev, SEED_RESET_TIMEOUT_MS * SEED_EVENTS_SLACK))
		seed_warn(sdev, "device reset at teardown failed\n");
	/* Nothing may touch host memory once the buffers are freed. */
	seed_events_disable(sdev);
}

static void seed_events_handle(struct seed_device *sdev, const struct seed_event *e)
{
	struct seed_events *ev = &sdev->events;
	bool injected = e->flags & SEED_EVENT_F_INJECTED;

	if (e->flags & SEED_EVENT_F_OVERFLOW)
		seed_warn(sdev, "event log overflowed; %u events lost so far\n",
			  READ_ONCE(ev->status->evlog_dropped));

	switch (e->type) {
	case SEED_EVENT_MMU_FAULT:
		atomic64_inc(&ev->mmu_faults);
		seed_dbg(sdev, EVENT, "MMU fault: queue %u ctx %u va 0x%llx info 0x%x pte 0x%llx%s\n",
			 e->queue, e->context, e->addr, e->info, e->data,
			 injected ? " (injected)" : "");
		break;
	case SEED_EVENT_ENGINE_HANG:
	case SEED_EVENT_QUEUE_ERROR:
		atomic64_inc(&ev->queue_errors);
		seed_dbg(sdev, EVENT, "queue %u stopped: error %u at index %u level %u offset %u\n",
			 e->queue, e->error, e->packet_index, e->level, e->packet_offset);
		break;
	case SEED_EVENT_ECC_CORRECTED:
		atomic64_inc(&ev->ecc_corrected);
		dev_info_ratelimited(sdev->drm.dev, "corrected HBM error at 0x%llx (%llu total)%s\n",
				     e->addr, e->data, injected ? " (injected)" : "");
		break;
	case SEED_EVENT_ECC_UNCORRECTED:
		atomic64_inc(&ev->ecc_uncorrected);
		seed_warn(sdev, "uncorrectable HBM error at 0x%llx, page retired%s\n",
			  e->addr, injected ? " (injected)" : "");
		seed_events_retire_later(sdev, e->addr);
		break;
	case SEED_EVENT_RESET_DONE:
		seed_dbg(sdev, EVENT, "device reset %llu done\n", e->data);
		break;
	case SEED_EVENT_DEVICE_FATAL:
		atomic64_inc(&ev->fatal);
		seed_err(sdev, "device entered FATAL state, cause %u%s\n", e->info,
			 injected ? " (injected)" : "");
		seed_exec_schedule_fatal_reset(sdev);
		break;
	default:
		seed_warn(sdev, "unknown event type %u (seq %u)\n", e->type, e->seq);
		break;
	}
}

/**
 * seed_events_process() - consume new event records (§17.6)
 * @sdev: device
 *
 * Called from the vector 0 interrupt thread. Wakes every waiter of
 * &seed_events.wq (TLB invalidation, device reset) whatever it finds.
 */
void seed_events_process(struct seed_device *sdev)
{
	struct seed_events *ev = &sdev->events;
	u32 wptr, head;
	int idx;

	mutex_lock(&ev->lock);
	if (!ev->enabled)
		goto unlock;

	wptr = READ_ONCE(ev->status->evlog_wptr);
	/* Records up to wptr are complete once wptr is visible (§8.3). */
	dma_rmb();
	for (head = ev->head; head != wptr; head++) {
		const struct seed_event *e = &ev->log[head & (ev->log_size - 1)];

		if (READ_ONCE(e->seq) != head) {
			seed_err_ratelimited(sdev, "event record %u has seq %u, log out of sync\n",
					     head, e->seq);
			head = wptr;
			break;
		}
		seed_events_handle(sdev, e);
	}
	atomic64_set(&ev->dropped, READ_ONCE(ev->status->evlog_dropped));

	if (head != ev->head)
		ev->head_stale = true;
	/* Events still arrive while the chip suspends: the head waits for D0. */
	if (ev->head_stale && !ev->suspended && drm_dev_enter(&sdev->drm, &idx)) {
		seed_wr32(sdev, SEED_REG_EVLOG_HEAD, head);
		ev->head_stale = false;
		drm_dev_exit(idx);
	}
	ev->head = head;
unlock:
	mutex_unlock(&ev->lock);
	wake_up_all(&ev->wq);
}

/**
 * seed_events_reset_count() - device resets the status block reports
 * @sdev: device
 *
 * Return: &seed_status_block.reset_count.
 */
u32 seed_events_reset_count(struct seed_device *sdev)
{
	return READ_ONCE(sdev->events.status->reset_count);
}

/**
 * seed_events_dev_status() - read &SEED_REG_DEV_STATUS from the device
 * @sdev: device
 *
 * A slow path for recovery decisions: all-ones (or any reserved bit) means
 * the device does not respond (§13.6).
 *
 * Return: the register value, U32_MAX if the device is gone.
 */
u32 seed_events_dev_status(struct seed_device *sdev)
{
	u32 status = U32_MAX;
	int idx;

	if (drm_dev_enter(&sdev->drm, &idx)) {
		status = seed_rd32(sdev, SEED_REG_DEV_STATUS);
		drm_dev_exit(idx);
	}
	return status;
}

static bool seed_reset_done(struct seed_events *ev, u32 before)
{
	return READ_ONCE(ev->status->reset_count) != before &&
	       (READ_ONCE(ev->status->dev_status) & SEED_DEV_STATUS_READY);
}

/**
 * seed_hw_device_reset() - full device reset (§14.3), completion from memory
 * @sdev: device
 * @timeout_ms: how long to wait for completion
 *
 * The caller quiesces the driver's use of queues and contexts first and
 * restores them afterwards. Without the event log (after a failed bus
 * reset) it falls back to polling &SEED_REG_DEV_STATUS.
 *
 * Return: 0; -ETIMEDOUT if the device did not report completion (it may be
 * resetting still, not responding, or removed); -ENODEV if the driver has
 * already been unbound from it.
 */
int seed_hw_device_reset(struct seed_device *sdev, unsigned int timeout_ms)
{
	struct seed_events *ev = &sdev->events;
	u32 before;
	int ret = 0, idx;

	if (!drm_dev_enter(&sdev->drm, &idx))
		return -ENODEV;

	if (!READ_ONCE(ev->enabled)) {
		ret = seed_hw_device_reset_poll(sdev, timeout_ms);
		goto out;
	}

	before = seed_events_reset_count(sdev);
	seed_wr32(sdev, SEED_REG_DEV_CTRL, SEED_DEV_CTRL_RESET);
	/*
	 * No completion: the caller tells "not responding" (a bus reset may
	 * help) from "removed" with pci_device_is_present() (§17.8 step 4).
	 */
	if (!wait_event_timeout(ev->wq, seed_reset_done(ev, before),
				msecs_to_jiffies(timeout_ms)))
		ret = -ETIMEDOUT;
out:
	drm_dev_exit(idx);
	seed_dbg(sdev, RESET, "device reset: %d\n", ret);
	return ret;
}

static bool seed_tlb_inv_done(struct seed_device *sdev, u32 seq)
{
	struct seed_events *ev = &sdev->events;

	if (READ_ONCE(ev->enabled))
		return seed_seq_reached(READ_ONCE(ev->status->tlb_inv_done), seq);
	/* No status block (bus reset in progress): ask the register. */
	return seed_seq_reached(seed_rd32(sdev, SEED_REG_TLB_INV_DONE), seq);
}

/*
 * Done when the device reports @seq, or when a device reset has completed
 * since the request: a device reset flushes the whole TLB and leaves every
 * context invalid until the driver writes it again (§14.1), so no
 * translation older than the request survives it. An invalidation written
 * while the device resets may never be answered otherwise.
 */
static bool seed_tlb_inv_flushed(struct seed_device *sdev, u32 seq, u32 resets)
{
	return seed_tlb_inv_done(sdev, seq) || seed_events_reset_count(sdev) != resets;
}

/**
 * seed_hw_tlb_invalidate() - invalidate cached translations (§7.6, §17.3)
 * @sdev: device
 * @ctx: MMU context
 * @va: first VA of the range
 * @size: bytes; 0 for the whole address space of @ctx
 *
 * Returns once the device guarantees that no access uses a translation of
 * the range any more, so the caller may reuse the unmapped memory and freed
 * page tables. May sleep.
 *
 * Return: 0; -ENODEV if the device is lost or removed (it makes no more
 * accesses then either: during removal this waits until teardown has
 * stopped it); -ETIMEDOUT if the device did not answer: the caller must
 * then keep the memory away from reuse until a reset.
 */
int seed_hw_tlb_invalidate(struct seed_device *sdev, u32 ctx, u64 va, u64 size)
{
	struct seed_events *ev = &sdev->events;
	unsigned long spin_end;
	int ret = 0, idx;
	u32 seq, resets;

	/* A lost device makes no more accesses: nothing to wait for. */
	if (READ_ONCE(sdev->exec.lost))
		return -ENODEV;
	if (!drm_dev_enter(&sdev->drm, &idx)) {
		/* Being removed: memory is safe once teardown stopped the device. */
		wait_for_completion(&sdev->quiesced);
		return -ENODEV;
	}
	/* A suspended chip keeps its TLB (§2.4): it has to be woken up. */
	ret = seed_pm_get(sdev);
	if (ret) {
		drm_dev_exit(idx);
		return ret;
	}

	mutex_lock(&ev->tlb_lock);
	resets = seed_events_reset_count(sdev);
	seq = ++ev->tlb_seq;
	seed_wr32(sdev, SEED_REG_TLB_INV_VA_LO, lower_32_bits(va));
	seed_wr32(sdev, SEED_REG_TLB_INV_VA_HI, upper_32_bits(va));
	seed_wr32(sdev, SEED_REG_TLB_INV_SIZE_LO, lower_32_bits(size));
	seed_wr32(sdev, SEED_REG_TLB_INV_SIZE_HI, upper_32_bits(size));
	seed_wr32(sdev, SEED_REG_TLB_INV_CTRL,
		  SEED_TLB_INV_CTRL_CTX(ctx) | SEED_TLB_INV_CTRL_IRQ);
	seed_wr32(sdev, SEED_REG_TLB_INV_SEQ, seq);
	mutex_unlock(&ev->tlb_lock);

	/* Usually done within microseconds: spin on host memory first. */
	spin_end = jiffies + usecs_to_jiffies(SEED_TLB_INV_SPIN_US);
	while (!seed_tlb_inv_flushed(sdev, seq, resets) && time_before(jiffies, spin_end))
		cpu_relax();

	if (!wait_event_timeout(ev->wq, seed_tlb_inv_flushed(sdev, seq, resets),
				msecs_to_jiffies(SEED_TLB_INV_TIMEOUT_MS))) {
		seed_err_ratelimited(sdev, "TLB invalidation %u of context %u timed out\n",
				     seq, ctx);
		ret = -ETIMEDOUT;
	}
	seed_pm_put(sdev);
	drm_dev_exit(idx);
	return ret;
}
