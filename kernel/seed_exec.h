/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Job execution: hardware queues (docs/hardware.md §9), one DRM scheduler
 * per queue, jobs and their status, timeouts and the recovery ladder (§17.7,
 * §17.8).
 */
#ifndef __SEED_EXEC_H__
#define __SEED_EXEC_H__

#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "seed_hw_reg.h"

struct drm_device;
struct drm_file;
struct io_uring_cmd;
struct seed_device;
struct seed_file;
struct seed_hwq;

/**
 * struct seed_exec - execution state of a chip
 * @lock: Protects @hwq and @hwq_used. Modified only with @reset_lock also
 *	held, so holding @reset_lock is enough to walk @hwq.
 * @hwq: Hardware queues of user queues, by hardware queue number.
 * @hwq_used: Hardware queue numbers in use (including @kq's).
 * @num_hwq: Usable hardware queues: the device's, limited to the MSI-X
 *	vectors there are (one each); the last one is @kq.
 * @hwq_seqno: Last fence number used on each hardware queue number. The
 *	device keeps a queue's fence across queue resets, so the next user of
 *	the number continues from there. Protected by @reset_lock.
 * @kq: Kernel queue, runs in the kernel context (memory clearing).
 * @kq_lock: Serialises users of @kq.
 * @reset_lock: Serialises every recovery step (queue and device resets),
 *	queue creation and teardown; see seed_reset.c.
 * @reset_count: Device resets done by the driver since probe.
 * @lost: The device is gone or could not be recovered; no new work.
 * @wq: Ordered workqueue for error recovery, device resets and job
 *	timeouts. Lives until the DRM device is released.
 * @reset_work: Device reset requested by seed_exec_schedule_reset().
 * @reset_reason: Reason given to seed_exec_schedule_reset().
 */
struct seed_exec {
	struct mutex lock; /* the hwq table */
	struct seed_hwq *hwq[SEED_MAX_QUEUES];
	unsigned long hwq_used[BITS_TO_LONGS(SEED_MAX_QUEUES)];
	u32 num_hwq;
	u64 hwq_seqno[SEED_MAX_QUEUES];
	struct seed_hwq *kq;
	struct mutex kq_lock; /* users of kq */
	struct mutex reset_lock; /* all recovery, see seed_reset.c */
	atomic_t reset_count;
	bool lost;
	struct workqueue_struct *wq;
	struct work_struct reset_work;
	const char *reset_reason;
};

/**
 * struct seed_file_exec - per-client queues and accounting
 * @queues: User queues by id.
 * @next_id: Last queue id handed out.
 * @busy_ns: Device time used by this client's finished jobs.
 */
struct seed_file_exec {
	struct xarray queues;
	u32 next_id;
	atomic64_t busy_ns;
};

int seed_exec_init(struct seed_device *sdev);
void seed_exec_fini(struct seed_device *sdev);

int seed_exec_file_open(struct seed_file *sf);
void seed_exec_file_close(struct seed_file *sf);

int seed_kq_fill(struct seed_device *sdev, u64 va, u64 size, u64 pattern);

int seed_exec_reset_device(struct seed_device *sdev, const char *reason);
void seed_exec_schedule_reset(struct seed_device *sdev, const char *reason);
void seed_exec_device_lost(struct seed_device *sdev);

int seed_uring_cmd(struct io_uring_cmd *cmd, unsigned int issue_flags);

int seed_queue_create_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int seed_queue_destroy_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int seed_submit_ioctl(struct drm_device *drm, void *data, struct drm_file *file);
int seed_job_status_ioctl(struct drm_device *drm, void *data, struct drm_file *file);

#endif /* __SEED_EXEC_H__ */
