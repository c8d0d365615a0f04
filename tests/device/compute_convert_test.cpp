// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Data-type conversions of the compute engines (docs/hardware.md §11.4).
#include "compute/convert.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>

namespace seed::device::compute {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

TEST(ComputeConvert, F16RoundTripsEveryValue) {
    for (uint32_t h = 0; h < 0x10000; ++h) {
        const float f = f16_to_f32(static_cast<uint16_t>(h));
        if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0) {
            EXPECT_TRUE(std::isnan(f)) << h;
            EXPECT_TRUE(std::isnan(f16_to_f32(f32_to_f16(f)))) << h;
            continue;
        }
        EXPECT_EQ(f32_to_f16(f), h) << std::hex << h;
    }
}

TEST(ComputeConvert, F16Values) {
    EXPECT_EQ(f16_to_f32(0x3c00), 1.0f);
    EXPECT_EQ(f16_to_f32(0xc000), -2.0f);
    EXPECT_EQ(f16_to_f32(0x0001), 0x1p-24f) << "smallest subnormal";
    EXPECT_EQ(f16_to_f32(0x03ff), 0x3ffp-24f) << "largest subnormal";
    EXPECT_EQ(f16_to_f32(0x7bff), 65504.0f);
    EXPECT_EQ(f16_to_f32(0x7c00), kInf);
    EXPECT_EQ(f16_to_f32(0xfc00), -kInf);
    EXPECT_TRUE(std::signbit(f16_to_f32(0x8000)));
}

TEST(ComputeConvert, F32ToF16RoundsToNearestEven) {
    EXPECT_EQ(f32_to_f16(1.0f + 0x1p-11f), 0x3c00) << "tie to even (down)";
    EXPECT_EQ(f32_to_f16(1.0f + 3 * 0x1p-11f), 0x3c02) << "tie to even (up)";
    EXPECT_EQ(f32_to_f16(1.0f + 0x1p-11f + 0x1p-20f), 0x3c01) << "above the tie";
    EXPECT_EQ(f32_to_f16(65504.0f), 0x7bff);
    EXPECT_EQ(f32_to_f16(65519.0f), 0x7bff);
    EXPECT_EQ(f32_to_f16(65520.0f), 0x7c00) << "overflow to inf";
    EXPECT_EQ(f32_to_f16(-1e10f), 0xfc00);
    EXPECT_EQ(f32_to_f16(kInf), 0x7c00);
    EXPECT_EQ(f32_to_f16(0x1p-25f), 0x0000) << "half the smallest subnormal ties to 0";
    EXPECT_EQ(f32_to_f16(0x1.8p-24f), 0x0002) << "1.5 units ties to 2";
    EXPECT_EQ(f32_to_f16(0x1.1p-25f), 0x0001);
    EXPECT_EQ(f32_to_f16(0x3ff.8p-24f), 0x0400) << "rounds up into the normals";
    EXPECT_EQ(f32_to_f16(-0x1p-140f), 0x8000) << "f32 subnormal underflows to -0";
    const uint16_t nan = f32_to_f16(std::bit_cast<float>(0x7f800001u)); // signalling NaN
    EXPECT_EQ(nan & 0x7e00, 0x7e00) << "quiet NaN";
}

TEST(ComputeConvert, Bf16) {
    EXPECT_EQ(bf16_to_f32(0x3f80), 1.0f);
    EXPECT_EQ(f32_to_bf16(1.0f), 0x3f80);
    EXPECT_EQ(f32_to_bf16(1.0f + 0x1p-8f), 0x3f80) << "tie to even";
    EXPECT_EQ(f32_to_bf16(1.0f + 3 * 0x1p-8f), 0x3f82);
    EXPECT_EQ(f32_to_bf16(std::numeric_limits<float>::max()), 0x7f80) << "overflow to inf";
    EXPECT_EQ(f32_to_bf16(-kInf), 0xff80);
    EXPECT_EQ(f32_to_bf16(0x1p-133f), 0x0001) << "subnormals kept";
    EXPECT_EQ(bf16_to_f32(0x0001), 0x1p-133f);
    const uint16_t nan = f32_to_bf16(std::bit_cast<float>(0xff800001u));
    EXPECT_TRUE(std::isnan(bf16_to_f32(nan)));
    EXPECT_EQ(nan & 0x0040, 0x0040) << "quiet";
    for (uint32_t b = 0; b < 0x10000; ++b) {
        if (!std::isnan(bf16_to_f32(static_cast<uint16_t>(b)))) {
            ASSERT_EQ(f32_to_bf16(bf16_to_f32(static_cast<uint16_t>(b))), b);
        }
    }
}

TEST(ComputeConvert, FloatToInt) {
    EXPECT_EQ(f32_to_int<int8_t>(2.5f), 2);
    EXPECT_EQ(f32_to_int<int8_t>(3.5f), 4);
    EXPECT_EQ(f32_to_int<int8_t>(-2.5f), -2);
    EXPECT_EQ(f32_to_int<int8_t>(127.4f), 127);
    EXPECT_EQ(f32_to_int<int8_t>(300.0f), 127);
    EXPECT_EQ(f32_to_int<int8_t>(-129.0f), -128);
    EXPECT_EQ(f32_to_int<int8_t>(-kInf), -128);
    EXPECT_EQ(f32_to_int<int8_t>(std::nanf("")), 0);
    EXPECT_EQ(f32_to_int<int32_t>(2147483648.0f), INT32_MAX);
    EXPECT_EQ(f32_to_int<int32_t>(-2147483648.0f), INT32_MIN);
    EXPECT_EQ(f32_to_int<int32_t>(kInf), INT32_MAX);
    EXPECT_EQ(f32_to_int<int32_t>(16777216.0f), 16777216);
    EXPECT_EQ(f32_to_int<int32_t>(-0.5f), 0);
}

TEST(ComputeConvert, IntToNarrowFloatRoundsOnce) {
    // 2^24 + 2^16 + 1 is just above the bf16 tie between 2^24 and 2^24 + 2^17; rounding
    // through binary32 (to 2^24 + 2^16, the tie) would give 2^24.
    const int32_t v = (1 << 24) + (1 << 16) + 1;
    EXPECT_EQ(bf16_to_f32(f32_to_bf16(i32_to_f32_round_odd(v))), 0x1p24f + 0x1p17f);
    EXPECT_EQ(i32_to_f32_round_odd(12345), 12345.0f) << "exact values unchanged";
    EXPECT_EQ(f32_to_f16(i32_to_f32_round_odd(-2049)), 0xe800) << "-2048, tie to even";
    EXPECT_EQ(f32_to_f16(i32_to_f32_round_odd(70000)), 0x7c00);
}

TEST(ComputeConvert, MaxMinReluGelu) {
    EXPECT_FALSE(std::signbit(float_max(-0.0f, 0.0f)));
    EXPECT_FALSE(std::signbit(float_max(0.0f, -0.0f)));
    EXPECT_TRUE(std::signbit(float_min(0.0f, -0.0f)));
    EXPECT_TRUE(std::signbit(float_min(-0.0f, 0.0f)));
    EXPECT_TRUE(std::isnan(float_max(1.0f, std::nanf(""))));
    EXPECT_TRUE(std::isnan(float_min(std::nanf(""), 1.0f)));
    EXPECT_EQ(float_max(-kInf, 3.0f), 3.0f);
    EXPECT_EQ(float_min(-kInf, 3.0f), -kInf);
    EXPECT_EQ(float_relu(-3.0f), 0.0f);
    EXPECT_FALSE(std::signbit(float_relu(-0.0f)));
    EXPECT_TRUE(std::isnan(float_relu(std::nanf(""))));
    EXPECT_EQ(float_gelu(0.0f), 0.0f);
    EXPECT_NEAR(float_gelu(1.0f), 0.8413447460685429, 1e-7);
    EXPECT_NEAR(float_gelu(-1.0f), -0.15865525393145707, 1e-7);
    EXPECT_NEAR(float_gelu(-10.0f), -7.619853024160527e-23, 1e-29) << "no cancellation";
    EXPECT_EQ(float_gelu(kInf), kInf);
    EXPECT_EQ(float_gelu(-kInf), 0.0f);
    EXPECT_TRUE(std::isnan(float_gelu(std::nanf(""))));
}

} // namespace
} // namespace seed::device::compute
