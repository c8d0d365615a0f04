// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Packet and descriptor encoding (docs/hardware.md §10, §11), and the layout
// of a finished command list. Pure functions: no device needed. Every
// encoder checks its arguments as the device would and throws seed::Error
// (Errc::invalid_argument) naming the problem.
#pragma once

#include <seed/command_list.hpp>

#include <hw/seed_hw.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace seed::detail {

/// SEED_DT_* index of a single DType bit. @throws Errc::invalid_argument.
[[nodiscard]] std::uint8_t dt_index(DType type);

/// Bytes from the first to one past the last element of a strided matrix:
/// ((rows - 1) row_stride + (cols - 1) col_stride + 1) elem, or 0 if empty.
[[nodiscard]] std::uint64_t matrix_extent(std::uint64_t rows, std::uint64_t cols,
                                          std::uint64_t row_stride, std::uint64_t col_stride,
                                          std::uint64_t elem) noexcept;

[[nodiscard]] seed_pkt_raw encode_nop();
[[nodiscard]] seed_pkt_raw encode_copy(std::uint64_t dst, std::uint64_t src, std::uint64_t width,
                                       std::uint32_t height, std::uint64_t dst_pitch,
                                       std::uint64_t src_pitch);
[[nodiscard]] seed_pkt_raw encode_fill(std::uint64_t dst, std::uint64_t size, std::uint64_t pattern,
                                       std::uint32_t pattern_bytes);
[[nodiscard]] seed_pkt_raw encode_signal(std::uint64_t addr, std::uint64_t value);
[[nodiscard]] seed_pkt_raw encode_wait(std::uint64_t addr, std::uint64_t value,
                                       std::uint32_t timeout_us);
[[nodiscard]] seed_pkt_raw encode_timestamp(std::uint64_t addr);
/// A compute packet (GEMM, ELEMENTWISE, REDUCE) pointing at @p desc_va.
[[nodiscard]] seed_pkt_raw encode_compute(std::uint8_t opcode, std::uint64_t desc_va);

/// Operand addresses of a GEMM; bias only with a value.
struct GemmOperands {
    std::uint64_t a = 0, b = 0, c = 0;
    std::optional<std::uint64_t> bias;
};
/// Descriptor with resolved leading dimensions; checks dims, types, alignment.
[[nodiscard]] seed_gemm_desc encode_gemm(const GemmParams& p, const GemmOperands& ops);
/// Bytes of A, B and C (and bias) a GEMM touches, from the encoded descriptor.
struct GemmExtents {
    std::uint64_t a = 0, b = 0, c = 0, bias = 0;
};
[[nodiscard]] GemmExtents gemm_extents(const seed_gemm_desc& d);

[[nodiscard]] seed_ew_desc encode_elementwise(const ElementwiseParams& p, std::uint64_t dst,
                                              std::uint64_t src0,
                                              std::optional<std::uint64_t> src1);
struct EwExtents {
    std::uint64_t dst = 0, src0 = 0, src1 = 0;
};
[[nodiscard]] EwExtents elementwise_extents(const seed_ew_desc& d);

[[nodiscard]] seed_reduce_desc encode_reduce(const ReduceParams& p, std::uint64_t dst,
                                             std::uint64_t src);
struct ReduceExtents {
    std::uint64_t dst = 0, src = 0;
};
[[nodiscard]] ReduceExtents reduce_extents(const seed_reduce_desc& d);

/// A compute packet whose desc field is patched at finish().
struct DescFixup {
    std::size_t packet = 0;        ///< index of the packet
    std::uint64_t desc_offset = 0; ///< offset in the descriptor area
};

/// Where things go in a finished list's buffer.
struct CommandLayout {
    std::uint64_t packet_bytes = 0; ///< 64 * packets
    std::uint64_t desc_offset = 0;  ///< start of descriptors, 64-byte aligned
    std::uint64_t total = 0;        ///< bytes used
};
[[nodiscard]] CommandLayout layout_for(std::size_t packets, std::size_t desc_bytes) noexcept;

/// Appends @p desc_size bytes of descriptor to @p descs at a 64-byte aligned
/// offset (zero padding before it); returns that offset.
std::uint64_t append_descriptor(std::vector<std::byte>& descs, const void* desc,
                                std::size_t desc_size);

/// The image of a finished list at device address @p base_va: packets, with
/// every fixup's desc field set to base_va + desc_offset + its offset, then
/// the descriptors.
[[nodiscard]] std::vector<std::byte> build_image(std::span<const seed_pkt_raw> packets,
                                                 std::span<const DescFixup> fixups,
                                                 std::span<const std::byte> descs,
                                                 std::uint64_t base_va);

} // namespace seed::detail
