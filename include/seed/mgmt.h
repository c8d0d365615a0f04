/* SPDX-License-Identifier: MIT */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * The management C API of libseed: what administration and fleet tools
 * (seedctl, seedchip-exporter, seed-device-plugin, or anyone's) need to
 * inventory, watch and configure SeedChips. Plain C with a stable ABI.
 *
 * Call seed_mgmt_init() first and seed_mgmt_shutdown() at the end; chips
 * are reached through handles (seed_mgmt_device_by_index, _by_uuid,
 * _by_pci_address). Devices are numbered by their physical index: the position of the chip
 * among the accel nodes bound to seed.ko, in ascending minor order, as
 * sysfs shows them. It does not depend on SEED_VISIBLE_DEVICES nor on
 * which nodes the caller may open, so every user and every tool of a
 * machine gives a chip the same index. Identity, topology, PCIe and memory
 * figures come from sysfs and need no rights; telemetry, health probes and
 * resets open the node (read-write access to /dev/accel/accelN); settings
 * need root.
 *
 * Structures that the library fills start with a size member: the caller
 * sets it to sizeof the structure it was compiled with, and the library
 * fills that many bytes. Later versions only append members, so old
 * programs keep working with new libraries and the other way round (a
 * member the library does not know stays zero).
 *
 * Errors are seed_status codes (seed/seed.h); seed_mgmt_status_string()
 * names a code, seed_last_error_message() describes the last failure of the
 * calling thread in detail. Every function is
 * thread-safe.
 */
#ifndef SEED_MGMT_H
#define SEED_MGMT_H

#include <seed/seed.h>

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest text member, with its terminating NUL. */
#define SEED_MGMT_TEXT 64
#define SEED_MGMT_PATH 256

/* Identity of a chip; from sysfs, no device access. */
typedef struct seed_mgmt_identity {
    uint32_t size;                       /* set by the caller: sizeof(seed_mgmt_identity) */
    uint32_t index;                      /* physical index */
    uint32_t minor;                      /* N of /dev/accel/accelN */
    int32_t numa_node;                   /* -1 if the platform reports none */
    char node[SEED_MGMT_TEXT];           /* "/dev/accel/accel0" */
    char pci_address[SEED_MGMT_TEXT];    /* "0000:01:00.0" */
    char uuid[SEED_MGMT_TEXT];           /* canonical 8-4-4-4-12, lower case */
    char serial[SEED_MGMT_TEXT];         /* "SEEDVM-0000" */
    char hw_revision[SEED_MGMT_TEXT];    /* "1.0" */
    char fw_version[SEED_MGMT_TEXT];     /* "1.0.0" */
    char driver_version[SEED_MGMT_TEXT]; /* seed.ko's version, "1.0.0" */
    char pci_path[SEED_MGMT_PATH];       /* PCI addresses from the root port down, '/'-separated */
    uint64_t hbm_total_bytes;
    uint32_t num_queues;
    uint32_t num_engines;
    char sysfs_path[SEED_MGMT_PATH]; /* the PCI device's sysfs directory, resolved */
} seed_mgmt_identity;

/* What the chip and its driver support (DRM_IOCTL_SEED_GET_INFO,
 * DRM_IOCTL_VERSION); opens the device. */
typedef struct seed_mgmt_capabilities {
    uint32_t size;
    uint32_t caps;   /* SEED_CAP_* bits (hw/seed_hw.h; seed::Cap) */
    uint32_t dtypes; /* SEED_DTYPE_* bits (hw/seed_hw.h; seed::DType) */
    uint32_t pad;
    uint64_t page_sizes;   /* bit n set: 2^n-byte device pages */
    uint32_t driver_major; /* DRM driver version, the same as seed.ko's */
    uint32_t driver_minor;
    uint32_t driver_patch;
    uint32_t pad2;
    char driver_name[SEED_MGMT_TEXT];        /* "seed" */
    char driver_description[SEED_MGMT_TEXT]; /* "SeedChip AI accelerator" */
} seed_mgmt_capabilities;

/* Telemetry snapshot; opens the device. */
typedef struct seed_mgmt_telemetry {
    uint32_t size;
    uint32_t num_engines;   /* valid entries of engine_busy_ns */
    uint64_t clock_ns;      /* device clock */
    int64_t host_time_ns;   /* CLOCK_MONOTONIC when sampled */
    int32_t temperature_mc; /* milli-degrees Celsius */
    uint32_t power_mw;      /* board power */
    uint32_t core_clock_mhz;
    uint32_t hbm_clock_mhz;
    uint32_t ecc_corrected;   /* since power-on */
    uint32_t ecc_uncorrected; /* since power-on */
    uint32_t reset_count;     /* resets since the driver bound */
    uint32_t pad;
    uint64_t engine_busy_ns[16];
} seed_mgmt_telemetry;

/* Memory figures; from sysfs. */
typedef struct seed_mgmt_memory {
    uint32_t size;
    uint32_t pad;
    uint64_t total_bytes;   /* HBM size */
    uint64_t used_bytes;    /* allocated to buffers of every client */
    uint64_t retired_bytes; /* taken out of service after uncorrectable errors */
    /* Host memory held by buffers of every client: sysfs host_used_bytes, or
     * on drivers without it a DRM_SEED_QUERY_MEMORY, which needs access to
     * the node; UINT64_MAX if neither can be read. */
    uint64_t host_used_bytes;
} seed_mgmt_memory;

/* Why a job failed: the driver's DRM_SEED_JOB_* codes, the indices of
 * seed_mgmt_counters.job_failures. seed_mgmt_job_failure_reason() names
 * them as sysfs does (job_failures/<name>). */
#define SEED_MGMT_JOB_MMU_FAULT 1      /* an access failed translation */
#define SEED_MGMT_JOB_INVALID_PACKET 2 /* the device rejected a packet */
#define SEED_MGMT_JOB_TIMEOUT 3        /* ran past its time limit (hang, watchdog) */
#define SEED_MGMT_JOB_RESET 4          /* killed by a device reset (another job's failure, admin) */
#define SEED_MGMT_JOB_CANCELLED 5      /* its queue was destroyed or a dependency failed */
#define SEED_MGMT_JOB_ECC 6            /* read memory with an uncorrectable error */
#define SEED_MGMT_JOB_DEVICE_LOST 7    /* the device stopped working or was removed */
#define SEED_MGMT_JOB_HW_ERROR 8       /* another device error */
/* Entries of seed_mgmt_counters.job_failures; reasons above 8 may come. */
#define SEED_MGMT_JOB_REASONS 16

/* Driver counters since the driver bound the chip; from sysfs, no device
 * access. A counter the driver does not provide is UINT64_MAX. */
typedef struct seed_mgmt_counters {
    uint32_t size;
    uint32_t pad;
    uint64_t irq_count;   /* interrupts received */
    uint64_t reset_count; /* device resets (recovery and admin) */
    /* Jobs of every client that failed, by SEED_MGMT_JOB_* reason;
     * job_failures[0] (success) is 0. */
    uint64_t job_failures[SEED_MGMT_JOB_REASONS];
} seed_mgmt_counters;

/* PCIe link and Advanced Error Reporting; from sysfs. A value the platform
 * does not report is 0 (speeds, widths) or UINT64_MAX (AER counters, when
 * the device or kernel has no AER). */
typedef struct seed_mgmt_pcie {
    uint32_t size;
    uint32_t current_width; /* lanes */
    uint32_t max_width;
    uint32_t current_speed_mts; /* transfer rate per lane, MT/s (2.5 GT/s = 2500) */
    uint32_t max_speed_mts;
    uint32_t pad;
    uint64_t aer_correctable; /* TOTAL_ERR_COR */
    uint64_t aer_nonfatal;    /* TOTAL_ERR_NONFATAL */
    uint64_t aer_fatal;       /* TOTAL_ERR_FATAL */
} seed_mgmt_pcie;

/* Board power limit (hwmon power1_cap and its bounds), milliwatts. */
typedef struct seed_mgmt_power_limit {
    uint32_t size;
    uint32_t current_mw;
    uint32_t min_mw;   /* 0 if the driver reports no bound */
    uint32_t max_mw;   /* 0 if the driver reports no bound */
    uint32_t settable; /* 1 if the driver lets root change it */
} seed_mgmt_power_limit;

/* seed_mgmt_health.state */
#define SEED_HEALTH_OK 0      /* answers ioctls and a telemetry query */
#define SEED_HEALTH_ABSENT 1  /* its accel node is gone (removed, unbound) */
#define SEED_HEALTH_LOST 2    /* the driver gave up on it (ENODEV) */
#define SEED_HEALTH_FAILING 3 /* it does not answer (timeouts, I/O errors) */
#define SEED_HEALTH_DENIED 4  /* the caller may not open it; state unknown */

typedef struct seed_mgmt_health {
    uint32_t size;
    uint32_t state;              /* SEED_HEALTH_* */
    char detail[SEED_MGMT_PATH]; /* why, for people */
} seed_mgmt_health;

/* A DRM client of a SeedChip: one open file (a file shared by dup() or
 * fork() is reported once, under the lowest pid). From /proc/PID/fdinfo. */
typedef struct seed_mgmt_process {
    uint32_t size;
    int32_t pid;
    char command[SEED_MGMT_TEXT];     /* /proc/PID/comm */
    char pci_address[SEED_MGMT_TEXT]; /* drm-pdev */
    uint64_t client_id;               /* drm-client-id */
    uint64_t hbm_bytes;               /* device memory of its buffers */
    uint64_t host_bytes;              /* host memory of its buffers */
    uint64_t engine_ns;               /* device time of its jobs, every engine class summed */
} seed_mgmt_process;

/* seed_mgmt_event.type */
#define SEED_MGMT_EVENT_ADD 1    /* a chip was bound to seed.ko */
#define SEED_MGMT_EVENT_REMOVE 2 /* a chip's accel node went away (unbind, removal) */
#define SEED_MGMT_EVENT_RESET 3  /* the driver reset the chip; see reason */
#define SEED_MGMT_EVENT_CHANGE 4 /* another change uevent of the chip */
#define SEED_MGMT_EVENT_UNBIND 5 /* a chip's PCI device lost its driver (after REMOVE) */
#define SEED_MGMT_EVENT_UNPLUG 6 /* a chip's PCI device left the bus (after UNBIND) */
/* Types may be added: ignore the ones you do not know. */

typedef struct seed_mgmt_event {
    uint32_t size;
    uint32_t type;   /* SEED_MGMT_EVENT_* */
    int64_t time_ns; /* CLOCK_REALTIME when received */
    char pci_address[SEED_MGMT_TEXT];
    char uuid[SEED_MGMT_TEXT];   /* "" if no longer readable */
    char reason[SEED_MGMT_TEXT]; /* SEED_RESET_REASON of a reset, else "" */
    char action[16];             /* the uevent's ACTION: "add", "change", ... */
    uint64_t seqnum;             /* the uevent's SEQNUM, 0 if none */
} seed_mgmt_event;

typedef struct seed_mgmt_monitor seed_mgmt_monitor;

/* A chip, as long as the library is initialised. A handle names the chip by
 * its PCI address: it stays valid when the chip goes away (calls then fail
 * with SEED_ERROR_DEVICE_LOST, seed_mgmt_device_health reports ABSENT) and
 * works again when a chip comes back at that address. */
typedef struct seed_mgmt_device_s* seed_mgmt_device;

/* Version of this interface: the major changes only with the soname. */
#define SEED_MGMT_API_VERSION 1

/* Initialises the library; calls nest (each needs a seed_mgmt_shutdown).
 * Every other seed_mgmt_device_* function returns SEED_ERROR_INVALID_STATE
 * before it. */
SEED_API seed_status seed_mgmt_init(void);
/* Undoes one seed_mgmt_init; the last one frees every handle. */
SEED_API seed_status seed_mgmt_shutdown(void);
/* A fixed description of @status ("device lost"); never NULL. */
SEED_API const char* seed_mgmt_status_string(seed_status status);

/* Number of chips bound to seed.ko. */
SEED_API seed_status seed_mgmt_device_count(unsigned* count);
/* The chip at physical @index. */
SEED_API seed_status seed_mgmt_device_by_index(unsigned index, seed_mgmt_device* out);
/* The chip with this UUID (8-4-4-4-12, any case). */
SEED_API seed_status seed_mgmt_device_by_uuid(const char* uuid, seed_mgmt_device* out);
/* The chip at this PCI address (dddd:bb:dd.f or bb:dd.f). */
SEED_API seed_status seed_mgmt_device_by_pci_address(const char* pci_address,
                                                     seed_mgmt_device* out);
/* The chip named by @spec: a physical index, a PCI address, a UUID or a
 * node path; SEED_ERROR_DEVICE_NOT_FOUND if none, SEED_ERROR_INVALID_ARGUMENT
 * if @spec is none of these. */
SEED_API seed_status seed_mgmt_device_find(const char* spec, seed_mgmt_device* out);
/* The chips a libseed application with the caller's environment sees, in
 * its order (seed_device_count(), seed::Device::list()): those the caller
 * may open, restricted and ordered by SEED_VISIBLE_DEVICES and
 * SEED_VISIBLE_DEVICE_<TAG> (seed/device.hpp). Its device i is out[i]. For
 * tools that number chips as applications do (seedctl); the functions
 * above use physical indices and ignore those variables. Opens every chip.
 * With @out NULL, *@count is set to the number of chips (a size query);
 * with *@count too small, *@count is set to the number needed and
 * SEED_ERROR_INSUFFICIENT_SIZE returned. SEED_ERROR_INVALID_ARGUMENT if a
 * variable is malformed, SEED_ERROR_PERMISSION if the caller may open no
 * chip. */
SEED_API seed_status seed_mgmt_visible_devices(seed_mgmt_device* out, unsigned* count);

SEED_API seed_status seed_mgmt_device_identity(seed_mgmt_device device, seed_mgmt_identity* out);
SEED_API seed_status seed_mgmt_device_memory(seed_mgmt_device device, seed_mgmt_memory* out);
SEED_API seed_status seed_mgmt_device_pcie(seed_mgmt_device device, seed_mgmt_pcie* out);
SEED_API seed_status seed_mgmt_device_counters(seed_mgmt_device device, seed_mgmt_counters* out);
/* The name of a SEED_MGMT_JOB_* reason ("mmu_fault", the file under the
 * chip's sysfs job_failures/); NULL for 0 and reasons this library does
 * not know. */
SEED_API const char* seed_mgmt_job_failure_reason(unsigned reason);
/* Open the node: need access to it. */
SEED_API seed_status seed_mgmt_device_telemetry(seed_mgmt_device device, seed_mgmt_telemetry* out);
SEED_API seed_status seed_mgmt_device_capabilities(seed_mgmt_device device,
                                                   seed_mgmt_capabilities* out);
/* Utilisation between two telemetry snapshots of one chip, in per mille of
 * the device clock (host clock if the device clock did not move): the busiest
 * engine (@max_permille) and the mean over the engines (@mean_permille);
 * either may be NULL. A counter that went backwards (a reset between the
 * snapshots) counts as idle. */
SEED_API seed_status seed_mgmt_utilization(const seed_mgmt_telemetry* before,
                                           const seed_mgmt_telemetry* after,
                                           uint32_t* mean_permille, uint32_t* max_permille);
/* Probes the chip: open, DRM_IOCTL_SEED_GET_INFO, a telemetry query. The
 * outcome is in out->state; the return value is SEED_SUCCESS unless the
 * arguments are wrong. */
SEED_API seed_status seed_mgmt_device_health(seed_mgmt_device device, seed_mgmt_health* out);
/* Full device reset (DRM_IOCTL_SEED_RESET); needs CAP_SYS_ADMIN. Returns
 * once the chip works again. */
SEED_API seed_status seed_mgmt_device_reset(seed_mgmt_device device);

SEED_API seed_status seed_mgmt_device_power_limit(seed_mgmt_device device,
                                                  seed_mgmt_power_limit* out);
/* Sets the board power limit (hwmon power1_cap). Needs root;
 * SEED_ERROR_PERMISSION otherwise, SEED_ERROR_NOT_SUPPORTED if the driver
 * does not allow it, SEED_ERROR_INVALID_ARGUMENT outside [min, max]. */
SEED_API seed_status seed_mgmt_device_set_power_limit(seed_mgmt_device device, uint32_t milliwatts);

/* Every SeedChip client visible to the caller (root: all; others: their
 * own processes). With @out NULL, *@count is set to the number of clients
 * and SEED_SUCCESS returned (a size query); with *@count too small for
 * them, *@count is set to the number needed and SEED_ERROR_INSUFFICIENT_SIZE
 * returned. @unreadable (may be NULL) gets the number of processes whose
 * descriptors could not be inspected. out[0].size must be set: it is the
 * size of every element, and every element gets it. */
SEED_API seed_status seed_mgmt_processes(seed_mgmt_process* out, size_t* count,
                                         unsigned* unreadable);

/* A listener for the driver's uevents of SeedChips (kernel netlink; it sees
 * what happens in the machine only in the host's network namespace). */
SEED_API seed_status seed_mgmt_monitor_create(seed_mgmt_monitor** out);
SEED_API void seed_mgmt_monitor_destroy(seed_mgmt_monitor* monitor);
/* A descriptor that polls readable when an event may be waiting. */
SEED_API int seed_mgmt_monitor_fd(const seed_mgmt_monitor* monitor);
/* Waits up to @timeout_ms (-1: forever) for the next SeedChip event;
 * SEED_ERROR_TIMEOUT if none came. Uevents of other devices are skipped. */
SEED_API seed_status seed_mgmt_monitor_next(seed_mgmt_monitor* monitor, seed_mgmt_event* out,
                                            int timeout_ms);

#ifdef __cplusplus
}
#endif

#endif /* SEED_MGMT_H */
