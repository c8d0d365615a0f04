/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR MIT) */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Userspace interface of seed.ko, the DRM accel driver for SeedChip
 * (/dev/accel/accelN).
 */
#ifndef __UAPI_SEED_ACCEL_H__
#define __UAPI_SEED_ACCEL_H__

#include "drm.h"

#if defined(__cplusplus)
extern "C" {
#endif

/**
 * DOC: overview
 *
 * Every open file of /dev/accel/accelN is one client with its own device
 * address space (an MMU context of the chip). There is no limit on open
 * files or queues but memory (and the per-file limits of the module
 * parameters max_queues_per_file and max_hbm_per_file_mb, which fail with
 * -EDQUOT): the driver shares the chip's hardware queues and contexts among
 * all of them. Buffer objects (BOs) are GEM
 * objects: each is mapped into the context of every file holding a handle to
 * it, at a device virtual address (VA) that BO_INFO reports. Command buffers
 * are BOs holding packets in the format of docs/hardware.md; SUBMIT runs a
 * range of one on a queue. Jobs complete in order per queue and signal
 * points on the queue's timeline syncobj, so waiting uses DRM's standard
 * syncobj ioctls (libdrm drmSyncobj*).
 *
 * Rules for every ioctl: fields named pad or reserved, and unknown flag bits,
 * must be zero (-EINVAL otherwise); pointers are __u64; once the device is
 * gone (unbound, surprise removed) every ioctl fails with -ENODEV.
 */

#define DRM_SEED_GET_INFO		0x00
#define DRM_SEED_QUERY			0x01
#define DRM_SEED_BO_CREATE		0x02
#define DRM_SEED_BO_INFO		0x03
#define DRM_SEED_QUEUE_CREATE		0x04
#define DRM_SEED_QUEUE_DESTROY		0x05
#define DRM_SEED_SUBMIT			0x06
#define DRM_SEED_JOB_STATUS		0x07
#define DRM_SEED_RESET			0x08
#define DRM_SEED_BO_USERPTR		0x09

#define DRM_IOCTL_SEED_GET_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SEED_GET_INFO, struct drm_seed_get_info)
#define DRM_IOCTL_SEED_QUERY \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SEED_QUERY, struct drm_seed_query)
#define DRM_IOCTL_SEED_BO_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SEED_BO_CREATE, struct drm_seed_bo_create)
#define DRM_IOCTL_SEED_BO_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SEED_BO_INFO, struct drm_seed_bo_info)
#define DRM_IOCTL_SEED_QUEUE_CREATE \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SEED_QUEUE_CREATE, struct drm_seed_queue_create)
#define DRM_IOCTL_SEED_QUEUE_DESTROY \
	DRM_IOW(DRM_COMMAND_BASE + DRM_SEED_QUEUE_DESTROY, struct drm_seed_queue_destroy)
#define DRM_IOCTL_SEED_SUBMIT \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SEED_SUBMIT, struct drm_seed_submit)
#define DRM_IOCTL_SEED_JOB_STATUS \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SEED_JOB_STATUS, struct drm_seed_job_status)
#define DRM_IOCTL_SEED_RESET \
	DRM_IOW(DRM_COMMAND_BASE + DRM_SEED_RESET, struct drm_seed_reset)
#define DRM_IOCTL_SEED_BO_USERPTR \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SEED_BO_USERPTR, struct drm_seed_bo_userptr)

/**
 * struct drm_seed_get_info - device identity (DRM_IOCTL_SEED_GET_INFO)
 *
 * Input: @flags, @pad and @pad2 must be zero, or the ioctl fails with
 * -EINVAL and leaves the structure as it was. Every other field is output
 * only; its input value is ignored. Fails with -ENODEV once the device is
 * gone (unbound or surprise removed).
 *
 * The kernel zero-fills @reserved. Future output fields take space from it
 * and read as zero on older kernels; future input fields will be gated by a
 * @flags bit, which older kernels reject.
 */
struct drm_seed_get_info {
	/** @flags: Reserved for future use, must be zero. */
	__u32 flags;
	/** @pad: Must be zero. */
	__u32 pad;
	/** @hbm_size: Device memory (HBM) size in bytes. */
	__u64 hbm_size;
	/** @hw_revision: Hardware revision, major in bits 31:16, minor 15:0. */
	__u32 hw_revision;
	/** @fw_version: Firmware version, major 31:24, minor 23:16, patch 15:0. */
	__u32 fw_version;
	/** @num_queues: Hardware queues, 1 to 64. */
	__u32 num_queues;
	/** @num_engines: Compute engines, at least 1. */
	__u32 num_engines;
	/** @caps: Device capability bits as reported by the hardware. */
	__u32 caps;
	/** @dtypes: Supported data types as reported by the hardware. */
	__u32 dtypes;
	/** @page_sizes: Supported device page sizes, bit n for 2^n bytes. */
	__u64 page_sizes;
	/** @pci_domain: PCI domain (segment) of the device. */
	__u32 pci_domain;
	/** @pci_bus: PCI bus number. */
	__u8 pci_bus;
	/** @pci_device: PCI device (slot) number. */
	__u8 pci_device;
	/** @pci_function: PCI function number. */
	__u8 pci_function;
	/** @pad2: Must be zero. */
	__u8 pad2;
	/**
	 * @irq_count: Interrupts the driver has received from the device since
	 * probe, including the probe-time self-test (so at least 1).
	 */
	__u64 irq_count;
	/** @uuid: Device UUID, 16 bytes in RFC 4122 (big-endian) byte order. */
	__u8 uuid[16];
	/**
	 * @serial: Serial number: printable ASCII, NUL terminated, NUL padded,
	 * at most 31 characters.
	 */
	char serial[32];
	/** @reserved: Zero-filled by the kernel, ignored on input. */
	__u64 reserved[8];
};

/* drm_seed_query.type values. */
/** DRM_SEED_QUERY_MEMORY: struct drm_seed_query_memory */
#define DRM_SEED_QUERY_MEMORY		1
/** DRM_SEED_QUERY_TELEMETRY: struct drm_seed_query_telemetry */
#define DRM_SEED_QUERY_TELEMETRY	2

/**
 * struct drm_seed_query - size-negotiated query (DRM_IOCTL_SEED_QUERY)
 *
 * With @size = 0 the kernel only sets @size to the size of the result
 * structure for @type. Otherwise it writes min(@size, its size) bytes to
 * @data and sets @size to the number of bytes written. A newer kernel may
 * return a longer structure (new fields at the end); an older one a shorter
 * one, so userspace zero-fills its buffer first. Unknown @type: -EINVAL.
 */
struct drm_seed_query {
	/** @type: DRM_SEED_QUERY_*. */
	__u32 type;
	/** @size: In: bytes at @data. Out: bytes written, or needed if 0. */
	__u32 size;
	/** @data: Pointer to the result buffer. */
	__u64 data;
	/** @flags: Must be zero. */
	__u32 flags;
	/** @pad: Must be zero. */
	__u32 pad;
};

/**
 * struct drm_seed_query_memory - memory usage (DRM_SEED_QUERY_MEMORY)
 *
 * HBM figures are device wide, in bytes. "client" figures count the BOs
 * created through the calling file.
 */
struct drm_seed_query_memory {
	/** @hbm_total: HBM size. */
	__u64 hbm_total;
	/** @hbm_used: HBM allocated to BOs of all clients. */
	__u64 hbm_used;
	/** @hbm_retired: HBM taken out of service after uncorrectable errors. */
	__u64 hbm_retired;
	/** @host_used: Host memory held by host BOs of all clients. */
	__u64 host_used;
	/** @client_hbm: HBM held by the calling file's BOs. */
	__u64 client_hbm;
	/** @client_host: Host memory held by the calling file's BOs. */
	__u64 client_host;
};

/**
 * struct drm_seed_query_telemetry - telemetry snapshot (DRM_SEED_QUERY_TELEMETRY)
 */
struct drm_seed_query_telemetry {
	/** @clock_ns: Device clock when sampled. */
	__u64 clock_ns;
	/** @temp_mc: Temperature, milli-degrees Celsius. */
	__s32 temp_mc;
	/** @power_mw: Board power, milliwatts. */
	__u32 power_mw;
	/** @core_clk_mhz: Core clock. */
	__u32 core_clk_mhz;
	/** @hbm_clk_mhz: HBM clock. */
	__u32 hbm_clk_mhz;
	/** @ecc_corrected: Corrected HBM errors since power-on. */
	__u32 ecc_corrected;
	/** @ecc_uncorrected: Uncorrectable HBM errors since power-on. */
	__u32 ecc_uncorrected;
	/** @num_engines: Valid entries of @engine_busy_ns. */
	__u32 num_engines;
	/** @reset_count: Device resets since the driver bound. */
	__u32 reset_count;
	/** @engine_busy_ns: Busy time of each engine since power-on. */
	__u64 engine_busy_ns[16];
};

/* drm_seed_bo_create.placement values. */
/** DRM_SEED_BO_HBM: device memory; reachable by the host only through DMA. */
#define DRM_SEED_BO_HBM			0
/** DRM_SEED_BO_HOST: host memory the device reaches by DMA; can be mmapped. */
#define DRM_SEED_BO_HOST		1

/* drm_seed_bo_create.flags bits. */
/** DRM_SEED_BO_DEVICE_READ_ONLY: the device may only read the BO. */
#define DRM_SEED_BO_DEVICE_READ_ONLY	(1u << 0)
#define DRM_SEED_BO_FLAGS		DRM_SEED_BO_DEVICE_READ_ONLY

/**
 * struct drm_seed_bo_create - create a buffer object (DRM_IOCTL_SEED_BO_CREATE)
 *
 * The size is rounded up to 4 KiB. The BO is mapped into the caller's
 * device address space at @device_va. Its contents start as zero, whatever
 * the memory held before. Errors: -EINVAL (size 0, unknown placement or
 * flag, nonzero pad), -ENOMEM or -ENOSPC (out of HBM, host memory or device
 * address space), -EDQUOT (the file would hold more HBM than the module
 * parameter max_hbm_per_file_mb allows).
 */
struct drm_seed_bo_create {
	/** @size: In: bytes, at least 1. Out: the rounded size. */
	__u64 size;
	/** @placement: DRM_SEED_BO_HBM or DRM_SEED_BO_HOST. */
	__u32 placement;
	/** @flags: DRM_SEED_BO_* flags. */
	__u32 flags;
	/** @handle: Out: GEM handle. */
	__u32 handle;
	/** @pad: Must be zero. */
	__u32 pad;
	/** @device_va: Out: device VA of the BO in the caller's context. */
	__u64 device_va;
};

/**
 * struct drm_seed_bo_info - describe a buffer object (DRM_IOCTL_SEED_BO_INFO)
 *
 * Works for BOs created or imported (PRIME) by the caller. -ENOENT for an
 * unknown handle.
 */
struct drm_seed_bo_info {
	/** @handle: GEM handle. */
	__u32 handle;
	/** @flags: Must be zero on input. Out: the BO's DRM_SEED_BO_* flags. */
	__u32 flags;
	/** @size: Out: bytes. */
	__u64 size;
	/** @device_va: Out: device VA in the caller's context. */
	__u64 device_va;
	/** @mmap_offset: Out: offset for mmap() of host BOs; 0 for HBM BOs. */
	__u64 mmap_offset;
	/** @placement: Out: DRM_SEED_BO_HBM or DRM_SEED_BO_HOST. */
	__u32 placement;
	/** @pad: Must be zero. */
	__u32 pad;
};

/** DRM_SEED_PRIORITY_LOW: lowest queue priority. */
#define DRM_SEED_PRIORITY_LOW		0
/** DRM_SEED_PRIORITY_NORMAL: default. */
#define DRM_SEED_PRIORITY_NORMAL	1
/** DRM_SEED_PRIORITY_HIGH: above normal. */
#define DRM_SEED_PRIORITY_HIGH		2
/** DRM_SEED_PRIORITY_REALTIME: highest; needs CAP_SYS_NICE. */
#define DRM_SEED_PRIORITY_REALTIME	3

/**
 * struct drm_seed_queue_create - create a queue (DRM_IOCTL_SEED_QUEUE_CREATE)
 *
 * A queue runs the caller's jobs in submission order. Queues of the same
 * priority share the chip fairly: a queue with many jobs waiting gets at
 * most a few (the module parameter queue_depth) on the hardware ahead of a
 * job another queue submits later. Higher priorities go first. It owns a
 * timeline syncobj, created in the caller's file: point N is signalled when
 * job N has finished (successfully or not). The caller may wait on it,
 * export it, and must eventually destroy the handle with
 * DRM_IOCTL_SYNCOBJ_DESTROY. Errors: -EINVAL, -EPERM (REALTIME without
 * CAP_SYS_NICE), -EDQUOT (the file has max_queues_per_file queues).
 */
struct drm_seed_queue_create {
	/** @priority: DRM_SEED_PRIORITY_*. */
	__u32 priority;
	/** @flags: Must be zero. */
	__u32 flags;
	/** @queue_id: Out: queue id, unique within the file, never 0. */
	__u32 queue_id;
	/** @syncobj: Out: handle of the queue's timeline syncobj. */
	__u32 syncobj;
};

/**
 * struct drm_seed_queue_destroy - destroy a queue (DRM_IOCTL_SEED_QUEUE_DESTROY)
 *
 * Jobs not yet finished are cancelled; their points are signalled with an
 * error (-ECANCELED for jobs the device had received, -ESRCH for jobs still
 * waiting for their dependencies; such a job's point signals once those
 * dependencies have, as DRM's scheduler wants). Jobs of other clients
 * sharing the hardware are not affected. When the ioctl returns, the device
 * runs nothing of the queue's any more. The queue's syncobj handle stays
 * valid.
 */
struct drm_seed_queue_destroy {
	/** @queue_id: Queue to destroy. */
	__u32 queue_id;
	/** @pad: Must be zero. */
	__u32 pad;
};

/* drm_seed_sync.flags: none defined yet, must be zero. */

/**
 * struct drm_seed_sync - a syncobj and a timeline point
 */
struct drm_seed_sync {
	/** @handle: Syncobj handle. */
	__u32 handle;
	/** @flags: Must be zero. */
	__u32 flags;
	/** @point: Timeline point; 0 for a binary syncobj. */
	__u64 point;
};

/** DRM_SEED_MAX_SYNCS: most entries in each sync array of a submit. */
#define DRM_SEED_MAX_SYNCS		64
/** DRM_SEED_MAX_CMD_PACKETS: most packets in one command buffer range. */
#define DRM_SEED_MAX_CMD_PACKETS	(1u << 20)

/**
 * DOC: implicit sync
 *
 * A job may list the BOs it uses in &drm_seed_submit.bos, each marked read
 * or written. Such a job waits, besides its &drm_seed_submit.in_syncs, for
 * the fences already in each listed BO's reservation object (struct
 * dma_resv): for the previous writers of a BO it reads, and for every
 * previous user (readers and writers) of a BO it writes. Its finished fence
 * is then added to each BO's reservation object as a read or a write, and
 * the job holds the BOs until it has finished. Whoever waits on the BO
 * through its reservation object therefore waits for the job: a PRIME
 * importer in another process or on another device, poll() on the dma-buf fd
 * (POLLIN waits for writers, POLLOUT for every user),
 * DMA_BUF_IOCTL_EXPORT_SYNC_FILE, and other SeedChip jobs that list the BO.
 * Unlike a failed fence of &drm_seed_submit.in_syncs, a failed job found in
 * a reservation object does not cancel the job that waited for it: it only
 * orders the two.
 *
 * Listing the BOs is optional; jobs that list none synchronise only through
 * syncobjs, as before. The list does not limit what the job may access: it
 * is for synchronisation, not protection. A handle may appear more than
 * once; the BO then counts as written if any entry writes it.
 *
 * Errors: -EINVAL for more than DRM_SEED_MAX_SUBMIT_BOS entries, unknown
 * flags or a nonzero &drm_seed_submit_bo.reserved, or a nonzero
 * &drm_seed_submit.pad; -ENOENT for an unknown handle; -EFAULT for an
 * unreadable &drm_seed_submit.bos. Waiting for the locks of the BOs may be
 * interrupted by a signal (-EINTR, or the ioctl is restarted).
 */

/* drm_seed_submit_bo.flags bits. */
/** DRM_SEED_SUBMIT_BO_WRITE: the job writes the BO (without it: reads). */
#define DRM_SEED_SUBMIT_BO_WRITE	(1u << 0)
#define DRM_SEED_SUBMIT_BO_FLAGS	DRM_SEED_SUBMIT_BO_WRITE

/** DRM_SEED_MAX_SUBMIT_BOS: most entries in &drm_seed_submit.bos. */
#define DRM_SEED_MAX_SUBMIT_BOS		1024

/**
 * struct drm_seed_submit_bo - a BO a job uses (DOC: implicit sync)
 */
struct drm_seed_submit_bo {
	/** @handle: GEM handle. */
	__u32 handle;
	/** @flags: DRM_SEED_SUBMIT_BO_* flags. */
	__u32 flags;
	/** @reserved: Must be zero. */
	__u64 reserved;
};

/**
 * struct drm_seed_submit - run a command buffer (DRM_IOCTL_SEED_SUBMIT)
 *
 * Runs @cmd_count 64-byte packets starting @cmd_offset bytes into BO
 * @cmd_handle on queue @queue_id, once every fence in @in_syncs has
 * signalled. If one of them signalled an error, the job does not run and
 * fails with DRM_SEED_JOB_CANCELLED. The packets run in the caller's device address space. The
 * job's sequence number @seq is its point on the queue's timeline syncobj;
 * the job's finished fence is also installed into every syncobj of
 * @out_syncs. Errors: -EINVAL (bad field, range outside the BO, offset not
 * 64-byte aligned), -ENOENT (unknown queue, BO or syncobj), -EFAULT.
 *
 * SUBMIT is also available as an io_uring command, to batch many
 * submissions per system call: IORING_OP_URING_CMD on the accel file with
 * cmd_op = DRM_IOCTL_SEED_SUBMIT and a struct drm_seed_submit in the SQE's
 * command area. The ring must be set up with IORING_SETUP_SQE128 and
 * IORING_SETUP_CQE32 (-EINVAL otherwise). The command completes at once:
 * cqe.res is 0 or the negative error the ioctl would return, and on success
 * big_cqe[0] holds @seq. Other cmd_op values fail with -ENOTTY.
 *
 * Implicit synchronisation: @bos lists the BOs the job uses, see DOC:
 * implicit sync. Binaries built before @bos existed pass the 56-byte
 * structure (the ioctl number and, for io_uring, cmd_op encode the size);
 * the kernel reads the missing fields as zero, so their jobs list no BOs.
 */
struct drm_seed_submit {
	/** @queue_id: Queue. */
	__u32 queue_id;
	/** @flags: Must be zero. */
	__u32 flags;
	/** @cmd_handle: BO holding the packets. */
	__u32 cmd_handle;
	/** @cmd_count: Packets, 1 .. DRM_SEED_MAX_CMD_PACKETS. */
	__u32 cmd_count;
	/** @cmd_offset: Byte offset of the first packet, 64-byte aligned. */
	__u64 cmd_offset;
	/** @in_syncs: Pointer to @in_sync_count struct drm_seed_sync. */
	__u64 in_syncs;
	/** @out_syncs: Pointer to @out_sync_count struct drm_seed_sync. */
	__u64 out_syncs;
	/** @in_sync_count: Entries at @in_syncs, at most DRM_SEED_MAX_SYNCS. */
	__u32 in_sync_count;
	/** @out_sync_count: Entries at @out_syncs, at most DRM_SEED_MAX_SYNCS. */
	__u32 out_sync_count;
	/** @seq: Out: the job's sequence number (timeline point), from 1. */
	__u64 seq;
	/**
	 * @bos: Pointer to @bo_count struct drm_seed_submit_bo, the BOs the
	 * job reads or writes (implicit sync). Ignored if @bo_count is 0.
	 */
	__u64 bos;
	/** @bo_count: Entries at @bos, at most DRM_SEED_MAX_SUBMIT_BOS. */
	__u32 bo_count;
	/** @pad: Must be zero. */
	__u32 pad;
};

/* drm_seed_job_status.state values. */
/** DRM_SEED_JOB_PENDING: not finished yet. */
#define DRM_SEED_JOB_PENDING		0
/** DRM_SEED_JOB_DONE: finished; see error. */
#define DRM_SEED_JOB_DONE		1

/* drm_seed_job_status.error values: why a finished job failed. */
/** DRM_SEED_JOB_OK: ran to completion. */
#define DRM_SEED_JOB_OK			0
/** DRM_SEED_JOB_MMU_FAULT: an access failed translation; see fault_*. */
#define DRM_SEED_JOB_MMU_FAULT		1
/** DRM_SEED_JOB_INVALID_PACKET: a packet was rejected; see hw_error, packet_*. */
#define DRM_SEED_JOB_INVALID_PACKET	2
/** DRM_SEED_JOB_TIMEOUT: the job ran past its time limit and was stopped. */
#define DRM_SEED_JOB_TIMEOUT		3
/** DRM_SEED_JOB_RESET: another job's failure or an admin reset killed it. */
#define DRM_SEED_JOB_RESET		4
/** DRM_SEED_JOB_CANCELLED: its queue was destroyed or a dependency failed. */
#define DRM_SEED_JOB_CANCELLED		5
/** DRM_SEED_JOB_ECC: it read memory with an uncorrectable error. */
#define DRM_SEED_JOB_ECC		6
/** DRM_SEED_JOB_DEVICE_LOST: the device stopped working or was removed. */
#define DRM_SEED_JOB_DEVICE_LOST	7
/** DRM_SEED_JOB_HW_ERROR: another device error; see hw_error. */
#define DRM_SEED_JOB_HW_ERROR		8

/**
 * struct drm_seed_job_status - why a job ended (DRM_IOCTL_SEED_JOB_STATUS)
 *
 * The kernel keeps the outcome of the most recent failed jobs of each queue
 * (at least 256); asking about an older failed job may give -ENOENT.
 * -EINVAL for a @seq the queue has not issued.
 */
struct drm_seed_job_status {
	/** @queue_id: Queue. */
	__u32 queue_id;
	/** @flags: Must be zero. */
	__u32 flags;
	/** @seq: Job sequence number from SUBMIT. */
	__u64 seq;
	/** @state: Out: DRM_SEED_JOB_PENDING or DRM_SEED_JOB_DONE. */
	__u32 state;
	/** @error: Out: DRM_SEED_JOB_* reason, DRM_SEED_JOB_OK on success. */
	__u32 error;
	/** @hw_error: Out: the device's error code (SEED_ERR_*), or 0. */
	__u32 hw_error;
	/** @fault_info: Out: MMU fault access type, reason and level. */
	__u32 fault_info;
	/** @fault_addr: Out: device VA of the failing access, or 0. */
	__u64 fault_addr;
	/** @packet_offset: Out: index of the failing packet in the command buffer. */
	__u32 packet_offset;
	/** @packet_opcode: Out: opcode of the failing packet. */
	__u8 packet_opcode;
	/** @packet_level: Out: 1 = in the command buffer, 2 = one INDIRECT deeper. */
	__u8 packet_level;
	/** @pad: Zero. */
	__u16 pad;
};

/** DRM_SEED_RESET_DEVICE: full device reset (the only kind so far). */
#define DRM_SEED_RESET_DEVICE		0

/**
 * struct drm_seed_reset - reset the chip (DRM_IOCTL_SEED_RESET)
 *
 * Needs CAP_SYS_ADMIN (-EPERM). Every job running on the device fails with
 * DRM_SEED_JOB_RESET; queued jobs run afterwards. Returns once the device
 * works again, or -EIO if it could not be recovered.
 */
struct drm_seed_reset {
	/** @type: DRM_SEED_RESET_DEVICE. */
	__u32 type;
	/** @flags: Must be zero. */
	__u32 flags;
};

/* drm_seed_bo_userptr.flags bits. */
/**
 * DRM_SEED_BO_USERPTR_FLAGS: flags BO_USERPTR accepts; only
 * DRM_SEED_BO_DEVICE_READ_ONLY so far.
 */
#define DRM_SEED_BO_USERPTR_FLAGS	DRM_SEED_BO_DEVICE_READ_ONLY

/**
 * struct drm_seed_bo_userptr - wrap user memory in a BO (DRM_IOCTL_SEED_BO_USERPTR)
 *
 * Pins the pages of [@user_ptr, @user_ptr + @size) of the calling process,
 * maps them for the device's DMA and returns a host-placement BO mapped into
 * the caller's device address space at @device_va, so that COPY packets (or
 * any other) reach the application's memory without a staging copy. The
 * memory is shared, not copied: the host sees the device's writes and the
 * device the host's.
 *
 * Without DRM_SEED_BO_DEVICE_READ_ONLY the device may write the memory, so
 * the range must be writable (-EFAULT for a read-only mapping). With it the
 * range only needs to be readable, and device writes fault.
 *
 * The pages stay pinned until the BO is freed: when the last handle is
 * closed (the caller's file closes them all) and no job uses it any more.
 * munmap() of the range while the BO lives does not free the pages; the
 * device keeps using the pages it was given, which the process no longer
 * sees. After fork() the BO keeps referring to the parent's pages. The BO
 * cannot be mmapped through the accel file (use the original mapping) nor
 * exported as a dma-buf (-EOPNOTSUPP); BO_INFO reports it with placement
 * DRM_SEED_BO_HOST and mmap_offset 0.
 *
 * Pinned bytes count against the caller's file while it holds the BO; the
 * module parameter max_pinned_per_file_mb bounds them (-EDQUOT). They also
 * count against the calling process's RLIMIT_MEMLOCK until the BO is freed
 * (its VmPin), unless it has CAP_IPC_LOCK. Errors:
 * -EINVAL (@user_ptr or @size not 4 KiB aligned, @size 0, the range wraps,
 * an unknown flag, nonzero @reserved), -ENOMEM (larger than system memory,
 * or over RLIMIT_MEMLOCK),
 * -ENOSPC (larger than the device address space), -EFAULT (a page of the
 * range is not mapped, or not writable when it must be), -EDQUOT.
 *
 * Availability: kernels without this ioctl fail it with -EINVAL (an unknown
 * DRM driver ioctl number); userspace then falls back to staging copies.
 */
struct drm_seed_bo_userptr {
	/** @user_ptr: Start of the range, 4 KiB aligned. */
	__u64 user_ptr;
	/** @size: Bytes, a nonzero multiple of 4 KiB. */
	__u64 size;
	/** @flags: DRM_SEED_BO_USERPTR_FLAGS bits. */
	__u32 flags;
	/** @handle: Out: GEM handle. */
	__u32 handle;
	/** @device_va: Out: device VA of @user_ptr in the caller's context. */
	__u64 device_va;
	/** @reserved: Must be zero. */
	__u64 reserved;
};

#if defined(__cplusplus)
}
#endif

#endif /* __UAPI_SEED_ACCEL_H__ */
