/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Device-level notifications (docs/hardware.md §8): the status block, the
 * event log and the vector 0 handler, plus TLB invalidation (§7.6), whose
 * completion is reported through the status block.
 */
#ifndef __SEED_EVENTS_H__
#define __SEED_EVENTS_H__

#include <linux/atomic.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "seed_hw_reg.h"

struct seed_device;

/* Uncorrectable errors waiting for their pages to be retired. */
#define SEED_EVENTS_RETIRE_MAX	64

/**
 * struct seed_events - status block, event log and their counters
 * @status: Status block written by the device (coherent DMA memory).
 * @status_dma: DMA address of @status.
 * @log: Event log ring, @log_size records.
 * @log_dma: DMA address of @log.
 * @log_size: Records in @log, a power of two.
 * @head: Records consumed by the driver (free-running).
 * @enabled: The device writes @status and @log.
 * @suspended: The chip is runtime suspended (or suspending): no register
 *	access, @head is written to EVLOG_HEAD on resume.
 * @head_stale: @head has not been written to EVLOG_HEAD yet.
 * @lock: Serialises event processing with enabling and disabling the log
 *	and with runtime suspend and resume.
 * @tlb_lock: Serialises programming TLB invalidations.
 * @tlb_seq: Sequence number of the last invalidation started.
 * @wq: Woken on every vector 0 interrupt (events, TLB invalidation, reset).
 * @mmu_faults: MMU_FAULT events seen.
 * @queue_errors: QUEUE_ERROR and ENGINE_HANG events seen.
 * @ecc_corrected: ECC_CORRECTED events seen.
 * @ecc_uncorrected: ECC_UNCORRECTED events seen.
 * @fatal: DEVICE_FATAL events seen.
 * @dropped: Records the device dropped because the log was full.
 * @retire_lock: Protects @retire_addr and @retire_count.
 * @retire_addr: HBM addresses of uncorrectable errors not yet retired.
 * @retire_count: Entries of @retire_addr.
 * @retire_work: Retires them. Retirement allocates memory, and the event
 *	thread must not: it wakes the waiters of device resets and TLB
 *	invalidations, which the fence signalling path depends on.
 */
struct seed_events {
	struct seed_status_block *status;
	dma_addr_t status_dma;
	struct seed_event *log;
	dma_addr_t log_dma;
	u32 log_size;
	u32 head;
	bool enabled;
	bool suspended;
	bool head_stale;
	struct mutex lock;		/* event processing vs. enable/disable, suspend */
	struct mutex tlb_lock;		/* one invalidation programmed at a time */
	u32 tlb_seq;
	wait_queue_head_t wq;
	atomic64_t mmu_faults;
	atomic64_t queue_errors;
	atomic64_t ecc_corrected;
	atomic64_t ecc_uncorrected;
	atomic64_t fatal;
	atomic64_t dropped;
	spinlock_t retire_lock; /* retire_addr, retire_count */
	u64 retire_addr[SEED_EVENTS_RETIRE_MAX];
	u32 retire_count;
	struct work_struct retire_work;
};

void seed_events_early_init(struct seed_device *sdev);
int seed_events_reset_at_probe(struct seed_device *sdev);
int seed_events_init(struct seed_device *sdev);
void seed_events_fini(struct seed_device *sdev);
void seed_events_process(struct seed_device *sdev);
int seed_events_enable(struct seed_device *sdev);
void seed_events_disable(struct seed_device *sdev);
void seed_events_suspend(struct seed_device *sdev);
void seed_events_resume(struct seed_device *sdev);

int seed_hw_device_reset(struct seed_device *sdev, unsigned int timeout_ms);
u32 seed_events_reset_count(struct seed_device *sdev);
u32 seed_events_dev_status(struct seed_device *sdev);

int seed_hw_tlb_invalidate(struct seed_device *sdev, u32 ctx, u64 va, u64 size);

#endif /* __SEED_EVENTS_H__ */
