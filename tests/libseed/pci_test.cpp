// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include <seed/pci.hpp>

#include <gtest/gtest.h>

namespace {

using seed::PciAddress;

TEST(PciAddress, FormatsLikeLspci) {
    EXPECT_EQ(seed::format_pci_address({0, 0, 4, 0}), "0000:00:04.0");
    EXPECT_EQ(seed::format_pci_address({0x10000, 0xab, 0x1f, 7}), "10000:ab:1f.7");
}

TEST(PciAddress, ParsesFullForm) {
    EXPECT_EQ(seed::parse_pci_address("0000:00:04.0"), (PciAddress{0, 0, 4, 0}));
    EXPECT_EQ(seed::parse_pci_address("0001:AB:1f.7"), (PciAddress{1, 0xab, 0x1f, 7}));
    EXPECT_EQ(seed::parse_pci_address("ffffffff:ff:1f.7"),
              (PciAddress{0xffffffffu, 0xff, 0x1f, 7}));
}

TEST(PciAddress, ParsesShortFormAsDomainZero) {
    EXPECT_EQ(seed::parse_pci_address("03:00.1"), (PciAddress{0, 3, 0, 1}));
}

TEST(PciAddress, RoundTrips) {
    const PciAddress a{0x12, 0x34, 0x15, 3};
    EXPECT_EQ(seed::parse_pci_address(seed::format_pci_address(a)), a);
}

TEST(PciAddress, RejectsMalformedOrOutOfRange) {
    for (const char* bad :
         {"", "0", "0000:00:04", "0000:00:04.8", "0000:00:20.0", "0000:100:04.0",
          "100000000:00:04.0", "1:2:3:4.0", ":00:04.0", "0000::04.0", "0000:00:.0", "0000:00:04.",
          "0000:00:04.0 ", " 0000:00:04.0", "0000:00:04.-1", "0x0:00:04.0", "0000:00:04.a",
          "00g0:00:04.0", "5eed0000-0000-4000-8000-000000000000"}) {
        EXPECT_FALSE(seed::parse_pci_address(bad)) << bad;
    }
}

TEST(PciAddress, OrdersByDomainBusDeviceFunction) {
    EXPECT_LT((PciAddress{0, 0, 4, 0}), (PciAddress{0, 0, 4, 1}));
    EXPECT_LT((PciAddress{0, 0, 5, 0}), (PciAddress{0, 1, 0, 0}));
    EXPECT_LT((PciAddress{0, 0xff, 0, 0}), (PciAddress{1, 0, 0, 0}));
}

} // namespace
