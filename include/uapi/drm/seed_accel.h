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

#define DRM_SEED_GET_INFO		0x00

#define DRM_IOCTL_SEED_GET_INFO \
	DRM_IOWR(DRM_COMMAND_BASE + DRM_SEED_GET_INFO, struct drm_seed_get_info)

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

#if defined(__cplusplus)
}
#endif

#endif /* __UAPI_SEED_ACCEL_H__ */
