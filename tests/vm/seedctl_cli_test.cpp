// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// VM tests of the seedctl binary against real devices: its JSON must agree
// with libseed, its text must show every device, and its exit codes must
// follow the contract (0 ok, 1 failure, 2 usage). The binary is the one
// built with these tests (SEEDCTL_PATH) unless SEEDCTL names another.
#include <seed/seed.hpp>

#include "seedctl_run.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <string>
#include <vector>

namespace {

using nlohmann::json;
using seed::test::EnvChanges;
using seed::test::ProcessResult;
using seed::vm::all_devices;
using seed::vm::contains;
using seed::vm::joined;
using seed::vm::seedctl;
using seed::vm::seedctl_path;

void expect_summary_matches(const json& j, const seed::DeviceInfo& d) {
    EXPECT_EQ(j.at("index"), d.index);
    EXPECT_EQ(j.at("minor"), d.minor);
    EXPECT_EQ(j.at("node"), d.node);
    EXPECT_EQ(j.at("pci_address"), d.pci_address);
    EXPECT_EQ(j.at("serial"), d.serial);
    EXPECT_EQ(j.at("uuid"), seed::format_uuid(d.uuid));
    EXPECT_EQ(j.at("hbm_bytes"), d.hbm_size);
}

void expect_detail_matches(const json& j, const seed::DeviceInfo& d) {
    expect_summary_matches(j, d);
    EXPECT_EQ(j.at("hw_revision").at("major"), d.hw_revision.major);
    EXPECT_EQ(j.at("hw_revision").at("minor"), d.hw_revision.minor);
    EXPECT_EQ(j.at("fw_version").at("major"), d.fw_version.major);
    EXPECT_EQ(j.at("fw_version").at("minor"), d.fw_version.minor);
    EXPECT_EQ(j.at("fw_version").at("patch"), d.fw_version.patch);
    EXPECT_EQ(j.at("num_queues"), d.num_queues);
    EXPECT_EQ(j.at("num_engines"), d.num_engines);
    EXPECT_EQ(j.at("capabilities").get<std::vector<std::string>>(), seed::cap_names(d.caps));
    EXPECT_EQ(j.at("capability_bits"), d.caps);
    EXPECT_EQ(j.at("dtypes").get<std::vector<std::string>>(), seed::dtype_names(d.dtypes));
    EXPECT_EQ(j.at("dtype_bits"), d.dtypes);
    EXPECT_EQ(j.at("page_sizes").get<std::vector<std::uint64_t>>(), d.page_size_list());
    EXPECT_GE(j.at("irq_count").get<std::uint64_t>(), d.irq_count);
    EXPECT_EQ(j.at("driver").at("name"), "seed");
    EXPECT_EQ(j.at("driver").at("version").at("major"), d.driver.major);
    EXPECT_EQ(j.at("driver").at("version").at("minor"), d.driver.minor);
    EXPECT_EQ(j.at("driver").at("version").at("patch"), d.driver.patchlevel);
    EXPECT_EQ(j.at("driver").at("description"), d.driver.description);
}

json parse_document(const ProcessResult& r) {
    json doc = json::parse(r.out);
    EXPECT_EQ(doc.at("schema_version"), 1);
    EXPECT_TRUE(doc.at("devices").is_array());
    return doc;
}

using SeedctlVm = seed::vm::SeedctlTest;

TEST_F(SeedctlVm, ListJsonMatchesLibseed) {
    const auto r = seedctl({"list", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(r.err.empty()) << r.err;
    const json doc = parse_document(r);
    ASSERT_EQ(doc.at("devices").size(), devices_.size());
    for (std::size_t i = 0; i < devices_.size(); ++i) {
        SCOPED_TRACE(devices_[i].node);
        expect_summary_matches(doc.at("devices").at(i), devices_[i]);
    }
}

TEST_F(SeedctlVm, ListJsonHasOneEntryPerChip) {
    const char* chips = std::getenv("SEED_VM_CHIPS");
    if (chips == nullptr || *chips == '\0')
        GTEST_SKIP() << "SEED_VM_CHIPS not set (not under seed-vm)";
    const json doc = parse_document(seedctl({"list", "--json"}));
    EXPECT_EQ(doc.at("devices").size(), std::strtoul(chips, nullptr, 10));
}

TEST_F(SeedctlVm, ListTextShowsEveryDevice) {
    const auto r = seedctl({"list"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> lines;
    for (std::size_t pos = 0; pos < r.out.size();) {
        const auto nl = r.out.find('\n', pos);
        lines.push_back(r.out.substr(pos, nl - pos));
        pos = nl == std::string::npos ? r.out.size() : nl + 1;
    }
    ASSERT_EQ(lines.size(), devices_.size() + 1) << r.out; // header + one per device
    EXPECT_TRUE(lines[0].starts_with("INDEX")) << lines[0];
    for (std::size_t i = 0; i < devices_.size(); ++i) {
        const auto& line = lines[i + 1];
        EXPECT_TRUE(contains(line, devices_[i].node)) << line;
        EXPECT_TRUE(contains(line, devices_[i].serial)) << line;
        EXPECT_TRUE(contains(line, devices_[i].pci_address)) << line;
        EXPECT_TRUE(contains(line, seed::format_uuid(devices_[i].uuid))) << line;
        EXPECT_TRUE(contains(line, seed::format_size(devices_[i].hbm_size))) << line;
    }
}

TEST_F(SeedctlVm, InfoJsonMatchesLibseed) {
    const auto r = seedctl({"info", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json doc = parse_document(r);
    ASSERT_EQ(doc.at("devices").size(), devices_.size());
    for (std::size_t i = 0; i < devices_.size(); ++i) {
        SCOPED_TRACE(devices_[i].node);
        expect_detail_matches(doc.at("devices").at(i), devices_[i]);
    }
}

TEST_F(SeedctlVm, InfoForOneDeviceBySpec) {
    const auto& d = devices_.back();
    for (const std::string& spec :
         {std::to_string(d.index), d.pci_address, seed::format_uuid(d.uuid), d.node}) {
        const auto r = seedctl({"info", "-d", spec, "--json"});
        ASSERT_EQ(r.exit_code, 0) << spec << ": " << r.err;
        const json doc = parse_document(r);
        ASSERT_EQ(doc.at("devices").size(), 1u) << spec;
        expect_detail_matches(doc.at("devices").at(0), d);
    }
}

TEST_F(SeedctlVm, InfoTextShowsIdentity) {
    const auto r = seedctl({"info", "--device", std::to_string(devices_[0].index)});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto& d = devices_[0];
    for (const std::string& want :
         {"Device " + std::to_string(d.index) + ": " + d.node, seed::format_uuid(d.uuid), d.serial,
          d.pci_address, "Firmware version:  " + seed::to_string(d.fw_version),
          "Hardware revision: " + seed::to_string(d.hw_revision),
          "Driver:            seed " + seed::version_string(d.driver)}) {
        EXPECT_TRUE(contains(r.out, want)) << want << "\n" << r.out;
    }
}

TEST_F(SeedctlVm, InfoWithoutDeviceShowsAll) {
    const auto r = seedctl({"info"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const auto& d : devices_)
        EXPECT_TRUE(contains(r.out, "Device " + std::to_string(d.index) + ": " + d.node)) << r.out;
}

TEST_F(SeedctlVm, VisibleDevicesFiltersTheCli) {
    const auto& d = devices_.back();
    const auto r =
        seedctl({"list", "--json"}, {{"SEED_VISIBLE_DEVICES", seed::format_uuid(d.uuid)}});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json doc = parse_document(r);
    ASSERT_EQ(doc.at("devices").size(), 1u);
    EXPECT_EQ(doc.at("devices").at(0).at("serial"), d.serial);
    EXPECT_EQ(doc.at("devices").at(0).at("index"), 0);
}

TEST_F(SeedctlVm, NothingVisible) {
    const EnvChanges none = {{"SEED_VISIBLE_DEVICES", ""}};
    const auto list = seedctl({"list", "--json"}, none);
    EXPECT_EQ(list.exit_code, 0);
    EXPECT_TRUE(parse_document(list).at("devices").empty());
    EXPECT_TRUE(contains(list.err, "no SeedChip devices found")) << list.err;

    const auto info = seedctl({"info"}, none);
    EXPECT_EQ(info.exit_code, 1);
    EXPECT_TRUE(contains(info.err, "no SeedChip devices found")) << info.err;
    EXPECT_TRUE(contains(info.err, "hint:")) << info.err;
}

TEST_F(SeedctlVm, MissingDeviceExitsOne) {
    for (const std::string& spec : {std::to_string(devices_.size()), std::string("ffff:ff:1f.7"),
                                    std::string("00000000-0000-0000-0000-000000000000")}) {
        const auto r = seedctl({"info", "-d", spec});
        EXPECT_EQ(r.exit_code, 1) << spec;
        EXPECT_TRUE(r.out.empty()) << r.out;
        EXPECT_TRUE(contains(r.err, "seedctl: error:")) << r.err;
        EXPECT_TRUE(contains(r.err, "seedctl: hint:")) << r.err;
    }
}

// Usage errors do not depend on devices: no fixture, never skipped.
TEST(SeedctlVmUsage, BadArgumentsExitTwo) {
    for (const std::vector<std::string>& args : {std::vector<std::string>{},
                                                 {"frobnicate"},
                                                 {"list", "--bogus"},
                                                 {"info", "-d"},
                                                 {"info", "-d", "not-a-device"},
                                                 {"info", "--json", "extra"}}) {
        const auto r = seedctl(args);
        EXPECT_EQ(r.exit_code, 2) << joined(args) << r.err;
        EXPECT_TRUE(r.out.empty()) << joined(args) << r.out;
        EXPECT_TRUE(contains(r.err, "Usage:") || contains(r.err, "hint:")) << r.err;
    }
}

TEST(SeedctlVmUsage, HelpAndVersionExitZero) {
    for (const std::vector<std::string>& args : {std::vector<std::string>{"--help"},
                                                 {"--version"},
                                                 {"list", "--help"},
                                                 {"info", "--help"}}) {
        const auto r = seedctl(args);
        EXPECT_EQ(r.exit_code, 0) << joined(args) << r.err;
        EXPECT_FALSE(r.out.empty()) << joined(args);
    }
}

} // namespace
