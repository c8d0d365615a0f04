// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The error code a libseed call throws, for tests of its error contract.
#pragma once

#include <seed/error.hpp>

#include <system_error>

namespace seed::test {

/// Runs f; the code of the seed::Error it throws, or an empty code.
template <typename F>
std::error_code error_of(F&& f) {
    try {
        f();
    } catch (const seed::Error& e) {
        return e.code();
    }
    return {};
}

} // namespace seed::test
