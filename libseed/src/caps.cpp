// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include <seed/caps.hpp>

#include <hw/seed_hw.h>

#include <bit>

namespace seed {

static_assert(static_cast<std::uint32_t>(Cap::mmu) == SEED_CAP_MMU);
static_assert(static_cast<std::uint32_t>(Cap::gemm) == SEED_CAP_GEMM);
static_assert(static_cast<std::uint32_t>(Cap::elementwise) == SEED_CAP_ELEMENTWISE);
static_assert(static_cast<std::uint32_t>(Cap::reduce) == SEED_CAP_REDUCE);
static_assert(static_cast<std::uint32_t>(Cap::telemetry) == SEED_CAP_TELEMETRY);
static_assert(static_cast<std::uint32_t>(Cap::power_limit) == SEED_CAP_POWER_LIMIT);
static_assert(static_cast<std::uint32_t>(DType::f32) == SEED_DTYPE_F32);
static_assert(static_cast<std::uint32_t>(DType::f16) == SEED_DTYPE_F16);
static_assert(static_cast<std::uint32_t>(DType::bf16) == SEED_DTYPE_BF16);
static_assert(static_cast<std::uint32_t>(DType::i8) == SEED_DTYPE_I8);
static_assert(static_cast<std::uint32_t>(DType::i32) == SEED_DTYPE_I32);

namespace {

std::string unknown_bit(std::uint32_t bit) {
    return "bit" + std::to_string(std::countr_zero(bit));
}

template <typename Enum>
std::vector<std::string> bit_names(std::uint32_t bits) {
    std::vector<std::string> names;
    while (bits != 0) {
        const std::uint32_t bit = 1u << std::countr_zero(bits);
        names.push_back(to_string(static_cast<Enum>(bit)));
        bits &= ~bit;
    }
    return names;
}

} // namespace

std::string to_string(Cap cap) {
    switch (cap) {
    case Cap::mmu:
        return "mmu";
    case Cap::gemm:
        return "gemm";
    case Cap::elementwise:
        return "elementwise";
    case Cap::reduce:
        return "reduce";
    case Cap::telemetry:
        return "telemetry";
    case Cap::power_limit:
        return "power_limit";
    }
    return unknown_bit(static_cast<std::uint32_t>(cap));
}

std::string to_string(DType dtype) {
    switch (dtype) {
    case DType::f32:
        return "f32";
    case DType::f16:
        return "f16";
    case DType::bf16:
        return "bf16";
    case DType::i8:
        return "i8";
    case DType::i32:
        return "i32";
    }
    return unknown_bit(static_cast<std::uint32_t>(dtype));
}

std::vector<std::string> cap_names(std::uint32_t caps) {
    return bit_names<Cap>(caps);
}

std::vector<std::string> dtype_names(std::uint32_t dtypes) {
    return bit_names<DType>(dtypes);
}

} // namespace seed
