// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Pure logic of seedctl query, health and the PCIe checks of diag: the
// field list and its documentation, formats, uevent parsing, sysfs link
// and AER text; and the binary's handling of bad query arguments.
#include "command.hpp"
#include "fields.hpp"
#include "health.hpp"

#include "support/sample_devices.hpp"
#include "support/subprocess.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <unistd.h>

#ifndef SEEDCTL_PATH
#error "SEEDCTL_PATH must be defined by the build"
#endif
#ifndef SEED_SOURCE_DIR
#error "SEED_SOURCE_DIR must be defined by the build"
#endif

namespace {

using nlohmann::json;
using seed::test::sample_device;
using namespace std::string_literals;

bool contains(const std::string& haystack, const std::string& needle) {
    return haystack.find(needle) != std::string::npos;
}

seedctl::FieldSample full_sample() {
    seedctl::FieldSample s{sample_device(0), {}, {}, {}, false, {}, {}};
    s.memory = seed::MemoryUsage{};
    s.memory->hbm_used = 4096;
    seed::Telemetry t;
    t.temperature_mc = 45250;
    t.power_mw = 75500;
    t.core_clock_mhz = 1500;
    t.reset_count = 3;
    s.telemetry = t;
    s.power_cap_uw = 300000000;
    s.hwmon_read = true;
    s.link = seedctl::PciLink{8.0, 16.0, 4u, 16u};
    s.health = seedctl::assess_health(t, *s.memory);
    return s;
}

TEST(QueryFields, NamesAreUniqueAndDescribed) {
    std::set<std::string_view> names;
    for (const auto& f : seedctl::query_fields()) {
        EXPECT_TRUE(names.insert(f.name).second) << f.name;
        EXPECT_FALSE(f.description.empty()) << f.name;
        EXPECT_EQ(f.name.find_first_of(", "), std::string_view::npos) << f.name;
        EXPECT_EQ(seedctl::find_field(f.name), &f);
    }
    EXPECT_EQ(seedctl::find_field("nope"), nullptr);
}

// Every field gives a value of its declared type (or null) for a full sample.
TEST(QueryFields, ValuesHaveTheDeclaredType) {
    const auto s = full_sample();
    for (const auto& f : seedctl::query_fields()) {
        const auto v = f.value(s);
        if (v.is_null())
            continue;
        switch (f.type) {
        case seedctl::FieldType::string:
            EXPECT_TRUE(v.is_string()) << f.name;
            break;
        case seedctl::FieldType::integer:
            EXPECT_TRUE(v.is_number_integer()) << f.name;
            break;
        case seedctl::FieldType::number:
            EXPECT_TRUE(v.is_number()) << f.name;
            break;
        }
    }
}

TEST(QueryFields, UnknownOrEmptyNamesAreRejectedWithTheValidList) {
    std::string error;
    EXPECT_EQ(seedctl::parse_field_list("index,power", error).size(), 2u);
    EXPECT_TRUE(seedctl::parse_field_list("index,bogus", error).empty());
    EXPECT_TRUE(contains(error, "unknown field 'bogus'")) << error;
    EXPECT_TRUE(contains(error, "valid fields: index, node,")) << error;
    EXPECT_TRUE(seedctl::parse_field_list("index,,power", error).empty());
    EXPECT_TRUE(contains(error, "empty field name")) << error;
    EXPECT_TRUE(seedctl::parse_field_list("", error).empty());
}

TEST(QueryFormat, ParsesKindsAndModifiers) {
    std::string error;
    using Kind = seedctl::QueryFormat::Kind;
    EXPECT_EQ(seedctl::parse_query_format("json", error)->kind, Kind::json);
    const auto csv = seedctl::parse_query_format("csv,noheader,nounits", error);
    ASSERT_TRUE(csv);
    EXPECT_EQ(csv->kind, Kind::csv);
    EXPECT_FALSE(csv->header);
    EXPECT_FALSE(csv->units);
    for (const char* bad : {"xml", "noheader", "csv,", "json,nounits", "csv,noheader,bogus", ""}) {
        EXPECT_FALSE(seedctl::parse_query_format(bad, error)) << bad;
        EXPECT_TRUE(contains(error, "bad --format")) << error;
    }
}

TEST(QueryRender, CsvWithAndWithoutUnitsAndHeader) {
    const std::vector<seedctl::FieldSample> samples{full_sample()};
    std::string error;
    const auto fields =
        seedctl::parse_field_list("index,uuid,power,temperature,pcie.link.width", error);
    seedctl::QueryFormat fmt{seedctl::QueryFormat::Kind::csv, true, true};
    EXPECT_EQ(seedctl::render_query(fields, samples, fmt),
              "index,uuid,power [W],temperature [C],pcie.link.width [lanes]\n"
              "0," +
                  json(seedctl::find_field("uuid")->value(samples[0])).get<std::string>() +
                  ",75.500 W,45.250 C,4 lanes\n");
    fmt.units = false;
    fmt.header = false;
    const auto plain = seedctl::render_query(fields, samples, fmt);
    EXPECT_TRUE(plain.starts_with("0,")) << plain;
    EXPECT_TRUE(plain.ends_with(",75.500,45.250,4\n")) << plain;
}

TEST(QueryRender, JsonHasTheFieldsAsKeysAndNullForMissing) {
    auto s = full_sample();
    s.power_cap_uw.reset();
    const std::vector<seedctl::FieldSample> samples{s};
    std::string error;
    const auto fields = seedctl::parse_field_list("index,power,power.cap,health", error);
    const auto doc = json::parse(seedctl::render_query(
        fields, samples, seedctl::QueryFormat{seedctl::QueryFormat::Kind::json, true, true}));
    EXPECT_EQ(doc.at("schema_version"), 1);
    const auto& d = doc.at("devices").at(0);
    EXPECT_EQ(d.at("index"), 0);
    EXPECT_DOUBLE_EQ(d.at("power").get<double>(), 75.5);
    EXPECT_TRUE(d.at("power.cap").is_null());
    EXPECT_EQ(d.at("health"), "ok");
    const auto text = seedctl::render_query(
        fields, samples, seedctl::QueryFormat{seedctl::QueryFormat::Kind::text, true, true});
    EXPECT_TRUE(contains(text, "N/A")) << text;
}

// docs/seedctl.md carries the field table exactly as the code renders it.
TEST(QueryFields, DocumentationTableMatchesTheCode) {
    std::ifstream in(std::string(SEED_SOURCE_DIR) + "/docs/seedctl.md");
    ASSERT_TRUE(in);
    std::stringstream text;
    text << in.rdbuf();
    const std::string doc = text.str();
    const std::string begin = "<!-- query-fields: begin -->\n";
    const std::string end = "<!-- query-fields: end -->";
    const auto b = doc.find(begin);
    const auto e = doc.find(end);
    ASSERT_NE(b, std::string::npos);
    ASSERT_NE(e, std::string::npos);
    EXPECT_EQ(doc.substr(b + begin.size(), e - b - begin.size()), seedctl::render_fields_markdown())
        << "regenerate with: seedctl query --help-fields --format markdown";
}

TEST(Health, DegradedOnUncorrectableErrorsOrRetiredHbm) {
    seed::Telemetry t;
    seed::MemoryUsage m;
    EXPECT_EQ(seedctl::assess_health(t, m).state, "ok");
    t.ecc_uncorrected = 2;
    m.hbm_retired = 4096;
    const auto h = seedctl::assess_health(t, m);
    EXPECT_EQ(h.state, "degraded");
    ASSERT_EQ(h.reasons.size(), 2u);
    EXPECT_TRUE(contains(h.reasons[0], "2 uncorrectable ECC errors")) << h.reasons[0];
}

TEST(Uevent, ParsesTheDriversResetEvent) {
    const std::string msg("change@/devices/pci0000:00/0000:00:04.0\0ACTION=change\0"
                          "DEVPATH=/devices/pci0000:00/0000:00:04.0\0SUBSYSTEM=pci\0"
                          "SEED_EVENT=RESET\0SEED_RESET_REASON=admin\0SEQNUM=1234\0"s);
    const auto ev = seedctl::parse_uevent(msg);
    ASSERT_TRUE(ev);
    EXPECT_EQ(ev->action, "change");
    EXPECT_EQ(ev->pci_address(), "0000:00:04.0");
    const auto he = seedctl::health_event_of(*ev);
    ASSERT_TRUE(he);
    EXPECT_EQ(he->name, "reset");
    EXPECT_EQ(he->reason, "admin");
    EXPECT_EQ(he->seqnum, "1234");
    const auto line = json::parse(seedctl::render_health_event_json(sample_device(0), *he, "t"));
    EXPECT_EQ(line.at("event"), "reset");
    EXPECT_EQ(line.at("reason"), "admin");
    EXPECT_EQ(line.at("device").at("pci_address"), sample_device(0).pci_address);
}

TEST(Uevent, IgnoresOtherEventsAndUdevMessages) {
    const std::string add("add@/devices/virtual/net/lo\0ACTION=add\0SUBSYSTEM=net\0"s);
    const auto ev = seedctl::parse_uevent(add);
    ASSERT_TRUE(ev);
    EXPECT_FALSE(seedctl::health_event_of(*ev));
    EXPECT_FALSE(seedctl::parse_uevent("libudev\0\xfe\xed"s));
    const std::string removed(
        "remove@/devices/pci0000:00/0000:00:05.0\0ACTION=remove\0SUBSYSTEM=pci\0"
        "PCI_SLOT_NAME=0000:00:05.0\0"s);
    const auto rm = seedctl::parse_uevent(removed);
    ASSERT_TRUE(rm);
    EXPECT_EQ(rm->pci_address(), "0000:00:05.0");
    EXPECT_EQ(seedctl::health_event_of(*rm)->name, "removed");
}

TEST(PciSysfs, LinkSpeedAndAerText) {
    EXPECT_EQ(seedctl::parse_link_speed("8.0 GT/s PCIe"), 8.0);
    EXPECT_EQ(seedctl::parse_link_speed("2.5 GT/s"), 2.5);
    EXPECT_FALSE(seedctl::parse_link_speed("Unknown"));
    EXPECT_FALSE(seedctl::parse_link_speed("8.0"));
    EXPECT_EQ(seedctl::parse_aer_total("RxErr 1\nBadTLP 2\nTOTAL_ERR_COR 3\n"), 3u);
    EXPECT_EQ(seedctl::parse_aer_total("Undefined 0\nDLP 4\n"), 4u);
    EXPECT_FALSE(seedctl::parse_aer_total(""));
    EXPECT_FALSE(seedctl::parse_aer_total("garbage\n"));
}

TEST(PciSysfs, ReadsLinkAndAerFromASysfsTree) {
    namespace fs = std::filesystem;
    const fs::path root = fs::temp_directory_path() / ("seedctl-pci-" + std::to_string(::getpid()));
    const fs::path dev = root / "bus/pci/devices/0000:00:04.0";
    fs::create_directories(dev);
    const auto put = [&](const char* name, const char* text) { std::ofstream(dev / name) << text; };
    put("current_link_speed", "2.5 GT/s PCIe\n");
    put("max_link_speed", "8.0 GT/s PCIe\n");
    put("current_link_width", "1\n");
    put("aer_dev_fatal", "Undefined 0\nTOTAL_ERR_FATAL 1\n");
    const auto link = seedctl::read_pci_link("0000:00:04.0", root.string());
    EXPECT_EQ(link.speed_gts, 2.5);
    EXPECT_EQ(link.max_speed_gts, 8.0);
    EXPECT_EQ(link.width, 1u);
    EXPECT_FALSE(link.max_width);
    const auto aer = seedctl::read_aer_counters("0000:00:04.0", root.string());
    EXPECT_FALSE(aer.correctable);
    EXPECT_EQ(aer.fatal, 1u);
    const auto none = seedctl::read_pci_link("0000:00:09.0", root.string());
    EXPECT_FALSE(none.speed_gts || none.width);
    fs::remove_all(root);
}

TEST(SetPowerCap, ParsesHwmonMicrowatts) {
    EXPECT_EQ(seedctl::parse_microwatts("300000000\n"), 300000000);
    EXPECT_EQ(seedctl::parse_microwatts("0"), 0);
    EXPECT_FALSE(seedctl::parse_microwatts(""));
    EXPECT_FALSE(seedctl::parse_microwatts("12 W"));
    EXPECT_FALSE(seedctl::parse_microwatts("x"));
}

seed::test::ProcessResult seedctl_run(std::vector<std::string> args) {
    args.insert(args.begin(), SEEDCTL_PATH);
    return seed::test::run_process(args, {{"SEED_VISIBLE_DEVICES", ""}});
}

TEST(SeedctlQueryCli, HelpFieldsListsEveryField) {
    const auto r = seedctl_run({"query", "--help-fields"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    for (const auto& f : seedctl::query_fields())
        EXPECT_TRUE(contains(r.out, std::string(f.name))) << f.name;
    const auto j = seedctl_run({"query", "--help-fields", "--format", "json"});
    EXPECT_EQ(j.exit_code, 0) << j.err;
    EXPECT_EQ(json::parse(j.out).at("fields").size(), seedctl::query_fields().size());
    const auto md = seedctl_run({"query", "--help-fields", "--format", "markdown"});
    EXPECT_EQ(md.out, seedctl::render_fields_markdown());
}

TEST(SeedctlQueryCli, BadFieldsAndFormatsExitTwoBeforeTouchingDevices) {
    for (const std::vector<std::string>& args : {std::vector<std::string>{"query", "index,bogus"},
                                                 {"query"},
                                                 {"query", "index", "--format", "xml"},
                                                 {"query", "index", "--format", "json,nounits"},
                                                 {"query", "--help-fields", "--format", "csv"}}) {
        const auto r = seedctl_run(args);
        EXPECT_EQ(r.exit_code, 2) << args.back() << r.err;
        EXPECT_TRUE(r.out.empty()) << r.out;
        EXPECT_TRUE(contains(r.err, "seedctl: error: ")) << r.err;
    }
    const auto r = seedctl_run({"query", "bogus"});
    EXPECT_TRUE(contains(r.err, "unknown field 'bogus'; valid fields: index,")) << r.err;
    EXPECT_TRUE(contains(r.err, "--help-fields")) << r.err;
    const auto none = seedctl_run({"query", "index"});
    EXPECT_EQ(none.exit_code, 1);
    EXPECT_TRUE(contains(none.err, "no SeedChip devices found")) << none.err;
}

TEST(SeedctlSetCli, NeedsADeviceAndAPositiveCap) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"set", "--power-cap", "100"},
          {"set", "-d", "0"},
          {"set", "-d", "0", "--power-cap", "0"},
          {"set", "-d", "0", "--power-cap", "watts"}}) {
        const auto r = seedctl_run(args);
        EXPECT_EQ(r.exit_code, 2) << args.back() << r.err;
        EXPECT_TRUE(r.out.empty()) << r.out;
    }
}

TEST(SeedctlResetCli, RefusesWithoutDeviceOrAll) {
    const auto r = seedctl_run({"reset"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(contains(r.err, "reset needs -d DEV or --all")) << r.err;
}

} // namespace
