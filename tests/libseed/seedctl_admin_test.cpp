// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Pure logic of the seedctl administration commands: fdinfo parsing,
// utilisation, CSV, JSON shape, Prometheus text and CDI specs.
#include "cdi.hpp"
#include "command.hpp"
#include "output.hpp"
#include "prometheus.hpp"

#include "support/sample_devices.hpp"

#include <seed/management.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace {

using nlohmann::json;
using seed::test::sample_device;

TEST(Fdinfo, ParsesSeedClient) {
    const auto rec = seed::parse_fdinfo("pos:\t0\nflags:\t02100002\nmnt_id:\t26\nino:\t5\n"
                                        "drm-driver:\tseed\ndrm-pdev:\t0000:00:04.0\n"
                                        "drm-client-id:\t12\ndrm-engine-compute:\t1500 ns\n"
                                        "drm-total-hbm:\t3 MiB\ndrm-resident-hbm:\t3 MiB\n"
                                        "drm-total-host:\t8 KiB\ndrm-resident-host:\t8 KiB\n");
    ASSERT_TRUE(rec);
    EXPECT_EQ(rec->driver, "seed");
    EXPECT_EQ(rec->pdev, "0000:00:04.0");
    EXPECT_EQ(rec->client_id, 12u);
    EXPECT_EQ(rec->hbm_bytes, 3u << 20);
    EXPECT_EQ(rec->host_bytes, 8u << 10);
    EXPECT_EQ(rec->engine_ns, 1500u);
}

TEST(Fdinfo, PlainBytesAndNonDrmFiles) {
    const auto rec =
        seed::parse_fdinfo("drm-driver:\tseed\ndrm-client-id:\t1\ndrm-total-hbm:\t4095\n");
    ASSERT_TRUE(rec);
    EXPECT_EQ(rec->hbm_bytes, 4095u);
    EXPECT_FALSE(seed::parse_fdinfo("pos:\t0\nflags:\t0\n"));
    EXPECT_FALSE(seed::parse_fdinfo("drm-driver:\tseed\n")); // no client id
    EXPECT_FALSE(seed::parse_fdinfo("drm-driver:\tseed\ndrm-client-id:\tx\n"));
}

TEST(ProcessScan, DedupesSharedClientsAndFiltersDrivers) {
    namespace fs = std::filesystem;
    const fs::path root = fs::temp_directory_path() / "seedctl-proc-test";
    fs::remove_all(root);
    const auto fd = [&](int pid, int n, const std::string& text) {
        fs::create_directories(root / std::to_string(pid) / "fdinfo");
        std::ofstream(root / std::to_string(pid) / "comm") << "proc" << pid << '\n';
        std::ofstream(root / std::to_string(pid) / "fdinfo" / std::to_string(n)) << text;
    };
    const std::string a = "drm-driver:\tseed\ndrm-pdev:\t0000:00:04.0\ndrm-client-id:\t5\n"
                          "drm-total-hbm:\t1 MiB\n";
    fd(20, 3, a);
    fd(20, 4, a); // dup()
    fd(31, 3, a); // inherited by a child
    fd(31, 5, "drm-driver:\ti915\ndrm-pdev:\t0000:00:02.0\ndrm-client-id:\t5\n");
    fd(40, 7, "drm-driver:\tseed\ndrm-pdev:\t0000:00:05.0\ndrm-client-id:\t6\n");
    fs::create_directories(root / "self");
    const auto scan = seed::scan_processes(root.string());
    ASSERT_EQ(scan.processes.size(), 2u);
    EXPECT_EQ(scan.processes[0].pid, 20);
    EXPECT_EQ(scan.processes[0].command, "proc20");
    EXPECT_EQ(scan.processes[0].hbm_bytes, 1u << 20);
    EXPECT_EQ(scan.processes[1].pid, 40);
    EXPECT_EQ(seed::processes_of(scan, "0000:00:05.0").size(), 1u);
    fs::remove_all(root);
}

TEST(Utilization, BusyOverDeviceClock) {
    seed::Telemetry a, b;
    a.clock_ns = 1000;
    b.clock_ns = 3000;
    a.engine_busy_ns = {0, 100, 500};
    b.engine_busy_ns = {1000, 100, 400}; // engine 2 went backwards: a reset
    const auto u = seed::engine_utilization(a, b);
    ASSERT_EQ(u.size(), 3u);
    EXPECT_DOUBLE_EQ(u[0], 0.5);
    EXPECT_DOUBLE_EQ(u[1], 0.0);
    EXPECT_DOUBLE_EQ(u[2], 0.0);
    EXPECT_EQ(seed::engine_utilization(b, b), std::vector<double>(3, 0.0));
}

TEST(Csv, QuotesOnlyWhenNeeded) {
    EXPECT_EQ(seedctl::csv_field("plain"), "plain");
    EXPECT_EQ(seedctl::csv_field("a,b"), "\"a,b\"");
    EXPECT_EQ(seedctl::csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    seedctl::Table t({"a", "b"});
    t.add_row({"1", "x,y"});
    EXPECT_EQ(t.render_csv(), "a,b\n1,\"x,y\"\n");
}

seedctl::TelemetryRow telemetry_row(unsigned k) {
    seed::Telemetry t;
    t.temperature_mc = 45500;
    t.power_mw = 75250;
    t.core_clock_mhz = 1500;
    t.hbm_clock_mhz = 1600;
    t.ecc_corrected = 2;
    t.engine_busy_ns = {10, 20};
    return {sample_device(k), t, {0.25, 0.75}};
}

TEST(TelemetryOutput, CsvJsonAndText) {
    const std::vector<seedctl::TelemetryRow> rows = {telemetry_row(0), telemetry_row(1)};
    const std::string csv = seedctl::render_telemetry_csv(rows, true);
    EXPECT_EQ(csv.substr(0, csv.find('\n')),
              "index,pci_address,uuid,temperature_celsius,power_watts,core_clock_mhz,"
              "hbm_clock_mhz,utilization,ecc_corrected,ecc_uncorrected,reset_count");
    EXPECT_NE(csv.find("0,0000:00:04.0,5eed0000-0000-4000-8000-000000000000,45.500,75.250,1500,"
                       "1600,0.5000,2,0,0\n"),
              std::string::npos)
        << csv;
    EXPECT_EQ(seedctl::render_telemetry_csv(rows, false).find("index"), std::string::npos);
    const json doc = json::parse(seedctl::render_telemetry_json(rows, false));
    EXPECT_EQ(doc.at("schema_version"), 1);
    const auto& t = doc.at("devices").at(1).at("telemetry");
    EXPECT_DOUBLE_EQ(t.at("temperature_celsius").get<double>(), 45.5);
    EXPECT_DOUBLE_EQ(t.at("utilization").get<double>(), 0.5);
    EXPECT_EQ(t.at("engine_busy_ns"), json::array({10, 20}));
    const std::string line = seedctl::render_telemetry_json(rows, true);
    EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1);
    const std::string text = seedctl::render_telemetry_text(rows);
    EXPECT_NE(text.find("45.5 C"), std::string::npos) << text;
    EXPECT_NE(text.find("Device 1 engines: 25.0% 75.0%"), std::string::npos) << text;
}

TEST(PsOutput, JsonNestsProcessesPerDevice) {
    std::vector<seedctl::PsRow> rows = {{sample_device(0), {}}, {sample_device(1), {}}};
    rows[1].processes.push_back({42, "trainer", "0000:00:05.0", 7, 1u << 20, 4096, 2000000000});
    const json doc = json::parse(seedctl::render_ps_json(rows, 3));
    EXPECT_TRUE(doc.at("devices").at(0).at("processes").empty());
    const auto& p = doc.at("devices").at(1).at("processes").at(0);
    EXPECT_EQ(p.at("pid"), 42);
    EXPECT_EQ(p.at("command"), "trainer");
    EXPECT_EQ(p.at("hbm_bytes"), 1u << 20);
    EXPECT_EQ(doc.at("uninspected_processes"), 3);
    const std::string text = seedctl::render_ps_text(rows, 3);
    EXPECT_NE(text.find("trainer"), std::string::npos);
    EXPECT_NE(text.find("1.00 MiB"), std::string::npos);
    EXPECT_NE(text.find("2.000 s"), std::string::npos);
    EXPECT_NE(text.find("run as root"), std::string::npos);
    EXPECT_EQ(seedctl::render_ps_csv(rows),
              "index,pci_address,uuid,pid,command,client_id,hbm_bytes,host_bytes,engine_ns\n"
              "1,0000:00:05.0,5eed0000-0000-4000-8000-000000000001,42,trainer,7,1048576,4096,"
              "2000000000\n");
}

TEST(Prometheus, RendersFamiliesAndLabels) {
    std::vector<seedctl::MetricsSample> samples(2);
    samples[0].info = sample_device(0);
    samples[0].telemetry = telemetry_row(0).telemetry;
    samples[0].memory = seed::MemoryUsage{1u << 30, 4096, 0, 0, 0, 0};
    samples[1].info = sample_device(1); // did not answer
    const std::string text = seedctl::render_prometheus(samples);
    const std::string l0 = "{uuid=\"5eed0000-0000-4000-8000-000000000000\",serial=\"SEEDVM-0000\","
                           "pci=\"0000:00:04.0\"";
    const std::string l1 = "{uuid=\"5eed0000-0000-4000-8000-000000000001\",serial=\"SEEDVM-0001\","
                           "pci=\"0000:00:05.0\"";
    for (const std::string& want :
         {std::string("# TYPE seedchip_temperature_celsius gauge\n"),
          "seedchip_temperature_celsius" + l0 + "} 45.5\n",
          "seedchip_power_watts" + l0 + "} 75.25\n", "seedchip_hbm_used_bytes" + l0 + "} 4096\n",
          "seedchip_hbm_size_bytes" + l1 + "} 1073741824\n", "seedchip_up" + l0 + "} 1\n",
          "seedchip_up" + l1 + "} 0\n",
          "seedchip_ecc_errors_total" + l0 + ",type=\"corrected\"} 2\n",
          "seedchip_engine_busy_seconds_total" + l0 + ",engine=\"1\"} 2e-08\n",
          std::string("# TYPE seedchip_resets_total counter\n"),
          "seedchip_resets_total" + l0 + "} 0\n"}) {
        EXPECT_NE(text.find(want), std::string::npos) << want << '\n' << text;
    }
    EXPECT_EQ(text.find("seedchip_temperature_celsius" + l1), std::string::npos);
    EXPECT_EQ(seedctl::prometheus_escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(Cdi, OneDevicePerChipByIndexAndUuid) {
    // The spec of tools/common/cdi.cpp, which seedctl and seed-device-plugin share.
    std::vector<seed_mgmt_identity> chips(2);
    for (unsigned i = 0; i < 2; ++i) {
        const auto d = sample_device(i);
        chips[i].size = sizeof(chips[i]);
        chips[i].index = i;
        std::snprintf(chips[i].node, sizeof(chips[i].node), "%s", d.node.c_str());
        std::snprintf(chips[i].uuid, sizeof(chips[i].uuid), "%s",
                      seed::format_uuid(d.uuid).c_str());
    }
    const json spec = json::parse(seed::fleet::render_cdi_spec(chips));
    EXPECT_EQ(spec.at("cdiVersion"), "0.5.0");
    EXPECT_EQ(spec.at("kind"), "seedchip.org/accel");
    const auto& list = spec.at("devices");
    ASSERT_EQ(list.size(), 5u);
    EXPECT_EQ(list[0].at("name"), "0");
    EXPECT_EQ(list[1].at("name"), "5eed0000-0000-4000-8000-000000000000");
    EXPECT_EQ(list[2].at("name"), "1");
    EXPECT_EQ(list[3].at("containerEdits").at("deviceNodes").at(0).at("path"), "/dev/accel/accel1");
    EXPECT_EQ(list[0].at("containerEdits").at("env"),
              json::array({"SEED_VISIBLE_DEVICE_5EED0000000040008000000000000000="
                           "5eed0000-0000-4000-8000-000000000000"}));
    EXPECT_EQ(list[3].at("containerEdits").at("env"),
              json::array({"SEED_VISIBLE_DEVICE_5EED0000000040008000000000000001="
                           "5eed0000-0000-4000-8000-000000000001"}));
    EXPECT_EQ(list[4].at("name"), "all");
    EXPECT_EQ(list[4].at("containerEdits").at("deviceNodes").size(), 2u);
    EXPECT_EQ(list[4].at("containerEdits").at("env").size(), 2u);
}

TEST(Prometheus, InfoProcessesAndNaming) {
    std::vector<seedctl::MetricsSample> samples(1);
    samples[0].info = sample_device(0);
    samples[0].telemetry = telemetry_row(0).telemetry;
    samples[0].memory = seed::MemoryUsage{1u << 30, 4096, 8192, 0, 0, 0};
    samples[0].power_cap_uw = 300000000;
    samples[0].processes.push_back({42, "train\"er", "0000:00:04.0", 7, 1048576, 4096, 1500000000});
    const std::string text = seedctl::render_prometheus(samples);
    const std::string l0 = "{uuid=\"5eed0000-0000-4000-8000-000000000000\",serial=\"SEEDVM-0000\","
                           "pci=\"0000:00:04.0\"";
    for (const std::string& want :
         {"seedchip_info" + l0 +
              ",index=\"0\",driver_version=\"0.1.0\",firmware_version=\"1.2.3\","
              "hardware_revision=\"1.0\"} 1\n",
          "seedchip_power_cap_watts" + l0 + "} 300\n",
          "seedchip_hbm_retired_bytes" + l0 + "} 8192\n",
          "seedchip_hbm_size_bytes" + l0 + "} 1073741824\n",
          "seedchip_process_hbm_bytes" + l0 + ",pid=\"42\",command=\"train\\\"er\"} 1048576\n",
          "seedchip_process_host_memory_bytes" + l0 + ",pid=\"42\",command=\"train\\\"er\"} 4096\n",
          "seedchip_process_engine_busy_seconds_total" + l0 +
              ",pid=\"42\",command=\"train\\\"er\"} 1.5\n"})
        EXPECT_NE(text.find(want), std::string::npos) << want << '\n' << text;
    for (const auto& f : seedctl::metric_families()) {
        EXPECT_TRUE(f.name.starts_with("seedchip_")) << f.name;
        EXPECT_EQ(f.name.ends_with("_total"), f.type == "counter") << f.name;
        EXPECT_NE(text.find("# TYPE " + std::string(f.name) + ' ' + std::string(f.type) + '\n'),
                  std::string::npos)
            << f.name;
    }
    EXPECT_EQ(text.find("seedchip_hbm_total_bytes"), std::string::npos);
}

TEST(Prometheus, JobFailuresByReasonAreCounters) {
    std::vector<seedctl::MetricsSample> samples(2);
    samples[0].info = sample_device(0);
    seed_mgmt_counters c{};
    c.size = sizeof(c);
    for (auto& n : c.job_failures)
        n = UINT64_MAX; // reasons this driver does not count are left out
    for (unsigned r = SEED_MGMT_JOB_MMU_FAULT; r <= SEED_MGMT_JOB_HW_ERROR; ++r)
        c.job_failures[r] = 0;
    c.job_failures[SEED_MGMT_JOB_MMU_FAULT] = 3;
    c.job_failures[SEED_MGMT_JOB_INVALID_PACKET] = 1;
    samples[0].counters = c;
    samples[1].info = sample_device(1); // counters unreadable
    const std::string text = seedctl::render_prometheus(samples);
    const std::string l0 = "{uuid=\"5eed0000-0000-4000-8000-000000000000\",serial=\"SEEDVM-0000\","
                           "pci=\"0000:00:04.0\"";
    EXPECT_NE(text.find("# TYPE seedchip_job_failures_total counter\n"), std::string::npos);
    for (const std::string& want :
         {"seedchip_job_failures_total" + l0 + ",reason=\"mmu_fault\"} 3\n",
          "seedchip_job_failures_total" + l0 + ",reason=\"invalid_packet\"} 1\n",
          "seedchip_job_failures_total" + l0 + ",reason=\"timeout\"} 0\n",
          "seedchip_job_failures_total" + l0 + ",reason=\"hw_error\"} 0\n"})
        EXPECT_NE(text.find(want), std::string::npos) << want << '\n' << text;
    std::size_t lines = 0;
    for (std::size_t pos = 0;
         (pos = text.find("\nseedchip_job_failures_total{", pos)) != std::string::npos; ++pos)
        ++lines;
    EXPECT_EQ(lines, 8u) << text; // eight reasons of one chip
}

TEST(Diag, OverallResultAndJson) {
    seedctl::DiagResult r{
        sample_device(0), 2, {{"identity", true, "ok", true}, {"gemm", false, "bad", true}}};
    EXPECT_FALSE(r.passed());
    const json doc = json::parse(seedctl::render_diag_json(std::vector{r}));
    EXPECT_EQ(doc.at("devices").at(0).at("diag").at("passed"), false);
    EXPECT_EQ(doc.at("devices").at(0).at("diag").at("checks").at(1).at("name"), "gemm");
    const std::string text = seedctl::render_diag_text(std::vector{r});
    EXPECT_NE(text.find("FAIL"), std::string::npos);
    EXPECT_NE(text.find("Overall: FAIL"), std::string::npos);
}

} // namespace
