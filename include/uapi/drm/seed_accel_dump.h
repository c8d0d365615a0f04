/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Format of the device coredump seed.ko writes when a job fails on the chip
 * (read from /sys/class/devcoredump/devcdN/data; docs/driver.md, "Device
 * coredumps"). Decoded by `seedctl dump`, replayed by `seedchip-device
 * --replay`.
 */
#ifndef __UAPI_SEED_ACCEL_DUMP_H__
#define __UAPI_SEED_ACCEL_DUMP_H__

#include <linux/types.h>

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * DOC: coredump format
 *
 * A dump is one little-endian byte string: a &struct drm_seed_dump_header,
 * then &drm_seed_dump_header.section_count &struct drm_seed_dump_section
 * entries, then the sections they point at. Every section starts 8-byte
 * aligned; readers must check every offset and size against the total size
 * (a dump is untrusted input) and skip section types they do not know.
 * Hardware records (ring packets, the completion record, event records)
 * are copied as the device wrote them: 64 bytes each, laid out as
 * struct seed_pkt_raw, struct seed_cpl_record and struct seed_event of
 * include/hw/seed_hw.h.
 *
 * Sections, at most one of each type (QUEUE, JOB and BOS only when a job
 * was running on a queue):
 *
 * - INFO: &struct drm_seed_dump_info.
 * - REGS: &struct drm_seed_dump_regs, then its ranges, each a
 *   &struct drm_seed_dump_reg_range followed by count 32-bit values,
 *   padded with zeros to a multiple of 8 bytes.
 * - QUEUE: &struct drm_seed_dump_queue, then ring_entries 64-byte ring slots
 *   (slot i at index i).
 * - JOB: &struct drm_seed_dump_job, then cmd_bytes bytes of the command
 *   buffer from the job's first packet.
 * - BOS: &struct drm_seed_dump_bos, then count entries, each a
 *   &struct drm_seed_dump_bo followed by data_size bytes of the BO from its
 *   start, padded with zeros to a multiple of 8. The entries are also the
 *   job's address space: BO i is mapped at va, size bytes, with the
 *   permissions of prot.
 * - EVENTS: &struct drm_seed_dump_events, then count 64-byte event records,
 *   oldest first.
 */

/* "SDMP" in memory order. */
#define DRM_SEED_DUMP_MAGIC		0x504d4453u
#define DRM_SEED_DUMP_VERSION		1

#define DRM_SEED_DUMP_SECTION_INFO	1
#define DRM_SEED_DUMP_SECTION_REGS	2
#define DRM_SEED_DUMP_SECTION_QUEUE	3
#define DRM_SEED_DUMP_SECTION_JOB	4
#define DRM_SEED_DUMP_SECTION_BOS	5
#define DRM_SEED_DUMP_SECTION_EVENTS	6

/* Why the dump was written (&drm_seed_dump_info.reason). */
#define DRM_SEED_DUMP_REASON_MMU_FAULT		1 /* SEED_ERR_MMU_FAULT */
#define DRM_SEED_DUMP_REASON_INVALID_PACKET	2 /* a packet the device refused */
#define DRM_SEED_DUMP_REASON_HANG		3 /* engine watchdog (SEED_ERR_HANG) */
#define DRM_SEED_DUMP_REASON_WAIT_TIMEOUT	4 /* SEED_ERR_WAIT_TIMEOUT */
#define DRM_SEED_DUMP_REASON_JOB_TIMEOUT	5 /* the driver's job_timeout_ms */
#define DRM_SEED_DUMP_REASON_QUEUE_ERROR	6 /* any other queue error */
#define DRM_SEED_DUMP_REASON_FATAL		7 /* the device went FATAL */

/* Lengths of the text fields, NUL padded. */
#define DRM_SEED_DUMP_TEXT_LEN		64
#define DRM_SEED_DUMP_SERIAL_LEN	32
#define DRM_SEED_DUMP_NAME_LEN		24

/**
 * struct drm_seed_dump_header - start of every dump
 * @magic: DRM_SEED_DUMP_MAGIC.
 * @version: DRM_SEED_DUMP_VERSION; a reader refuses a newer one.
 * @total_size: Bytes of the whole dump.
 * @header_size: Bytes of this structure; the section table follows it.
 * @section_count: Entries of the section table.
 * @reserved: 0.
 */
struct drm_seed_dump_header {
	__u32 magic;
	__u32 version;
	__u64 total_size;
	__u32 header_size;
	__u32 section_count;
	__u64 reserved;
};

/**
 * struct drm_seed_dump_section - entry of the section table
 * @type: DRM_SEED_DUMP_SECTION_*.
 * @flags: 0.
 * @offset: From the start of the dump, 8-byte aligned.
 * @size: Bytes.
 */
struct drm_seed_dump_section {
	__u32 type;
	__u32 flags;
	__u64 offset;
	__u64 size;
};

/**
 * struct drm_seed_dump_info - what happened, on which chip, when
 * @reason: DRM_SEED_DUMP_REASON_*.
 * @hw_error: SEED_ERR_* the queue stopped with, or 0.
 * @text: Reason in words, NUL padded.
 * @serial: Chip serial number, NUL padded.
 * @uuid: Chip UUID.
 * @pci: PCI address of the chip ("0000:01:00.0"), NUL padded.
 * @driver_version: seed.ko version, NUL padded.
 * @time_ns: Wall clock (CLOCK_REALTIME) of the failure, ns.
 * @device_ns: Device clock of the failure, ns.
 * @hw_revision: SEED_REG_HW_REV.
 * @fw_version: SEED_REG_FW_VERSION.
 * @dev_status: SEED_REG_DEV_STATUS.
 * @fatal_cause: SEED_REG_FATAL_CAUSE.
 * @skipped: Failures since the last dump for which no dump was written
 *	(one was still being written).
 * @reset_count: Device resets done by the driver since probe.
 */
struct drm_seed_dump_info {
	__u32 reason;
	__u32 hw_error;
	char text[DRM_SEED_DUMP_TEXT_LEN];
	char serial[DRM_SEED_DUMP_SERIAL_LEN];
	__u8 uuid[16];
	char pci[DRM_SEED_DUMP_SERIAL_LEN];
	char driver_version[DRM_SEED_DUMP_NAME_LEN];
	__u64 time_ns;
	__u64 device_ns;
	__u32 hw_revision;
	__u32 fw_version;
	__u32 dev_status;
	__u32 fatal_cause;
	__u32 skipped;
	__u32 reset_count;
};

/**
 * struct drm_seed_dump_regs - the registers section
 * @count: Ranges that follow.
 * @reserved: 0.
 */
struct drm_seed_dump_regs {
	__u32 count;
	__u32 reserved;
};

/**
 * struct drm_seed_dump_reg_range - consecutive registers, by name
 * @name: Block name ("identity", "queue 3"), NUL padded.
 * @offset: BAR0 offset of the first register.
 * @count: 32-bit registers that follow.
 */
struct drm_seed_dump_reg_range {
	char name[DRM_SEED_DUMP_NAME_LEN];
	__u32 offset;
	__u32 count;
};

/**
 * struct drm_seed_dump_queue - the hardware queue the job ran on
 * @index: Hardware queue number.
 * @ring_entries: Ring slots that follow (the whole ring).
 * @ring_base: DMA address of the ring.
 * @head: Packets retired (completion record, free-running).
 * @tail: Packets written (free-running).
 * @context: MMU context of the ring (CONTEXT register).
 * @priority: PRIORITY register.
 * @cpl: Completion record when the failure was seen (struct
 *	seed_cpl_record).
 */
struct drm_seed_dump_queue {
	__u32 index;
	__u32 ring_entries;
	__u64 ring_base;
	__u32 head;
	__u32 tail;
	__u32 context;
	__u32 priority;
	__u8 cpl[64];
};

/* &drm_seed_dump_job.flags */
#define DRM_SEED_DUMP_JOB_CMD_TRUNCATED	(1u << 0) /* cmd_bytes < 64 * cmd_count */
#define DRM_SEED_DUMP_JOB_CMD_NO_BYTES	(1u << 1) /* buffer not readable (an import) */

/**
 * struct drm_seed_dump_job - the failing job
 * @client_id: DRM client id of the submitting file (drm-client-id).
 * @seq: Job sequence number in its queue (SUBMIT's seq).
 * @queue_id: User queue id in the submitting file.
 * @hw_context: MMU context the job ran in.
 * @fence: Hardware fence number of the job's ring packet.
 * @ring_index: Ring index (free-running) the packet was written at.
 * @cmd_count: Packets of the command buffer range.
 * @cmd_va: Device VA of the first packet.
 * @cmd_bo: Index in the BOS section of the command buffer's BO, or ~0.
 * @cmd_bytes: Bytes of the command buffer that follow.
 * @flags: DRM_SEED_DUMP_JOB_*.
 * @reserved: 0.
 * @packet: The ring packet (an INDIRECT), as written (struct seed_pkt_raw).
 */
struct drm_seed_dump_job {
	__u64 client_id;
	__u64 seq;
	__u32 queue_id;
	__u32 hw_context;
	__u64 fence;
	__u32 ring_index;
	__u32 cmd_count;
	__u64 cmd_va;
	__u32 cmd_bo;
	__u32 cmd_bytes;
	__u32 flags;
	__u32 reserved;
	__u8 packet[64];
};

/**
 * struct drm_seed_dump_bos - the BOs of the job
 * @count: Entries that follow.
 * @omitted: BOs of the job left out (more than the dump holds).
 */
struct drm_seed_dump_bos {
	__u32 count;
	__u32 omitted;
};

/* &drm_seed_dump_bo.flags */
#define DRM_SEED_DUMP_BO_CMD		(1u << 0) /* the job's command buffer */
#define DRM_SEED_DUMP_BO_WRITE		(1u << 1) /* listed by the job for writing */
#define DRM_SEED_DUMP_BO_READ_ONLY	(1u << 2) /* DRM_SEED_BO_DEVICE_READ_ONLY */
#define DRM_SEED_DUMP_BO_IMPORTED	(1u << 3) /* a dma-buf of another device */
#define DRM_SEED_DUMP_BO_USERPTR	(1u << 4) /* BO_USERPTR */
#define DRM_SEED_DUMP_BO_TRUNCATED	(1u << 5) /* data_size < size: over the limits */

/* &drm_seed_dump_bo.prot: as SEED_PTE_READ / SEED_PTE_WRITE. */
#define DRM_SEED_DUMP_PROT_READ		(1u << 1)
#define DRM_SEED_DUMP_PROT_WRITE	(1u << 2)

/**
 * struct drm_seed_dump_bo - one BO and its mapping in the job's context
 * @handle: GEM handle in the submitting file.
 * @flags: DRM_SEED_DUMP_BO_*.
 * @placement: DRM_SEED_BO_HBM or DRM_SEED_BO_HOST.
 * @prot: DRM_SEED_DUMP_PROT_* of its mapping.
 * @va: Device VA of its first byte.
 * @size: Bytes (mapped from @va).
 * @page_size: Granule the mapping was made of (4 KiB for host memory).
 * @data_size: Bytes of the BO's contents that follow (0 for imported BOs,
 *	and for HBM BOs of a chip without the HBM copy block).
 */
struct drm_seed_dump_bo {
	__u32 handle;
	__u32 flags;
	__u32 placement;
	__u32 prot;
	__u64 va;
	__u64 size;
	__u64 page_size;
	__u64 data_size;
};

/**
 * struct drm_seed_dump_events - the last device events
 * @count: Records that follow, oldest first.
 * @written: Records the device had written (free-running).
 */
struct drm_seed_dump_events {
	__u32 count;
	__u32 written;
};

#if defined(__cplusplus)
}
#endif

#endif /* __UAPI_SEED_ACCEL_DUMP_H__ */
