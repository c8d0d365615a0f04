// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Compute engines: GEMM, ELEMENTWISE and REDUCE (docs/hardware.md §10.11, §11).
// The queue engine decodes the packet header, then hands the descriptor's
// device VA here; these functions validate the descriptor and run the
// operation through the packet's AddressSpace.
#pragma once

#include "../address_space.h"
#include "../parallel.h"

#include <cstdint>

namespace seed::device::compute {

/// Runs the GEMM described at device VA @p desc_va. Returns SEED_ERR_NONE or the exact
/// SEED_ERR_* code the manual assigns (descriptor unreadable: the MMU fault; reserved
/// field set: SEED_ERR_MALFORMED; ...). Does no partial write of C on validation errors.
///
/// All three functions: a failed access returns the AddressSpace's code unchanged (its
/// fault() has the details); a fault reading an operand of a GEMM leaves C unwritten.
/// SEED_ERR_HANG means the model could not get host memory for its buffers. A GEMM
/// shares its multiplications through @p parallel when given; every memory access
/// stays on the calling thread, in the same order as without it.
uint32_t run_gemm(AddressSpace& as, uint64_t desc_va, Parallel* parallel = nullptr);
/// Runs the ELEMENTWISE operation described at @p desc_va (§11.2).
uint32_t run_elementwise(AddressSpace& as, uint64_t desc_va);
/// Runs the REDUCE operation described at @p desc_va (§11.3).
uint32_t run_reduce(AddressSpace& as, uint64_t desc_va);

} // namespace seed::device::compute
