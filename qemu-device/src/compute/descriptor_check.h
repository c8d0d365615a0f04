// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Outcome of a compute descriptor check: the SEED_ERR_* code and which field
// failed, logged as a rate-limited guest error when the packet is rejected.
#pragma once

#include "../log.h"

#include <hw/seed_hw.h>

#include <cstdint>

namespace seed::device::compute {

struct DescriptorCheck {
    uint32_t error = SEED_ERR_NONE;
    const char* field = ""; ///< what was wrong, for the log

    explicit operator bool() const { return error != SEED_ERR_NONE; }
};

inline DescriptorCheck reject(uint32_t error, const char* field) {
    return {error, field};
}

/// Logs a rejected descriptor and returns its error code.
inline uint32_t report_rejected(const char* engine, uint64_t desc_va, const DescriptorCheck& c) {
    log::guest_error("{} descriptor at {:#x} rejected with error {}: {}", engine, desc_va, c.error,
                     c.field);
    return c.error;
}

} // namespace seed::device::compute
