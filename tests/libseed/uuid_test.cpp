// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include <seed/uuid.hpp>

#include <gtest/gtest.h>

namespace {

constexpr seed::Uuid sample = {0x5e, 0xed, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00,
                               0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xab, 0xcd};

TEST(Uuid, FormatsCanonicalLowerCase) {
    EXPECT_EQ(seed::format_uuid(sample), "5eed0000-0000-4000-8000-00000000abcd");
    EXPECT_EQ(seed::format_uuid(seed::Uuid{}), "00000000-0000-0000-0000-000000000000");
}

TEST(Uuid, ParsesWhatItFormats) {
    const auto parsed = seed::parse_uuid(seed::format_uuid(sample));
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, sample);
}

TEST(Uuid, ParsesUpperCase) {
    EXPECT_EQ(seed::parse_uuid("5EED0000-0000-4000-8000-00000000ABCD"), sample);
}

TEST(Uuid, RejectsMalformedText) {
    for (const char* bad :
         {"", "5eed0000", "5eed0000-0000-4000-8000-00000000abc",
          "5eed0000-0000-4000-8000-00000000abcde", "5eed00000-000-4000-8000-00000000abcd",
          "5eed0000_0000_4000_8000_00000000abcd", "5eed00000000400080000000000abcd0000",
          "5eed0000-0000-4000-8000-00000000abcg", " 5eed0000-0000-4000-8000-00000000abc"}) {
        EXPECT_FALSE(seed::parse_uuid(bad)) << bad;
    }
}

} // namespace
