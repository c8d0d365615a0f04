// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seed::CommandList: packets recorded once and submitted any number of times.
//
// Recording appends 64-byte packets (docs/hardware.md §10) to a host-side
// list and checks every argument the way the device would (sizes, ranges,
// alignment, data types), so a bad argument throws seed::Error
// (Errc::invalid_argument) at the call that made it instead of failing a job
// later. finish() (or the first submission) writes the packets into a host
// buffer object, followed by the descriptors of compute packets (GEMM,
// ELEMENTWISE, REDUCE), each 64-byte aligned:
//
//   offset 0                      packet 0, packet 1, ... packet n-1
//   offset align64(64 n)          descriptor 0, descriptor 1, ...
//
// After that the list is immutable; recording throws Errc::invalid_state.
// The list keeps every buffer it references alive, as does every job that
// runs it. Each submission also tells the kernel which buffers the packets
// read and which they write (SIGNAL and WAIT addresses excepted: they are
// synchronisation themselves), so a job waits for the earlier jobs of any
// queue writing what it reads (or using what it writes), and processes
// sharing a buffer as a dma-buf see it busy until the job is done.
#pragma once

#include <seed/export.h>

#include <seed/caps.hpp>
#include <seed/memory.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>

namespace seed {

namespace detail {
struct CommandListImpl;
} // namespace detail

/// A byte offset into a buffer: where an operand starts. Converts from a
/// Buffer (offset 0).
struct BufferView {
    Buffer buffer;
    std::uint64_t offset = 0;

    BufferView(Buffer b, std::uint64_t off = 0) : buffer(std::move(b)), offset(off) {} // NOLINT
    /// Device VA of the first byte.
    [[nodiscard]] std::uint64_t device_va() const { return buffer.device_va() + offset; }
};

/// ELEMENTWISE operations (SEED_EW_*). Unary below add.
enum class ElementwiseOp : std::uint8_t {
    copy = 0x00, ///< convert src dtype to dst dtype
    relu = 0x01,
    gelu = 0x02,
    exp = 0x03,
    neg = 0x04,
    abs = 0x05,
    sqrt = 0x06,
    add = 0x10,
    sub = 0x11,
    mul = 0x12,
    div = 0x13,
    max = 0x14,
    min = 0x15,
};

/// Whether @p op takes two sources.
[[nodiscard]] constexpr bool is_binary(ElementwiseOp op) noexcept {
    return static_cast<std::uint8_t>(op) >= 0x10;
}

/// REDUCE operations along each row (SEED_REDUCE_*).
enum class ReduceOp : std::uint8_t { sum = 0, max = 1, min = 2, softmax = 3 };

/// GEMM epilogue activation (SEED_ACT_*).
enum class Activation : std::uint8_t { none = 0, relu = 1, gelu = 2 };

/// Size in bytes of one element of @p type (f32 4, f16 2, bf16 2, i8 1, i32 4).
[[nodiscard]] SEED_API std::uint32_t element_size(DType type);

/// C = act(alpha * op(A) * op(B) + beta * C + bias), row-major (§11.1).
/// Leading dimensions are in elements; 0 means dense (the minimum).
struct GemmParams {
    std::uint32_t m = 0, n = 0, k = 0;
    DType dtype = DType::f32; ///< A and B: f32, f16, bf16 or i8; C is f32 (i32 for i8)
    bool trans_a = false;     ///< A is stored K x M
    bool trans_b = false;     ///< B is stored N x K
    std::uint32_t lda = 0, ldb = 0, ldc = 0;
    float alpha = 1.0f, beta = 0.0f;      ///< float inputs
    std::int32_t alpha_i = 1, beta_i = 0; ///< i8 inputs
    Activation activation = Activation::none;
};

/// dst[i][j] = op(src0[i][j], src1[i][j]) (§11.2). Strides are in elements;
/// a stride of 0 broadcasts. Defaults describe dense rows x cols matrices.
struct ElementwiseParams {
    ElementwiseOp op = ElementwiseOp::copy;
    std::uint32_t rows = 1, cols = 0;
    DType src_dtype = DType::f32;
    DType dst_dtype = DType::f32;
    std::optional<std::uint32_t> src0_row_stride{}; ///< default cols
    std::optional<std::uint32_t> src0_col_stride{}; ///< default 1
    std::optional<std::uint32_t> src1_row_stride{}; ///< default cols
    std::optional<std::uint32_t> src1_col_stride{}; ///< default 1
    std::optional<std::uint32_t> dst_row_stride{};  ///< default cols
};

/// Row-wise SUM, MAX, MIN or SOFTMAX (§11.3).
struct ReduceParams {
    ReduceOp op = ReduceOp::sum;
    std::uint32_t rows = 1, cols = 0;
    DType src_dtype = DType::f32;                  ///< f32, f16 or bf16
    DType dst_dtype = DType::f32;                  ///< f32, f16 or bf16
    std::optional<std::uint32_t> src_row_stride{}; ///< default cols
    std::optional<std::uint32_t> dst_row_stride{}; ///< default 1 (softmax: cols)
};

/// A list of packets for one device. Move-only handle to shared state.
class SEED_API CommandList {
public:
    /// An empty list for @p device.
    explicit CommandList(const Device& device);
    /// Wraps libseed's shared state (internal).
    explicit CommandList(std::shared_ptr<detail::CommandListImpl> impl) noexcept
        : impl_(std::move(impl)) {}

    CommandList(CommandList&&) noexcept = default;
    CommandList& operator=(CommandList&&) noexcept = default;
    CommandList(const CommandList&) = delete;
    CommandList& operator=(const CommandList&) = delete;
    ~CommandList();

    /// NOP packet.
    CommandList& nop();

    /// 1-D COPY of @p size bytes (1 .. 2^32) from @p src to @p dst.
    CommandList& copy(const BufferView& dst, const BufferView& src, std::uint64_t size);

    /// 2-D COPY: @p height rows of @p width bytes; rows @p dst_pitch and
    /// @p src_pitch bytes apart (dst_pitch >= width).
    CommandList& copy_2d(const BufferView& dst, std::uint64_t dst_pitch, const BufferView& src,
                         std::uint64_t src_pitch, std::uint64_t width, std::uint32_t height);

    /// FILL @p size bytes at @p dst with the low @p pattern_bytes (1, 2, 4
    /// or 8) bytes of @p pattern, little endian. size must be a multiple of
    /// pattern_bytes and dst aligned to it.
    CommandList& fill(const BufferView& dst, std::uint64_t size, std::uint64_t pattern,
                      std::uint32_t pattern_bytes = 4);

    /// SIGNAL: store @p value at @p addr (8-byte aligned) after every earlier
    /// packet's effects are visible.
    CommandList& signal(const BufferView& addr, std::uint64_t value);

    /// WAIT until the 64-bit value at @p addr (8-byte aligned) is >= @p value.
    /// A zero @p timeout waits forever; otherwise the job fails (JobError
    /// with hw_error SEED_ERR_WAIT_TIMEOUT) when it runs out.
    CommandList& wait(const BufferView& addr, std::uint64_t value,
                      std::chrono::microseconds timeout = std::chrono::microseconds{0});

    /// TIMESTAMP: write the device clock (ns) to @p addr (8-byte aligned).
    CommandList& timestamp(const BufferView& addr);

    /// GEMM into @p c; @p bias (N elements of the output type) is optional.
    CommandList& gemm(const GemmParams& params, const BufferView& a, const BufferView& b,
                      const BufferView& c, const std::optional<BufferView>& bias = std::nullopt);

    /// ELEMENTWISE; @p src1 only for binary operations.
    CommandList& elementwise(const ElementwiseParams& params, const BufferView& dst,
                             const BufferView& src0,
                             const std::optional<BufferView>& src1 = std::nullopt);

    /// REDUCE (or row-wise SOFTMAX).
    CommandList& reduce(const ReduceParams& params, const BufferView& dst, const BufferView& src);

    /// 1-D COPY between raw device VAs, without range checks: for addresses
    /// libseed does not know (other APIs' buffers, or deliberate faults).
    CommandList& copy_va(std::uint64_t dst_va, std::uint64_t src_va, std::uint64_t size);

    /// Appends one packet verbatim (no checks at all).
    CommandList& raw_packet(const std::array<std::byte, 64>& packet);

    /// Packets recorded so far.
    [[nodiscard]] std::size_t packet_count() const noexcept;
    /// Whether finish() has run.
    [[nodiscard]] bool finished() const noexcept;

    /// Writes the packets and descriptors into a host buffer; afterwards the
    /// list can be submitted but no longer recorded into. Idempotent.
    /// @throws seed::Error Errc::invalid_argument for an empty list.
    void finish();

    /// Bytes of the finished image (packets and descriptors) of the packets
    /// recorded so far: the size finish(storage) needs.
    [[nodiscard]] std::uint64_t image_size() const;

    /// Like finish(), into @p storage instead of a new buffer: a host buffer
    /// of the list's device, writable, of at least image_size() bytes.
    /// Reusing one buffer for list after list saves creating and mapping a
    /// buffer object each time; the caller must not overwrite it while a job
    /// of an earlier list in it may still run (wait for that job's fence).
    /// @throws seed::Error Errc::invalid_argument for an empty list or
    ///         unsuitable storage; Errc::invalid_state if already finished.
    void finish(const Buffer& storage);

    /// The buffer holding the finished list (valid after finish()).
    [[nodiscard]] const Buffer& buffer() const;

    /// Shared state (used by Queue).
    [[nodiscard]] const std::shared_ptr<detail::CommandListImpl>& impl() const noexcept {
        return impl_;
    }

private:
    std::shared_ptr<detail::CommandListImpl> impl_;
};

} // namespace seed
