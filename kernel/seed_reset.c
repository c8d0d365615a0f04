// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Timeouts and the recovery ladder (docs/hardware.md §13.6, §17.7, §17.8):
 * queue reset, then device reset, then bus reset, then device lost.
 *
 * Every step runs under &seed_exec.reset_lock, which serialises the error
 * work and the watchdog of the hardware queues, device resets from any
 * source, and teardown. Recovery signals fences (the failed packet's, and
 * with it its job's), so it runs inside dma_fence_begin_signalling() and
 * must not allocate memory or wait for fences: the uevent of a reset is
 * sent from a work item of its own.
 *
 * Job timeouts are the driver's own (no drm_sched timeout): each hardware
 * queue has a watchdog that fails the packet at the head of its ring once it
 * has run for job_timeout_ms. The parameter can be changed at run time: the
 * watchdog reads it at each check, and is brought forward when its queue
 * gets work if it is due later than a lowered timeout. Hardware fences
 * survive queue and device resets, so the schedulers never need to be
 * stopped: a packet pushed while its queue recovers waits on the queue and
 * is written when it restarts.
 *
 * A device reset resets the chip, lets the memory code re-program the bound
 * contexts, and restarts every hardware queue: per queue, the packet that
 * was running fails (with DRM_SEED_JOB_RESET, or its own error if the queue
 * had stopped on one, or DRM_SEED_JOB_TIMEOUT if its timeout caused the
 * reset) and the packets behind it run again from the start, so innocent
 * jobs lose at most the running one. Each device reset sends a KOBJ_CHANGE
 * uevent with SEED_EVENT=RESET on the PCI device.
 *
 * "Being removed" is not "lost": while the device is unplugged, recovery
 * stops and teardown (seed_exec_fini()) takes over the hardware. A device
 * is only declared lost when it does not come back; bus mastering is then
 * turned off first, so that work it had frozen can never resume and write
 * memory the driver frees afterwards.
 */

#include <linux/delay.h>
#include <linux/dma-fence.h>
#include <linux/kobject.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>

#include <uapi/drm/seed_accel.h>

#include "seed_drv.h"
#include "seed_hw_reg_io.h"
#include "seed_hwq.h"
#include "seed_pm.h"
#include "seed_reset.h"
#include "seed_trace.h"

/* Longest job timeout accepted: one hour. */
#define SEED_JOB_TIMEOUT_MAX_MS		3600000u

/* Attempts at a bus reset while the PCI core holds the device. */
#define SEED_BUS_RESET_TRIES		5

unsigned int seed_job_timeout_ms = 10000;

static int seed_job_timeout_set(const char *val, const struct kernel_param *kp)
{
	unsigned int ms;
	int ret;

	ret = kstrtouint(val, 0, &ms);
	if (ret)
		return ret;
	if (!ms || ms > SEED_JOB_TIMEOUT_MAX_MS)
		return -EINVAL;
	return param_set_uint(val, kp);
}

static const struct kernel_param_ops seed_job_timeout_ops = {
	.set = seed_job_timeout_set,
	.get = param_get_uint,
};

/* Writable: read with READ_ONCE() at each use, never cached per queue. */
module_param_cb(job_timeout_ms, &seed_job_timeout_ops, &seed_job_timeout_ms, 0644);
MODULE_PARM_DESC(job_timeout_ms,
		 "Time a job may run before it is stopped (ms, 1 .. 3600000, default 10000)");

/* Device resets take at most SEED_RESET_TIMEOUT_MS; allow for emulation. */
#define SEED_DEVICE_RESET_TIMEOUT_MS	(10 * SEED_RESET_TIMEOUT_MS)

/**
 * seed_hwq_watch() - make sure the watchdog of a queue checks in time
 * @hwq: queue that got its first packet in flight, or restarted with some
 *
 * Its head packet starts now: the watchdog must check within one timeout.
 * A watchdog armed earlier is due sooner and is left alone (it waits again
 * for a packet that is not overdue yet), unless job_timeout_ms was lowered
 * since: then it is brought forward. Safe from any context.
 */
void seed_hwq_watch(struct seed_hwq *hwq)
{
	unsigned long delay = msecs_to_jiffies(READ_ONCE(seed_job_timeout_ms));
	struct delayed_work *dwork = &hwq->watchdog;

	if (queue_delayed_work(hwq->sdev->exec.wq, dwork, delay))
		return;
	/* Racing with its timer only costs an extra check. */
	if (time_after(READ_ONCE(dwork->timer.expires), jiffies + delay))
		mod_delayed_work(hwq->sdev->exec.wq, dwork, delay);
}

/**
 * seed_hwq_watchdog_work() - fail the packet that ran too long
 * @work: &seed_hwq.watchdog
 */
void seed_hwq_watchdog_work(struct work_struct *work)
{
	struct seed_hwq *hwq = container_of(to_delayed_work(work), struct seed_hwq, watchdog);
	unsigned int timeout_ms = READ_ONCE(seed_job_timeout_ms);
	struct dma_fence *fence;
	u64 wait_ns;

	fence = seed_hwq_overdue(hwq, (u64)timeout_ms * NSEC_PER_MSEC, &wait_ns);
	if (fence) {
		seed_dbg(hwq->sdev, RESET, "queue %u: packet %llu ran %u ms, stopping it\n",
			 hwq->id, fence->seqno, timeout_ms);
		trace_seed_job_timeout(hwq->sdev->drm.dev, hwq->id, fence->seqno,
				       to_seed_hw_fence(fence)->pkt.hdr.tag);
		seed_exec_recover_hwq(hwq, fence, "job timeout");
		dma_fence_put(fence);
		/* The queue restarted: watch what runs next. */
		seed_hwq_watch(hwq);
	} else if (wait_ns) {
		queue_delayed_work(hwq->sdev->exec.wq, &hwq->watchdog,
				   nsecs_to_jiffies(wait_ns) + 1);
	}
}

/*
 * The device is gone for good. Bus mastering goes off first: a device that
 * stopped responding may resume frozen work later (§13.6), and must find
 * no way into memory. Then every packet in flight fails, later ones fail
 * when pushed, and new submissions fail with -ENODEV.
 */
static void seed_exec_device_lost_locked(struct seed_device *sdev)
{
	struct seed_exec *exec = &sdev->exec;
	struct seed_hwq *hwq;
	u32 i;

	lockdep_assert_held(&exec->reset_lock);

	if (!exec->lost)
		seed_err(sdev, "device lost, failing all work\n");
	pci_clear_master(sdev->pdev);
	WRITE_ONCE(exec->lost, true);
	for (i = 0; i < SEED_EXEC_NUM_HWQ(exec); i++) {
		hwq = seed_exec_hwq(exec, i);
		if (hwq)
			seed_hwq_kill(hwq, -ENODEV, DRM_SEED_JOB_DEVICE_LOST);
	}
}

/*
 * §17.8 step 4: the device did not come back from a DEV_CTRL reset. A
 * device that is still there (not responding, or stuck resetting) gets a
 * bus reset. The trylock variant fails with -EAGAIN while the PCI core
 * holds the device (probe, remove, a reset through sysfs): that is retried
 * a few times unless the device is being removed. Runs without
 * &seed_exec.reset_lock: the PCI core's locks it takes are held elsewhere
 * while allocating memory.
 */
static int seed_exec_bus_reset(struct seed_device *sdev)
{
	int ret, tries = 0;

	seed_warn(sdev, "device reset failed, trying a bus reset\n");
	for (;;) {
		ret = pci_try_reset_function(sdev->pdev);
		if (ret != -EAGAIN || READ_ONCE(sdev->exec.unplugged) ||
		    ++tries >= SEED_BUS_RESET_TRIES)
			break;
		msleep(100);
	}
	if (ret == -EAGAIN)
		seed_err(sdev, "bus reset not possible now: %d\n", ret);
	/*
	 * Any other error may come from the port (e.g. a virtual root port
	 * that never reports its link active again) after the reset was
	 * delivered and the configuration restored: the device itself has the
	 * last word (seed_exec_bus_reset_done()).
	 */
	else if (ret)
		seed_warn(sdev, "bus reset reported %d, checking the device\n", ret);
	return ret == -EAGAIN ? ret : 0;
}

/* After a bus reset, with &seed_exec.reset_lock: is the device back? */
static int seed_exec_bus_reset_done(struct seed_device *sdev)
{
	u32 status;
	int ret;

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

static void seed_exec_uevent_work(struct work_struct *work)
{
	struct seed_device *sdev = container_of(work, struct seed_device, exec.uevent_work);
	struct seed_exec *exec = &sdev->exec;
	char event_env[] = "SEED_EVENT=RESET";
	char reason_env[96];
	char *envp[3];

	spin_lock_irq(&exec->uevent_lock);
	snprintf(reason_env, sizeof(reason_env), "SEED_RESET_REASON=%s", exec->uevent_reason);
	exec->uevent_reason[0] = '\0';
	spin_unlock_irq(&exec->uevent_lock);

	envp[0] = event_env;
	envp[1] = reason_env;
	envp[2] = NULL;
	kobject_uevent_env(&sdev->drm.dev->kobj, KOBJ_CHANGE, envp);
}

static void seed_exec_report_reset(struct seed_device *sdev, const char *reason)
{
	struct seed_exec *exec = &sdev->exec;

	spin_lock_irq(&exec->uevent_lock);
	strscpy(exec->uevent_reason, reason, sizeof(exec->uevent_reason));
	spin_unlock_irq(&exec->uevent_lock);
	queue_work(system_wq, &exec->uevent_work);
}

/**
 * seed_exec_reset_device_locked() - full device reset and recovery (§17.8)
 * @sdev: device
 * @reason: why, for the log and the uevent
 *
 * Caller holds &seed_exec.reset_lock and is outside any dma-fence
 * signalling section: a bus reset must not run in one. When one is needed,
 * every job on the device fails, and so does every job pushed until a reset
 * succeeds; the lock is dropped while the bus reset runs.
 *
 * Return: 0 once the device works again; -ENODEV if it is (now) lost or
 * being removed; -EAGAIN if a bus reset was needed but not possible now.
 */
int seed_exec_reset_device_locked(struct seed_device *sdev, const char *reason)
{
	struct seed_exec *exec = &sdev->exec;
	struct seed_hwq *hwq;
	bool cookie;
	int ret;
	u32 i;

	lockdep_assert_held(&exec->reset_lock);

	if (exec->lost || exec->unplugged)
		return -ENODEV;
	/* Another reset dropped the lock for a bus reset: it recovers all. */
	if (exec->bus_resetting)
		return -EAGAIN;

	cookie = dma_fence_begin_signalling();
	seed_warn(sdev, "resetting the device: %s\n", reason);
	for (i = 0; i < SEED_EXEC_NUM_HWQ(exec); i++) {
		hwq = seed_exec_hwq(exec, i);
		if (hwq)
			seed_hwq_stop(hwq);
	}

	ret = seed_hw_device_reset(sdev, SEED_DEVICE_RESET_TIMEOUT_MS);
	if (ret == -ETIMEDOUT && !pci_device_is_present(sdev->pdev))
		ret = -ENODEV;	/* gone: lost, below */
	if (ret == -ETIMEDOUT && !READ_ONCE(exec->unplugged)) {
		/*
		 * A bus reset takes the PCI core's locks, which are held
		 * elsewhere while allocating memory: no fence may wait for it,
		 * and no lock a fence waits for may be held meanwhile.
		 * Everything on the queues fails now, and so does everything
		 * pushed until they restart; then the bus reset runs outside
		 * the signalling section and without the reset lock (teardown
		 * may take it meanwhile; other resets back off).
		 */
		for (i = 0; i < SEED_EXEC_NUM_HWQ(exec); i++) {
			hwq = seed_exec_hwq(exec, i);
			if (hwq)
				seed_hwq_fail_until_restart(hwq);
		}
		dma_fence_end_signalling(cookie);
		exec->bus_resetting = true;
		mutex_unlock(&exec->reset_lock);
		ret = seed_exec_bus_reset(sdev);
		mutex_lock(&exec->reset_lock);
		cookie = dma_fence_begin_signalling();
		if (exec->sleeping) {
			/*
			 * The system suspended meanwhile: seed_exec_resume()
			 * resets the chip and restarts the queues, and other
			 * resets keep backing off until then.
			 */
			seed_info(sdev, "system suspend during the bus reset: resume sets the chip up\n");
			ret = 0;
			goto out;
		}
		exec->bus_resetting = false;
		if (!ret && !READ_ONCE(exec->unplugged))
			ret = seed_exec_bus_reset_done(sdev);
	}
	if (ret && READ_ONCE(exec->unplugged)) {
		/* Teardown ends the packets the queues hold. */
		ret = -ENODEV;
		goto out;
	}
	if (ret == -EAGAIN) {
		/* The queues fail every packet until a reset succeeds. */
		seed_exec_schedule_reset(sdev, "bus reset postponed");
		goto out;
	}
	if (ret) {
		seed_exec_device_lost_locked(sdev);
		ret = -ENODEV;
		goto out;
	}

	seed_mem_restore(sdev);
	for (i = 0; i < SEED_EXEC_NUM_HWQ(exec); i++) {
		hwq = seed_exec_hwq(exec, i);
		if (hwq)
			seed_hwq_restart(hwq, NULL, NULL);
	}

	atomic_inc(&exec->reset_count);
	seed_exec_report_reset(sdev, reason);
	seed_info(sdev, "device reset done (%s)\n", reason);
out:
	dma_fence_end_signalling(cookie);
	trace_seed_device_reset(sdev->drm.dev, reason, ret);
	return ret;
}

/**
 * seed_exec_reset_device() - reset the device and recover
 * @sdev: device
 * @reason: why, for the log and the uevent
 *
 * Jobs running on the device fail with DRM_SEED_JOB_RESET; queued jobs run
 * afterwards.
 *
 * Return: 0 once the device works again, -ENODEV if the device is lost or
 * being removed, -EAGAIN if it needs a bus reset that cannot run now.
 */
int seed_exec_reset_device(struct seed_device *sdev, const char *reason)
{
	int ret;

	ret = seed_pm_get(sdev);
	if (ret)
		return ret;
	mutex_lock(&sdev->exec.reset_lock);
	ret = seed_exec_reset_device_locked(sdev, reason);
	mutex_unlock(&sdev->exec.reset_lock);
	seed_pm_put(sdev);
	return ret;
}

static void seed_exec_reset_work(struct work_struct *work)
{
	struct seed_device *sdev = container_of(work, struct seed_device, exec.reset_work);
	struct seed_exec *exec = &sdev->exec;
	bool defer, fatal, dump;

	/* Requests made while probing (a FATAL event) run once probe is done. */
	mutex_lock(&exec->lock);
	defer = !exec->running;
	if (defer)
		exec->reset_deferred = true;
	mutex_unlock(&exec->lock);
	if (defer)
		return;
	/* Awake for the whole recovery, the FATAL check included. */
	if (seed_pm_get(sdev))
		return;

	/*
	 * One FATAL is reported twice, by its event and by every queue's
	 * record; the first request to run recovers the device.
	 */
	fatal = xchg(&exec->reset_fatal, false);
	if (fatal && !(seed_events_dev_status(sdev) & SEED_DEV_STATUS_FATAL)) {
		seed_dbg(sdev, RESET, "device no longer FATAL, reset not needed\n");
		goto out;
	}
	if (!fatal) {
		seed_exec_reset_device(sdev, READ_ONCE(exec->reset_reason) ?: "requested");
		goto out;
	}
	mutex_lock(&exec->reset_lock);
	dump = seed_coredump_capture_fatal(sdev);
	seed_exec_reset_device_locked(sdev, READ_ONCE(exec->reset_reason) ?: "device FATAL");
	if (dump)
		seed_coredump_finish(sdev, true);
	mutex_unlock(&exec->reset_lock);
out:
	seed_pm_put(sdev);
}

/**
 * seed_exec_schedule_reset() - reset the device from process context, later
 * @sdev: device
 * @reason: why; a string that outlives the reset (a literal)
 *
 * Safe from any context, from seed_exec_early_init() on. Requests made
 * before the reset starts are merged; requests made during probe run at
 * its end.
 */
void seed_exec_schedule_reset(struct seed_device *sdev, const char *reason)
{
	WRITE_ONCE(sdev->exec.reset_fatal, false);
	WRITE_ONCE(sdev->exec.reset_reason, reason);
	queue_work(sdev->exec.wq, &sdev->exec.reset_work);
}

/**
 * seed_exec_schedule_fatal_reset() - recover a FATAL device, later
 * @sdev: device
 *
 * As seed_exec_schedule_reset(), but the reset is skipped if the device is
 * no longer FATAL by then: the event and the queues' records of one FATAL
 * each ask for it. Safe from any context.
 */
void seed_exec_schedule_fatal_reset(struct seed_device *sdev)
{
	WRITE_ONCE(sdev->exec.reset_reason, "device FATAL");
	WRITE_ONCE(sdev->exec.reset_fatal, true);
	queue_work(sdev->exec.wq, &sdev->exec.reset_work);
}

/**
 * seed_exec_recover_hwq() - queue reset, escalating to a device reset
 * @hwq: queue that stopped on an error or holds a packet that timed out
 * @hint: fence of the packet that timed out, or NULL
 * @reason: why, should the device be reset
 *
 * Return: 0, or -ENODEV if the device was lost on the way.
 */
int seed_exec_recover_hwq(struct seed_hwq *hwq, struct dma_fence *hint, const char *reason)
{
	struct seed_device *sdev = hwq->sdev;
	bool cookie, dump;
	int ret;

	/* Usually a job keeps the chip awake; not once recovery failed it. */
	ret = seed_pm_get(sdev);
	if (ret)
		return ret;
	mutex_lock(&sdev->exec.reset_lock);
	cookie = dma_fence_begin_signalling();
	if (hwq->dead || sdev->exec.unplugged) {
		/* Teardown or loss ended every packet of the queue. */
	} else if (READ_ONCE(hwq->cpl->status) & SEED_CPL_STATUS_ERROR &&
		   READ_ONCE(hwq->cpl->error) == SEED_ERR_FATAL) {
		/* The whole device stopped (§13.5): only a device reset helps. */
		seed_exec_schedule_fatal_reset(sdev);
	} else {
		dump = seed_coredump_capture_hwq(hwq, hint);
		if (seed_hwq_recover(hwq, hint)) {
			/* It has its own signalling sections (a bus reset is outside). */
			dma_fence_end_signalling(cookie);
			ret = seed_exec_reset_device_locked(sdev, reason);
			cookie = dma_fence_begin_signalling();
		}
		if (dump)
			seed_coredump_finish_hwq(sdev, hint);
	}
	dma_fence_end_signalling(cookie);
	mutex_unlock(&sdev->exec.reset_lock);
	seed_pm_put(sdev);
	return ret;
}

/*
 * The PCI core is about to reset the function, or the link went down
 * (@why, for the log). As for the driver's own bus reset, every queue
 * stops, what it holds fails with DRM_SEED_JOB_RESET and what is pushed
 * until seed_exec_pci_restart() fails at once; other resets back off
 * meanwhile. The driver's own bus reset comes through here too and is left
 * alone.
 */
static void seed_exec_pci_stop(struct seed_device *sdev, const char *why)
{
	struct seed_exec *exec = &sdev->exec;
	struct seed_hwq *hwq;
	bool cookie;
	u32 i;

	mutex_lock(&exec->reset_lock);
	if (exec->bus_resetting || exec->lost || exec->unplugged) {
		mutex_unlock(&exec->reset_lock);
		return;
	}
	seed_warn(sdev, "%s: jobs in flight fail\n", why);
	exec->pci_resetting = true;
	exec->bus_resetting = true;
	cookie = dma_fence_begin_signalling();
	for (i = 0; i < SEED_EXEC_NUM_HWQ(exec); i++) {
		hwq = seed_exec_hwq(exec, i);
		if (hwq) {
			seed_hwq_stop(hwq);
			seed_hwq_fail_until_restart(hwq);
		}
	}
	dma_fence_end_signalling(cookie);
	mutex_unlock(&exec->reset_lock);
}

/*
 * After seed_exec_pci_stop(), with the configuration restored: the device
 * is set up again as after the driver's own bus reset (reported as a reset
 * for @reason), or declared lost if it did not come back. Nothing to do
 * otherwise. Returns 0, or -ENODEV if the device is lost.
 */
static int seed_exec_pci_restart(struct seed_device *sdev, const char *reason)
{
	struct seed_exec *exec = &sdev->exec;
	struct seed_hwq *hwq;
	bool cookie;
	int ret;
	u32 i;

	mutex_lock(&exec->reset_lock);
	if (!exec->pci_resetting) {
		ret = exec->lost ? -ENODEV : 0;
		mutex_unlock(&exec->reset_lock);
		return ret;
	}
	exec->pci_resetting = false;
	exec->bus_resetting = false;
	cookie = dma_fence_begin_signalling();
	ret = READ_ONCE(exec->unplugged) ? -ENODEV : seed_exec_bus_reset_done(sdev);
	if (ret) {
		/* Teardown ends the packets of an unplugged device. */
		if (!READ_ONCE(exec->unplugged))
			seed_exec_device_lost_locked(sdev);
		ret = -ENODEV;
	} else {
		seed_mem_restore(sdev);
		for (i = 0; i < SEED_EXEC_NUM_HWQ(exec); i++) {
			hwq = seed_exec_hwq(exec, i);
			if (hwq)
				seed_hwq_restart(hwq, NULL, NULL);
		}
		atomic_inc(&exec->reset_count);
		seed_exec_report_reset(sdev, reason);
		seed_info(sdev, "device back from a %s\n", reason);
	}
	dma_fence_end_signalling(cookie);
	trace_seed_device_reset(sdev->drm.dev, reason, ret);
	mutex_unlock(&exec->reset_lock);
	return ret;
}

/**
 * seed_exec_pci_reset_prepare() - the PCI core is about to reset the device
 * @sdev: device
 *
 * A reset the driver did not start: the "reset" attribute in sysfs. Jobs
 * in flight fail with DRM_SEED_JOB_RESET (seed_exec_pci_stop()). Called
 * with the PCI core's device lock held.
 */
void seed_exec_pci_reset_prepare(struct seed_device *sdev)
{
	seed_exec_pci_stop(sdev, "PCI reset of the device");
}

/**
 * seed_exec_pci_reset_done() - the PCI core reset the device
 * @sdev: device
 *
 * After seed_exec_pci_reset_prepare(), with the configuration restored:
 * the device is set up again as after the driver's own bus reset, or
 * declared lost if it did not come back.
 *
 * Return: 0, or -ENODEV if the device is lost.
 */
int seed_exec_pci_reset_done(struct seed_device *sdev)
{
	return seed_exec_pci_restart(sdev, "PCI reset");
}

/* How long system suspend lets the packets the chip runs retire. */
#define SEED_SUSPEND_DRAIN_MS		2000

/**
 * seed_exec_suspend() - the system goes to sleep: quiesce the chip
 * @sdev: device
 *
 * The queues stop taking packets (what is pushed meanwhile waits), and the
 * packets the chip runs get up to %SEED_SUSPEND_DRAIN_MS to retire. A
 * packet still running then runs again from its start after resume
 * (seed_exec_resume()): system sleep may take the chip's power, and with
 * it everything but the HBM (docs/hardware.md §2.4). Other resets back off
 * until resume. The event log is disabled last.
 */
void seed_exec_suspend(struct seed_device *sdev)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(SEED_SUSPEND_DRAIN_MS);
	struct seed_exec *exec = &sdev->exec;
	struct seed_hwq *hwq;
	u32 i, running = 0;

	mutex_lock(&exec->reset_lock);
	if (exec->lost || exec->unplugged) {
		mutex_unlock(&exec->reset_lock);
		return;
	}
	exec->sleeping = true;
	exec->bus_resetting = true;
	for (i = 0; i < SEED_EXEC_NUM_HWQ(exec); i++) {
		hwq = seed_exec_hwq(exec, i);
		if (hwq)
			seed_hwq_stop(hwq);
	}
	mutex_unlock(&exec->reset_lock);

	for (i = 0; i < SEED_EXEC_NUM_HWQ(exec); i++) {
		hwq = seed_exec_hwq(exec, i);
		if (hwq && !wait_event_timeout(hwq->wq, !seed_hwq_running(hwq),
					       max_t(long, deadline - jiffies, 1)))
			running++;
	}
	if (running)
		seed_warn(sdev, "suspend: %u queues still running, their packets run again after resume\n",
			  running);
	seed_events_disable(sdev);
	seed_dbg(sdev, PM, "system suspend\n");
}

/**
 * seed_exec_resume() - the system woke up: set the chip up again
 * @sdev: device
 *
 * The chip may have lost power or not: a device reset brings it to a known
 * state either way. Then, as after a bus reset, the event log, the device
 * MMU and the queues are set up again; every packet still on a queue is
 * written again and runs, none fails. A chip that does not come back is
 * declared lost.
 *
 * Return: 0, or -ENODEV if the device did not come back. A chip lost
 * before the sleep stays lost and resumes without an error.
 */
int seed_exec_resume(struct seed_device *sdev)
{
	struct seed_exec *exec = &sdev->exec;
	struct seed_hwq *hwq;
	bool cookie;
	int ret;
	u32 i;

	mutex_lock(&exec->reset_lock);
	if (!exec->sleeping) {
		/* Lost before the sleep (and logged then), or removed. */
		mutex_unlock(&exec->reset_lock);
		return 0;
	}
	exec->sleeping = false;
	exec->bus_resetting = false;
	cookie = dma_fence_begin_signalling();
	ret = READ_ONCE(exec->unplugged) ? -ENODEV :
	      seed_hw_device_reset(sdev, SEED_DEVICE_RESET_TIMEOUT_MS);
	if (!ret)
		ret = seed_exec_bus_reset_done(sdev);
	if (ret) {
		seed_err(sdev, "chip did not come back from system sleep: %d\n", ret);
		if (!READ_ONCE(exec->unplugged))
			seed_exec_device_lost_locked(sdev);
		ret = -ENODEV;
	} else {
		seed_mem_restore(sdev);
		for (i = 0; i < SEED_EXEC_NUM_HWQ(exec); i++) {
			hwq = seed_exec_hwq(exec, i);
			if (hwq)
				seed_hwq_resume(hwq);
		}
		seed_dbg(sdev, PM, "system resume\n");
	}
	dma_fence_end_signalling(cookie);
	mutex_unlock(&exec->reset_lock);
	return ret;
}

/* Time the device may take to be READY after the link was reset. */
#define SEED_PCI_ERROR_READY_MS		2000

/**
 * seed_exec_pci_error_detected() - the PCI core reports an error (AER)
 * @sdev: device
 * @state: what the error did to the link
 *
 * An uncorrectable non-fatal error left the link up: nothing stops, the
 * device is checked in seed_exec_pci_mmio_enabled(). A fatal error froze
 * the link and the port resets it next: the queues stop and their jobs
 * fail as for a PCI reset, until seed_exec_pci_slot_reset(). A permanent
 * failure is the end: the device is declared lost (bus mastering off,
 * every job fails with DRM_SEED_JOB_DEVICE_LOST, submissions -ENODEV);
 * the removal that follows frees it as on an unplug. Called with the PCI
 * core's device lock held.
 *
 * Return: what the driver needs next.
 */
pci_ers_result_t seed_exec_pci_error_detected(struct seed_device *sdev,
					      pci_channel_state_t state)
{
	struct seed_exec *exec = &sdev->exec;

	switch (state) {
	case pci_channel_io_normal:
		seed_warn(sdev, "PCI error (non-fatal): checking the device\n");
		return PCI_ERS_RESULT_CAN_RECOVER;
	case pci_channel_io_frozen:
		seed_exec_pci_stop(sdev, "PCI error (fatal), link reset");
		return PCI_ERS_RESULT_NEED_RESET;
	case pci_channel_io_perm_failure:
	default:
		seed_err(sdev, "PCI error: permanent failure\n");
		mutex_lock(&exec->reset_lock);
		exec->pci_resetting = false;
		exec->bus_resetting = false;
		if (!exec->unplugged)
			seed_exec_device_lost_locked(sdev);
		mutex_unlock(&exec->reset_lock);
		return PCI_ERS_RESULT_DISCONNECT;
	}
}

/**
 * seed_exec_pci_mmio_enabled() - check the device after a non-fatal error
 * @sdev: device
 *
 * The link stayed up. A device that is READY and not FATAL lost nothing
 * the driver can see: its jobs go on. Otherwise it gets the driver's own
 * device reset (running jobs fail with DRM_SEED_JOB_RESET, queued ones run
 * afterwards).
 *
 * Return: PCI_ERS_RESULT_RECOVERED, or PCI_ERS_RESULT_DISCONNECT if the
 * device is lost.
 */
pci_ers_result_t seed_exec_pci_mmio_enabled(struct seed_device *sdev)
{
	u32 status = seed_rd32(sdev, SEED_REG_DEV_STATUS);
	int ret;

	if (!(status & SEED_DEV_STATUS_RESERVED) && (status & SEED_DEV_STATUS_READY) &&
	    !(status & SEED_DEV_STATUS_FATAL)) {
		seed_info(sdev, "PCI error (non-fatal): device OK, jobs go on\n");
		return PCI_ERS_RESULT_RECOVERED;
	}
	seed_warn(sdev, "PCI error (non-fatal): device status 0x%08x\n", status);
	ret = seed_exec_reset_device(sdev, "PCI error");
	return ret && ret != -EAGAIN ? PCI_ERS_RESULT_DISCONNECT : PCI_ERS_RESULT_RECOVERED;
}

/**
 * seed_exec_pci_slot_reset() - the link was reset after a fatal error
 * @sdev: device
 *
 * The caller restored the configuration. Once the device is READY it is
 * set up again as after a PCI reset: HBM keeps its contents, the queues
 * restart and the jobs pushed since seed_exec_pci_error_detected() run.
 *
 * Return: PCI_ERS_RESULT_RECOVERED, or PCI_ERS_RESULT_DISCONNECT if the
 * device did not come back (it is lost).
 */
pci_ers_result_t seed_exec_pci_slot_reset(struct seed_device *sdev)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(SEED_PCI_ERROR_READY_MS);
	u32 status;

	for (;;) {
		status = seed_rd32(sdev, SEED_REG_DEV_STATUS);
		if (!(status & SEED_DEV_STATUS_RESERVED) && (status & SEED_DEV_STATUS_READY))
			break;
		if (time_after(jiffies, deadline))
			break;
		msleep(20);
	}
	return seed_exec_pci_restart(sdev, "PCI error recovery") ?
	       PCI_ERS_RESULT_DISCONNECT : PCI_ERS_RESULT_RECOVERED;
}

/**
 * seed_exec_shutdown() - quiesce the device before reboot or kexec
 * @sdev: device
 *
 * The queues stop taking packets and bus mastering goes off, so the device
 * writes no memory the next kernel may own. Nothing is freed.
 */
void seed_exec_shutdown(struct seed_device *sdev)
{
	struct seed_exec *exec = &sdev->exec;
	struct seed_hwq *hwq;
	u32 i;

	mutex_lock(&exec->reset_lock);
	for (i = 0; i < SEED_EXEC_NUM_HWQ(exec); i++) {
		hwq = seed_exec_hwq(exec, i);
		if (hwq)
			seed_hwq_stop(hwq);
	}
	pci_clear_master(sdev->pdev);
	mutex_unlock(&exec->reset_lock);
}

/**
 * seed_exec_reset_init() - set up the reset work items
 * @sdev: device
 */
void seed_exec_reset_init(struct seed_device *sdev)
{
	INIT_WORK(&sdev->exec.reset_work, seed_exec_reset_work);
	INIT_WORK(&sdev->exec.uevent_work, seed_exec_uevent_work);
	spin_lock_init(&sdev->exec.uevent_lock);
}

/**
 * seed_exec_run_deferred_reset() - probe is done: allow device resets
 * @sdev: device
 *
 * Runs a reset requested while probing, if any.
 */
void seed_exec_run_deferred_reset(struct seed_device *sdev)
{
	struct seed_exec *exec = &sdev->exec;
	bool deferred;

	mutex_lock(&exec->lock);
	exec->running = true;
	deferred = exec->reset_deferred;
	exec->reset_deferred = false;
	mutex_unlock(&exec->lock);
	if (deferred)
		queue_work(exec->wq, &exec->reset_work);
}
