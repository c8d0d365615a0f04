/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Hardware queues (docs/hardware.md §9): ring, completion record, doorbell,
 * completion interrupt, queue reset (§17.7) and the hardware fences that
 * track the packets in flight.
 */
#ifndef __SEED_HWQ_H__
#define __SEED_HWQ_H__

#include <linux/dma-fence.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "seed_hw_reg.h"

struct seed_device;
struct seed_job;

/* Ring slots of every hardware queue. */
#define SEED_HWQ_RING_ENTRIES		256

/*
 * Queue resets complete within SEED_QUEUE_RESET_TIMEOUT_MS on hardware; the
 * guest may run under TCG emulation, so allow ten times that.
 */
#define SEED_HWQ_RESET_TIMEOUT_MS	(10 * SEED_QUEUE_RESET_TIMEOUT_MS)

/**
 * struct seed_job_outcome - why a job ended, as JOB_STATUS reports it
 * @error: DRM_SEED_JOB_*.
 * @hw_error: SEED_ERR_* from the completion record, or 0.
 * @fault_info: SEED_FAULT_INFO() of an MMU fault, or 0.
 * @packet_offset: Index of the failing packet in the innermost buffer.
 * @fault_addr: VA of the failing access, or 0.
 * @packet_opcode: Opcode of the failing packet.
 * @packet_level: 1 = in the command buffer, 2 = one INDIRECT deeper.
 */
struct seed_job_outcome {
	u32 error;
	u32 hw_error;
	u32 fault_info;
	u32 packet_offset;
	u64 fault_addr;
	u8 packet_opcode;
	u8 packet_level;
};

/**
 * struct seed_hw_fence - one packet in a hardware queue
 * @base: Signalled when the packet retired (record.fence >= seqno), or with
 *	an error when the job failed or was cancelled. Must stay first.
 * @lock: Lock of @base. Per fence, so the fence may outlive its queue.
 * @link: In &seed_hwq.inflight while not signalled.
 * @pkt: The packet, with FENCE | IRQ and hdr.fence = seqno; kept so the
 *	packet can be written again after a reset.
 * @ring_index: Ring index (tail) at which the packet was last written.
 * @emitted: The packet is in the ring since the last enable.
 * @emit_ns: When the packet was last written (ktime, for busy time).
 * @outcome: Filled in before @base is signalled with an error, if not NULL.
 * @busy_ns: Busy time counter of the client the packet runs for, or NULL.
 * @cancelled: The packet's client went away: it fails instead of running,
 *	or is stopped if it runs (seed_hwq_cancel()). Under &seed_hwq.lock.
 * @dev_ns: Device clock when the packet retired (the timestamp of the
 *	completion record that reported it, §9.4), or 0 if not known: the
 *	record read already covered later packets. Set before @base signals.
 * @job: The user job the packet runs, or NULL (the kernel queue). Valid
 *	while the packet is on &seed_hwq.inflight: a job is freed only after
 *	its packet retired or failed. Read under &seed_hwq.lock (coredumps).
 */
struct seed_hw_fence {
	struct dma_fence base;
	spinlock_t lock; /* of base */
	struct list_head link;
	struct seed_pkt_raw pkt;
	u32 ring_index;
	bool emitted;
	u64 emit_ns;
	struct seed_job_outcome *outcome;
	atomic64_t *busy_ns;
	bool cancelled;
	u64 dev_ns;
	struct seed_job *job;
};

/**
 * struct seed_hwq - a hardware queue
 * @sdev: Device.
 * @id: Hardware queue number.
 * @ctx: MMU context of the ring's own packets (CONTEXT register).
 * @priority: PRIORITY register, 0 .. SEED_PRIORITY_MAX.
 * @irq: Linux IRQ of vector 1 + @id, or -1 once freed.
 * @ring: Ring of &SEED_HWQ_RING_ENTRIES slots (coherent DMA), NULL once
 *	released at teardown.
 * @ring_dma: DMA address of @ring.
 * @cpl: Completion record (coherent DMA), written by the device; NULL once
 *	released.
 * @cpl_dma: DMA address of @cpl.
 * @name: Name of the interrupt.
 * @lock: Protects every field below, the ring and the doorbell. Taken in
 *	hard interrupt context.
 * @inflight: &seed_hw_fence not yet signalled, in submission order.
 * @ninflight: Entries on @inflight.
 * @tail: Software tail (free-running, reset to 0 at enable).
 * @seqno: Last fence number handed out (hdr.fence, strictly increasing).
 * @fence_ctx: dma_fence context of the queue.
 * @last_done_ns: When the last packet retired (ktime).
 * @stopped: The device stopped the queue or a reset is in progress:
 *	packets are queued on @inflight but not written to the ring.
 * @dead: The hardware queue is no longer usable (device lost, queue torn
 *	down); new packets fail.
 * @failing: Every packet fails at once until the queue restarts (a bus
 *	reset is pending, see seed_hwq_fail_until_restart()).
 * @error_pending: @error_work was queued (an ERROR record, or a cancelled
 *	packet at the head of the ring).
 * @guilty: Fence to fail with a timeout if the queue is reset without an
 *	ERROR record (set before a conditional reset, should it escalate).
 * @wq: Woken by every interrupt of the queue (queue reset completion).
 * @error_work: Recovers the queue after an ERROR record, or stops a
 *	cancelled packet that runs.
 * @watchdog: Fails the packet at the head of the ring once it has run for
 *	longer than the job timeout (seed_reset.c).
 */
struct seed_hwq {
	struct seed_device *sdev;
	u32 id;
	u32 ctx;
	u32 priority;
	int irq;
	struct seed_pkt_raw *ring;
	dma_addr_t ring_dma;
	struct seed_cpl_record *cpl;
	dma_addr_t cpl_dma;
	char name[32];

	spinlock_t lock; /* the fields below, ring, doorbell */
	struct list_head inflight;
	u32 ninflight;
	u32 tail;
	u64 seqno;
	u64 fence_ctx;
	u64 last_done_ns;
	bool stopped;
	bool dead;
	bool failing;
	bool error_pending;
	struct seed_hw_fence *guilty;

	wait_queue_head_t wq;
	struct work_struct error_work;
	struct delayed_work watchdog;
};

/**
 * seed_hw_err_is_invalid_packet() - whether a queue error is a bad packet
 * @err: SEED_ERR_* of a completion record
 *
 * Return: true for the codes of a packet the device refused (JOB_STATUS
 * reports them as DRM_SEED_JOB_INVALID_PACKET, coredumps as an invalid
 * packet).
 */
static inline bool seed_hw_err_is_invalid_packet(u32 err)
{
	switch (err) {
	case SEED_ERR_BAD_OPCODE:
	case SEED_ERR_MALFORMED:
	case SEED_ERR_BAD_DTYPE:
	case SEED_ERR_BAD_SIZE:
	case SEED_ERR_MISALIGNED:
	case SEED_ERR_INDIRECT_DEPTH:
		return true;
	default:
		return false;
	}
}

struct seed_hwq *seed_hwq_create(struct seed_device *sdev, u32 id, u32 ctx, u32 priority);
void seed_hwq_release_hw(struct seed_hwq *hwq);
void seed_hwq_destroy(struct seed_hwq *hwq);

struct seed_hw_fence *seed_hw_fence_alloc(void);
struct dma_fence *seed_hwq_push(struct seed_hwq *hwq, struct seed_hw_fence *hf,
				const struct seed_pkt_raw *pkt,
				struct seed_job_outcome *outcome, atomic64_t *busy_ns);
struct dma_fence *seed_hwq_overdue(struct seed_hwq *hwq, u64 timeout_ns, u64 *wait_ns);

int seed_hwq_recover(struct seed_hwq *hwq, struct dma_fence *hint);
void seed_hwq_cancel(struct seed_hwq *hwq, struct dma_fence *fence);
void seed_hwq_stop(struct seed_hwq *hwq);
int seed_hwq_reset(struct seed_hwq *hwq);
void seed_hwq_restart(struct seed_hwq *hwq, const struct seed_cpl_record *snap,
		      struct seed_hw_fence *aborted);
void seed_hwq_fail_until_restart(struct seed_hwq *hwq);
bool seed_hwq_running(struct seed_hwq *hwq);
void seed_hwq_resume(struct seed_hwq *hwq);
void seed_hwq_fail_all(struct seed_hwq *hwq, int err, u32 job_error);
void seed_hwq_kill(struct seed_hwq *hwq, int err, u32 job_error);

static inline struct seed_hw_fence *to_seed_hw_fence(struct dma_fence *f)
{
	return container_of(f, struct seed_hw_fence, base);
}

#endif /* __SEED_HWQ_H__ */
