// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// VM tests of seedctl's fleet commands against the chips of the run: query
// fields against `info --json` and sysfs in every format, health now and
// health --watch seeing the driver's reset uevent, and diag's PCIe checks
// against what sysfs has.
#include <seed/seed.hpp>

#include "seedctl_run.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using nlohmann::json;
using seed::vm::contains;
using seed::vm::joined;
using seed::vm::seedctl;
using seed::vm::seedctl_as_nobody;
using seed::vm::seedctl_path;

using SeedctlFleet = seed::vm::SeedctlTest;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

std::vector<std::string> split_csv(const std::string& line) {
    std::vector<std::string> cells;
    std::string cell;
    std::istringstream in(line);
    while (std::getline(in, cell, ','))
        cells.push_back(cell);
    return cells;
}

std::string pci_dir(const seed::DeviceInfo& d) {
    return "/sys/bus/pci/devices/" + d.pci_address + "/";
}

std::uint64_t sysfs_number(const seed::DeviceInfo& d, const std::string& attr) {
    std::ifstream in("/sys/class/accel/accel" + std::to_string(d.minor) + "/device/" + attr);
    std::uint64_t v = 0;
    in >> v;
    return v;
}

// What `health` should say from the driver's sysfs counters (earlier tests
// may have injected uncorrectable errors).
std::string expected_health(const seed::DeviceInfo& d) {
    return sysfs_number(d, "ecc_uncorrected") == 0 && sysfs_number(d, "hbm_retired_bytes") == 0
               ? "ok"
               : "degraded";
}

json info_json() {
    const auto r = seedctl({"info", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return json::parse(r.out).at("devices");
}

// CSV with units and a header: one line per device, every value equal to
// what `info --json` says.
TEST_F(SeedctlFleet, QueryCsvMatchesInfoJson) {
    const json info = info_json();
    ASSERT_EQ(info.size(), devices_.size());
    const std::vector<std::string> args{
        "query",
        "index,pci_address,serial,uuid,hbm.total,hbm.used,num_queues,num_engines,driver_version",
        "--format", "csv"};
    const auto r = seedctl(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(r.err.empty()) << r.err;
    const auto lines = lines_of(r.out);
    ASSERT_EQ(lines.size(), devices_.size() + 1) << r.out;
    EXPECT_EQ(lines[0], "index,pci_address,serial,uuid,hbm.total [B],hbm.used [B],num_queues,"
                        "num_engines,driver_version");
    for (std::size_t i = 0; i < devices_.size(); ++i) {
        const auto& d = info.at(i);
        SCOPED_TRACE(d.at("pci_address").get<std::string>());
        const auto cells = split_csv(lines[i + 1]);
        ASSERT_EQ(cells.size(), 9u) << lines[i + 1];
        EXPECT_EQ(cells[0], std::to_string(d.at("index").get<unsigned>()));
        EXPECT_EQ(cells[1], d.at("pci_address"));
        EXPECT_EQ(cells[2], d.at("serial"));
        EXPECT_EQ(cells[3], d.at("uuid"));
        EXPECT_EQ(cells[4], std::to_string(d.at("hbm_bytes").get<std::uint64_t>()) + " B");
        EXPECT_EQ(cells[5], std::to_string(d.at("hbm_used_bytes").get<std::uint64_t>()) + " B");
        EXPECT_EQ(cells[6], std::to_string(d.at("num_queues").get<unsigned>()));
        EXPECT_EQ(cells[7], std::to_string(d.at("num_engines").get<unsigned>()));
        const auto& v = d.at("driver").at("version");
        EXPECT_EQ(cells[8], std::to_string(v.at("major").get<int>()) + "." +
                                std::to_string(v.at("minor").get<int>()) + "." +
                                std::to_string(v.at("patch").get<int>()));
    }
}

// noheader drops the header line, nounits the units; -d selects one device;
// JSON carries the same values as numbers.
TEST_F(SeedctlFleet, QueryNoheaderNounitsAndJson) {
    const auto& last = devices_.back();
    const std::string dev = std::to_string(last.index);
    const auto r = seedctl({"query", "index,hbm.total,reset_count,ecc.uncorrected", "--format",
                            "csv,noheader,nounits", "-d", dev});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, dev + "," + std::to_string(last.hbm_size) + "," +
                         std::to_string(sysfs_number(last, "reset_count")) + "," +
                         std::to_string(sysfs_number(last, "ecc_uncorrected")) + "\n");

    const auto all = seedctl({"query", "uuid,power", "--format", "csv,noheader"});
    ASSERT_EQ(all.exit_code, 0) << all.err;
    const auto lines = lines_of(all.out);
    ASSERT_EQ(lines.size(), devices_.size()) << all.out;
    for (const auto& line : lines)
        EXPECT_TRUE(line.ends_with(" W")) << line;

    const auto j = seedctl(
        {"query", "index,num_queues,temperature,power,power.cap,health", "--format", "json"});
    ASSERT_EQ(j.exit_code, 0) << j.err;
    const json doc = json::parse(j.out);
    EXPECT_EQ(doc.at("schema_version"), 1);
    ASSERT_EQ(doc.at("devices").size(), devices_.size());
    for (std::size_t i = 0; i < devices_.size(); ++i) {
        const auto& d = doc.at("devices").at(i);
        EXPECT_EQ(d.at("index"), devices_[i].index);
        EXPECT_EQ(d.at("num_queues"), devices_[i].num_queues);
        EXPECT_GT(d.at("temperature").get<double>(), 0.0);
        EXPECT_GT(d.at("power").get<double>(), 0.0);
        EXPECT_EQ(d.at("health"), expected_health(devices_[i]));
        // power.cap comes from hwmon power1_cap (microwatts).
        std::ifstream cap_file;
        for (const auto& e : std::filesystem::directory_iterator(pci_dir(devices_[i]) + "hwmon"))
            cap_file.open(e.path() / "power1_cap");
        std::int64_t cap_uw = 0;
        ASSERT_TRUE(cap_file >> cap_uw);
        EXPECT_DOUBLE_EQ(d.at("power.cap").get<double>(), static_cast<double>(cap_uw) / 1e6);
    }
}

TEST_F(SeedctlFleet, QueryUnknownFieldFails) {
    for (const std::vector<std::string>& args : {std::vector<std::string>{"query", "index,bogus"},
                                                 {"query", "index", "--format", "csv,bogus"},
                                                 {"query"}}) {
        const auto r = seedctl(args);
        EXPECT_EQ(r.exit_code, 2) << joined(args);
        EXPECT_TRUE(r.out.empty()) << r.out;
        EXPECT_TRUE(contains(r.err, "seedctl: error: ")) << r.err;
    }
    const auto r = seedctl({"query", "index,bogus"});
    EXPECT_TRUE(contains(r.err, "unknown field 'bogus'; valid fields: index, node,")) << r.err;
}

TEST_F(SeedctlFleet, HealthShowsEveryDevice) {
    const auto r = seedctl({"health", "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json doc = json::parse(r.out);
    ASSERT_EQ(doc.at("devices").size(), devices_.size());
    for (std::size_t i = 0; i < devices_.size(); ++i) {
        const auto& h = doc.at("devices").at(i).at("health");
        EXPECT_EQ(h.at("state"), expected_health(devices_[i])) << h.dump();
        EXPECT_EQ(h.at("reset_count"), sysfs_number(devices_[i], "reset_count"));
    }
    const auto text = seedctl({"health"});
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_EQ(lines_of(text.out).size(), devices_.size() + 1) << text.out;
}

// A child process running seedctl with stdout to a pipe.
class Background {
public:
    explicit Background(const std::vector<std::string>& args) {
        int out[2];
        if (::pipe2(out, O_CLOEXEC) != 0)
            throw std::runtime_error("pipe");
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(out[1], STDOUT_FILENO);
            ::unsetenv("SEED_VISIBLE_DEVICES");
            std::vector<char*> argv;
            const std::string path = seedctl_path();
            argv.push_back(const_cast<char*>(path.c_str()));
            for (const auto& a : args)
                argv.push_back(const_cast<char*>(a.c_str()));
            argv.push_back(nullptr);
            ::execv(path.c_str(), argv.data());
            ::_exit(127);
        }
        ::close(out[1]);
        out_ = out[0];
    }
    Background(const Background&) = delete;
    Background& operator=(const Background&) = delete;
    ~Background() {
        if (pid_ > 0 && status_ < 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        ::close(out_);
    }

    /// Waits up to @p timeout for the exit; its status, or -1 if still running.
    int wait_for(std::chrono::milliseconds timeout) {
        const auto end = std::chrono::steady_clock::now() + timeout;
        while (status_ < 0) {
            drain();
            int st = 0;
            if (::waitpid(pid_, &st, WNOHANG) == pid_) {
                status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
                break;
            }
            if (std::chrono::steady_clock::now() >= end)
                return -1;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        drain();
        return status_;
    }
    void signal(int sig) const { ::kill(pid_, sig); }
    /// Waits until the child blocks SIGINT and SIGTERM (SigBlk in
    /// /proc/PID/status), i.e. is ready to read them; false on timeout.
    bool wait_signals_blocked(std::chrono::milliseconds timeout) const {
        const auto end = std::chrono::steady_clock::now() + timeout;
        const unsigned long long wanted = (1ull << (SIGINT - 1)) | (1ull << (SIGTERM - 1));
        while (std::chrono::steady_clock::now() < end) {
            std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
            for (std::string line; std::getline(in, line);) {
                if (line.starts_with("SigBlk:") &&
                    (std::stoull(line.substr(7), nullptr, 16) & wanted) == wanted)
                    return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return false;
    }
    [[nodiscard]] const std::string& output() const noexcept { return text_; }

private:
    void drain() {
        pollfd p{out_, POLLIN, 0};
        while (::poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP))) {
            char buf[4096];
            const ssize_t n = ::read(out_, buf, sizeof(buf));
            if (n <= 0)
                break;
            text_.append(buf, static_cast<std::size_t>(n));
        }
    }

    pid_t pid_ = -1;
    int out_ = -1;
    int status_ = -1;
    std::string text_;
};

// health --watch over every device sees the reset of the last one, as one
// JSON line naming that device and the driver's reason. The watcher may
// subscribe after the first reset, so the test resets until it reports.
TEST_F(SeedctlFleet, HealthWatchSeesAResetOfTheRightDevice) {
    const auto& target = devices_.back();
    const auto before = sysfs_number(target, "reset_count");
    Background watch({"health", "--watch", "--json", "--count", "1", "--timeout", "300"});
    // Subscribed once it blocks the signals (it binds the socket first).
    ASSERT_TRUE(watch.wait_signals_blocked(std::chrono::seconds(30))) << watch.output();
    int status = -1;
    unsigned resets = 0;
    for (; resets < 10 && status < 0; ++resets) {
        const auto r = seedctl({"reset", "-d", std::to_string(target.index), "--force"});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        status = watch.wait_for(std::chrono::seconds(5));
    }
    ASSERT_EQ(status, 0) << "after " << resets << " resets: " << watch.output();
    EXPECT_EQ(sysfs_number(target, "reset_count"), before + resets);
    const auto lines = lines_of(watch.output());
    ASSERT_EQ(lines.size(), 1u) << watch.output();
    const json ev = json::parse(lines[0]);
    EXPECT_EQ(ev.at("schema_version"), 1);
    EXPECT_EQ(ev.at("event"), "reset");
    EXPECT_EQ(ev.at("action"), "change");
    EXPECT_TRUE(contains(ev.at("reason").get<std::string>(), "requested by seedctl")) << lines[0];
    EXPECT_EQ(ev.at("device").at("pci_address"), target.pci_address);
    EXPECT_EQ(ev.at("device").at("index"), target.index);
    EXPECT_FALSE(ev.at("time").get<std::string>().empty());
}

// With -d another device, a reset of the target is not reported; text mode
// prints a readable line.
TEST_F(SeedctlFleet, HealthWatchFiltersByDeviceAndPrintsText) {
    if (devices_.size() < 2)
        GTEST_SKIP() << "needs two chips";
    const auto& target = devices_.back();
    const auto& other = devices_.front();
    Background only_other({"health", "--watch", "-d", std::to_string(other.index)});
    Background text({"health", "--watch", "--count", "1", "--timeout", "300"});
    ASSERT_TRUE(only_other.wait_signals_blocked(std::chrono::seconds(30)));
    ASSERT_TRUE(text.wait_signals_blocked(std::chrono::seconds(30)));
    int status = -1;
    for (unsigned n = 0; n < 10 && status < 0; ++n) {
        ASSERT_EQ(seedctl({"reset", "-d", std::to_string(target.index), "--force"}).exit_code, 0);
        status = text.wait_for(std::chrono::seconds(5));
    }
    ASSERT_EQ(status, 0) << text.output();
    EXPECT_TRUE(contains(text.output(), "device " + std::to_string(target.index) + " (" +
                                            target.pci_address + ", " + target.serial +
                                            "): reset, reason requested by seedctl"))
        << text.output();
    // Both sockets got the uevent at once; give the other watcher time to
    // (not) print it, then stop it.
    std::this_thread::sleep_for(std::chrono::seconds(2));
    EXPECT_EQ(only_other.wait_for(std::chrono::milliseconds(0)), -1) << only_other.output();
    only_other.signal(SIGTERM);
    EXPECT_EQ(only_other.wait_for(std::chrono::seconds(30)), 0);
    EXPECT_TRUE(only_other.output().empty()) << only_other.output();
}

// Waits up to @p timeout for @p done; false if it never held.
template <typename F>
bool wait_until(F done, std::chrono::seconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() > end)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return true;
}

// The chip's PCI device unbound from seed.ko and bound again, then removed
// from the bus and found again by a rescan: health --watch -d (by PCI
// address) reports "unbound", "unbound", "removed" for it, from the
// management API's monitor.
TEST_F(SeedctlFleet, HealthWatchSeesUnbindAndRemoval) {
    const auto& target = devices_.back();
    const std::string bound = "/sys/bus/pci/drivers/seed/" + target.pci_address;
    const auto chips_back = [&] {
        return std::filesystem::exists(bound) && seed::vm::all_devices().size() == devices_.size();
    };
    Background watch({"health", "--watch", "--json", "--timeout", "300", "-d", target.pci_address});
    ASSERT_TRUE(watch.wait_signals_blocked(std::chrono::seconds(30))) << watch.output();

    std::ofstream("/sys/bus/pci/drivers/seed/unbind") << target.pci_address;
    ASSERT_TRUE(
        wait_until([&] { return !std::filesystem::exists(bound); }, std::chrono::seconds(60)));
    std::ofstream("/sys/bus/pci/drivers/seed/bind") << target.pci_address;
    ASSERT_TRUE(wait_until(chips_back, std::chrono::seconds(60)));
    std::ofstream(pci_dir(target) + "remove") << "1";
    ASSERT_TRUE(wait_until([&] { return !std::filesystem::exists(pci_dir(target)); },
                           std::chrono::seconds(60)));
    std::ofstream("/sys/bus/pci/rescan") << "1";
    ASSERT_TRUE(wait_until(chips_back, std::chrono::seconds(90))) << "the chip did not come back";

    // Every event has been read once the output has all three (or time is up).
    wait_until(
        [&] {
            watch.wait_for(std::chrono::milliseconds(0)); // reads what it printed
            return lines_of(watch.output()).size() >= 3;
        },
        std::chrono::seconds(30));
    watch.signal(SIGTERM);
    ASSERT_EQ(watch.wait_for(std::chrono::seconds(30)), 0) << watch.output();
    std::vector<std::string> events;
    for (const auto& line : lines_of(watch.output())) {
        const json ev = json::parse(line);
        EXPECT_EQ(ev.at("device").at("pci_address"), target.pci_address) << line;
        EXPECT_EQ(ev.at("device").at("index"), target.index) << line;
        if (ev.at("event") == "reset")
            continue; // a reset at bring-up is not what this test is about
        EXPECT_FALSE(ev.at("seqnum").is_null()) << line;
        events.push_back(ev.at("event"));
    }
    EXPECT_EQ(events, (std::vector<std::string>{"unbound", "unbound", "removed"}))
        << watch.output();
}

TEST_F(SeedctlFleet, HealthWatchExitsCleanlyOnSigintAndSigterm) {
    for (const int sig : {SIGINT, SIGTERM}) {
        Background watch({"health", "--watch"});
        ASSERT_TRUE(watch.wait_signals_blocked(std::chrono::seconds(30))) << watch.output();
        EXPECT_EQ(watch.wait_for(std::chrono::milliseconds(0)), -1) << "exited early";
        watch.signal(sig);
        EXPECT_EQ(watch.wait_for(std::chrono::seconds(30)), 0) << strsignal(sig);
        EXPECT_TRUE(watch.output().empty()) << watch.output();
    }
}

std::filesystem::path hwmon_dir(const seed::DeviceInfo& d) {
    for (const auto& e : std::filesystem::directory_iterator(pci_dir(d) + "hwmon"))
        return e.path();
    return {};
}

std::string hwmon_attr(const seed::DeviceInfo& d, const std::string& name) {
    std::string line;
    std::getline(std::ifstream(hwmon_dir(d) / name), line);
    return line;
}

bool power_cap_writable(const seed::DeviceInfo& d) {
    using std::filesystem::perms;
    const auto mode = std::filesystem::status(hwmon_dir(d) / "power1_cap").permissions();
    return (mode & (perms::owner_write | perms::group_write | perms::others_write)) != perms::none;
}

// set --power-cap goes through hwmon power1_cap to the chip's POWER_LIMIT
// register (docs/hardware.md 15.5; the chip has SEED_CAP_POWER_LIMIT): the
// driver reads the register back, so power1_cap and `query power.cap` show
// what the device took. Out of range fails and changes nothing; another
// chip keeps its limit.
TEST_F(SeedctlFleet, SetPowerCapThroughHwmon) {
    ASSERT_GE(devices_.size(), 2u);
    const auto& d = devices_.front();
    const std::string dev = std::to_string(d.index);
    const std::string before = hwmon_attr(d, "power1_cap");
    const std::string other_before = hwmon_attr(devices_[1], "power1_cap");
    ASSERT_FALSE(before.empty());
    ASSERT_TRUE(power_cap_writable(d)) << "power1_cap of a chip with a power limit is read-only";
    const auto min = std::stoll(hwmon_attr(d, "power1_cap_min"));
    const auto max = std::stoll(hwmon_attr(d, "power1_cap_max"));
    EXPECT_EQ(min, 100000000);
    EXPECT_EQ(max, 300000000);
    const auto target = (min + max) / 2 / 1000000 * 1000000;
    ASSERT_NE(std::to_string(target), before);
    const auto r = seedctl({"set", "-d", dev, "--power-cap", std::to_string(target / 1000000)});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(std::stoll(hwmon_attr(d, "power1_cap")), target);
    EXPECT_EQ(hwmon_attr(devices_[1], "power1_cap"), other_before);
    const auto q = seedctl({"query", "power.cap", "--format", "csv,noheader,nounits", "-d", dev});
    EXPECT_EQ(std::stod(q.out), static_cast<double>(target) / 1e6) << q.out;
    // The kernel refuses what is outside power1_cap_min/max, whoever asks.
    {
        std::ofstream low(hwmon_dir(d) / "power1_cap");
        low << (min - 1000000) << std::endl;
        EXPECT_FALSE(low.good()) << "power1_cap took a value under power1_cap_min";
    }
    EXPECT_EQ(std::stoll(hwmon_attr(d, "power1_cap")), target);
    const auto high = seedctl({"set", "-d", dev, "--power-cap", std::to_string(max / 1000000 + 1)});
    EXPECT_EQ(high.exit_code, 2) << high.err;
    EXPECT_TRUE(contains(high.err, "out of range")) << high.err;
    EXPECT_EQ(std::stoll(hwmon_attr(d, "power1_cap")), target);
    ASSERT_EQ(seedctl({"set", "-d", dev, "--power-cap",
                       std::to_string(static_cast<double>(std::stoll(before)) / 1e6)})
                  .exit_code,
              0);
}

// power1_cap is root's (0644): nobody gets a message and a hint, exit 1,
// and the cap does not change.
TEST_F(SeedctlFleet, SetPowerCapAsNobodyFailsWithAMessage) {
    const auto& d = devices_.front();
    const std::string before = hwmon_attr(d, "power1_cap");
    const auto r = seedctl_as_nobody({"set", "-d", std::to_string(d.index), "--power-cap", "200"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_TRUE(contains(r.err, "seedctl: error:")) << r.err;
    EXPECT_TRUE(contains(r.err, "Permission denied")) << r.err;
    EXPECT_TRUE(contains(r.err, "seedctl: hint:")) << r.err;
    EXPECT_EQ(hwmon_attr(d, "power1_cap"), before);
}

TEST_F(SeedctlFleet, SetRejectsBadValuesAndChangesNothing) {
    const auto& d = devices_.front();
    const std::string before = hwmon_attr(d, "power1_cap");
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"set", "-d", "0", "--power-cap", "0"},
          {"set", "-d", "0", "--power-cap", "-5"},
          {"set", "-d", "0", "--power-cap", "abc"},
          {"set", "--power-cap", "100"},
          {"set", "-d", "0"}}) {
        const auto r = seedctl(args);
        EXPECT_EQ(r.exit_code, 2) << joined(args) << r.err;
        EXPECT_TRUE(r.out.empty()) << r.out;
        EXPECT_TRUE(contains(r.err, "error")) << r.err;
    }
    EXPECT_EQ(hwmon_attr(d, "power1_cap"), before);
}

// diag's PCIe checks report what sysfs has: a link compared with its
// maximum, AER totals, or "not available" when the attributes are absent.
TEST_F(SeedctlFleet, DiagReportsPcieLinkAndAerHonestly) {
    for (const auto& d : devices_) {
        SCOPED_TRACE(d.pci_address);
        const auto r = seedctl({"diag", "-d", std::to_string(d.index), "--json"});
        ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
        const json checks = json::parse(r.out).at("devices").at(0).at("diag").at("checks");
        json link, aer;
        for (const auto& c : checks) {
            if (c.at("name") == "pcie_link")
                link = c;
            if (c.at("name") == "pcie_aer")
                aer = c;
        }
        ASSERT_FALSE(link.is_null()) << checks.dump();
        ASSERT_FALSE(aer.is_null()) << checks.dump();

        std::string speed;
        std::getline(std::ifstream(pci_dir(d) + "current_link_speed"), speed);
        std::string width;
        std::getline(std::ifstream(pci_dir(d) + "current_link_width"), width);
        const bool has_link = (!speed.empty() && speed.find("GT/s") != std::string::npos) ||
                              (!width.empty() && width != "0");
        EXPECT_EQ(link.at("available"), has_link) << link.dump() << " speed '" << speed << "'";
        if (has_link) {
            EXPECT_TRUE(contains(link.at("detail"), " GT/s x")) << link.dump();
        } else {
            EXPECT_TRUE(contains(link.at("detail"), "not available")) << link.dump();
            EXPECT_TRUE(link.at("passed").get<bool>());
        }
        const bool has_aer = std::filesystem::exists(pci_dir(d) + "aer_dev_correctable") ||
                             std::filesystem::exists(pci_dir(d) + "aer_dev_nonfatal") ||
                             std::filesystem::exists(pci_dir(d) + "aer_dev_fatal");
        EXPECT_EQ(aer.at("available"), has_aer) << aer.dump();
        EXPECT_TRUE(contains(aer.at("detail"), has_aer ? " non-fatal, " : "not available"))
            << aer.dump();

        const auto text = seedctl({"diag", "-d", std::to_string(d.index)});
        bool aer_line = false;
        for (const auto& line : lines_of(text.out)) {
            if (!contains(line, "  pcie_aer "))
                continue;
            aer_line = true;
            EXPECT_EQ(contains(line, " N/A "), !has_aer) << line;
        }
        EXPECT_TRUE(aer_line) << text.out;
    }
}

} // namespace
