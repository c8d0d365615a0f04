// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Command line of seedchip-device: parsing and validation, kept free of side
// effects so it can be unit tested.
#pragma once

#include "log.h"
#include "uuid.h"

#include <hw/seed_hw.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace seed::device {

inline constexpr uint64_t kKiB = 1ull << 10;
inline constexpr uint64_t kMiB = 1ull << 20;
inline constexpr uint64_t kGiB = 1ull << 30;
inline constexpr uint64_t kTiB = 1ull << 40;

inline constexpr uint64_t kHbmSizeDefault = 1 * kGiB;
inline constexpr uint64_t kHbmSizeMin = 64 * kMiB;
inline constexpr uint64_t kHbmSizeMax = 1 * kTiB;
inline constexpr uint64_t kHbmSizeAlign = SEED_HBM_SIZE_ALIGN;
inline constexpr unsigned kQueuesMin = 1;
inline constexpr unsigned kQueuesDefault = SEED_MAX_QUEUES;
inline constexpr unsigned kEnginesMin = 1;
inline constexpr unsigned kEnginesMax = SEED_MAX_ENGINES;
inline constexpr unsigned kEnginesDefault = 4;
inline constexpr unsigned kContextsMin = 2; // the kernel's context 0 and one more
inline constexpr unsigned kContextsDefault = SEED_MAX_CONTEXTS;
inline constexpr size_t kSerialMaxLength = SEED_SERIAL_BYTES - 1; // keeps a NUL

struct Options {
    std::string socket_path;
    uint64_t hbm_size = kHbmSizeDefault;
    unsigned queues = kQueuesDefault;
    unsigned engines = kEnginesDefault;
    unsigned contexts = kContextsDefault;
    Uuid uuid;
    std::string serial;
    int ready_fd = -1; ///< -1: not requested.
    LogLevel log_level = LogLevel::kWarn;
    std::string control_path;        ///< --control; empty: no control socket
    std::vector<std::string> faults; ///< --fault commands, in order
    std::string replay_path;         ///< --replay; set: replay a coredump, no socket
};

enum class ParseAction { kRun, kHelp, kVersion, kError };

struct ParseResult {
    ParseAction action = ParseAction::kError;
    Options options;   ///< Complete and validated when action is kRun.
    std::string error; ///< Set when action is kError.
};

/// Parses the arguments after argv[0]. Fills in the random UUID and derived
/// serial when they are not given.
ParseResult parse_options(std::span<const std::string_view> args);
ParseResult parse_options(int argc, const char* const* argv);

/// "<digits>[K|M|G|T]" (binary multiples, either case) -> bytes; nullopt on
/// syntax error or overflow. Range checks are the caller's.
std::optional<uint64_t> parse_size(std::string_view text);

/// The default serial for @p uuid: "SC" and 10 upper-case hex digits taken
/// from the UUID's last five bytes.
std::string default_serial(const Uuid& uuid);

/// True if @p serial is 1..31 printable ASCII characters.
bool valid_serial(std::string_view serial);

std::string usage_text(std::string_view program);
std::string version_text();

} // namespace seed::device
