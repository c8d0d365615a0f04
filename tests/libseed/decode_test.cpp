// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include "decode.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace {

drm_seed_get_info sample_raw() {
    drm_seed_get_info raw{};
    raw.hbm_size = 1ull << 30;
    raw.hw_revision = 0x00010002;
    raw.fw_version = 0x01020003;
    raw.num_queues = 4;
    raw.num_engines = 2;
    raw.caps = 0x1f;
    raw.dtypes = 0x7;
    raw.page_sizes = (1ull << 12) | (1ull << 21);
    raw.pci_domain = 1;
    raw.pci_bus = 0x2a;
    raw.pci_device = 3;
    raw.pci_function = 4;
    raw.irq_count = 99;
    for (std::size_t i = 0; i < sizeof(raw.uuid); ++i)
        raw.uuid[i] = static_cast<__u8>(i);
    std::strcpy(raw.serial, "SEEDVM-0007");
    return raw;
}

TEST(DecodeGetInfo, DecodesEveryField) {
    seed::DeviceInfo info;
    info.index = 5;
    info.node = "/dev/accel/accel9";
    seed::detail::decode_get_info(sample_raw(), info);

    EXPECT_EQ(info.index, 5u); // untouched
    EXPECT_EQ(info.node, "/dev/accel/accel9");
    EXPECT_EQ(info.hbm_size, 1ull << 30);
    EXPECT_EQ(info.hw_revision, (seed::HwRevision{1, 2}));
    EXPECT_EQ(info.fw_version, (seed::FirmwareVersion{1, 2, 3}));
    EXPECT_EQ(info.num_queues, 4u);
    EXPECT_EQ(info.num_engines, 2u);
    EXPECT_EQ(info.caps, 0x1fu);
    EXPECT_EQ(info.dtypes, 0x7u);
    EXPECT_EQ(info.page_sizes, (1ull << 12) | (1ull << 21));
    EXPECT_EQ(info.irq_count, 99u);
    EXPECT_EQ(info.pci, (seed::PciAddress{1, 0x2a, 3, 4}));
    EXPECT_EQ(info.pci_address, "0001:2a:03.4");
    EXPECT_EQ(seed::format_uuid(info.uuid), "00010203-0405-0607-0809-0a0b0c0d0e0f");
    EXPECT_EQ(info.serial, "SEEDVM-0007");
}

TEST(DecodeGetInfo, UnterminatedSerialIsBounded) {
    auto raw = sample_raw();
    std::memset(raw.serial, 'A', sizeof(raw.serial));
    seed::DeviceInfo info;
    seed::detail::decode_get_info(raw, info);
    EXPECT_EQ(info.serial, std::string(sizeof(raw.serial), 'A'));
}

TEST(DecodeGetInfo, NonPrintableSerialBytesAreReplaced) {
    auto raw = sample_raw();
    std::strcpy(raw.serial, "AB\x01\x7f\xff");
    seed::DeviceInfo info;
    seed::detail::decode_get_info(raw, info);
    EXPECT_EQ(info.serial, "AB???");
}

TEST(DecodeGetInfo, FirmwareFieldWidths) {
    auto raw = sample_raw();
    raw.fw_version = 0xfffeffff;
    raw.hw_revision = 0xffff0001;
    seed::DeviceInfo info;
    seed::detail::decode_get_info(raw, info);
    EXPECT_EQ(info.fw_version, (seed::FirmwareVersion{255, 254, 65535}));
    EXPECT_EQ(info.hw_revision, (seed::HwRevision{65535, 1}));
}

} // namespace
