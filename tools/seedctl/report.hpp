// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// How seedctl reports failures: "seedctl: error: ..." then a
// "seedctl: hint: ..." line on stderr, and the exit status that goes with
// the error.
#pragma once

#include <iosfwd>
#include <string>
#include <system_error>

namespace seedctl {

struct Diagnosis {
    int exit_code;
    std::string hint; ///< empty if there is nothing useful to add
};

/// Exit status and hint for a failure with @p code. @p visible_devices_set
/// tells whether SEED_VISIBLE_DEVICES may be hiding devices.
[[nodiscard]] Diagnosis diagnose(const std::error_code& code, bool visible_devices_set);

/// True if SEED_VISIBLE_DEVICES is set in the environment.
[[nodiscard]] bool visible_devices_set() noexcept;

/// Prints "seedctl: error: <message>" and the hint, if any.
void print_error(std::ostream& err, const std::string& message, const std::string& hint);

/// The hint for "no SeedChip devices found".
[[nodiscard]] std::string no_devices_hint(bool visible_devices_set);

/// Prints "no SeedChip devices found" with its hint; returns exit_failure.
int report_no_devices(std::ostream& err);

} // namespace seedctl
