/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Job execution: the hardware queues the driver runs (docs/hardware.md §9),
 * one DRM scheduler per user ring with the user queues of any number of
 * clients as its entities, jobs and their status, timeouts and the recovery
 * ladder (§17.7, §17.8).
 */
#ifndef __SEED_EXEC_H__
#define __SEED_EXEC_H__

#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <drm/gpu_scheduler.h>

#include <uapi/drm/seed_accel.h>

#include "seed_hw_reg.h"

struct drm_device;
struct drm_file;
struct io_uring_cmd;
struct seed_device;
struct seed_file;
struct seed_hwq;

/* Queue priorities, DRM_SEED_PRIORITY_LOW .. _REALTIME. */
#define SEED_NUM_PRIORITIES	4

/* Job outcomes, DRM_SEED_JOB_OK .. DRM_SEED_JOB_HW_ERROR. */
#define SEED_JOB_OUTCOMES	(DRM_SEED_JOB_HW_ERROR + 1)

/**
 * struct seed_ring - a hardware queue that carries user jobs
 * @hwq: The hardware queue. Its own packets run in context 0; every job is
 *	an INDIRECT naming the context of its client (§10.10).
 * @sched: Scheduler feeding @hwq; the user queues on this ring are its
 *	entities.
 * @priority: DRM_SEED_PRIORITY_* of the queues it carries, and its PRIORITY
 *	register.
 * @nqueues: User queues placed on the ring.
 * @entity_lock: Serialises the teardown of the ring's entities, which runs
 *	with @sched's submission stopped (see seed_queue_kill()).
 */
struct seed_ring {
	struct seed_hwq *hwq;
	struct drm_gpu_scheduler sched;
	u32 priority;
	atomic_t nqueues;
	struct mutex entity_lock; /* entity teardown */
};

/**
 * struct seed_exec - execution state of a chip
 * @lock: Protects @reset_deferred and @running.
 * @rings: User rings, @num_rings of them: @rings_per_prio per priority, ring
 *	r carrying priority r / @rings_per_prio. Created at probe, their
 *	hardware released at remove, the structures freed with the DRM device.
 * @num_rings: Entries of @rings.
 * @rings_per_prio: Rings per priority.
 * @kq: Kernel queue, runs in the kernel context (memory clearing).
 * @kq_lock: Serialises users of @kq.
 * @reset_lock: Serialises every recovery step (queue and device resets) and
 *	teardown; see seed_reset.c. Never held while allocating memory or
 *	waiting for a fence: recovery signals fences.
 * @reset_count: Device resets done by the driver since probe.
 * @unplugged: The device is being removed: teardown owns the hardware.
 * @bus_resetting: A device reset dropped @reset_lock for a bus reset; other
 *	resets back off (-EAGAIN). Under @reset_lock.
 * @pci_resetting: The PCI core resets the function (reset_prepare was
 *	called, reset_done not yet) or the link after a fatal PCI error
 *	(error_detected frozen, slot_reset not yet); @bus_resetting is set
 *	meanwhile. Under @reset_lock.
 * @sleeping: Between system suspend and resume (seed_exec_suspend()):
 *	the queues are stopped and @bus_resetting is set. Under @reset_lock.
 * @lost: The device stopped working and cannot be recovered. Bus mastering
 *	was turned off before this was set, so the device reaches no memory.
 * @running: Probe finished; device resets may run.
 * @reset_deferred: A device reset was requested before @running.
 * @wq: Ordered workqueue for error recovery, device resets and job
 *	timeouts.
 * @reset_work: Device reset requested by seed_exec_schedule_reset().
 * @reset_reason: Reason given to seed_exec_schedule_reset().
 * @reset_fatal: The pending request is for a FATAL device: it is dropped if
 *	the device is no longer FATAL when it runs (another reset recovered).
 * @live_jobs: Jobs pushed to a scheduler and not yet freed: the schedulers
 *	must outlive them, even after their files are closed.
 * @jobs_wq: Woken when @live_jobs drops to 0.
 * @uevent_work: Reports device resets to userspace (allocates, so it is
 *	kept out of the recovery path).
 * @uevent_lock: Protects @uevent_reason.
 * @uevent_reason: Reason of the last reset not reported yet, or "".
 * @job_failures: Jobs of every client that failed since probe, by their
 *	DRM_SEED_JOB_* reason (entry DRM_SEED_JOB_OK stays 0); counted when a
 *	job's finished fence signals with an error (seed_job.c), shown in sysfs
 *	job_failures/.
 */
struct seed_exec {
	struct mutex lock; /* see above */
	struct seed_ring *rings;
	u32 num_rings;
	u32 rings_per_prio;
	struct seed_hwq *kq;
	struct mutex kq_lock; /* users of kq */
	struct mutex reset_lock; /* all recovery, see seed_reset.c */
	atomic_t reset_count;
	bool unplugged;
	bool bus_resetting;
	bool pci_resetting;
	bool sleeping;
	bool lost;
	bool running;
	bool reset_deferred;
	struct workqueue_struct *wq;
	struct work_struct reset_work;
	const char *reset_reason;
	bool reset_fatal;
	atomic_t live_jobs;
	wait_queue_head_t jobs_wq;
	struct work_struct uevent_work;
	spinlock_t uevent_lock; /* uevent_reason */
	char uevent_reason[64];
	atomic64_t job_failures[SEED_JOB_OUTCOMES];
};

/**
 * struct seed_file_exec - per-client queues and accounting
 * @queues: User queues by id.
 * @next_id: Last queue id handed out.
 * @nqueues: Entries in @queues (and reserved ids).
 * @busy_ns: Device time used by this client's finished jobs.
 */
struct seed_file_exec {
	struct xarray queues;
	u32 next_id;
	atomic_t nqueues;
	atomic64_t busy_ns;
};

/* The hardware queues the driver runs: the user rings, then the kernel queue. */
#define SEED_EXEC_NUM_HWQ(exec)	((exec)->num_rings + 1)

/**
 * seed_exec_hwq() - hardware queue @i of SEED_EXEC_NUM_HWQ()
 * @exec: execution state; the caller holds &seed_exec.reset_lock or runs
 *	before the queues are published or after they are torn down
 * @i: index
 *
 * Return: the queue, or NULL for a kernel queue not created (yet).
 */
static inline struct seed_hwq *seed_exec_hwq(struct seed_exec *exec, u32 i)
{
	return i < exec->num_rings ? exec->rings[i].hwq : exec->kq;
}

int seed_exec_early_init(struct seed_device *sdev);
int seed_exec_init(struct seed_device *sdev);
void seed_exec_start(struct seed_device *sdev);
void seed_exec_fini(struct seed_device *sdev);
void seed_exec_release_hw(struct seed_device *sdev);

int seed_exec_file_open(struct seed_file *sf);
void seed_exec_file_close(struct seed_file *sf);

int seed_kq_fill(struct seed_device *sdev, u64 va, u64 size, u64 pattern);
void seed_exec_job_done(struct seed_device *sdev);

int seed_exec_reset_device(struct seed_device *sdev, const char *reason);
void seed_exec_schedule_reset(struct seed_device *sdev, const char *reason);
void seed_exec_schedule_fatal_reset(struct seed_device *sdev);

int seed_uring_cmd(struct io_uring_cmd *cmd, unsigned int issue_flags);

int seed_queue_create_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int seed_queue_destroy_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int seed_submit_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int seed_job_status_ioctl(struct drm_device *drm, void *data, struct drm_file *file);

extern const struct drm_sched_backend_ops seed_sched_ops;

#endif /* __SEED_EXEC_H__ */
