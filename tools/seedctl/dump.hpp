// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Decoder of seed.ko's device coredumps (include/uapi/drm/seed_accel_dump.h,
// docs/driver.md "Device coredumps"). Pure: no I/O, so it can be tested on
// every truncation and corruption of a dump, and shared with the device
// model's replay (seedchip-device --replay). A dump is untrusted input:
// every offset and size is checked, and anything inconsistent throws
// DumpError with what is wrong and where.
#pragma once

#include <hw/seed_hw.h>
#include <uapi/drm/seed_accel_dump.h>

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace seed::dump {

class DumpError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct RegRange {
    std::string name;
    std::uint32_t offset = 0;
    std::vector<std::uint32_t> values;
};

struct Bo {
    drm_seed_dump_bo desc{};
    std::vector<std::uint8_t> data; ///< desc.data_size bytes from the BO's start
};

struct Dump {
    std::uint32_t version = 0;
    std::optional<drm_seed_dump_info> info;
    std::vector<RegRange> regs;
    std::optional<drm_seed_dump_queue> queue;
    std::vector<seed_pkt_raw> ring; ///< slot i at index i
    std::optional<drm_seed_dump_job> job;
    std::vector<std::uint8_t> cmd; ///< job.cmd_bytes bytes of the command buffer
    std::vector<Bo> bos;
    std::uint32_t bos_omitted = 0;
    std::optional<drm_seed_dump_events> events;
    std::vector<seed_event> event; ///< oldest first
    unsigned unknown_sections = 0;

    /// The completion record of the queue section, if any.
    [[nodiscard]] std::optional<seed_cpl_record> cpl() const;
    /// The BO mapped at @p va, if any.
    [[nodiscard]] const Bo* bo_at(std::uint64_t va) const;
};

/// Decodes a dump; throws DumpError if it is not one or is inconsistent.
[[nodiscard]] Dump parse(std::span<const std::uint8_t> bytes);

/// DRM_SEED_DUMP_REASON_* as a word ("mmu_fault"), or "reason N".
[[nodiscard]] std::string reason_name(std::uint32_t reason);
/// SEED_ERR_* as a word ("MMU_FAULT"), or "error N".
[[nodiscard]] std::string error_name(std::uint32_t error);
/// SEED_EVENT_* as a word ("QUEUE_ERROR"), or "event N".
[[nodiscard]] std::string event_name(std::uint32_t type);
/// SEED_FAULT_INFO() in words ("write, not present, level 3").
[[nodiscard]] std::string fault_info_text(std::uint32_t info);
/// One packet in words: opcode and its fields ("COPY src 0x... dst 0x...").
[[nodiscard]] std::string describe_packet(const seed_pkt_raw& pkt);
/// The packet at index @p i of the dumped command buffer, if it holds it.
[[nodiscard]] std::optional<seed_pkt_raw> cmd_packet(const Dump& d, std::uint32_t i);

} // namespace seed::dump
