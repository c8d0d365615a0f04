// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// vfio-user wire format: message header, command numbers and payload layouts
// (QEMU docs/interop/vfio-user.rst). Every field is host endian.
#pragma once

#include <linux/vfio.h>

#include <cstddef>
#include <cstdint>

namespace seed::device::vfio_user {

/// Message header, first 16 bytes of every message in both directions.
struct Header {
    uint16_t msg_id;
    uint16_t command;
    uint32_t size; ///< Whole message, header included.
    uint32_t flags;
    uint32_t error; ///< Positive errno, meaningful only with kFlagError.
};
static_assert(sizeof(Header) == 16);
static_assert(offsetof(Header, size) == 4);
static_assert(offsetof(Header, error) == 12);

// Header flags.
inline constexpr uint32_t kFlagTypeMask = 0x0f;
inline constexpr uint32_t kFlagTypeCommand = 0x0;
inline constexpr uint32_t kFlagTypeReply = 0x1;
inline constexpr uint32_t kFlagNoReply = 0x10;
inline constexpr uint32_t kFlagError = 0x20;

// Command numbers.
enum Command : uint16_t {
    kCmdVersion = 1,
    kCmdDmaMap = 2,
    kCmdDmaUnmap = 3,
    kCmdDeviceGetInfo = 4,
    kCmdDeviceGetRegionInfo = 5,
    kCmdDeviceGetRegionIoFds = 6,
    kCmdDeviceGetIrqInfo = 7,
    kCmdDeviceSetIrqs = 8,
    kCmdRegionRead = 9,
    kCmdRegionWrite = 10,
    kCmdDmaRead = 11,
    kCmdDmaWrite = 12,
    kCmdDeviceReset = 13,
    kCmdDirtyPages = 14,
    kCmdRegionWriteMulti = 15,
    kCmdDeviceFeature = 16,
    kCmdMigDataRead = 17,
    kCmdMigDataWrite = 18,
};

/// VERSION payload prefix; a NUL-terminated JSON capability object follows.
struct VersionPayload {
    uint16_t major;
    uint16_t minor;
};
static_assert(sizeof(VersionPayload) == 4);

struct DmaMapPayload {
    uint32_t argsz;
    uint32_t flags;
    uint64_t offset; ///< File offset within the attached fd, 0 without one.
    uint64_t iova;
    uint64_t size;
};
static_assert(sizeof(DmaMapPayload) == 32);

inline constexpr uint32_t kDmaMapFlagRead = 1u << 0;
inline constexpr uint32_t kDmaMapFlagWrite = 1u << 1;

struct DmaUnmapPayload {
    uint32_t argsz;
    uint32_t flags;
    uint64_t iova;
    uint64_t size;
};
static_assert(sizeof(DmaUnmapPayload) == 24);

inline constexpr uint32_t kDmaUnmapFlagGetDirtyBitmap = 1u << 0;
inline constexpr uint32_t kDmaUnmapFlagAll = 1u << 1;

struct DeviceInfoPayload {
    uint32_t argsz;
    uint32_t flags;
    uint32_t num_regions;
    uint32_t num_irqs;
};
static_assert(sizeof(DeviceInfoPayload) == 16);

inline constexpr uint32_t kDeviceFlagReset = 1u << 0;
inline constexpr uint32_t kDeviceFlagPci = 1u << 1;
static_assert(kDeviceFlagReset == VFIO_DEVICE_FLAGS_RESET);
static_assert(kDeviceFlagPci == VFIO_DEVICE_FLAGS_PCI);

struct RegionInfoPayload {
    uint32_t argsz;
    uint32_t flags;
    uint32_t index;
    uint32_t cap_offset;
    uint64_t size;
    uint64_t offset;
};
static_assert(sizeof(RegionInfoPayload) == 32);

inline constexpr uint32_t kRegionFlagRead = 1u << 0;
inline constexpr uint32_t kRegionFlagWrite = 1u << 1;
inline constexpr uint32_t kRegionFlagMmap = 1u << 2;
inline constexpr uint32_t kRegionFlagCaps = 1u << 3;
static_assert(kRegionFlagRead == VFIO_REGION_INFO_FLAG_READ);
static_assert(kRegionFlagWrite == VFIO_REGION_INFO_FLAG_WRITE);
static_assert(kRegionFlagMmap == VFIO_REGION_INFO_FLAG_MMAP);
static_assert(kRegionFlagCaps == VFIO_REGION_INFO_FLAG_CAPS);

struct IrqInfoPayload {
    uint32_t argsz;
    uint32_t flags;
    uint32_t index;
    uint32_t count;
};
static_assert(sizeof(IrqInfoPayload) == 16);

inline constexpr uint32_t kIrqInfoEventfd = 1u << 0;
inline constexpr uint32_t kIrqInfoMaskable = 1u << 1;
inline constexpr uint32_t kIrqInfoAutomasked = 1u << 2;
inline constexpr uint32_t kIrqInfoNoresize = 1u << 3;
static_assert(kIrqInfoEventfd == VFIO_IRQ_INFO_EVENTFD);
static_assert(kIrqInfoNoresize == VFIO_IRQ_INFO_NORESIZE);

/// SET_IRQS payload prefix; DATA_BOOL messages carry `count` bool bytes after it,
/// DATA_EVENTFD messages carry their fds as SCM_RIGHTS.
struct SetIrqsPayload {
    uint32_t argsz;
    uint32_t flags;
    uint32_t index;
    uint32_t start;
    uint32_t count;
};
static_assert(sizeof(SetIrqsPayload) == 20);

inline constexpr uint32_t kIrqSetDataNone = 1u << 0;
inline constexpr uint32_t kIrqSetDataBool = 1u << 1;
inline constexpr uint32_t kIrqSetDataEventfd = 1u << 2;
inline constexpr uint32_t kIrqSetActionMask = 1u << 3;
inline constexpr uint32_t kIrqSetActionUnmask = 1u << 4;
inline constexpr uint32_t kIrqSetActionTrigger = 1u << 5;
inline constexpr uint32_t kIrqSetDataTypeMask =
    kIrqSetDataNone | kIrqSetDataBool | kIrqSetDataEventfd;
inline constexpr uint32_t kIrqSetActionTypeMask =
    kIrqSetActionMask | kIrqSetActionUnmask | kIrqSetActionTrigger;
static_assert(kIrqSetDataTypeMask == VFIO_IRQ_SET_DATA_TYPE_MASK);
static_assert(kIrqSetActionTypeMask == VFIO_IRQ_SET_ACTION_TYPE_MASK);

/// REGION_READ/REGION_WRITE payload prefix; data follows (write request, read reply).
struct RegionAccessPayload {
    uint64_t offset;
    uint32_t region;
    uint32_t count;
};
static_assert(sizeof(RegionAccessPayload) == 16);

// PCI region and interrupt indexes (the VFIO PCI ABI).
inline constexpr uint32_t kPciBar0RegionIndex = VFIO_PCI_BAR0_REGION_INDEX;
inline constexpr uint32_t kPciRomRegionIndex = VFIO_PCI_ROM_REGION_INDEX;
inline constexpr uint32_t kPciConfigRegionIndex = VFIO_PCI_CONFIG_REGION_INDEX;
inline constexpr uint32_t kPciNumRegions = VFIO_PCI_NUM_REGIONS;
inline constexpr uint32_t kPciIntxIrqIndex = VFIO_PCI_INTX_IRQ_INDEX;
inline constexpr uint32_t kPciMsiIrqIndex = VFIO_PCI_MSI_IRQ_INDEX;
inline constexpr uint32_t kPciMsixIrqIndex = VFIO_PCI_MSIX_IRQ_INDEX;
inline constexpr uint32_t kPciErrIrqIndex = VFIO_PCI_ERR_IRQ_INDEX;
inline constexpr uint32_t kPciReqIrqIndex = VFIO_PCI_REQ_IRQ_INDEX;
inline constexpr uint32_t kPciNumIrqs = VFIO_PCI_NUM_IRQS;
static_assert(kPciNumRegions == 9 && kPciNumIrqs == 5);

// Limits this server advertises in its VERSION reply.
inline constexpr uint32_t kMaxMsgFds = 16;
inline constexpr uint32_t kMaxDataXferSize = 1u << 20;
inline constexpr uint32_t kMaxDmaMaps = 65535;
inline constexpr uint64_t kDmaPageSizes = 4096;

/// Largest message accepted: a REGION_WRITE of kMaxDataXferSize plus slack for
/// the small fixed-size commands.
inline constexpr uint32_t kMaxMessageSize = sizeof(Header) + kMaxDataXferSize + 4096;

} // namespace seed::device::vfio_user
