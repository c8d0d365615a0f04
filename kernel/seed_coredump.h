/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Device coredumps: what the chip and the failing job looked like when a
 * queue had to be recovered, written to /sys/class/devcoredump in the
 * format of include/uapi/drm/seed_accel_dump.h.
 */
#ifndef __SEED_COREDUMP_H__
#define __SEED_COREDUMP_H__

#include <linux/atomic.h>
#include <linux/mm_types.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include <uapi/drm/seed_accel.h>
#include <uapi/drm/seed_accel_dump.h>

#include "seed_hw_reg.h"

struct dma_fence;
struct drm_gem_object;
struct seed_device;
struct seed_hwq;
struct seed_job;

/* Register ranges and values a snapshot holds. */
#define SEED_COREDUMP_REG_RANGES	8
#define SEED_COREDUMP_REGS		128
/* Event records: the last ones the device wrote. */
#define SEED_COREDUMP_EVENTS		32
/* Command buffer bytes copied with the snapshot: 1024 packets. */
#define SEED_COREDUMP_CMD_BYTES		(1024 * SEED_PKT_SIZE)
/* BOs of the job: the command buffer and up to DRM_SEED_MAX_SUBMIT_BOS. */
#define SEED_COREDUMP_BOS		(1 + DRM_SEED_MAX_SUBMIT_BOS)
/* Contents of host BOs in a dump: per BO and in all. */
#define SEED_COREDUMP_BO_BYTES		(1u << 20)
#define SEED_COREDUMP_TOTAL_BO_BYTES	(16u << 20)
/* Ring slots of the queue. */
#define SEED_COREDUMP_RING_ENTRIES	256

/* Pages that hold the contents of the job's BOs, copied at capture. */
#define SEED_COREDUMP_DATA_PAGES	(SEED_COREDUMP_TOTAL_BO_BYTES / PAGE_SIZE)

/**
 * struct seed_coredump_bo - a BO of the failing job
 * @obj: The BO: a reference from capture until the dump work starts, then
 *	NULL. The dump work does not read it.
 * @handle: Handle in the submitting file.
 * @flags: DRM_SEED_DUMP_BO_CMD, DRM_SEED_DUMP_BO_WRITE, and what
 *	seed_gem_dump_describe() said about it.
 * @va: Device VA in the job's context.
 * @size: Size of the BO.
 * @placement: DRM_SEED_BO_HBM or DRM_SEED_BO_HOST.
 * @readable: Its contents can be copied (a host BO).
 * @page_size: Granule of its device mappings.
 * @first_page: Index in &seed_coredump_snap.data of its first page.
 * @bytes: Bytes of its contents copied there.
 */
struct seed_coredump_bo {
	struct drm_gem_object *obj;
	u32 handle;
	u32 flags;
	u64 va;
	u64 size;
	u32 placement;
	bool readable;
	u64 page_size;
	u32 first_page;
	u64 bytes;
};

/**
 * struct seed_coredump_snap - what recovery records, before the dump is built
 * @commit: Write a dump from it (else it is only released).
 * @info: Identity, reason and time.
 * @nranges: Entries of @ranges.
 * @ranges: Register ranges, their values in @regs one after the other.
 * @regs: Register values.
 * @has_queue: @queue and @ring are valid.
 * @queue: The hardware queue.
 * @ring: Its ring, slot by slot.
 * @has_job: @job, @cmd and the BOs are valid.
 * @job: The failing job.
 * @cmd_obj: Its command buffer (one of @bos, which holds the reference).
 * @cmd_offset: Offset of its first packet in @cmd_obj.
 * @cmd: Command buffer bytes, @job.cmd_bytes of them.
 * @nbos: Entries of @bos.
 * @bos_omitted: BOs of the job that did not fit.
 * @bos: The job's command buffer and the BOs it listed.
 * @events: Header of the events section.
 * @event: The last event records, oldest first.
 * @ndata: Entries of @data in use.
 * @data: Pages holding the contents of the BOs, allocated at capture
 *	without sleeping and freed by the dump work.
 *
 * Allocated at probe and filled in on the recovery path, under
 * &seed_exec.reset_lock, without allocating; the dump work then builds the
 * dump from it and releases it.
 */
struct seed_coredump_snap {
	bool commit;
	struct drm_seed_dump_info info;
	u32 nranges;
	struct drm_seed_dump_reg_range ranges[SEED_COREDUMP_REG_RANGES];
	u32 regs[SEED_COREDUMP_REGS];
	bool has_queue;
	struct drm_seed_dump_queue queue;
	struct seed_pkt_raw ring[SEED_COREDUMP_RING_ENTRIES];
	bool has_job;
	struct drm_seed_dump_job job;
	struct drm_gem_object *cmd_obj;
	u64 cmd_offset;
	u8 cmd[SEED_COREDUMP_CMD_BYTES];
	u32 nbos;
	u32 bos_omitted;
	struct seed_coredump_bo bos[SEED_COREDUMP_BOS];
	struct drm_seed_dump_events events;
	struct seed_event event[SEED_COREDUMP_EVENTS];
	u32 ndata;
	struct page *data[SEED_COREDUMP_DATA_PAGES];
};

/**
 * struct seed_coredump - coredump state of a chip
 * @snap: The snapshot buffer, NULL if coredumps could not be set up.
 * @busy: Bit 0: @snap is in use (filled in, its dump not written yet).
 * @work: Builds and writes the dump, outside the recovery path.
 * @skipped: Failures without a dump since the last one: @snap was busy,
 *	or a dump of the chip was still pending in the devcoredump core.
 * @skipped_total: The same, since probe (debugfs `coredump_stats`).
 * @written: Dumps handed to the devcoredump core since probe.
 * @delay_ms: The work waits this long before it builds a dump (debugfs
 *	`coredump_delay_ms`, at most SEED_COREDUMP_MAX_DELAY_MS): lets tests
 *	look at the driver while a dump is pending.
 */
struct seed_coredump {
	struct seed_coredump_snap *snap;
	unsigned long busy;
	struct work_struct work;
	atomic_t skipped;
	atomic_t skipped_total;
	atomic_t written;
	u32 delay_ms;
};

#define SEED_COREDUMP_MAX_DELAY_MS	10000

int seed_coredump_init(struct seed_device *sdev);
void seed_coredump_fini(struct seed_device *sdev);

bool seed_coredump_capture_hwq(struct seed_hwq *hwq, struct dma_fence *hint);
bool seed_coredump_capture_fatal(struct seed_device *sdev);
void seed_coredump_finish(struct seed_device *sdev, bool commit);
void seed_coredump_finish_hwq(struct seed_device *sdev, struct dma_fence *hint);

void seed_coredump_add_bo(struct seed_coredump_snap *snap, struct drm_gem_object *obj,
			  u32 handle, u64 va, u32 flags);
void seed_job_coredump(struct seed_job *job, struct seed_coredump_snap *snap);

#endif /* __SEED_COREDUMP_H__ */
