// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Tensor gathers and scatters of the compute engines: move strided 2-D
// regions between device VAs (through an AddressSpace) and dense host
// buffers. Every function returns SEED_ERR_NONE or the access's error code.
#pragma once

#include "../address_space.h"

#include <cstddef>
#include <cstdint>

namespace seed::device::compute {

/// Reads rows [row0, row0 + rows) and columns [col0, col0 + cols) of a row-major matrix
/// at @p base (row stride @p ld elements of @p elem bytes) into dense @p dst.
uint32_t read_block(AddressSpace& as, uint64_t base, uint64_t ld, size_t elem, size_t row0,
                    size_t rows, size_t col0, size_t cols, void* dst);

/// Writes dense @p src to the same region layout as read_block().
uint32_t write_block(AddressSpace& as, uint64_t base, uint64_t ld, size_t elem, size_t row0,
                     size_t rows, size_t col0, size_t cols, const void* src);

/// Reads @p count elements at @p va, @p stride elements apart (0 broadcasts), into dense
/// @p dst. Only pages holding an element are touched.
uint32_t read_strided(AddressSpace& as, uint64_t va, uint64_t stride, size_t elem, size_t count,
                      void* dst);

/// Writes @p count dense elements to @p va, @p stride elements apart; only element bytes
/// are written.
uint32_t write_strided(AddressSpace& as, uint64_t va, uint64_t stride, size_t elem, size_t count,
                       const void* src);

} // namespace seed::device::compute
