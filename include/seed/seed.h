/* SPDX-License-Identifier: MIT */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * The C API of libseed: the same library as the C++ API (seed/seed.hpp)
 * behind opaque handles.
 *
 * Every function that can fail returns a seed_status: SEED_SUCCESS (0) or a
 * negative SEED_ERROR_* code. After a failure, seed_last_error_message()
 * returns a description of it for the calling thread, and for
 * SEED_ERROR_JOB_FAILED seed_last_job_error() the driver's report. Handles
 * are released with their seed_*_destroy() function (NULL is accepted).
 * Objects keep what they need alive: destroying a device or buffer that a
 * queued job still uses is safe.
 */
#ifndef SEED_SEED_H
#define SEED_SEED_H

#include <seed/export.h>
#include <seed/version.h>

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum seed_status {
    SEED_SUCCESS = 0,
    SEED_ERROR_INVALID_ARGUMENT = -1, /* rejected by libseed (or EINVAL) */
    SEED_ERROR_DEVICE_NOT_FOUND = -2,
    SEED_ERROR_DEVICE_LOST = -3,   /* device removed or dead (ENODEV) */
    SEED_ERROR_JOB_FAILED = -4,    /* see seed_last_job_error() */
    SEED_ERROR_TIMEOUT = -5,       /* a bounded wait expired */
    SEED_ERROR_OUT_OF_MEMORY = -6, /* ENOMEM, ENOSPC, EDQUOT (a per-file limit) */
    SEED_ERROR_PERMISSION = -7,    /* EPERM, EACCES */
    SEED_ERROR_BUSY = -8,          /* EBUSY */
    SEED_ERROR_INVALID_STATE = -9,
    SEED_ERROR_SYSTEM = -10,           /* another errno; see the message */
    SEED_ERROR_NOT_SUPPORTED = -11,    /* the driver or device cannot do it (ENOTSUP, ENOTTY) */
    SEED_ERROR_INSUFFICIENT_SIZE = -12 /* an output array is too small; see the count */
} seed_status;

typedef struct seed_device seed_device;
typedef struct seed_buffer seed_buffer;
typedef struct seed_cmdlist seed_cmdlist;
typedef struct seed_queue seed_queue;
typedef struct seed_fence seed_fence;

/* seed_buffer_create() placements. */
#define SEED_PLACEMENT_DEVICE 0
#define SEED_PLACEMENT_HOST 1
/* seed_buffer_create() flags. */
#define SEED_BUFFER_DEVICE_READ_ONLY (1u << 0)

/* seed_cmdlist_elementwise_f32() operations: unary ones (src1 NULL) below
 * SEED_ELEMENTWISE_ADD, binary ones from it (the hardware's codes,
 * docs/hardware.md). */
#define SEED_ELEMENTWISE_COPY 0x00
#define SEED_ELEMENTWISE_RELU 0x01
#define SEED_ELEMENTWISE_GELU 0x02
#define SEED_ELEMENTWISE_EXP 0x03
#define SEED_ELEMENTWISE_NEG 0x04
#define SEED_ELEMENTWISE_ABS 0x05
#define SEED_ELEMENTWISE_SQRT 0x06
#define SEED_ELEMENTWISE_ADD 0x10
#define SEED_ELEMENTWISE_SUB 0x11
#define SEED_ELEMENTWISE_MUL 0x12
#define SEED_ELEMENTWISE_DIV 0x13
#define SEED_ELEMENTWISE_MAX 0x14
#define SEED_ELEMENTWISE_MIN 0x15

/* seed_job_error.reason: why a job failed (seed::JobFailure in C++). */
#define SEED_JOB_MMU_FAULT 1      /* see fault_address, fault_info */
#define SEED_JOB_INVALID_PACKET 2 /* see hw_error, packet_* */
#define SEED_JOB_TIMEOUT 3
#define SEED_JOB_RESET 4
#define SEED_JOB_CANCELLED 5
#define SEED_JOB_ECC 6
#define SEED_JOB_DEVICE_LOST 7
#define SEED_JOB_HW_ERROR 8 /* see hw_error */
#define SEED_JOB_UNKNOWN 0xffff

/* Infinite timeout for the wait functions. */
#define SEED_TIMEOUT_INFINITE UINT64_MAX

/* Driver's report on a failed job (see struct seed::JobStatus). */
typedef struct seed_job_error {
    uint32_t queue_id;
    uint32_t reason; /* SEED_JOB_* */
    uint64_t seq;
    uint32_t hw_error; /* the device's error code (docs/hardware.md), 0 if none */
    uint32_t fault_info;
    uint64_t fault_address;
    uint32_t packet_offset;
    uint8_t packet_opcode;
    uint8_t packet_level;
    uint16_t pad;
} seed_job_error;

/* Description of the calling thread's last failure ("" if none). */
SEED_API const char* seed_last_error_message(void);
/* The last SEED_ERROR_JOB_FAILED's report; SEED_ERROR_INVALID_STATE if none. */
SEED_API seed_status seed_last_job_error(seed_job_error* out);

/* Number of visible devices. */
SEED_API seed_status seed_device_count(unsigned* count);
/* Opens visible device @index. */
SEED_API seed_status seed_device_open(unsigned index, seed_device** out);
SEED_API void seed_device_destroy(seed_device* device);
/* HBM size in bytes. */
SEED_API uint64_t seed_device_hbm_size(const seed_device* device);
/* Memory usage: HBM used by every client, HBM of this device handle. */
SEED_API seed_status seed_device_memory(const seed_device* device, uint64_t* hbm_used,
                                        uint64_t* client_hbm);

SEED_API seed_status seed_buffer_create(seed_device* device, uint64_t size, int placement,
                                        uint32_t flags, seed_buffer** out);
SEED_API void seed_buffer_destroy(seed_buffer* buffer);
SEED_API uint64_t seed_buffer_size(const seed_buffer* buffer);
SEED_API uint64_t seed_buffer_device_va(const seed_buffer* buffer);
/* Host address of a host buffer (maps it); NULL and an error otherwise. */
SEED_API void* seed_buffer_map(seed_buffer* buffer);

SEED_API seed_status seed_cmdlist_create(seed_device* device, seed_cmdlist** out);
SEED_API void seed_cmdlist_destroy(seed_cmdlist* list);
SEED_API seed_status seed_cmdlist_copy(seed_cmdlist* list, seed_buffer* dst, uint64_t dst_offset,
                                       seed_buffer* src, uint64_t src_offset, uint64_t size);
SEED_API seed_status seed_cmdlist_fill(seed_cmdlist* list, seed_buffer* dst, uint64_t offset,
                                       uint64_t size, uint32_t pattern);
/* Unchecked copy between raw device addresses (see CommandList::copy_va). */
SEED_API seed_status seed_cmdlist_copy_va(seed_cmdlist* list, uint64_t dst_va, uint64_t src_va,
                                          uint64_t size);
SEED_API seed_status seed_cmdlist_signal(seed_cmdlist* list, seed_buffer* buf, uint64_t offset,
                                         uint64_t value);
SEED_API seed_status seed_cmdlist_timestamp(seed_cmdlist* list, seed_buffer* buf, uint64_t offset);
/* f32 GEMM, dense: C (m x n) = A (m x k) * B (k x n). */
SEED_API seed_status seed_cmdlist_gemm_f32(seed_cmdlist* list, uint32_t m, uint32_t n, uint32_t k,
                                           seed_buffer* a, seed_buffer* b, seed_buffer* c);
/* Dense f32 op on @count elements; @op is a SEED_ELEMENTWISE_* code. */
SEED_API seed_status seed_cmdlist_elementwise_f32(seed_cmdlist* list, uint8_t op, uint32_t count,
                                                  seed_buffer* dst, seed_buffer* src0,
                                                  seed_buffer* src1);

/* @priority: 0 low, 1 normal, 2 high, 3 realtime. */
SEED_API seed_status seed_queue_create(seed_device* device, uint32_t priority, seed_queue** out);
SEED_API void seed_queue_destroy(seed_queue* queue);
/* Submits @list after the @ndeps fences in @deps; *out gets its fence. */
SEED_API seed_status seed_queue_submit(seed_queue* queue, seed_cmdlist* list,
                                       seed_fence* const* deps, size_t ndeps, seed_fence** out);
SEED_API seed_status seed_queue_finish(seed_queue* queue);

SEED_API void seed_fence_destroy(seed_fence* fence);
/* SEED_SUCCESS, SEED_ERROR_TIMEOUT, SEED_ERROR_JOB_FAILED, ... */
SEED_API seed_status seed_fence_wait(seed_fence* fence, uint64_t timeout_ns);
/* *ready = 1 if finished (SEED_ERROR_JOB_FAILED if it failed). */
SEED_API seed_status seed_fence_ready(seed_fence* fence, int* ready);
SEED_API seed_status seed_fence_wait_all(seed_fence* const* fences, size_t count,
                                         uint64_t timeout_ns);
/* *index = a signalled fence. */
SEED_API seed_status seed_fence_wait_any(seed_fence* const* fences, size_t count,
                                         uint64_t timeout_ns, size_t* index);
/* A new sync_file fd (the caller closes it). */
SEED_API seed_status seed_fence_export_sync_file(seed_fence* fence, int* fd);

#ifdef __cplusplus
}
#endif

#endif /* SEED_SEED_H */
