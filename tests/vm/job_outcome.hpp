// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// outcome(): how the job behind a libseed fence ended, for the VM tests.
#pragma once

#include <seed/seed.hpp>

namespace seed::vm {

/// The failure reason of the job behind @p fence (waits for it), or none if
/// it succeeded.
inline seed::JobFailure outcome(const seed::Fence& fence) {
    try {
        fence.wait();
        return seed::JobFailure::none;
    } catch (const seed::JobError& e) {
        return e.reason();
    }
}

} // namespace seed::vm
