// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seedctl's text and JSON output, without a device.
#include "command.hpp"
#include "output.hpp"

#include "support/sample_devices.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <vector>

namespace {

using nlohmann::json;
using seed::test::sample_device;

std::vector<seed::DeviceInfo> two_devices() {
    return {sample_device(0), sample_device(1)};
}

std::vector<std::string> keys(const json& object) {
    std::vector<std::string> out;
    for (const auto& item : object.items())
        out.push_back(item.key());
    return out;
}

TEST(Table, AlignsColumnsWithoutTrailingBlanks) {
    seedctl::Table t({"A", "LONGER", "C"});
    t.add_row({"value", "x", ""});
    t.add_row({"v", "yy", "z", "dropped"});
    EXPECT_EQ(t.render(), "A      LONGER  C\n"
                          "value  x\n"
                          "v      yy      z\n");
}

TEST(KeyValueBlock, AlignsValues) {
    seedctl::KeyValueBlock b;
    b.add("UUID", "u");
    b.add("Hardware revision", "1.0");
    EXPECT_EQ(b.render(2), "  UUID:              u\n"
                           "  Hardware revision: 1.0\n");
}

TEST(ListOutput, TextHasAHeaderAndOneLinePerDevice) {
    EXPECT_EQ(seedctl::render_list_text(two_devices()),
              "INDEX  NODE               PCI           SERIAL       UUID                         "
              "         HBM\n"
              "0      /dev/accel/accel0  0000:00:04.0  SEEDVM-0000  "
              "5eed0000-0000-4000-8000-000000000000  1.00 GiB\n"
              "1      /dev/accel/accel1  0000:00:05.0  SEEDVM-0001  "
              "5eed0000-0000-4000-8000-000000000001  1.00 GiB\n");
}

TEST(ListOutput, JsonDocument) {
    const json doc = json::parse(seedctl::render_list_json(two_devices()));
    EXPECT_EQ(doc.at("schema_version"), 1);
    ASSERT_EQ(doc.at("devices").size(), 2u);
    const json& d = doc.at("devices").at(1);
    EXPECT_EQ(keys(d), (std::vector<std::string>{"hbm_bytes", "index", "minor", "node",
                                                 "pci_address", "serial", "uuid"}));
    EXPECT_EQ(d.at("index"), 1);
    EXPECT_EQ(d.at("minor"), 1);
    EXPECT_EQ(d.at("node"), "/dev/accel/accel1");
    EXPECT_EQ(d.at("pci_address"), "0000:00:05.0");
    EXPECT_EQ(d.at("serial"), "SEEDVM-0001");
    EXPECT_EQ(d.at("uuid"), "5eed0000-0000-4000-8000-000000000001");
    EXPECT_EQ(d.at("hbm_bytes"), 1ull << 30);
}

TEST(ListOutput, KeysKeepDocumentedOrder) {
    const std::string text = seedctl::render_list_json(two_devices());
    EXPECT_LT(text.find("\"schema_version\""), text.find("\"devices\""));
    EXPECT_LT(text.find("\"index\""), text.find("\"hbm_bytes\""));
}

TEST(ListOutput, EmptyJsonIsAnEmptyList) {
    const json doc = json::parse(seedctl::render_list_json({}));
    EXPECT_EQ(doc, json::parse(R"({"schema_version": 1, "devices": []})"));
}

TEST(InfoOutput, TextBlockPerDevice) {
    const std::vector<seed::DeviceInfo> one = {sample_device(0)};
    EXPECT_EQ(seedctl::render_info_text(one), "Device 0: /dev/accel/accel0\n"
                                              "  UUID:              "
                                              "5eed0000-0000-4000-8000-000000000000\n"
                                              "  Serial:            SEEDVM-0000\n"
                                              "  PCI address:       0000:00:04.0\n"
                                              "  Hardware revision: 1.0\n"
                                              "  Firmware version:  1.2.3\n"
                                              "  HBM:               1.00 GiB (1073741824 bytes)\n"
                                              "  Queues:            4\n"
                                              "  Engines:           2\n"
                                              "  Capabilities:      mmu gemm elementwise reduce "
                                              "telemetry\n"
                                              "  Data types:        f32 f16 bf16 i8 i32\n"
                                              "  Page sizes:        4 KiB, 2 MiB\n"
                                              "  Interrupts:        7\n"
                                              "  Driver:            seed 0.1.0\n");
    const std::string two = seedctl::render_info_text(two_devices());
    EXPECT_NE(two.find("\n\nDevice 1: /dev/accel/accel1\n"), std::string::npos);
}

TEST(InfoOutput, NoCapabilitiesSaysNone) {
    auto dev = sample_device(0);
    dev.caps = 0;
    dev.dtypes = 0;
    dev.page_sizes = 0;
    const std::string text = seedctl::render_info_text(std::vector{dev});
    EXPECT_NE(text.find("Capabilities:      none\n"), std::string::npos);
    EXPECT_NE(text.find("Data types:        none\n"), std::string::npos);
    EXPECT_NE(text.find("Page sizes:        none\n"), std::string::npos);
}

TEST(InfoOutput, JsonIsASupersetOfList) {
    const json doc = json::parse(seedctl::render_info_json(two_devices()));
    const json list = json::parse(seedctl::render_list_json(two_devices()));
    EXPECT_EQ(doc.at("schema_version"), 1);
    ASSERT_EQ(doc.at("devices").size(), 2u);
    const json& d = doc.at("devices").at(0);
    for (const auto& item : list.at("devices").at(0).items())
        EXPECT_EQ(d.at(item.key()), item.value()) << item.key();

    EXPECT_EQ(d.at("hw_revision"), json::parse(R"({"major": 1, "minor": 0})"));
    EXPECT_EQ(d.at("fw_version"), json::parse(R"({"major": 1, "minor": 2, "patch": 3})"));
    EXPECT_EQ(d.at("num_queues"), 4);
    EXPECT_EQ(d.at("num_engines"), 2);
    EXPECT_EQ(d.at("capabilities"),
              json::parse(R"(["mmu", "gemm", "elementwise", "reduce", "telemetry"])"));
    EXPECT_EQ(d.at("capability_bits"), 0x1f);
    EXPECT_EQ(d.at("dtypes"), json::parse(R"(["f32", "f16", "bf16", "i8", "i32"])"));
    EXPECT_EQ(d.at("dtype_bits"), 0x1f);
    EXPECT_EQ(d.at("page_sizes"), json::parse("[4096, 2097152]"));
    EXPECT_EQ(d.at("irq_count"), 7);
    EXPECT_EQ(d.at("driver"), json::parse(R"({"name": "seed",
        "version": {"major": 0, "minor": 1, "patch": 0},
        "description": "SeedChip accelerator"})"));
    // Sorted; update docs/seedctl-json.md when adding keys.
    EXPECT_EQ(keys(d),
              (std::vector<std::string>{"capabilities", "capability_bits", "driver", "dtype_bits",
                                        "dtypes", "fw_version", "hbm_bytes", "hw_revision", "index",
                                        "irq_count", "minor", "node", "num_engines", "num_queues",
                                        "page_sizes", "pci_address", "serial", "uuid"}));
}

} // namespace
