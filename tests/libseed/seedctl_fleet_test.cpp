// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Pure logic of seedctl query, health and the PCIe checks of diag: the
// field list and its documentation, formats, the driver's events as health
// events, the management API's link and AER figures; and the binary's
// handling of bad query arguments.
#include "command.hpp"
#include "fields.hpp"
#include "health.hpp"

#include "support/sample_devices.hpp"
#include "support/subprocess.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

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
    seedctl::FieldSample s{sample_device(0), {}, {}, {}, false, {}, {}, {}};
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
    seed_mgmt_counters c{};
    c.size = sizeof(c);
    c.job_failures[SEED_MGMT_JOB_MMU_FAULT] = 2;
    c.job_failures[SEED_MGMT_JOB_TIMEOUT] = 1;
    for (unsigned r = SEED_MGMT_JOB_HW_ERROR + 1; r < SEED_MGMT_JOB_REASONS; ++r)
        c.job_failures[r] = UINT64_MAX; // not counted by this driver
    s.counters = c;
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

TEST(QueryFields, JobFailuresByReasonAndInTotal) {
    const auto s = full_sample();
    EXPECT_EQ(seedctl::find_field("job_failures.mmu_fault")->value(s), 2);
    EXPECT_EQ(seedctl::find_field("job_failures.timeout")->value(s), 1);
    EXPECT_EQ(seedctl::find_field("job_failures.reset")->value(s), 0);
    EXPECT_EQ(seedctl::find_field("job_failures")->value(s), 3);
    auto old = s;
    for (auto& n : old.counters->job_failures)
        n = UINT64_MAX; // a driver without job_failures/
    EXPECT_TRUE(seedctl::find_field("job_failures.timeout")->value(old).is_null());
    EXPECT_TRUE(seedctl::find_field("job_failures")->value(old).is_null());
}

seed_mgmt_event mgmt_event(std::uint32_t type, const char* action, const char* reason = "") {
    seed_mgmt_event ev{};
    ev.size = sizeof(ev);
    ev.type = type;
    std::snprintf(ev.action, sizeof(ev.action), "%s", action);
    std::snprintf(ev.reason, sizeof(ev.reason), "%s", reason);
    std::snprintf(ev.pci_address, sizeof(ev.pci_address), "0000:00:04.0");
    return ev;
}

TEST(HealthEvents, ResetsOfTheDriver) {
    auto reset = mgmt_event(SEED_MGMT_EVENT_RESET, "change", "admin");
    reset.seqnum = 1234;
    const auto he = seedctl::health_event_of(reset);
    ASSERT_TRUE(he);
    EXPECT_EQ(he->name, "reset");
    EXPECT_EQ(he->reason, "admin");
    EXPECT_EQ(he->action, "change");
    EXPECT_EQ(he->seqnum, "1234");
    const auto line = json::parse(seedctl::render_health_event_json(sample_device(0), *he, "t"));
    EXPECT_EQ(line.at("event"), "reset");
    EXPECT_EQ(line.at("reason"), "admin");
    EXPECT_EQ(line.at("seqnum"), "1234");
    EXPECT_EQ(line.at("device").at("pci_address"), sample_device(0).pci_address);
    EXPECT_EQ(seedctl::utc_time(1'700'000'000'123'000'000), "2023-11-14T22:13:20.123Z");
}

TEST(HealthEvents, UnbindAndRemovalButNotOtherEvents) {
    const auto unbound = seedctl::health_event_of(mgmt_event(SEED_MGMT_EVENT_UNBIND, "unbind"));
    ASSERT_TRUE(unbound);
    EXPECT_EQ(unbound->name, "unbound");
    EXPECT_EQ(unbound->seqnum, "");
    const auto removed = seedctl::health_event_of(mgmt_event(SEED_MGMT_EVENT_UNPLUG, "remove"));
    ASSERT_TRUE(removed);
    EXPECT_EQ(removed->name, "removed");
    const auto line =
        json::parse(seedctl::render_health_event_json(sample_device(1), *removed, "t"));
    EXPECT_TRUE(line.at("reason").is_null());
    EXPECT_TRUE(line.at("seqnum").is_null());
    for (const std::uint32_t type :
         {std::uint32_t{SEED_MGMT_EVENT_ADD}, std::uint32_t{SEED_MGMT_EVENT_REMOVE},
          std::uint32_t{SEED_MGMT_EVENT_CHANGE}, std::uint32_t{99}})
        EXPECT_FALSE(seedctl::health_event_of(mgmt_event(type, "change"))) << type;
}

TEST(PciChecks, LinkAndAerFromTheManagementApi) {
    seed_mgmt_pcie p{};
    p.size = sizeof(p);
    p.current_speed_mts = 2500;
    p.max_speed_mts = 8000;
    p.current_width = 1;
    p.aer_correctable = UINT64_MAX;
    p.aer_nonfatal = UINT64_MAX;
    p.aer_fatal = 1;
    const auto link = seedctl::pci_link_of(p);
    EXPECT_EQ(link.speed_gts, 2.5);
    EXPECT_EQ(link.max_speed_gts, 8.0);
    EXPECT_EQ(link.width, 1u);
    EXPECT_FALSE(link.max_width);
    const auto l = seedctl::pcie_link_check(p, "0000:00:04.0");
    EXPECT_TRUE(l.available);
    EXPECT_FALSE(l.passed);
    EXPECT_EQ(l.detail, "2.5 GT/s x1 (max 8.0 GT/s x?), link below its maximum speed");
    const auto a = seedctl::pcie_aer_check(p, "0000:00:04.0");
    EXPECT_TRUE(a.available);
    EXPECT_FALSE(a.passed);
    EXPECT_EQ(a.detail, "n/a correctable, n/a non-fatal, 1 fatal");

    seed_mgmt_pcie none{};
    none.size = sizeof(none);
    none.aer_correctable = none.aer_nonfatal = none.aer_fatal = UINT64_MAX;
    const auto nl = seedctl::pcie_link_check(none, "0000:00:09.0");
    EXPECT_FALSE(nl.available);
    EXPECT_TRUE(nl.passed);
    EXPECT_NE(nl.detail.find("not available"), std::string::npos) << nl.detail;
    const auto na = seedctl::pcie_aer_check(none, "0000:00:09.0");
    EXPECT_FALSE(na.available);
    EXPECT_NE(na.detail.find("not available"), std::string::npos) << na.detail;
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
