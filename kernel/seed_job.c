// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * User queues and jobs: QUEUE_CREATE, QUEUE_DESTROY, SUBMIT (ioctl and
 * io_uring command) and JOB_STATUS.
 *
 * Scheduling model (docs/driver.md): a user queue is a DRM scheduler entity
 * on one of the rings of its priority (seed_exec.c), the least used one when
 * it is created. Any number of queues of any number of files share a ring.
 * A job is one INDIRECT packet pointing at the user's command buffer and
 * naming the hardware context its file is bound to; the context is bound
 * (seed_ctx_pin()) in the scheduler's prepare_job, when the job is next on
 * its queue, and stays pinned until the job's finished fence signals. The
 * job's finished fence is point seq of the queue's timeline syncobj.
 *
 * Fairness: at most queue_depth jobs of one queue are on the hardware at
 * once (prepare_job makes job seq wait for the hardware fence of job
 * seq - queue_depth). The scheduler picks among ready queues by the age of
 * their next job, so a queue flooding its ring gets at most queue_depth
 * jobs ahead of a job another queue submits later, and the ring alternates
 * between the two from then on. Priorities are separate rings, with the
 * device's strict PRIORITY order between them (§9.1).
 *
 * Implicit sync (DOC: implicit sync in the UAPI header): SUBMIT looks up the
 * BOs the job lists, merges duplicates, and takes their reservation locks
 * together (ww mutexes, drm_gem_lock_reservations()). With the locks held it
 * reserves a fence slot in each and makes the fences already there
 * dependencies of the job; after arming it adds the finished fence, before
 * the push, then unlocks. The job holds a reference to each BO until it is
 * freed. The reservation locks are taken before &seed_queue.submit_lock.
 *
 * Job outcomes live in &seed_queue.jobs, keyed by seq: an entry exists from
 * submission until the job succeeds; failed jobs keep theirs (the most recent
 * &SEED_QUEUE_FAILED_KEEP), so JOB_STATUS can report why they failed.
 *
 * Failures: a hardware queue recovers on its own (seed_hwq.c, seed_reset.c):
 * the guilty packet fails and the ones behind it, of any client, run again.
 * Destroying a queue (or closing its file) cancels every unfinished job:
 * those that have not reached the hardware with -ESRCH (the scheduler's own
 * code), those on a ring with -ECANCELED, stopped as soon as they run by a
 * conditional reset that never aborts another client's packet. Then the
 * device no longer touches the client's memory for the queue.
 *
 * Locking, outermost first:
 * - &seed_queue.submit_lock: seq numbering, arming and pushing jobs, the
 *   timeline, &seed_queue.dead.
 * - The xa_lock of &seed_queue.jobs (interrupt safe): job records,
 *   &seed_queue.done_seq, &seed_queue.pruned_seq, &seed_queue.nfailed.
 *   Taken from fence callbacks, in hard interrupt context.
 * - &seed_queue.hw_lock: &seed_queue.hw_fences.
 */

#include <linux/capability.h>
#include <linux/bitmap.h>
#include <linux/dma-fence-chain.h>
#include <linux/dma-resv.h>
#include <linux/io_uring/cmd.h>
#include <linux/kref.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/error-injection.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_syncobj.h>
#include <drm/gpu_scheduler.h>

#include <uapi/drm/seed_accel.h>

#include "seed_coredump.h"
#include "seed_drv.h"
#include "seed_hwq.h"
#include "seed_pm.h"
#include "seed_reset.h"
#include "seed_trace.h"

/* Failed-job outcomes kept per queue (the UAPI promises at least 256). */
#define SEED_QUEUE_FAILED_KEEP		1024

/* How often a queue being destroyed reports a job that does not stop. */
#define SEED_QUEUE_DRAIN_REPORT_MS	10000

#define SEED_QUEUE_DEPTH_MAX		256

/* struct drm_seed_submit before bos, bo_count and pad were added. */
#define SEED_SUBMIT_SIZE_V1		offsetof(struct drm_seed_submit, bos)
#define SEED_IOCTL_SUBMIT_V1 \
	_IOC(_IOC_READ | _IOC_WRITE, DRM_IOCTL_BASE, DRM_COMMAND_BASE + DRM_SEED_SUBMIT, \
	     SEED_SUBMIT_SIZE_V1)

static unsigned int seed_queue_depth = 16;
module_param_named(queue_depth, seed_queue_depth, uint, 0444);
MODULE_PARM_DESC(queue_depth,
		 "Jobs of one queue on the hardware at once (1 .. 256, default 16)");

static unsigned int seed_max_queues_per_file = 4096;
module_param_named(max_queues_per_file, seed_max_queues_per_file, uint, 0644);
MODULE_PARM_DESC(max_queues_per_file, "Queues one open file may create (default 4096)");

/**
 * struct seed_queue - a user queue
 * @ref: Held by the file's queue table and by every job.
 * @sdev: Device.
 * @sf: File that created the queue; outlives it.
 * @client_id: DRM client id of @sf's file, for tracing.
 * @id: Queue id in @sf's queue table, for tracing.
 * @ring: Ring the queue's jobs run on.
 * @entity: The queue's entity on @ring's scheduler.
 * @timeline: Timeline syncobj; point seq = job seq.
 * @submit_lock: See the locking rules above.
 * @last_seq: Last seq handed out.
 * @dead: Being destroyed; no new jobs.
 * @jobs: Job records (&struct seed_job_rec) by seq.
 * @done_seq: Highest seq whose job finished.
 * @pruned_seq: Highest seq whose failure record was dropped.
 * @nfailed: Failure records in @jobs.
 * @depth: Entries of @hw_fences: queue_depth when the queue was created.
 * @hw_lock: Protects @hw_fences.
 * @hw_fences: Hardware fence of job seq at seq % @depth, once it ran.
 */
struct seed_queue {
	struct kref ref;
	struct seed_device *sdev;
	struct seed_file *sf;
	u64 client_id;
	u32 id;
	struct seed_ring *ring;
	struct drm_sched_entity entity;
	struct drm_syncobj *timeline;
	struct mutex submit_lock; /* see the locking rules above */
	u64 last_seq;
	bool dead;
	struct xarray jobs;
	u64 done_seq;
	u64 pruned_seq;
	u32 nfailed;
	u32 depth;
	spinlock_t hw_lock; /* hw_fences */
	struct dma_fence *hw_fences[] __counted_by(depth);
};

/**
 * struct seed_job_rec - what JOB_STATUS knows about a job
 * @finished: The job's finished fence while it runs; NULL once it failed.
 * @failed: The job failed; @outcome is final.
 * @outcome: Why it failed; filled in by the hardware queue, or from the
 *	fence error.
 */
struct seed_job_rec {
	struct dma_fence *finished;
	bool failed;
	struct seed_job_outcome outcome;
};

/**
 * struct seed_job_bo_desc - a BO of a job, as a coredump names it
 * @va: Device VA of the BO in the job's context.
 * @handle: First handle the job listed it by.
 */
struct seed_job_bo_desc {
	u64 va;
	u32 handle;
};

/**
 * struct seed_job - one submission
 * @base: Scheduler job.
 * @q: Queue (a reference).
 * @cmd_bo: Command buffer (a reference).
 * @va: Device VA of the first packet.
 * @count: Packets.
 * @seq: Sequence number, the timeline point.
 * @rec: Record, owned by &seed_queue.jobs once the job is armed.
 * @hf: Preallocated hardware fence, until run_job uses it.
 * @hw_fence: Hardware fence (a reference) once run_job ran.
 * @done_cb: On the finished fence: updates @rec.
 * @unpin_cb: On the finished fence: unpins the context.
 * @waiter: Preallocated fence for waiting for a hardware context.
 * @pinned: The context is pinned for this job; @hw_ctx is its id.
 * @hw_ctx: Hardware context id the job runs in.
 * @bind_err: Why the context could not be bound; the job fails with it.
 * @deps: The input fences (references), checked for errors before the job
 *	runs: a job whose dependency failed does not run (CANCELLED).
 * @ndeps: Entries in @deps.
 * @bos: The BOs the job listed, each once (references), or NULL.
 * @bo_write: Bit i set: the job writes @bos[i].
 * @bo_desc: Handle and VA of each of @bos, for coredumps.
 * @nbos: Entries in @bos.
 * @cmd_handle: Handle of @cmd_bo in the submitting file, for coredumps.
 * @cmd_offset: Offset of the first packet in @cmd_bo.
 */
struct seed_job {
	struct drm_sched_job base;
	struct seed_queue *q;
	struct drm_gem_object *cmd_bo;
	u64 va;
	u32 count;
	u64 seq;
	struct seed_job_rec *rec;
	struct seed_hw_fence *hf;
	struct dma_fence *hw_fence;
	struct dma_fence_cb done_cb;
	struct dma_fence_cb unpin_cb;
	struct seed_ctx_waiter *waiter;
	bool pinned;
	u32 hw_ctx;
	int bind_err;
	struct dma_fence *deps[DRM_SEED_MAX_SYNCS];
	u32 ndeps;
	struct drm_gem_object **bos;
	unsigned long *bo_write;
	struct seed_job_bo_desc *bo_desc;
	u32 nbos;
	u32 cmd_handle;
	u64 cmd_offset;
};

/*
 * A failed dependency cancels the job: it must not run on inputs that were
 * never produced. The scheduler only runs the job once every dependency
 * has signalled, so their status is final here.
 */
static int seed_job_deps_error(struct seed_job *job)
{
	u32 i;

	for (i = 0; i < job->ndeps; i++) {
		struct dma_fence *f = dma_fence_chain_contained(job->deps[i]);

		if (dma_fence_get_status(f) < 0)
			return -ECANCELED;
	}
	return 0;
}

static void seed_job_put_deps(struct seed_job *job)
{
	while (job->ndeps)
		dma_fence_put(job->deps[--job->ndeps]);
}

static void seed_job_put_bos(struct seed_job *job)
{
	while (job->nbos)
		drm_gem_object_put(job->bos[--job->nbos]);
	kvfree(job->bos);
	job->bos = NULL;
	kvfree(job->bo_desc);
	job->bo_desc = NULL;
	bitmap_free(job->bo_write);
	job->bo_write = NULL;
}

static inline struct seed_job *to_seed_job(struct drm_sched_job *job)
{
	return container_of(job, struct seed_job, base);
}

static void seed_queue_release(struct kref *ref)
{
	struct seed_queue *q = container_of(ref, struct seed_queue, ref);
	struct seed_job_rec *rec;
	unsigned long seq;
	u32 i;

	xa_for_each(&q->jobs, seq, rec) {
		dma_fence_put(rec->finished);
		kfree(rec);
	}
	xa_destroy(&q->jobs);
	for (i = 0; i < q->depth; i++)
		dma_fence_put(q->hw_fences[i]);
	mutex_destroy(&q->submit_lock);
	kfree(q);
}

static void seed_queue_put(struct seed_queue *q)
{
	kref_put(&q->ref, seed_queue_release);
}

static struct seed_queue *seed_queue_get(struct seed_file *sf, u32 id)
{
	struct seed_queue *q;

	xa_lock(&sf->exec.queues);
	q = xa_load(&sf->exec.queues, id);
	if (q)
		kref_get(&q->ref);
	xa_unlock(&sf->exec.queues);
	return q;
}

/* Fence errors that reach a job without a hardware outcome. */
static u32 seed_job_errno_to_status(int err)
{
	switch (err) {
	case -ETIMEDOUT:
		return DRM_SEED_JOB_TIMEOUT;
	case -ENODEV:
		return DRM_SEED_JOB_DEVICE_LOST;
	case -EFAULT:
		return DRM_SEED_JOB_MMU_FAULT;
	case -EIO:
		return DRM_SEED_JOB_RESET;
	default:
		/* -ECANCELED, -ESRCH, failed dependencies. */
		return DRM_SEED_JOB_CANCELLED;
	}
}

/* Drops the oldest failure records beyond SEED_QUEUE_FAILED_KEEP. */
static void seed_queue_prune_locked(struct seed_queue *q)
{
	struct seed_job_rec *rec;
	unsigned long seq;

	while (q->nfailed > SEED_QUEUE_FAILED_KEEP) {
		xa_for_each(&q->jobs, seq, rec) {
			if (rec->failed)
				break;
		}
		if (!rec)
			return;
		__xa_erase(&q->jobs, seq);
		kfree(rec);
		q->nfailed--;
		q->pruned_seq = max_t(u64, q->pruned_seq, seq);
	}
}

/* Finished fence callback; any context, including hard interrupts. */
static void seed_job_done_cb(struct dma_fence *f, struct dma_fence_cb *cb)
{
	struct seed_job *job = container_of(cb, struct seed_job, done_cb);
	struct seed_queue *q = job->q;
	struct seed_job_rec *rec = job->rec;
	unsigned long flags;
	u32 status = DRM_SEED_JOB_OK;

	xa_lock_irqsave(&q->jobs, flags);
	rec->finished = NULL;
	if (f->error) {
		rec->failed = true;
		if (!rec->outcome.error)
			rec->outcome.error = seed_job_errno_to_status(f->error);
		status = rec->outcome.error;
		if (status < SEED_JOB_OUTCOMES)
			atomic64_inc(&q->sdev->exec.job_failures[status]);
		q->nfailed++;
		seed_queue_prune_locked(q);
	} else {
		__xa_erase(&q->jobs, job->seq);
		kfree(rec);
	}
	job->rec = NULL;
	if (job->seq > q->done_seq)
		q->done_seq = job->seq;
	xa_unlock_irqrestore(&q->jobs, flags);
	/* hw_fence was set before run_job returned, so before f signalled. */
	trace_seed_job_done(q->sdev->drm.dev, q->client_id, q->id, q->ring->hwq->id, job->seq,
			    status, f->error,
			    job->hw_fence ? to_seed_hw_fence(job->hw_fence)->dev_ns : 0);
	/* The record's reference; the signaller holds another one. */
	dma_fence_put(f);
}

/* Finished fence callback: the job no longer needs its hardware context. */
static void seed_job_unpin_cb(struct dma_fence *f, struct dma_fence_cb *cb)
{
	struct seed_job *job = container_of(cb, struct seed_job, unpin_cb);

	seed_ctx_unpin(job->q->sf->ctx);
}

/*
 * Called by the scheduler, repeatedly, until it returns NULL, before the job
 * runs: first the queue's depth limit, then the binding of its context.
 */
static struct dma_fence *seed_job_prepare(struct drm_sched_job *sched_job,
					  struct drm_sched_entity *entity)
{
	struct seed_job *job = to_seed_job(sched_job);
	struct seed_queue *q = job->q;
	struct dma_fence *fence;
	unsigned long flags;

	if (job->pinned || job->bind_err)
		return NULL;

	/* Job seq - depth shares the slot; it ran before this one. */
	spin_lock_irqsave(&q->hw_lock, flags);
	fence = q->hw_fences[job->seq % q->depth];
	if (fence && !dma_fence_is_signaled(fence))
		dma_fence_get(fence);
	else
		fence = NULL;
	spin_unlock_irqrestore(&q->hw_lock, flags);
	if (fence)
		return fence;

	/* A failed job does not run: it needs no context. */
	if (sched_job->s_fence->finished.error || READ_ONCE(q->dead))
		return NULL;

	fence = seed_ctx_pin(q->sf->ctx, &job->waiter, &job->hw_ctx, &job->bind_err);
	if (fence || job->bind_err)
		return fence;

	job->pinned = true;
	/* Not signalled yet: the job has not run. */
	if (dma_fence_add_callback(&sched_job->s_fence->finished, &job->unpin_cb,
				   seed_job_unpin_cb))
		seed_job_unpin_cb(&sched_job->s_fence->finished, &job->unpin_cb);
	return NULL;
}

static void seed_queue_set_hw_fence(struct seed_queue *q, u64 seq, struct dma_fence *fence)
{
	struct dma_fence *old;
	unsigned long flags;

	spin_lock_irqsave(&q->hw_lock, flags);
	old = q->hw_fences[seq % q->depth];
	q->hw_fences[seq % q->depth] = fence ? dma_fence_get(fence) : NULL;
	spin_unlock_irqrestore(&q->hw_lock, flags);
	dma_fence_put(old);
}

static struct dma_fence *seed_job_run(struct drm_sched_job *sched_job)
{
	struct seed_job *job = to_seed_job(sched_job);
	struct seed_queue *q = job->q;
	struct seed_pkt_raw raw = {};
	struct seed_pkt_indirect *ind = (struct seed_pkt_indirect *)&raw;
	struct dma_fence *fence;
	int err;

	BUILD_BUG_ON(sizeof(*ind) != sizeof(raw));

	seed_queue_set_hw_fence(q, job->seq, NULL);

	err = sched_job->s_fence->finished.error;
	if (err)
		return ERR_PTR(err);
	if (READ_ONCE(q->dead))
		return ERR_PTR(-ECANCELED);
	err = seed_job_deps_error(job);
	if (err) {
		seed_dbg(q->sdev, JOB, "job %llu: a dependency failed, cancelled\n", job->seq);
		return ERR_PTR(err);
	}
	if (job->bind_err)
		return ERR_PTR(job->bind_err);

	ind->hdr.opcode = SEED_OP_INDIRECT;
	ind->hdr.tag = lower_32_bits(job->seq);
	ind->addr = job->va;
	ind->count = job->count;
	ind->context = SEED_INDIRECT_CTX(job->hw_ctx);

	/* rec is alive until the finished fence, so after the hw fence. */
	job->hf->job = job;
	fence = seed_hwq_push(q->ring->hwq, job->hf, &raw, &job->rec->outcome,
			      &q->sf->exec.busy_ns);
	if (IS_ERR(fence))
		return fence;

	job->hf = NULL;
	job->hw_fence = dma_fence_get(fence);
	seed_queue_set_hw_fence(q, job->seq, fence);
	trace_seed_job_run(q->sdev->drm.dev, q->client_id, q->id, q->ring->hwq->id, job->seq,
			   fence->seqno, job->hw_ctx);
	return fence;
}

static void seed_job_free(struct drm_sched_job *sched_job)
{
	struct seed_job *job = to_seed_job(sched_job);
	struct seed_queue *q = job->q;
	struct seed_device *sdev = q->sdev;
	struct dma_fence *finished = &sched_job->s_fence->finished;
	unsigned long flags;

	/*
	 * The scheduler frees a job as soon as its finished fence reads as
	 * signalled, which is before that fence's callbacks have run: those
	 * run under the fence's lock, and two of them (done_cb, unpin_cb) are
	 * in the job. Taking the lock waits for them.
	 */
	spin_lock_irqsave(finished->lock, flags);
	spin_unlock_irqrestore(finished->lock, flags);

	drm_sched_job_cleanup(sched_job);
	seed_job_put_deps(job);
	seed_job_put_bos(job);
	seed_ctx_waiter_free(job->waiter);
	kfree(job->hf);
	dma_fence_put(job->hw_fence);
	drm_gem_object_put(job->cmd_bo);
	kfree(job);
	seed_queue_put(q);
	seed_exec_job_done(sdev);
	/* The reference seed_submit() took. */
	seed_pm_put(sdev);
}

const struct drm_sched_backend_ops seed_sched_ops = {
	.prepare_job = seed_job_prepare,
	.run_job = seed_job_run,
	.free_job = seed_job_free,
};

/*
 * Stops the queue for good: no new jobs, jobs cancelled wherever they are,
 * every job freed. The device then runs nothing of the queue's.
 */
static void seed_queue_kill(struct seed_queue *q)
{
	struct dma_fence *fence;
	unsigned long flags;
	u32 i;

	mutex_lock(&q->submit_lock);
	WRITE_ONCE(q->dead, true);
	mutex_unlock(&q->submit_lock);

	/*
	 * Cancels what the entity holds; the scheduler no longer uses it, so
	 * every job that reached the ring has its fence in hw_fences. The
	 * ring's submission is stopped meanwhile: drm_sched_entity_kill() in
	 * this kernel races with a pop of the same entity, which may put the
	 * entity back into the run queue's tree after the kill took it out.
	 */
	mutex_lock(&q->ring->entity_lock);
	drm_sched_wqueue_stop(&q->ring->sched);
	drm_sched_entity_fini(&q->entity);
	drm_sched_wqueue_start(&q->ring->sched);
	mutex_unlock(&q->ring->entity_lock);

	/*
	 * Jobs on the ring are stopped as soon as they run, without touching
	 * others; the device is done with the queue once their hardware
	 * fences have signalled. Cancelled jobs that never reached the ring
	 * finish on their own (after their dependencies, the scheduler's
	 * rule); they hold the queue, not the hardware.
	 */
	for (i = 0; i < q->depth; i++) {
		spin_lock_irqsave(&q->hw_lock, flags);
		fence = dma_fence_get(q->hw_fences[i]);
		spin_unlock_irqrestore(&q->hw_lock, flags);
		if (!fence)
			continue;
		seed_hwq_cancel(q->ring->hwq, fence);
		while (!dma_fence_wait_timeout(fence, false,
					       msecs_to_jiffies(SEED_QUEUE_DRAIN_REPORT_MS)))
			seed_warn(q->sdev, "queue on ring %u: a cancelled job has not stopped yet\n",
				  q->ring->hwq->id);
		dma_fence_put(fence);
	}

	atomic_dec(&q->ring->nqueues);
	atomic_dec(&q->sf->exec.nqueues);
	drm_syncobj_put(q->timeline);
	q->timeline = NULL;
}

/* The least used ring of @priority. */
static struct seed_ring *seed_queue_pick_ring(struct seed_exec *exec, u32 priority)
{
	struct seed_ring *best = NULL, *ring;
	u32 i;

	for (i = priority * exec->rings_per_prio; i < (priority + 1) * exec->rings_per_prio;
	     i++) {
		ring = &exec->rings[i];
		if (!best || atomic_read(&ring->nqueues) < atomic_read(&best->nqueues))
			best = ring;
	}
	return best;
}

static struct lock_class_key seed_queue_jobs_key;

static noinline struct seed_queue *seed_queue_alloc(struct seed_file *sf, u32 priority)
{
	struct seed_device *sdev = sf->sdev;
	struct drm_gpu_scheduler *sched;
	struct seed_queue *q;
	u32 depth = clamp_t(u32, seed_queue_depth, 1, SEED_QUEUE_DEPTH_MAX);
	int ret;

	q = kzalloc(struct_size(q, hw_fences, depth), GFP_KERNEL);
	if (!q)
		return ERR_PTR(-ENOMEM);
	q->depth = depth;
	kref_init(&q->ref);
	q->sdev = sdev;
	q->sf = sf;
	q->client_id = sf->file->client_id;
	mutex_init(&q->submit_lock);
	spin_lock_init(&q->hw_lock);
	xa_init_flags(&q->jobs, XA_FLAGS_LOCK_IRQ);
	/*
	 * xa_init_flags() gives every xarray of this file one lock class; the
	 * job table's lock is taken in fence callbacks (hard interrupts), the
	 * queue table's is not: they must not look like one lock to lockdep.
	 */
	lockdep_set_class(&q->jobs.xa_lock, &seed_queue_jobs_key);

	ret = drm_syncobj_create(&q->timeline, 0, NULL);
	if (ret)
		goto err_free;

	q->ring = seed_queue_pick_ring(&sdev->exec, priority);
	sched = &q->ring->sched;
	ret = drm_sched_entity_init(&q->entity, DRM_SCHED_PRIORITY_NORMAL, &sched, 1, NULL);
	if (ret)
		goto err_syncobj;
	atomic_inc(&q->ring->nqueues);
	return q;

err_syncobj:
	drm_syncobj_put(q->timeline);
err_free:
	mutex_destroy(&q->submit_lock);
	kfree(q);
	return ERR_PTR(ret);
}
ALLOW_ERROR_INJECTION(seed_queue_alloc, ERRNO);

/**
 * seed_queue_create_ioctl() - DRM_IOCTL_SEED_QUEUE_CREATE
 * @drm: DRM device
 * @data: &struct drm_seed_queue_create
 * @file: DRM file
 *
 * The queue becomes visible to other threads (its id in the file's table)
 * only once it is complete: the id is reserved first, the syncobj handle
 * created, and the queue stored last.
 *
 * Return: 0 or a negative error code.
 */
int seed_queue_create_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct seed_device *sdev = to_seed_device(drm);
	struct seed_file *sf = to_seed_file(file);
	struct drm_seed_queue_create *args = data;
	struct seed_queue *q;
	u32 id, handle;
	int ret, idx;

	if (args->flags || args->priority > DRM_SEED_PRIORITY_REALTIME) {
		seed_dbg(sdev, IOCTL, "QUEUE_CREATE: flags 0x%x priority %u\n",
			 args->flags, args->priority);
		return -EINVAL;
	}
	if (args->priority == DRM_SEED_PRIORITY_REALTIME && !capable(CAP_SYS_NICE))
		return -EPERM;

	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	if (atomic_inc_return(&sf->exec.nqueues) > seed_max_queues_per_file) {
		seed_dbg(sdev, IOCTL, "QUEUE_CREATE: the file has %u queues already\n",
			 seed_max_queues_per_file);
		ret = -EDQUOT;
		goto err_count;
	}

	q = seed_queue_alloc(sf, args->priority);
	if (IS_ERR(q)) {
		ret = PTR_ERR(q);
		goto err_count;
	}

	/* Reserve the id: a racing QUEUE_DESTROY of it finds nothing. */
	ret = xa_alloc_cyclic(&sf->exec.queues, &id, NULL, XA_LIMIT(1, U32_MAX),
			      &sf->exec.next_id, GFP_KERNEL);
	if (ret < 0)
		goto err_queue;

	ret = drm_syncobj_get_handle(file, q->timeline, &handle);
	if (ret)
		goto err_id;

	/* Publish: the slot is reserved, so storing cannot fail. */
	q->id = id;
	xa_store(&sf->exec.queues, id, q, GFP_KERNEL);

	args->queue_id = id;
	args->syncobj = handle;
	seed_dbg(sdev, IOCTL, "client %llu: queue %u on ring %u, priority %u\n",
		 file->client_id, id, q->ring->hwq->id, args->priority);
	drm_dev_exit(idx);
	return 0;

err_id:
	xa_release(&sf->exec.queues, id);
err_queue:
	/* Never visible: nothing was submitted to it. */
	drm_sched_entity_fini(&q->entity);
	atomic_dec(&q->ring->nqueues);
	drm_syncobj_put(q->timeline);
	q->timeline = NULL;
	seed_queue_put(q);
err_count:
	atomic_dec(&sf->exec.nqueues);
	drm_dev_exit(idx);
	return ret;
}

/* Takes queue @id out of the file's table; reserved ids are left alone. */
static struct seed_queue *seed_queue_unpublish(struct seed_file *sf, u32 id)
{
	struct seed_queue *q;

	xa_lock(&sf->exec.queues);
	q = xa_load(&sf->exec.queues, id);
	if (q)
		__xa_erase(&sf->exec.queues, id);
	xa_unlock(&sf->exec.queues);
	return q;
}

/**
 * seed_queue_destroy_ioctl() - DRM_IOCTL_SEED_QUEUE_DESTROY
 * @drm: DRM device
 * @data: &struct drm_seed_queue_destroy
 * @file: DRM file
 *
 * Return: 0 or a negative error code.
 */
int seed_queue_destroy_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct seed_file *sf = to_seed_file(file);
	struct drm_seed_queue_destroy *args = data;
	struct seed_queue *q;
	int idx;

	if (args->pad)
		return -EINVAL;
	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	q = seed_queue_unpublish(sf, args->queue_id);
	drm_dev_exit(idx);
	if (!q)
		return -ENOENT;

	/* Outside drm_dev_enter(): draining may wait for removal to end jobs. */
	seed_queue_kill(q);
	seed_queue_put(q);
	return 0;
}

/* One entry of out_syncs, looked up before the job is armed. */
struct seed_out_sync {
	struct drm_syncobj *obj;
	struct dma_fence_chain *chain;
	u64 point;
};

static int seed_submit_check(struct seed_device *sdev, const struct drm_seed_submit *args)
{
	if (args->flags || !args->cmd_count || args->cmd_count > DRM_SEED_MAX_CMD_PACKETS ||
	    !IS_ALIGNED(args->cmd_offset, SEED_PKT_SIZE) ||
	    args->in_sync_count > DRM_SEED_MAX_SYNCS ||
	    args->out_sync_count > DRM_SEED_MAX_SYNCS ||
	    args->bo_count > DRM_SEED_MAX_SUBMIT_BOS || args->pad) {
		seed_dbg(sdev, IOCTL,
			 "SUBMIT: flags 0x%x count %u offset 0x%llx syncs %u/%u bos %u pad 0x%x\n",
			 args->flags, args->cmd_count, args->cmd_offset,
			 args->in_sync_count, args->out_sync_count, args->bo_count, args->pad);
		return -EINVAL;
	}
	return 0;
}

static struct drm_seed_sync *seed_submit_copy_syncs(u64 ptr, u32 count)
{
	struct drm_seed_sync *syncs;
	u32 i;

	if (!count)
		return NULL;
	syncs = memdup_array_user(u64_to_user_ptr(ptr), count, sizeof(*syncs));
	if (IS_ERR(syncs))
		return syncs;
	for (i = 0; i < count; i++) {
		if (syncs[i].flags) {
			kfree(syncs);
			return ERR_PTR(-EINVAL);
		}
	}
	return syncs;
}

static noinline int seed_submit_out_syncs(struct drm_file *file,
					  const struct drm_seed_sync *syncs, u32 count,
					  struct seed_out_sync *out)
{
	u32 i;

	for (i = 0; i < count; i++) {
		out[i].obj = drm_syncobj_find(file, syncs[i].handle);
		if (!out[i].obj)
			return -ENOENT;
		out[i].point = syncs[i].point;
		if (out[i].point) {
			out[i].chain = dma_fence_chain_alloc();
			if (!out[i].chain)
				return -ENOMEM;
		}
	}
	return 0;
}
ALLOW_ERROR_INJECTION(seed_submit_out_syncs, ERRNO);

static void seed_submit_put_out_syncs(struct seed_out_sync *out, u32 count)
{
	u32 i;

	for (i = 0; i < count; i++) {
		dma_fence_chain_free(out[i].chain);
		if (out[i].obj)
			drm_syncobj_put(out[i].obj);
	}
}

static noinline int seed_submit_in_syncs(struct drm_file *file, struct seed_job *job,
					 const struct drm_seed_sync *syncs, u32 count)
{
	struct dma_fence *fence;
	u32 i;
	int ret;

	for (i = 0; i < count; i++) {
		ret = drm_syncobj_find_fence(file, syncs[i].handle, syncs[i].point, 0, &fence);
		if (ret)
			return ret;
		job->deps[job->ndeps++] = dma_fence_get(fence);
		ret = drm_sched_job_add_dependency(&job->base, fence);
		if (ret)
			return ret;
	}
	return 0;
}
ALLOW_ERROR_INJECTION(seed_submit_in_syncs, ERRNO);

static struct drm_seed_submit_bo *seed_submit_copy_bos(u64 ptr, u32 count)
{
	struct drm_seed_submit_bo *bos;
	u32 i;

	if (!count)
		return NULL;
	bos = vmemdup_array_user(u64_to_user_ptr(ptr), count, sizeof(*bos));
	if (IS_ERR(bos))
		return bos;
	for (i = 0; i < count; i++) {
		if ((bos[i].flags & ~DRM_SEED_SUBMIT_BO_FLAGS) || bos[i].reserved) {
			kvfree(bos);
			return ERR_PTR(-EINVAL);
		}
	}
	return bos;
}

/*
 * Looks up the listed BOs into job->bos, each object once: a handle listed
 * twice (or two handles of one object) would deadlock the reservation
 * locking, so duplicates merge, writing if any entry writes.
 */
static noinline int seed_submit_lookup_bos(struct drm_file *file, struct seed_job *job,
					   const struct drm_seed_submit_bo *list, u32 count)
{
	struct drm_gem_object *obj;
	u32 i, j;

	if (!count)
		return 0;
	job->bos = kvcalloc(count, sizeof(*job->bos), GFP_KERNEL);
	job->bo_desc = kvcalloc(count, sizeof(*job->bo_desc), GFP_KERNEL);
	job->bo_write = bitmap_zalloc(count, GFP_KERNEL);
	if (!job->bos || !job->bo_desc || !job->bo_write)
		return -ENOMEM;

	for (i = 0; i < count; i++) {
		obj = drm_gem_object_lookup(file, list[i].handle);
		if (!obj)
			return -ENOENT;
		for (j = 0; j < job->nbos && job->bos[j] != obj; j++)
			;
		if (j < job->nbos) {
			drm_gem_object_put(obj);
		} else {
			job->bos[job->nbos++] = obj;
			job->bo_desc[j].handle = list[i].handle;
			/* Mapped while the handle exists; 0 if it just closed. */
			if (seed_bo_ctx_va(obj, to_seed_file(file)->ctx, &job->bo_desc[j].va))
				job->bo_desc[j].va = 0;
		}
		if (list[i].flags & DRM_SEED_SUBMIT_BO_WRITE)
			__set_bit(j, job->bo_write);
	}
	return 0;
}
ALLOW_ERROR_INJECTION(seed_submit_lookup_bos, ERRNO);

/*
 * With the reservations of job->bos locked: a fence slot in each for the
 * job, and the fences already there as its dependencies (writers for a
 * read, every user for a write).
 */
static noinline int seed_submit_implicit_deps(struct seed_job *job)
{
	u32 i;
	int ret;

	for (i = 0; i < job->nbos; i++) {
		ret = dma_resv_reserve_fences(job->bos[i]->resv, 1);
		if (ret)
			return ret;
		ret = drm_sched_job_add_implicit_dependencies(&job->base, job->bos[i],
							      test_bit(i, job->bo_write));
		if (ret)
			return ret;
	}
	return 0;
}
ALLOW_ERROR_INJECTION(seed_submit_implicit_deps, ERRNO);

/*
 * Arms and pushes the job; cannot fail. Caller holds q->submit_lock and, if
 * @ticket is not NULL, the reservations of job->bos, which this unlocks
 * before the push (from then on the job may run and be freed).
 */
static void seed_submit_commit(struct seed_queue *q, struct seed_job *job,
			       struct ww_acquire_ctx *ticket,
			       struct dma_fence_chain *tl_chain,
			       struct seed_out_sync *out, u32 out_count)
{
	struct dma_fence *finished;
	u32 i;

	drm_sched_job_arm(&job->base);
	finished = &job->base.s_fence->finished;

	/* The slots were reserved with the reservations locked. */
	for (i = 0; i < job->nbos; i++)
		dma_resv_add_fence(job->bos[i]->resv, finished,
				   test_bit(i, job->bo_write) ? DMA_RESV_USAGE_WRITE :
				   DMA_RESV_USAGE_READ);
	if (ticket)
		drm_gem_unlock_reservations(job->bos, job->nbos, ticket);

	/* The slot was reserved: storing allocates nothing. */
	job->rec->finished = dma_fence_get(finished);
	xa_store_irq(&q->jobs, job->seq, job->rec, GFP_NOWAIT);
	q->last_seq = job->seq;

	/* Takes the rec's reference over if the job fails, see done_cb. */
	if (dma_fence_add_callback(finished, &job->done_cb, seed_job_done_cb))
		seed_job_done_cb(finished, &job->done_cb);

	drm_syncobj_add_point(q->timeline, tl_chain, finished, job->seq);
	for (i = 0; i < out_count; i++) {
		if (out[i].point) {
			drm_syncobj_add_point(out[i].obj, out[i].chain, finished, out[i].point);
			out[i].chain = NULL;
		} else {
			drm_syncobj_replace_fence(out[i].obj, finished);
		}
	}

	atomic_inc(&q->sdev->exec.live_jobs);
	trace_seed_job_submit(q->sdev->drm.dev, q->client_id, q->id, q->ring->hwq->id, job->seq);
	drm_sched_entity_push_job(&job->base);
}

static int seed_submit(struct seed_file *sf, struct drm_seed_submit *args)
{
	struct seed_device *sdev = sf->sdev;
	struct drm_file *file = sf->file;
	struct drm_seed_sync *in_syncs = NULL, *out_syncs = NULL;
	struct drm_seed_submit_bo *bo_list = NULL;
	struct ww_acquire_ctx ticket;
	bool bos_locked = false;
	struct seed_out_sync *out = NULL;
	struct dma_fence_chain *tl_chain = NULL;
	struct seed_queue *q;
	struct seed_job *job = NULL;
	bool job_inited = false;
	bool pm_ref = false;
	int ret;

	ret = seed_submit_check(sdev, args);
	if (ret)
		return ret;
	if (READ_ONCE(sdev->exec.lost))
		return -ENODEV;

	in_syncs = seed_submit_copy_syncs(args->in_syncs, args->in_sync_count);
	if (IS_ERR(in_syncs))
		return PTR_ERR(in_syncs);
	out_syncs = seed_submit_copy_syncs(args->out_syncs, args->out_sync_count);
	if (IS_ERR(out_syncs)) {
		ret = PTR_ERR(out_syncs);
		out_syncs = NULL;
		goto out_free_syncs;
	}
	bo_list = seed_submit_copy_bos(args->bos, args->bo_count);
	if (IS_ERR(bo_list)) {
		ret = PTR_ERR(bo_list);
		bo_list = NULL;
		goto out_free_syncs;
	}

	q = seed_queue_get(sf, args->queue_id);
	if (!q) {
		ret = -ENOENT;
		goto out_free_syncs;
	}

	/* A suspended chip wakes up; the job keeps it awake until it is freed. */
	ret = seed_pm_get(sdev);
	if (ret)
		goto out_put_queue;
	pm_ref = true;

	if (args->out_sync_count) {
		out = kcalloc(args->out_sync_count, sizeof(*out), GFP_KERNEL);
		if (!out) {
			ret = -ENOMEM;
			goto out_put_queue;
		}
		ret = seed_submit_out_syncs(file, out_syncs, args->out_sync_count, out);
		if (ret)
			goto out_put_out;
	}

	tl_chain = dma_fence_chain_alloc();
	if (!tl_chain) {
		ret = -ENOMEM;
		goto out_put_out;
	}
	job = kzalloc(sizeof(*job), GFP_KERNEL);
	if (!job) {
		ret = -ENOMEM;
		goto out_put_out;
	}
	job->rec = kzalloc(sizeof(*job->rec), GFP_KERNEL);
	job->hf = seed_hw_fence_alloc();
	job->waiter = seed_ctx_waiter_alloc();
	if (!job->rec || !job->hf || !job->waiter) {
		ret = -ENOMEM;
		goto out_free_job;
	}
	job->count = args->cmd_count;
	job->cmd_handle = args->cmd_handle;
	job->cmd_offset = args->cmd_offset;
	ret = seed_bo_lookup_range(sf, args->cmd_handle, args->cmd_offset,
				   (u64)args->cmd_count * SEED_PKT_SIZE, &job->cmd_bo, &job->va);
	if (ret)
		goto out_free_job;

	ret = drm_sched_job_init(&job->base, &q->entity, 1, q, file->client_id);
	if (ret)
		goto out_free_job;
	job_inited = true;

	ret = seed_submit_in_syncs(file, job, in_syncs, args->in_sync_count);
	if (ret)
		goto out_free_job;

	ret = seed_submit_lookup_bos(file, job, bo_list, args->bo_count);
	if (ret)
		goto out_free_job;
	if (job->nbos) {
		ret = drm_gem_lock_reservations(job->bos, job->nbos, &ticket);
		if (ret)
			goto out_free_job;
		bos_locked = true;
		ret = seed_submit_implicit_deps(job);
		if (ret)
			goto out_free_job;
	}

	mutex_lock(&q->submit_lock);
	if (q->dead) {
		ret = -ENOENT;
		goto out_unlock;
	}
	job->seq = q->last_seq + 1;
	ret = xa_reserve_irq(&q->jobs, job->seq, GFP_KERNEL);
	if (ret)
		goto out_unlock;

	kref_get(&q->ref);
	job->q = q;
	/* Before the push: from then on the job may run and be freed. */
	args->seq = job->seq;
	seed_submit_commit(q, job, bos_locked ? &ticket : NULL, tl_chain, out,
			   args->out_sync_count);
	pm_ref = false;
	tl_chain = NULL;
	mutex_unlock(&q->submit_lock);
	job = NULL;
	ret = 0;
	goto out_put_out;

out_unlock:
	mutex_unlock(&q->submit_lock);
out_free_job:
	if (bos_locked)
		drm_gem_unlock_reservations(job->bos, job->nbos, &ticket);
	if (job_inited)
		drm_sched_job_cleanup(&job->base);
	seed_job_put_deps(job);
	seed_job_put_bos(job);
	if (job->cmd_bo)
		drm_gem_object_put(job->cmd_bo);
	seed_ctx_waiter_free(job->waiter);
	kfree(job->hf);
	kfree(job->rec);
	kfree(job);
out_put_out:
	dma_fence_chain_free(tl_chain);
	if (out)
		seed_submit_put_out_syncs(out, args->out_sync_count);
	kfree(out);
	if (pm_ref)
		seed_pm_put(sdev);
out_put_queue:
	seed_queue_put(q);
out_free_syncs:
	kvfree(bo_list);
	kfree(in_syncs);
	kfree(out_syncs);
	return ret;
}

/**
 * seed_submit_ioctl() - DRM_IOCTL_SEED_SUBMIT
 * @drm: DRM device
 * @data: &struct drm_seed_submit
 * @file: DRM file
 *
 * Return: 0 or a negative error code.
 */
int seed_submit_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_seed_submit *args = data;
	int ret, idx;

	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;
	ret = seed_submit(to_seed_file(file), args);
	drm_dev_exit(idx);
	return ret;
}

/**
 * seed_uring_cmd() - io_uring command: SUBMIT without the ioctl
 * @cmd: command; @cmd->cmd_op is DRM_IOCTL_SEED_SUBMIT (or the number it had
 *	before &drm_seed_submit.bos was added) and the SQE's command area holds
 *	a struct drm_seed_submit of that size
 * @issue_flags: IO_URING_F_*
 *
 * The ring must use IORING_SETUP_SQE128 (the structure does not fit a
 * 64-byte SQE) and IORING_SETUP_CQE32 (the result carries the seq), else
 * -EINVAL. Completes at once: cqe.res is 0 or the error SUBMIT would return,
 * and on success the first extra CQE word (big_cqe[0]) is the job's seq.
 *
 * Return: -EIOCBQUEUED (the CQE was posted), or an error code for io_uring
 * to post.
 */
int seed_uring_cmd(struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	struct drm_file *file = cmd->file->private_data;
	struct drm_device *drm = file->minor->dev;
	struct drm_seed_submit args = {};
	size_t size;
	int ret, idx;

	BUILD_BUG_ON(sizeof(args) > 80);	/* the command area of a 128-byte SQE */

	/*
	 * cmd_op is the ioctl number, which encodes the structure's size:
	 * binaries from before bos existed pass the shorter one, and the rest
	 * of their command area need not be zero.
	 */
	if (cmd->cmd_op == DRM_IOCTL_SEED_SUBMIT)
		size = sizeof(args);
	else if (cmd->cmd_op == SEED_IOCTL_SUBMIT_V1)
		size = SEED_SUBMIT_SIZE_V1;
	else
		return -ENOTTY;
	if (!(issue_flags & IO_URING_F_SQE128) || !(issue_flags & IO_URING_F_CQE32))
		return -EINVAL;

	/* The SQE may be in memory shared with userspace: read it once. */
	memcpy(&args, io_uring_sqe_cmd(cmd->sqe), size);

	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;
	ret = seed_submit(to_seed_file(file), &args);
	drm_dev_exit(idx);

	io_uring_cmd_done(cmd, ret, ret ? 0 : args.seq, issue_flags);
	return -EIOCBQUEUED;
}

/**
 * seed_job_status_ioctl() - DRM_IOCTL_SEED_JOB_STATUS
 * @drm: DRM device
 * @data: &struct drm_seed_job_status
 * @file: DRM file
 *
 * Return: 0 or a negative error code.
 */
int seed_job_status_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct seed_file *sf = to_seed_file(file);
	struct drm_seed_job_status *args = data;
	struct seed_job_outcome o = {};
	struct seed_job_rec *rec;
	struct seed_queue *q;
	unsigned long flags;
	u32 state = DRM_SEED_JOB_DONE;
	int ret = 0, idx;

	if (args->flags)
		return -EINVAL;
	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	q = seed_queue_get(sf, args->queue_id);
	if (!q) {
		ret = -ENOENT;
		goto out_exit;
	}

	mutex_lock(&q->submit_lock);
	if (!args->seq || args->seq > q->last_seq)
		ret = -EINVAL;
	mutex_unlock(&q->submit_lock);
	if (ret)
		goto out_put;

	xa_lock_irqsave(&q->jobs, flags);
	rec = xa_load(&q->jobs, args->seq);
	if (rec && rec->failed) {
		o = rec->outcome;
	} else if (rec && rec->finished) {
		/* The fence may be signalled before its callbacks ran. */
		if (!dma_fence_is_signaled(rec->finished)) {
			state = DRM_SEED_JOB_PENDING;
		} else if (rec->finished->error) {
			o = rec->outcome;
			if (!o.error)
				o.error = seed_job_errno_to_status(rec->finished->error);
		}
	} else if (args->seq <= q->pruned_seq) {
		ret = -ENOENT;
	} else if (args->seq > q->done_seq) {
		state = DRM_SEED_JOB_PENDING;
	}
	xa_unlock_irqrestore(&q->jobs, flags);
	if (ret)
		goto out_put;

	args->state = state;
	args->error = o.error;
	args->hw_error = o.hw_error;
	args->fault_info = o.fault_info;
	args->fault_addr = o.fault_addr;
	args->packet_offset = o.packet_offset;
	args->packet_opcode = o.packet_opcode;
	args->packet_level = o.packet_level;
	args->pad = 0;
out_put:
	seed_queue_put(q);
out_exit:
	drm_dev_exit(idx);
	return ret;
}

/**
 * seed_exec_file_open() - set up a client's queue table
 * @sf: client
 *
 * Return: 0.
 */
int seed_exec_file_open(struct seed_file *sf)
{
	xa_init_flags(&sf->exec.queues, XA_FLAGS_ALLOC1);
	sf->exec.next_id = 0;
	atomic_set(&sf->exec.nqueues, 0);
	atomic64_set(&sf->exec.busy_ns, 0);
	return 0;
}
ALLOW_ERROR_INJECTION(seed_exec_file_open, ERRNO);

/**
 * seed_exec_file_close() - destroy every queue of a client
 * @sf: client, with no ioctl running and none to come
 *
 * On return the device no longer runs anything for the client, so its
 * address space can go. Called at the last close of the file, before its
 * buffers are unmapped (seed_flush()), and again when it is freed.
 */
void seed_exec_file_close(struct seed_file *sf)
{
	struct seed_queue *q;
	unsigned long id;

	xa_for_each(&sf->exec.queues, id, q) {
		xa_erase(&sf->exec.queues, id);
		seed_queue_kill(q);
		seed_queue_put(q);
	}
	xa_destroy(&sf->exec.queues);
}

/**
 * seed_job_coredump() - record a failing job in a coredump snapshot
 * @job: job whose packet is on its hardware queue's in-flight list; the
 *	caller holds &seed_hwq.lock, which keeps the job alive
 * @snap: snapshot to fill in
 *
 * Fills in the job's identity and takes references on its command buffer
 * and the BOs it listed; allocates nothing.
 */
void seed_job_coredump(struct seed_job *job, struct seed_coredump_snap *snap)
{
	struct seed_queue *q = job->q;
	u32 i;

	snap->job.client_id = q->client_id;
	snap->job.seq = job->seq;
	snap->job.queue_id = q->id;
	snap->job.hw_context = job->hw_ctx;
	snap->job.cmd_count = job->count;
	snap->job.cmd_va = job->va;
	snap->cmd_obj = job->cmd_bo;
	snap->cmd_offset = job->cmd_offset;
	seed_coredump_add_bo(snap, job->cmd_bo, job->cmd_handle, job->va - job->cmd_offset,
			     DRM_SEED_DUMP_BO_CMD);
	for (i = 0; i < job->nbos; i++)
		seed_coredump_add_bo(snap, job->bos[i], job->bo_desc[i].handle,
				     job->bo_desc[i].va,
				     test_bit(i, job->bo_write) ? DRM_SEED_DUMP_BO_WRITE : 0);
}
