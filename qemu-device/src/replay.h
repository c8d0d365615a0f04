// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seedchip-device --replay: runs the failing job of a seed.ko coredump on
// the device model, in-process, and tells whether the failure reproduces.
#pragma once

#include <iosfwd>
#include <string>

namespace seed::device {

/// Exit status of a replay.
enum ReplayStatus : int {
    kReplayReproduced = 0,    ///< same error, at the same packet and address
    kReplayNotReproduced = 1, ///< the job ran differently
    kReplayBadDump = 2,       ///< not a dump, or nothing in it to replay
};

/// Replays the dump in file @p path; the report goes to @p out, errors to
/// @p err.
int replay_dump(const std::string& path, std::ostream& out, std::ostream& err);

} // namespace seed::device
