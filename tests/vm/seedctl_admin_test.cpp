// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// VM tests of seedctl's administration commands (telemetry, watch, ps,
// reset, diag, topo, cdi, exporter) against the chips of the run: output
// shape and values, exit codes, no device, permission denied, a reset
// racing with queries, and a real Prometheus server scraping the exporter.
#include <seed/seed.hpp>

#include "seedctl_run.hpp"
#include "vm_env.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using nlohmann::json;
using seed::test::EnvChanges;
using seed::test::ProcessResult;
using seed::vm::all_devices;
using seed::vm::contains;
using seed::vm::joined;
using seed::vm::seedctl;
using seed::vm::seedctl_as_nobody;
using seed::vm::seedctl_path;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

std::uint64_t sysfs_number(const seed::DeviceInfo& d, const std::string& attr) {
    std::ifstream in("/sys/class/accel/accel" + std::to_string(d.minor) + "/device/" + attr);
    std::uint64_t v = 0;
    in >> v;
    return v;
}

// tests/cdi/validate-cdi-spec of the source tree (found from the udev
// rule's path, which the build defines).
std::string cdi_validator() {
    const std::string rules = SEED_UDEV_RULES;
    return rules.substr(0, rules.rfind("/tools/udev/")) + "/tests/cdi/validate-cdi-spec";
}

// A child process holding device @p index open with a @p bytes HBM buffer
// until destroyed.
class Holder {
public:
    Holder(unsigned index, std::uint64_t bytes) {
        int ready[2];
        int stop[2];
        if (::pipe(ready) != 0 || ::pipe(stop) != 0)
            throw std::runtime_error("pipe");
        pid_ = ::fork();
        if (pid_ == 0) {
            ::close(ready[0]);
            ::close(stop[1]);
            try {
                const auto dev = seed::Device::open(index);
                const seed::Buffer buf(dev, bytes, seed::Placement::device);
                char c = 'r';
                (void)!::write(ready[1], &c, 1);
                (void)!::read(stop[0], &c, 1); // until the parent closes
            } catch (...) {
                ::_exit(1);
            }
            ::_exit(0);
        }
        ::close(ready[1]);
        ::close(stop[0]);
        stop_ = stop[1];
        char c = 0;
        ok_ = ::read(ready[0], &c, 1) == 1;
        ::close(ready[0]);
    }
    Holder(const Holder&) = delete;
    Holder& operator=(const Holder&) = delete;
    ~Holder() {
        ::close(stop_);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
    [[nodiscard]] pid_t pid() const { return pid_; }
    [[nodiscard]] bool ok() const { return ok_; }

private:
    pid_t pid_ = -1;
    int stop_ = -1;
    bool ok_ = false;
};

using SeedctlAdmin = seed::vm::SeedctlTest;

TEST_F(SeedctlAdmin, InfoShowsHbmTotalAndUsed) {
    const auto r = seedctl({"info", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json doc = json::parse(r.out);
    ASSERT_EQ(doc.at("devices").size(), devices_.size());
    for (std::size_t i = 0; i < devices_.size(); ++i) {
        const auto& j = doc.at("devices").at(i);
        EXPECT_EQ(j.at("hbm_bytes"), devices_[i].hbm_size);
        EXPECT_LE(j.at("hbm_used_bytes").get<std::uint64_t>(), devices_[i].hbm_size);
        EXPECT_TRUE(j.contains("hbm_retired_bytes"));
    }
    const auto text = seedctl({"info", "-d", "0"});
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_TRUE(contains(text.out, "HBM used:")) << text.out;
    EXPECT_TRUE(contains(text.out, "Driver:")) << text.out;
}

TEST_F(SeedctlAdmin, TelemetryJsonIsPlausible) {
    const auto r = seedctl({"telemetry", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json doc = json::parse(r.out);
    EXPECT_EQ(doc.at("schema_version"), 1);
    ASSERT_EQ(doc.at("devices").size(), devices_.size());
    for (std::size_t i = 0; i < devices_.size(); ++i) {
        const auto& t = doc.at("devices").at(i).at("telemetry");
        EXPECT_GT(t.at("temperature_celsius").get<double>(), -40.0);
        EXPECT_LT(t.at("temperature_celsius").get<double>(), 125.0);
        EXPECT_GE(t.at("power_watts").get<double>(), 0.0);
        EXPECT_GT(t.at("core_clock_mhz").get<unsigned>(), 0u);
        EXPECT_EQ(t.at("engine_busy_ns").size(), devices_[i].num_engines);
        EXPECT_EQ(t.at("engine_utilization").size(), devices_[i].num_engines);
        for (const auto& u : t.at("engine_utilization")) {
            EXPECT_GE(u.get<double>(), 0.0);
            EXPECT_LE(u.get<double>(), 1.0);
        }
        EXPECT_EQ(t.at("reset_count"), sysfs_number(devices_[i], "reset_count"));
    }
    const auto text = seedctl({"telemetry", "-d", "0"});
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_TRUE(text.out.starts_with("INDEX")) << text.out;
    EXPECT_TRUE(contains(text.out, " C ")) << text.out;
}

TEST_F(SeedctlAdmin, LoopAndWatchAreBoundedByCount) {
    const auto r = seedctl({"telemetry", "--loop", "20", "--count", "3", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), 3u) << r.out;
    for (const auto& line : lines)
        EXPECT_EQ(json::parse(line).at("devices").size(), devices_.size());

    const auto w = seedctl({"watch", "--loop", "20", "--count", "2", "--csv"});
    ASSERT_EQ(w.exit_code, 0) << w.err;
    EXPECT_EQ(lines_of(w.out).size(), 1 + 2 * devices_.size()) << w.out;
}

TEST_F(SeedctlAdmin, CsvHasAHeaderAndOneLinePerDevice) {
    for (const std::string cmd : {"list", "info", "telemetry"}) {
        const auto r = seedctl({cmd, "--csv"});
        ASSERT_EQ(r.exit_code, 0) << cmd << r.err;
        const auto lines = lines_of(r.out);
        ASSERT_EQ(lines.size(), devices_.size() + 1) << cmd << '\n' << r.out;
        EXPECT_TRUE(lines[0].starts_with("index,")) << lines[0];
        const auto commas = std::count(lines[0].begin(), lines[0].end(), ',');
        for (const auto& l : lines)
            EXPECT_EQ(std::count(l.begin(), l.end(), ','), commas) << l;
    }
    const auto ps = seedctl({"ps", "--csv"});
    ASSERT_EQ(ps.exit_code, 0) << ps.err;
    EXPECT_TRUE(ps.out.starts_with("index,pci_address,uuid,pid,")) << ps.out;
}

TEST_F(SeedctlAdmin, PsShowsAChildHoldingABuffer) {
    const unsigned index = static_cast<unsigned>(devices_.size() - 1);
    const Holder holder(index, 3u << 20);
    ASSERT_TRUE(holder.ok());
    const auto r = seedctl({"ps", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json doc = json::parse(r.out);
    bool found = false;
    for (const auto& dev : doc.at("devices")) {
        for (const auto& p : dev.at("processes")) {
            if (p.at("pid") == holder.pid()) {
                found = true;
                EXPECT_EQ(dev.at("index"), index);
                EXPECT_GE(p.at("hbm_bytes").get<std::uint64_t>(), 3u << 20);
                EXPECT_FALSE(p.at("command").get<std::string>().empty());
            }
        }
    }
    EXPECT_TRUE(found) << r.out;
    EXPECT_EQ(doc.at("uninspected_processes"), 0);
    const auto text = seedctl({"ps"});
    EXPECT_TRUE(contains(text.out, std::to_string(holder.pid()))) << text.out;
    EXPECT_TRUE(contains(text.out, "3.00 MiB")) << text.out;
}

TEST_F(SeedctlAdmin, ResetRefusesWhileInUseUnlessForced) {
    const auto& d = devices_.back();
    const auto before = sysfs_number(d, "reset_count");
    {
        const Holder holder(d.index, 4096);
        ASSERT_TRUE(holder.ok());
        const auto refused = seedctl({"reset", "-d", std::to_string(d.index)});
        EXPECT_EQ(refused.exit_code, 3) << refused.err;
        EXPECT_TRUE(contains(refused.err, "in use by")) << refused.err;
        EXPECT_TRUE(contains(refused.err, std::to_string(holder.pid()))) << refused.err;
        EXPECT_TRUE(contains(refused.err, "--force")) << refused.err;
        EXPECT_EQ(sysfs_number(d, "reset_count"), before);

        const auto forced = seedctl({"reset", "-d", std::to_string(d.index), "--force", "--json"});
        ASSERT_EQ(forced.exit_code, 0) << forced.err;
        const json doc = json::parse(forced.out);
        EXPECT_EQ(doc.at("devices").at(0).at("reset").at("ok"), true);
    }
    EXPECT_EQ(sysfs_number(d, "reset_count"), before + 1);
    const auto idle = seedctl({"reset", "-d", std::to_string(d.index)});
    EXPECT_EQ(idle.exit_code, 0) << idle.err;
    EXPECT_TRUE(contains(idle.out, "reset done")) << idle.out;
    EXPECT_EQ(sysfs_number(d, "reset_count"), before + 2);
}

// Without -d, reset refuses unless --all: exit 2, a message, and no chip's
// reset count moves.
TEST_F(SeedctlAdmin, ResetWithoutDeviceRefusesUnlessAll) {
    std::vector<std::uint64_t> before;
    for (const auto& d : devices_)
        before.push_back(sysfs_number(d, "reset_count"));
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"reset"}, {"reset", "--force"}, {"reset", "--json"}}) {
        const auto r = seedctl(args);
        EXPECT_EQ(r.exit_code, 2) << joined(args) << r.err;
        EXPECT_TRUE(r.out.empty()) << r.out;
        EXPECT_TRUE(contains(r.err, "reset needs -d DEV or --all")) << r.err;
        EXPECT_TRUE(contains(r.err, "hint:")) << r.err;
    }
    for (std::size_t i = 0; i < devices_.size(); ++i)
        EXPECT_EQ(sysfs_number(devices_[i], "reset_count"), before[i]) << devices_[i].pci_address;

    const auto all = seedctl({"reset", "--all", "--force", "--json"});
    ASSERT_EQ(all.exit_code, 0) << all.err;
    EXPECT_EQ(json::parse(all.out).at("devices").size(), devices_.size()) << all.out;
    for (std::size_t i = 0; i < devices_.size(); ++i)
        EXPECT_EQ(sysfs_number(devices_[i], "reset_count"), before[i] + 1)
            << devices_[i].pci_address;
}

TEST_F(SeedctlAdmin, ResetAsNobodyFailsWithAMessage) {
    const auto r = seedctl_as_nobody({"reset", "-d", "0", "--force"});
    const std::string& err = r.err;
    EXPECT_EQ(r.exit_code, 1) << err;
    EXPECT_TRUE(contains(err, "seedctl: error:")) << err;
    EXPECT_TRUE(contains(err, "ermission") || contains(err, "not permitted") ||
                contains(err, "CAP_SYS_ADMIN"))
        << err;
    EXPECT_TRUE(contains(err, "seedctl: hint:")) << err;
}

// Three forced resets, with info and telemetry queries running until the
// last one has returned: every reset must happen (the reset count says so),
// and every query must either succeed with valid JSON or fail with exit 1
// and a message.
TEST_F(SeedctlAdmin, QueriesDuringAResetSucceedOrFailClearly) {
    const auto& d = devices_[0];
    const std::string dev = std::to_string(d.index);
    const auto before = sysfs_number(d, "reset_count");
    std::atomic<bool> resets_done{false};
    std::vector<ProcessResult> resets;
    std::thread resetter([&] {
        for (int i = 0; i < 3; ++i)
            resets.push_back(seedctl({"reset", "-d", dev, "--force"}));
        resets_done = true;
    });
    std::vector<ProcessResult> queries;
    while (!resets_done || queries.size() < 4) {
        queries.push_back(seedctl({"info", "-d", dev, "--json"}));
        queries.push_back(seedctl({"telemetry", "-d", dev, "--json", "--interval", "5"}));
    }
    resetter.join();
    ASSERT_EQ(resets.size(), 3u);
    for (const auto& r : resets) {
        EXPECT_EQ(r.exit_code, 0) << r.err;
        EXPECT_TRUE(contains(r.out, "reset done")) << r.out;
    }
    EXPECT_EQ(sysfs_number(d, "reset_count"), before + 3);
    unsigned answered = 0;
    for (const auto& q : queries) {
        if (q.exit_code == 0) {
            EXPECT_FALSE(json::parse(q.out, nullptr, false).is_discarded()) << q.out;
            ++answered;
        } else {
            EXPECT_EQ(q.exit_code, 1) << q.err;
            EXPECT_TRUE(contains(q.err, "seedctl: error:")) << q.err;
        }
    }
    // A device that is being reset answers again afterwards: not every
    // query can have failed.
    EXPECT_GT(answered, 0u) << queries.size() << " queries";
    // And the device works afterwards.
    EXPECT_EQ(seedctl({"diag", "-d", dev}).exit_code, 0);
}

TEST_F(SeedctlAdmin, DiagLevelsOneAndTwoPassOnEveryDevice) {
    for (const std::string level : {"1", "2"}) {
        const auto r = seedctl({"diag", "--level", level, "--json"});
        EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
        const json doc = json::parse(r.out);
        ASSERT_EQ(doc.at("devices").size(), devices_.size());
        for (const auto& d : doc.at("devices")) {
            EXPECT_EQ(d.at("diag").at("passed"), true) << d.dump(2);
            EXPECT_EQ(d.at("diag").at("level"), std::stoi(level));
        }
    }
    const auto text = seedctl({"diag", "-d", "0", "--level", "2"});
    EXPECT_EQ(text.exit_code, 0) << text.out;
    for (const char* check : {"identity", "interrupts", "telemetry", "dma_patterns", "gemm"})
        EXPECT_TRUE(contains(text.out, check)) << text.out;
    EXPECT_TRUE(contains(text.out, "Overall: PASS")) << text.out;
}

TEST_F(SeedctlAdmin, DiagLevelThreeSweepsFreeHbm) {
    const auto& d = devices_.back();
    const auto r = seedctl({"diag", "--level", "3", "-d", std::to_string(d.index), "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    const json doc = json::parse(r.out);
    const auto& checks = doc.at("devices").at(0).at("diag").at("checks");
    ASSERT_EQ(checks.back().at("name"), "hbm_sweep");
    EXPECT_EQ(checks.back().at("passed"), true) << checks.back().dump();
}

TEST_F(SeedctlAdmin, TopoShowsPciPathAndNuma) {
    const auto r = seedctl({"topo", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json doc = json::parse(r.out);
    ASSERT_EQ(doc.at("devices").size(), devices_.size());
    for (std::size_t i = 0; i < devices_.size(); ++i) {
        const auto& j = doc.at("devices").at(i);
        EXPECT_TRUE(j.at("pci_path").get<std::string>().ends_with(devices_[i].pci_address));
        EXPECT_TRUE(j.at("numa_node").is_number_integer());
        EXPECT_EQ(j.at("driver_version"), seed::version_string(devices_[i].driver));
    }
    const auto text = seedctl({"topo"});
    EXPECT_TRUE(text.out.starts_with("INDEX")) << text.out;
}

TEST_F(SeedctlAdmin, CdiGenerateDescribesEveryChip) {
    const std::string file = "/tmp/seedctl-cdi-test.json";
    const auto r = seedctl({"cdi", "generate", "-o", file});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::ifstream in(file);
    const json spec = json::parse(in);
    EXPECT_EQ(spec.at("cdiVersion"), "0.5.0");
    EXPECT_EQ(spec.at("kind"), "seedchip.org/accel");
    ASSERT_EQ(spec.at("devices").size(), 2 * devices_.size() + 1);
    std::set<std::string> env_names;
    for (const auto& d : devices_) {
        bool by_index = false, by_uuid = false;
        for (const auto& entry : spec.at("devices")) {
            const auto node = entry.at("containerEdits").at("deviceNodes").at(0).at("path");
            if (entry.at("name") == std::to_string(d.index))
                by_index = node == d.node;
            if (entry.at("name") == seed::format_uuid(d.uuid)) {
                by_uuid = node == d.node;
                const auto& env = entry.at("containerEdits").at("env");
                ASSERT_EQ(env.size(), 1u) << env.dump();
                const std::string var = env.at(0);
                EXPECT_EQ(var.substr(var.find('=') + 1), seed::format_uuid(d.uuid));
                env_names.insert(var.substr(0, var.find('=')));
            }
        }
        EXPECT_TRUE(by_index && by_uuid) << d.node;
        struct stat st {};
        EXPECT_EQ(::stat(d.node.c_str(), &st), 0);
    }
    // Every chip has a variable of its own, so they compose in one container.
    EXPECT_EQ(env_names.size(), devices_.size());
    const auto out = seedctl({"cdi", "generate"});
    EXPECT_EQ(json::parse(out.out), spec);
}

// The spec is valid against a JSON schema of the CDI spec (podman cannot
// run a container in the busybox guest: no image, no registry), and the
// validator rejects a broken one.
TEST_F(SeedctlAdmin, CdiSpecIsValidAgainstTheSchema) {
    const std::string file = "/tmp/seedctl-cdi-schema.json";
    ASSERT_EQ(seedctl({"cdi", "generate", "-o", file}).exit_code, 0);
    std::ifstream in(file);
    const json spec = json::parse(in);

    // The generated spec is valid, and each broken copy is not (the schema
    // and the validator catch what they should). One validator run checks
    // them all: starting Python takes seconds in the guest.
    std::vector<std::string> args{"/usr/bin/python3", cdi_validator(), file};
    std::vector<std::string> broken_what;
    const auto add_broken = [&](const std::string& what, const json& broken) {
        const std::string path =
            "/tmp/seedctl-cdi-broken-" + std::to_string(broken_what.size()) + ".json";
        std::ofstream(path) << broken.dump(2);
        args.push_back(path);
        broken_what.push_back(what);
    };
    json no_kind = spec;
    no_kind.erase("kind");
    add_broken("no kind", no_kind);
    json bad_name = spec;
    bad_name["devices"][0]["name"] = "has space";
    add_broken("bad name", bad_name);
    json bad_node = spec;
    bad_node["devices"][0]["containerEdits"]["deviceNodes"][0]["type"] = "x";
    add_broken("bad node type", bad_node);
    json duplicate = spec;
    duplicate["devices"].push_back(spec["devices"][0]);
    add_broken("duplicate name", duplicate);

    const auto r = seed::test::run_process(args);
    EXPECT_EQ(r.exit_code, 1) << r.err << r.out;
    const auto lines = lines_of(r.out);
    const auto said = [&](const std::string& prefix) {
        return std::any_of(lines.begin(), lines.end(),
                           [&](const std::string& l) { return l.starts_with(prefix); });
    };
    EXPECT_TRUE(said("valid " + file)) << r.out << r.err;
    EXPECT_FALSE(said("invalid " + file)) << r.out;
    for (std::size_t i = 0; i < broken_what.size(); ++i)
        EXPECT_TRUE(said("invalid " + args[3 + i] + ":")) << broken_what[i] << " was not rejected\n"
                                                          << r.out << r.err;
}

// A container given two chips gets the environment of both CDI devices;
// libseed then sees exactly those two, in physical order.
TEST_F(SeedctlAdmin, CdiEnvironmentOfTwoChipsComposes) {
    ASSERT_GE(devices_.size(), 2u) << "the seedctl tests run with 2 and 4 chips";
    const auto gen = seedctl({"cdi", "generate"});
    ASSERT_EQ(gen.exit_code, 0) << gen.err;
    const json spec = json::parse(gen.out);
    const std::size_t first = 0;
    const std::size_t second = devices_.size() >= 3 ? 2 : 1;
    EnvChanges env = {{"SEED_VISIBLE_DEVICES", std::nullopt}};
    for (const std::size_t want : {second, first}) { // the runtime's order does not matter
        for (const auto& entry : spec.at("devices")) {
            if (entry.at("name") != std::to_string(want))
                continue;
            for (const std::string var : entry.at("containerEdits").at("env")) {
                const auto eq = var.find('=');
                ASSERT_FALSE(env.contains(var.substr(0, eq))) << "same variable twice: " << var;
                env[var.substr(0, eq)] = var.substr(eq + 1);
            }
        }
    }
    ASSERT_EQ(env.size(), 3u);
    auto args = std::vector<std::string>{seedctl_path(), "list", "--json"};
    const auto r = seed::test::run_process(args, env);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json doc = json::parse(r.out);
    ASSERT_EQ(doc.at("devices").size(), 2u) << r.out;
    EXPECT_EQ(doc.at("devices").at(0).at("uuid"), seed::format_uuid(devices_[first].uuid));
    EXPECT_EQ(doc.at("devices").at(1).at("uuid"), seed::format_uuid(devices_[second].uuid));

    // With SEED_VISIBLE_DEVICES as well, the two add up.
    env["SEED_VISIBLE_DEVICES"] = std::to_string(devices_.size() - 1);
    const auto both = seed::test::run_process(args, env);
    ASSERT_EQ(both.exit_code, 0) << both.err;
    const json joined_doc = json::parse(both.out);
    const std::size_t want = second == devices_.size() - 1 ? 2u : 3u;
    EXPECT_EQ(joined_doc.at("devices").size(), want) << both.out;
    EXPECT_EQ(joined_doc.at("devices").at(0).at("uuid"), seed::format_uuid(devices_.back().uuid));

    // A malformed per-device variable is an error, not silently ignored.
    const auto bad = seed::test::run_process(
        args, {{"SEED_VISIBLE_DEVICES", std::nullopt}, {"SEED_VISIBLE_DEVICE_X", "nope"}});
    EXPECT_NE(bad.exit_code, 0) << bad.out;
    EXPECT_TRUE(contains(bad.err, "SEED_VISIBLE_DEVICE_X")) << bad.err;
}

// The spec names chips by physical index whatever the caller's visibility.
TEST_F(SeedctlAdmin, CdiGenerateIgnoresVisibleDevices) {
    const auto all = seedctl({"cdi", "generate"});
    const auto restricted = seedctl(
        {"cdi", "generate"}, {{"SEED_VISIBLE_DEVICES", std::to_string(devices_.size() - 1)}});
    ASSERT_EQ(restricted.exit_code, 0) << restricted.err;
    EXPECT_EQ(json::parse(restricted.out), json::parse(all.out));
    EXPECT_TRUE(contains(restricted.err, "ignoring SEED_VISIBLE_DEVICES")) << restricted.err;
}

// Commands that need a device fail with exit 1 and a hint when none is visible.
TEST(SeedctlAdminNoDevice, EveryCommandFailsClearly) {
    const EnvChanges none = {{"SEED_VISIBLE_DEVICES", ""}};
    for (const std::vector<std::string>& args : {std::vector<std::string>{"telemetry"},
                                                 {"watch", "--count", "1"},
                                                 {"ps"},
                                                 {"reset", "--all"},
                                                 {"diag"},
                                                 {"topo"},
                                                 {"info", "--csv"}}) {
        const auto r = seedctl(args, none);
        EXPECT_EQ(r.exit_code, 1) << joined(args);
        EXPECT_TRUE(r.out.empty()) << joined(args) << r.out;
        EXPECT_TRUE(contains(r.err, "no SeedChip devices found")) << joined(args) << r.err;
        EXPECT_TRUE(contains(r.err, "hint:")) << r.err;
    }
    const auto list = seedctl({"list", "--csv"}, none);
    EXPECT_EQ(list.exit_code, 0);
    EXPECT_EQ(lines_of(list.out).size(), 1u) << list.out;
}

TEST(SeedctlAdminUsage, MalformedArgumentsExitTwo) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"telemetry", "--loop", "abc"},
          {"telemetry", "--count", "0"},
          {"telemetry", "--json", "--csv"},
          {"diag", "--level", "5"},
          {"diag", "--level"},
          {"reset", "--bogus"},
          {"reset", "-d", "not-a-device"},
          {"reset", "--all", "-d", "0"},
          {"ps", "extra"},
          {"topo", "--csv"},
          {"cdi"},
          {"cdi", "frobnicate"},
          {"exporter", "--listen", "no-port"},
          {"exporter", "--max-requests", "x"}}) {
        const auto r = seedctl(args);
        EXPECT_EQ(r.exit_code, 2) << joined(args) << r.err;
        EXPECT_TRUE(r.out.empty()) << joined(args) << r.out;
        EXPECT_TRUE(contains(r.err, "error")) << joined(args) << r.err;
    }
}

TEST(SeedctlAdminUsage, EverySubcommandHasHelp) {
    for (const std::string cmd : {"list", "info", "query", "telemetry", "watch", "ps", "reset",
                                  "health", "set", "diag", "topo", "cdi", "exporter"}) {
        const auto r = seedctl({cmd, "--help"});
        EXPECT_EQ(r.exit_code, 0) << cmd;
        EXPECT_TRUE(contains(r.out, "Usage:")) << r.out;
        EXPECT_TRUE(contains(r.out, "Exit status")) << cmd << r.out;
    }
}

// --- exporter and Prometheus ------------------------------------------------

void loopback_up() {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    ifreq ifr{};
    std::snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
    if (::ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_UP) == 0) {
        ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP);
        ::ioctl(fd, SIOCSIFFLAGS, &ifr);
    }
    ::close(fd);
}

// GET http://127.0.0.1:port/path; empty string if nothing answered.
std::string http_get(int port, const std::string& path) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string response;
    // A server that never answers fails the test instead of hanging it.
    const timeval timeout{60, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
        const std::string req = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
        (void)!::write(fd, req.data(), req.size());
        char buf[4096];
        for (ssize_t n; (n = ::read(fd, buf, sizeof(buf))) > 0;)
            response.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    const auto body = response.find("\r\n\r\n");
    return body == std::string::npos ? std::string() : response.substr(body + 4);
}

// A background process, killed when destroyed.
class Background {
public:
    explicit Background(const std::vector<std::string>& argv, const std::string& log) {
        pid_ = ::fork();
        if (pid_ == 0) {
            const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(out, STDOUT_FILENO);
            ::dup2(out, STDERR_FILENO);
            ::unsetenv("SEED_VISIBLE_DEVICES");
            std::vector<char*> args;
            for (const auto& a : argv)
                args.push_back(const_cast<char*>(a.c_str()));
            args.push_back(nullptr);
            ::execv(args[0], args.data());
            ::_exit(127);
        }
    }
    Background(const Background&) = delete;
    Background& operator=(const Background&) = delete;
    ~Background() {
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }

private:
    pid_t pid_ = -1;
};

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

TEST_F(SeedctlAdmin, ExporterServesMetrics) {
    loopback_up();
    const int port = 19400;
    const std::uint64_t held = 3u << 20;
    const Holder holder(0, held);
    ASSERT_TRUE(holder.ok());
    const Background exporter(
        {seedctl_path(), "exporter", "--listen", "127.0.0.1:" + std::to_string(port)},
        "/tmp/seedctl-exporter-direct.log");
    std::string body;
    for (int i = 0; i < 100 && body.empty(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        body = http_get(port, "/metrics");
    }
    ASSERT_FALSE(body.empty()) << read_file("/tmp/seedctl-exporter-direct.log");
    for (const auto& d : devices_) {
        const std::string base = "{uuid=\"" + seed::format_uuid(d.uuid) + "\",serial=\"" +
                                 d.serial + "\",pci=\"" + d.pci_address + "\"";
        const std::string labels = base + "}";
        EXPECT_TRUE(contains(body, "seedchip_hbm_size_bytes" + labels + ' ' +
                                       std::to_string(d.hbm_size) + '\n'))
            << body;
        EXPECT_TRUE(contains(body, "seedchip_up" + labels + " 1\n")) << body;
        EXPECT_TRUE(contains(body, "seedchip_info" + base + ",index=\"" + std::to_string(d.index) +
                                       "\",driver_version=\"" + seed::version_string(d.driver) +
                                       "\",firmware_version=\"" + seed::to_string(d.fw_version) +
                                       "\",hardware_revision=\"" + seed::to_string(d.hw_revision) +
                                       "\"} 1\n"))
            << body;
        EXPECT_TRUE(contains(body, "seedchip_hbm_retired_bytes" + labels + ' ' +
                                       std::to_string(sysfs_number(d, "hbm_retired_bytes")) + '\n'))
            << body;
        EXPECT_TRUE(contains(body, "seedchip_power_cap_watts" + labels + ' ')) << body;
    }
    // The holder's buffer, under its pid and command.
    const auto& d0 = devices_[0];
    const std::string process = "seedchip_process_hbm_bytes{uuid=\"" + seed::format_uuid(d0.uuid) +
                                "\",serial=\"" + d0.serial + "\",pci=\"" + d0.pci_address +
                                "\",pid=\"" + std::to_string(holder.pid()) + "\",command=\"";
    const auto at = body.find(process);
    ASSERT_NE(at, std::string::npos) << body;
    const auto value_at = body.find("} ", at) + 2;
    EXPECT_GE(std::stoull(body.substr(value_at)), held) << body.substr(at, 200);
    EXPECT_TRUE(contains(body, "seedchip_process_engine_busy_seconds_total{uuid=\"" +
                                   seed::format_uuid(d0.uuid)))
        << body;
    for (const char* metric :
         {"# TYPE seedchip_temperature_celsius gauge", "# TYPE seedchip_power_watts gauge",
          "# TYPE seedchip_hbm_used_bytes gauge", "# TYPE seedchip_ecc_errors_total counter",
          "# TYPE seedchip_info gauge", "# TYPE seedchip_process_hbm_bytes gauge",
          "# TYPE seedchip_process_engine_busy_seconds_total counter", "type=\"uncorrected\"",
          "engine=\"0\"", "# TYPE seedchip_resets_total counter"})
        EXPECT_TRUE(contains(body, metric)) << metric << '\n' << body;
    // Prometheus naming: _total only on counters, and the old gauge is gone.
    for (const auto& line : lines_of(body)) {
        if (!line.starts_with("# TYPE "))
            continue;
        const bool total = contains(line, "_total ");
        EXPECT_EQ(total, line.ends_with(" counter")) << line;
    }
    EXPECT_FALSE(contains(body, "seedchip_hbm_total_bytes")) << body;
    EXPECT_TRUE(contains(http_get(port, "/nope"), "not found"));
}

// Connects to 127.0.0.1:port; -1 on failure.
int connect_local(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Many clients that connect and say nothing, or stop in the middle of a
// request, do not delay the scrapes of others: each is answered promptly.
// A one-request-at-a-time server would wait on the first stalled client for
// as long as the exporter's --timeout (600 s here). A scrape itself takes
// seconds in an emulated guest on the debug kernel, so the deadline is half
// the timeout, not a figure for real hardware.
TEST_F(SeedctlAdmin, ExporterAnswersWhileManyClientsStall) {
    loopback_up();
    const int port = 19402;
    const Background exporter({seedctl_path(), "exporter", "--listen",
                               "127.0.0.1:" + std::to_string(port), "--timeout", "600"},
                              "/tmp/seedctl-exporter-stall.log");
    std::string first;
    for (int i = 0; i < 100 && first.empty(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        first = http_get(port, "/metrics");
    }
    ASSERT_FALSE(first.empty()) << read_file("/tmp/seedctl-exporter-stall.log");

    std::vector<int> stalled;
    for (int i = 0; i < 48; ++i) {
        const int fd = connect_local(port);
        ASSERT_GE(fd, 0) << "client " << i;
        if (i % 2 == 1) { // half a request, never finished
            const std::string part = "GET /metrics HTTP/1.1\r\nHost: 127.0";
            ASSERT_EQ(::write(fd, part.data(), part.size()), static_cast<ssize_t>(part.size()));
        }
        stalled.push_back(fd);
    }
    // Scrapes from several threads at once, each within a deadline far
    // below the stalled clients' timeout.
    std::atomic<int> answered = 0;
    std::vector<std::thread> scrapers;
    const auto start = std::chrono::steady_clock::now();
    for (int t = 0; t < 4; ++t)
        scrapers.emplace_back([&] {
            for (int i = 0; i < 3; ++i)
                if (contains(http_get(port, "/metrics"), "seedchip_up{"))
                    ++answered;
        });
    for (auto& t : scrapers)
        t.join();
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(answered.load(), 12);
    EXPECT_LT(took, std::chrono::seconds(300)) << read_file("/tmp/seedctl-exporter-stall.log");
    // The stalled clients are still connected (not dropped to make room).
    for (const int fd : stalled) {
        pollfd p{fd, POLLIN, 0};
        EXPECT_EQ(::poll(&p, 1, 0), 0) << "a stalled client was closed";
        ::close(fd);
    }
}

TEST_F(SeedctlAdmin, ExporterWritesTextfileAtomically) {
    const std::string dir = "/tmp/seedctl-textfile";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::string file = dir + "/seedchip.prom";
    const auto r = seedctl({"exporter", "--textfile", file, "--once"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string text = read_file(file);
    for (const auto& d : devices_)
        EXPECT_TRUE(contains(text, "seedchip_up{uuid=\"" + seed::format_uuid(d.uuid))) << text;
    EXPECT_TRUE(contains(text, "# TYPE seedchip_info gauge")) << text;
    unsigned files = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
        ++files;
        EXPECT_EQ(e.path().filename().string(), "seedchip.prom") << "left behind: " << e.path();
    }
    EXPECT_EQ(files, 1u);
    // Rewritten on an interval: a stale file is replaced.
    { std::ofstream(file) << "stale\n"; }
    const Background looping({seedctl_path(), "exporter", "--textfile", file, "--interval", "1"},
                             dir + "/../seedctl-textfile.log");
    bool replaced = false;
    for (int i = 0; i < 300 && !replaced; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        replaced = contains(read_file(file), "seedchip_up{");
    }
    EXPECT_TRUE(replaced) << read_file(dir + "/../seedctl-textfile.log");

    for (const std::vector<std::string>& bad :
         {std::vector<std::string>{"exporter", "--textfile", dir + "/seedchip.txt", "--once"},
          {"exporter", "--textfile", "/nonexistent-dir/seedchip.prom", "--once"},
          {"exporter", "--textfile", file, "--listen", ":1"},
          {"exporter", "--once"},
          {"exporter", "--textfile", file, "--interval", "0"},
          {"exporter", "--listen", "127.0.0.1:70000"},
          {"exporter", "--max-connections", "0"}}) {
        const auto e = seedctl(bad);
        EXPECT_EQ(e.exit_code, 2) << joined(bad) << e.err;
        EXPECT_TRUE(contains(e.err, "error")) << joined(bad) << e.err;
    }
}

TEST_F(SeedctlAdmin, PrometheusScrapesTheExporter) {
    const std::string prometheus = "/usr/bin/prometheus";
    if (::access(prometheus.c_str(), X_OK) != 0)
        GTEST_SKIP() << "prometheus not installed (tools/seed-deps installs it)";
    loopback_up();
    const int exporter_port = 19401;
    const int prom_port = 19090;
    const std::string dir = "/tmp/seedctl-prometheus";
    ::mkdir(dir.c_str(), 0755);
    {
        std::ofstream cfg(dir + "/prometheus.yml");
        // Prometheus times a scrape out after the interval at most: on the
        // debug kernel one scrape of 4 chips (with every process's fdinfo)
        // takes seconds, so allow it 10.
        cfg << "global:\n  scrape_interval: 10s\n  scrape_timeout: 10s\n"
            << "  evaluation_interval: 10s\n"
            << "scrape_configs:\n  - job_name: seedchip\n    static_configs:\n"
            << "      - targets: ['127.0.0.1:" << exporter_port << "']\n";
    }
    const Background exporter(
        {seedctl_path(), "exporter", "--listen", "127.0.0.1:" + std::to_string(exporter_port)},
        dir + "/exporter.log");
    const Background server({prometheus, "--config.file=" + dir + "/prometheus.yml",
                             "--storage.tsdb.path=" + dir + "/data",
                             "--web.listen-address=127.0.0.1:" + std::to_string(prom_port)},
                            dir + "/prometheus.log");
    json result;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(180);
    while (std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        const std::string body = http_get(prom_port, "/api/v1/query?query=seedchip_hbm_size_bytes");
        if (body.empty())
            continue;
        const json j = json::parse(body, nullptr, false);
        if (j.is_discarded() || j.value("status", "") != "success")
            continue;
        if (j.at("data").at("result").size() == devices_.size()) {
            result = j.at("data").at("result");
            break;
        }
    }
    ASSERT_FALSE(result.is_null())
        << read_file(dir + "/prometheus.log") << read_file(dir + "/exporter.log");
    for (const auto& d : devices_) {
        bool found = false;
        for (const auto& series : result) {
            if (series.at("metric").at("uuid") == seed::format_uuid(d.uuid)) {
                found = true;
                EXPECT_EQ(series.at("metric").at("serial"), d.serial);
                EXPECT_EQ(series.at("metric").at("pci"), d.pci_address);
                EXPECT_EQ(series.at("value").at(1), std::to_string(d.hbm_size));
            }
        }
        EXPECT_TRUE(found) << d.node << '\n' << result.dump(2);
    }
}

} // namespace
