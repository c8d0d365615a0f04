// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Parallel: what a compute engine sees of the engines its packet may borrow
// (docs/hardware.md §11.1).
#pragma once

#include <cstddef>
#include <functional>

namespace seed::device {

/// Shares the pure computation of one packet between the packet's engine and
/// the engines it may borrow (docs/hardware.md §11.1). Memory is accessed by
/// the calling thread only.
class Parallel {
public:
    virtual ~Parallel() = default;
    /// Runs work(0) .. work(parts - 1), each once, on the calling thread and on
    /// any engines lent meanwhile; returns when all have run. @p work must not
    /// throw and must not touch device memory.
    virtual void run(size_t parts, const std::function<void(size_t)>& work) = 0;
    /// The most threads run() could use now (1: only the caller's).
    virtual unsigned width() const = 0;
};

} // namespace seed::device
