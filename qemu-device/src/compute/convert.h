// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Data-type conversions of the compute engines (docs/hardware.md §11.4):
// exact widening to binary32, round-to-nearest-even narrowing, saturating
// float-to-integer conversion, and the float MAX/MIN/RELU/GELU rules.
#pragma once

#include <hw/seed_hw.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace seed::device::compute {

inline float f16_to_f32(uint16_t h) {
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    const uint32_t exponent = (h >> 10) & 0x1fu;
    const uint32_t mantissa = h & 0x3ffu;
    if (exponent == 0x1f) // inf or NaN (payload kept)
        return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
    if (exponent == 0) { // zero or subnormal: mantissa * 2^-24, exact in binary32
        const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
        return std::bit_cast<float>(sign | std::bit_cast<uint32_t>(magnitude));
    }
    return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

/// Round to nearest even; overflow gives ±inf; NaN gives a quiet NaN.
inline uint16_t f32_to_f16(float f) {
    uint32_t x = std::bit_cast<uint32_t>(f);
    const auto sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
    x &= 0x7fffffffu;
    if (x > 0x7f800000u) // NaN: keep the top payload bits, force quiet
        return static_cast<uint16_t>(sign | 0x7e00u | ((x >> 13) & 0x3ffu));
    if (x >= 0x477ff000u) // >= 65520 rounds to inf (includes inf)
        return static_cast<uint16_t>(sign | 0x7c00u);
    if (x < 0x38800000u) { // below 2^-14: subnormal or zero
        // Adding 0.5 puts the 2^-24 units into the low mantissa bits, rounded
        // to nearest even by the FPU; a carry gives the smallest normal.
        const float shifted = std::bit_cast<float>(x) + 0.5f;
        return static_cast<uint16_t>(sign | (std::bit_cast<uint32_t>(shifted) - 0x3f000000u));
    }
    const uint32_t odd = (x >> 13) & 1u;
    x += 0xc8000fffu + odd; // rebias exponent by -112, round to nearest even
    return static_cast<uint16_t>(sign | (x >> 13));
}

inline float bf16_to_f32(uint16_t b) {
    return std::bit_cast<float>(static_cast<uint32_t>(b) << 16);
}

/// Round to nearest even; overflow gives ±inf; NaN gives a quiet NaN.
inline uint16_t f32_to_bf16(float f) {
    const uint32_t x = std::bit_cast<uint32_t>(f);
    if ((x & 0x7fffffffu) > 0x7f800000u)
        return static_cast<uint16_t>((x >> 16) | 0x0040u);
    const uint32_t rounding = 0x7fffu + ((x >> 16) & 1u);
    return static_cast<uint16_t>((x + rounding) >> 16);
}

/// Float to integer: round to nearest even, saturate, NaN gives 0.
template <typename Int>
inline Int f32_to_int(float f) {
    if (std::isnan(f))
        return 0;
    const double r = std::nearbyint(static_cast<double>(f));
    constexpr double lo = static_cast<double>(std::numeric_limits<Int>::min());
    constexpr double hi = static_cast<double>(std::numeric_limits<Int>::max());
    if (r <= lo)
        return std::numeric_limits<Int>::min();
    if (r >= hi)
        return std::numeric_limits<Int>::max();
    return static_cast<Int>(r);
}

/// I32 to binary32 rounded to odd: converting that to bf16 or f16 then gives the
/// correctly rounded (nearest even) result without double rounding.
inline float i32_to_f32_round_odd(int32_t v) {
    const double exact = v;
    float f = static_cast<float>(exact);
    if (static_cast<double>(f) != exact) {
        if (std::fabs(static_cast<double>(f)) > std::fabs(exact))
            f = std::nextafter(f, 0.0f);
        f = std::bit_cast<float>(std::bit_cast<uint32_t>(f) | 1u);
    }
    return f;
}

/// Loads element @p i of a float-typed buffer (F32, F16 or BF16) as binary32.
inline float load_float(const void* base, size_t i, uint8_t dtype) {
    const auto* bytes = static_cast<const uint8_t*>(base);
    if (dtype == SEED_DT_F32) {
        float f;
        std::memcpy(&f, bytes + 4 * i, 4);
        return f;
    }
    uint16_t h;
    std::memcpy(&h, bytes + 2 * i, 2);
    return dtype == SEED_DT_F16 ? f16_to_f32(h) : bf16_to_f32(h);
}

/// Stores binary32 @p f as element @p i of a float-typed buffer, rounding to nearest even.
inline void store_float(void* base, size_t i, uint8_t dtype, float f) {
    auto* bytes = static_cast<uint8_t*>(base);
    if (dtype == SEED_DT_F32) {
        std::memcpy(bytes + 4 * i, &f, 4);
        return;
    }
    const uint16_t h = dtype == SEED_DT_F16 ? f32_to_f16(f) : f32_to_bf16(f);
    std::memcpy(bytes + 2 * i, &h, 2);
}

/// MAX of §11.4: NaN if either is NaN; +0 is greater than -0.
inline float float_max(float a, float b) {
    if (std::isnan(a) || std::isnan(b))
        return std::numeric_limits<float>::quiet_NaN();
    if (a == b)
        return std::signbit(a) ? b : a;
    return a > b ? a : b;
}

inline float float_min(float a, float b) {
    if (std::isnan(a) || std::isnan(b))
        return std::numeric_limits<float>::quiet_NaN();
    if (a == b)
        return std::signbit(a) ? a : b;
    return a < b ? a : b;
}

/// max(x, +0): NaN stays NaN, -0 gives +0.
inline float float_relu(float x) {
    if (std::isnan(x))
        return x;
    return x > 0.0f ? x : 0.0f;
}

/// 0.5·x·(1 + erf(x/√2)), evaluated as 0.5·x·erfc(-x/√2) in binary64 so that
/// large negative x keeps its tiny result instead of cancelling to 0.
/// GELU(-inf) is -0 (the limit), GELU(+inf) is +inf.
inline float float_gelu(float x) {
    if (std::isinf(x))
        return x > 0 ? x : -0.0f;
    const double xd = x;
    return static_cast<float>(0.5 * xd * std::erfc(-xd * 0.70710678118654752440));
}

} // namespace seed::device::compute
