// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Timeouts and the recovery ladder (docs/hardware.md §13.6, §17.7, §17.8):
 * queue reset, then device reset, then bus reset, then device lost.
 *
 * Every step runs under &seed_exec.reset_lock, which serialises the error
 * work of the hardware queues, job timeouts (their scheduler handlers run on
 * the ordered &seed_exec.wq), device resets from any source, and queue
 * creation and teardown. Holding it also guarantees that the set of hardware
 * queues in &seed_exec.hwq does not change.
 *
 * A device reset stops the submission work of every scheduler, resets the
 * chip, lets the memory code re-program the contexts, and restarts every
 * hardware queue: per queue, the job that was running fails (with
 * DRM_SEED_JOB_RESET, or its own error if the queue had stopped on one, or
 * DRM_SEED_JOB_TIMEOUT if its timeout caused the reset) and the jobs behind
 * it run again from the start, so innocent queues lose at most their running
 * job. Each device reset sends a KOBJ_CHANGE uevent with SEED_EVENT=RESET on
 * the PCI device.
 */

#include <linux/kobject.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>

#include <drm/gpu_scheduler.h>

#include <uapi/drm/seed_accel.h>

#include "seed_drv.h"
#include "seed_hw_reg_io.h"
#include "seed_hwq.h"
#include "seed_reset.h"

unsigned int seed_job_timeout_ms = 10000;
module_param_named(job_timeout_ms, seed_job_timeout_ms, uint, 0444);
MODULE_PARM_DESC(job_timeout_ms,
		 "Time a job may run before its queue is reset (ms, default 10000)");

/* Device resets take at most SEED_RESET_TIMEOUT_MS; allow for emulation. */
#define SEED_DEVICE_RESET_TIMEOUT_MS	(10 * SEED_RESET_TIMEOUT_MS)

/* Hardware queues in use: 0 .. SEED_MAX_QUEUES - 1, then the kernel queue. */
static struct seed_hwq *seed_exec_hwq_at(struct seed_exec *exec, int i)
{
	lockdep_assert_held(&exec->reset_lock);
	return i < SEED_MAX_QUEUES ? exec->hwq[i] : exec->kq;
}

#define SEED_EXEC_NR_HWQ	(SEED_MAX_QUEUES + 1)

static void seed_exec_stop_scheds(struct seed_exec *exec)
{
	struct seed_hwq *hwq;
	int i;

	for (i = 0; i < SEED_EXEC_NR_HWQ; i++) {
		hwq = seed_exec_hwq_at(exec, i);
		if (!hwq)
			continue;
		if (hwq->sched && !hwq->sched_held)
			drm_sched_wqueue_stop(hwq->sched);
		seed_hwq_stop(hwq);
	}
}

static void seed_exec_start_scheds(struct seed_exec *exec)
{
	struct seed_hwq *hwq;
	int i;

	for (i = 0; i < SEED_EXEC_NR_HWQ; i++) {
		hwq = seed_exec_hwq_at(exec, i);
		if (hwq && hwq->sched && !hwq->sched_held)
			drm_sched_wqueue_start(hwq->sched);
	}
}

/**
 * seed_exec_device_lost_locked() - give up on the device
 * @sdev: device
 *
 * Every job in flight fails with DRM_SEED_JOB_DEVICE_LOST (-ENODEV), later
 * ones fail when their scheduler runs them, and new submissions fail with
 * -ENODEV. No register is written afterwards. Caller holds
 * &seed_exec.reset_lock.
 */
void seed_exec_device_lost_locked(struct seed_device *sdev)
{
	struct seed_exec *exec = &sdev->exec;
	struct seed_hwq *hwq;
	int i;

	lockdep_assert_held(&exec->reset_lock);

	if (!exec->lost)
		seed_err(sdev, "device lost, failing all work\n");
	WRITE_ONCE(exec->lost, true);
	for (i = 0; i < SEED_EXEC_NR_HWQ; i++) {
		hwq = seed_exec_hwq_at(exec, i);
		if (hwq)
			seed_hwq_kill(hwq, -ENODEV, DRM_SEED_JOB_DEVICE_LOST);
	}
}

/**
 * seed_exec_device_lost() - the device is gone: fail everything
 * @sdev: device
 */
void seed_exec_device_lost(struct seed_device *sdev)
{
	mutex_lock(&sdev->exec.reset_lock);
	seed_exec_device_lost_locked(sdev);
	mutex_unlock(&sdev->exec.reset_lock);
}

/*
 * §17.8 step 4: the device did not come back from a DEV_CTRL reset. A
 * device that is still there (not responding, or stuck resetting) gets a
 * bus reset. The trylock variant fails instead of deadlocking if the PCI
 * core holds the device lock (remove in progress).
 */
static int seed_exec_bus_reset(struct seed_device *sdev)
{
	u32 status;
	int ret;

	if (!pci_device_is_present(sdev->pdev))
		return -ENODEV;

	seed_warn(sdev, "device reset failed, trying a bus reset\n");
	ret = pci_try_reset_function(sdev->pdev);
	/*
	 * -EAGAIN: the PCI core holds the device (remove in progress). Any
	 * other error may come from the port (e.g. a virtual root port that
	 * never reports its link active again) after the reset was delivered
	 * and the configuration restored: the device itself has the last word.
	 */
	if (ret == -EAGAIN) {
		seed_err(sdev, "bus reset not possible now: %d\n", ret);
		return ret;
	}
	if (ret)
		seed_warn(sdev, "bus reset reported %d, checking the device\n", ret);

	status = seed_rd32(sdev, SEED_REG_DEV_STATUS);
	if ((status & SEED_DEV_STATUS_RESERVED) || !(status & SEED_DEV_STATUS_READY)) {
		seed_err(sdev, "device not ready after bus reset (status 0x%08x)\n", status);
		return -EIO;
	}
	/* A bus reset also disabled the event log and status block (§14.4). */
	ret = seed_events_enable(sdev);
	if (ret)
		seed_err(sdev, "cannot re-enable the event log after bus reset: %d\n", ret);
	return ret;
}

static void seed_exec_uevent(struct seed_device *sdev, const char *reason)
{
	char event_env[] = "SEED_EVENT=RESET";
	char reason_env[64];
	char *envp[3];

	snprintf(reason_env, sizeof(reason_env), "SEED_RESET_REASON=%s", reason);
	envp[0] = event_env;
	envp[1] = reason_env;
	envp[2] = NULL;
	kobject_uevent_env(&sdev->drm.dev->kobj, KOBJ_CHANGE, envp);
}

/**
 * seed_exec_reset_device_locked() - full device reset and recovery (§17.8)
 * @sdev: device
 * @reason: why, for the log and the uevent
 *
 * Caller holds &seed_exec.reset_lock.
 *
 * Return: 0 once the device works again; -ENODEV if it is (now) lost.
 */
int seed_exec_reset_device_locked(struct seed_device *sdev, const char *reason)
{
	struct seed_exec *exec = &sdev->exec;
	struct seed_hwq *hwq;
	int ret, i;

	lockdep_assert_held(&exec->reset_lock);

	if (exec->lost)
		return -ENODEV;

	seed_warn(sdev, "resetting the device: %s\n", reason);
	seed_exec_stop_scheds(exec);

	ret = seed_hw_device_reset(sdev, SEED_DEVICE_RESET_TIMEOUT_MS);
	if (ret && ret != -ENODEV)
		ret = seed_exec_bus_reset(sdev);
	if (ret) {
		seed_exec_device_lost_locked(sdev);
		seed_exec_start_scheds(exec);
		return -ENODEV;
	}

	seed_mem_restore(sdev);
	for (i = 0; i < SEED_EXEC_NR_HWQ; i++) {
		hwq = seed_exec_hwq_at(exec, i);
		if (hwq)
			seed_hwq_restart(hwq, NULL);
	}
	seed_exec_start_scheds(exec);

	atomic_inc(&exec->reset_count);
	seed_exec_uevent(sdev, reason);
	seed_info(sdev, "device reset done (%s)\n", reason);
	return 0;
}

/**
 * seed_exec_reset_device() - reset the device and recover
 * @sdev: device
 * @reason: why, for the log and the uevent
 *
 * Jobs running on the device fail with DRM_SEED_JOB_RESET; queued jobs run
 * afterwards.
 *
 * Return: 0 once the device works again, -ENODEV if the device is lost.
 */
int seed_exec_reset_device(struct seed_device *sdev, const char *reason)
{
	int ret;

	mutex_lock(&sdev->exec.reset_lock);
	ret = seed_exec_reset_device_locked(sdev, reason);
	mutex_unlock(&sdev->exec.reset_lock);
	return ret;
}

static void seed_exec_reset_work(struct work_struct *work)
{
	struct seed_device *sdev = container_of(work, struct seed_device, exec.reset_work);

	seed_exec_reset_device(sdev, READ_ONCE(sdev->exec.reset_reason) ?: "requested");
}

/**
 * seed_exec_schedule_reset() - reset the device from process context, later
 * @sdev: device
 * @reason: why; a string that outlives the reset (a literal)
 *
 * Safe from any context. Requests made before the reset starts are merged.
 */
void seed_exec_schedule_reset(struct seed_device *sdev, const char *reason)
{
	WRITE_ONCE(sdev->exec.reset_reason, reason);
	queue_work(sdev->exec.wq, &sdev->exec.reset_work);
}

/**
 * seed_exec_recover_hwq() - queue reset, escalating to a device reset
 * @hwq: queue that stopped on an error or holds a job that timed out
 * @hint: fence of the job that timed out, or NULL
 * @reason: why, should the device be reset
 *
 * Return: 0, or -ENODEV if the device was lost on the way.
 */
int seed_exec_recover_hwq(struct seed_hwq *hwq, struct dma_fence *hint, const char *reason)
{
	struct seed_device *sdev = hwq->sdev;
	int ret;

	mutex_lock(&sdev->exec.reset_lock);
	if (READ_ONCE(hwq->cpl->status) & SEED_CPL_STATUS_ERROR &&
	    READ_ONCE(hwq->cpl->error) == SEED_ERR_FATAL && !hwq->dead) {
		/* The whole device stopped (§13.5): only a device reset helps. */
		ret = seed_exec_reset_device_locked(sdev, "device FATAL");
	} else {
		ret = seed_hwq_recover(hwq, hint);
		if (ret)
			ret = seed_exec_reset_device_locked(sdev, reason);
	}
	mutex_unlock(&sdev->exec.reset_lock);
	return ret;
}

/**
 * seed_exec_reset_init() - set up the device reset work
 * @sdev: device
 */
void seed_exec_reset_init(struct seed_device *sdev)
{
	INIT_WORK(&sdev->exec.reset_work, seed_exec_reset_work);
}
