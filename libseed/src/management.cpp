// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include <seed/error.hpp>
#include <seed/management.hpp>

#include "context.hpp"
#include "kernel/drm.hpp"
#include "kernel/manage.hpp"
#include "parse.hpp"

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

namespace seed {
namespace {

namespace fs = std::filesystem;

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() &&
           (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

// "123", "4 KiB", "2 MiB", "1 GiB", "123 ns": the number times its unit.
std::optional<std::uint64_t> parse_quantity(std::string_view text) {
    text = trim(text);
    const auto space = text.find(' ');
    const std::string_view number = text.substr(0, space);
    const std::string_view unit =
        space == std::string_view::npos ? std::string_view{} : trim(text.substr(space + 1));
    const auto value = detail::parse_number<std::uint64_t>(number, 10, UINT64_MAX);
    if (!value)
        return std::nullopt;
    std::uint64_t scale = 1;
    if (unit == "KiB")
        scale = std::uint64_t{1} << 10;
    else if (unit == "MiB")
        scale = std::uint64_t{1} << 20;
    else if (unit == "GiB")
        scale = std::uint64_t{1} << 30;
    else if (!unit.empty() && unit != "ns" && unit != "B")
        return std::nullopt;
    return *value * scale;
}

std::optional<std::string> read_text(const fs::path& path) {
    std::ifstream in(path);
    if (!in)
        return std::nullopt;
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad())
        return std::nullopt;
    return ss.str();
}

std::optional<std::uint64_t> read_number(const fs::path& path) {
    const auto text = read_text(path);
    if (!text)
        return std::nullopt;
    return detail::parse_number<std::uint64_t>(trim(*text), 10, UINT64_MAX);
}

bool is_pci_address(std::string_view s) noexcept {
    // dddd:bb:dd.f
    if (s.size() != 12 || s[4] != ':' || s[7] != ':' || s[10] != '.')
        return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (i == 4 || i == 7 || i == 10)
            continue;
        const char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

fs::path device_dir(const DeviceInfo& info, const std::string& sys_dir) {
    return fs::path(sys_dir) / "class" / "accel" / ("accel" + std::to_string(info.minor)) /
           "device";
}

} // namespace

Telemetry read_telemetry(const Device& device) {
    const auto& ctx = detail::context_of(device);
    drm_seed_query_telemetry raw{};
    const int ret = kernel::query_telemetry(ctx->raw_fd(), raw);
    if (ret != 0)
        throw device_error(ret, "DRM_SEED_QUERY_TELEMETRY on " + ctx->info.node);
    Telemetry t;
    t.clock_ns = raw.clock_ns;
    t.host_time_ns = kernel::monotonic_ns();
    t.temperature_mc = raw.temp_mc;
    t.power_mw = raw.power_mw;
    t.core_clock_mhz = raw.core_clk_mhz;
    t.hbm_clock_mhz = raw.hbm_clk_mhz;
    t.ecc_corrected = raw.ecc_corrected;
    t.ecc_uncorrected = raw.ecc_uncorrected;
    t.reset_count = raw.reset_count;
    const std::uint32_t engines =
        std::min<std::uint32_t>(raw.num_engines, std::size(raw.engine_busy_ns));
    t.engine_busy_ns.assign(raw.engine_busy_ns, raw.engine_busy_ns + engines);
    return t;
}

std::vector<double> engine_utilization(const Telemetry& before, const Telemetry& after) {
    const std::size_t engines = after.engine_busy_ns.size();
    std::vector<double> out(engines, 0.0);
    double interval = 0.0;
    if (after.clock_ns > before.clock_ns)
        interval = static_cast<double>(after.clock_ns - before.clock_ns);
    else if (after.host_time_ns > before.host_time_ns)
        interval = static_cast<double>(after.host_time_ns - before.host_time_ns);
    if (interval <= 0.0)
        return out;
    for (std::size_t e = 0; e < engines && e < before.engine_busy_ns.size(); ++e) {
        const std::uint64_t b = before.engine_busy_ns[e];
        const std::uint64_t a = after.engine_busy_ns[e];
        if (a < b)
            continue;
        out[e] = std::clamp(static_cast<double>(a - b) / interval, 0.0, 1.0);
    }
    return out;
}

void reset_device(const Device& device) {
    const auto& ctx = detail::context_of(device);
    const int ret = kernel::reset_device(ctx->raw_fd());
    if (ret == -EPERM || ret == -EACCES) {
        throw errno_error(ret, "reset of " + ctx->info.node +
                                   " needs CAP_SYS_ADMIN (DRM_IOCTL_SEED_RESET)");
    }
    if (ret != 0)
        throw device_error(ret, "DRM_IOCTL_SEED_RESET on " + ctx->info.node);
}

std::optional<FdinfoRecord> parse_fdinfo(std::string_view text) {
    FdinfoRecord rec;
    bool have_driver = false;
    bool have_client = false;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        const std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        const auto colon = line.find(':');
        if (colon == std::string_view::npos)
            continue;
        const std::string_view key = trim(line.substr(0, colon));
        const std::string_view value = trim(line.substr(colon + 1));
        if (key == "drm-driver") {
            rec.driver = std::string(value);
            have_driver = true;
        } else if (key == "drm-pdev") {
            rec.pdev = std::string(value);
        } else if (key == "drm-client-id") {
            const auto id = detail::parse_number<std::uint64_t>(value, 10, UINT64_MAX);
            if (!id)
                return std::nullopt;
            rec.client_id = *id;
            have_client = true;
        } else if (key == "drm-total-hbm") {
            rec.hbm_bytes = parse_quantity(value).value_or(0);
        } else if (key == "drm-total-host") {
            rec.host_bytes = parse_quantity(value).value_or(0);
        } else if (key == "drm-engine-compute") {
            rec.engine_ns = parse_quantity(value).value_or(0);
        }
    }
    if (!have_driver || !have_client)
        return std::nullopt;
    return rec;
}

ProcessScan scan_processes(const std::string& proc_dir) {
    ProcessScan scan;
    std::vector<int> pids;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(proc_dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (const auto pid = detail::parse_number<int>(name, 10, INT32_MAX))
            pids.push_back(*pid);
    }
    std::sort(pids.begin(), pids.end());

    std::map<std::pair<std::string, std::uint64_t>, bool> seen;
    for (const int pid : pids) {
        const fs::path dir = fs::path(proc_dir) / std::to_string(pid);
        std::error_code dir_ec;
        fs::directory_iterator it(dir / "fdinfo", dir_ec);
        if (dir_ec) {
            if (dir_ec == std::errc::permission_denied ||
                dir_ec == std::errc::operation_not_permitted)
                ++scan.unreadable;
            continue; // also: the process exited meanwhile
        }
        std::string command;
        for (; it != fs::directory_iterator(); it.increment(dir_ec)) {
            const auto text = read_text(it->path());
            if (!text)
                continue;
            const auto rec = parse_fdinfo(*text);
            if (!rec || rec->driver != "seed")
                continue;
            if (!seen.emplace(std::pair(rec->pdev, rec->client_id), true).second)
                continue;
            if (command.empty())
                command = std::string(trim(read_text(dir / "comm").value_or("?")));
            scan.processes.push_back(DeviceProcess{pid, command, rec->pdev, rec->client_id,
                                                   rec->hbm_bytes, rec->host_bytes,
                                                   rec->engine_ns});
            if (dir_ec)
                break;
        }
    }
    std::stable_sort(scan.processes.begin(), scan.processes.end(),
                     [](const DeviceProcess& a, const DeviceProcess& b) {
                         return std::pair(a.pid, a.client_id) < std::pair(b.pid, b.client_id);
                     });
    return scan;
}

std::vector<DeviceProcess> processes_of(const ProcessScan& scan, std::string_view pci_address) {
    std::vector<DeviceProcess> out;
    for (const auto& p : scan.processes) {
        if (p.pci_address == pci_address)
            out.push_back(p);
    }
    return out;
}

Topology read_topology(const DeviceInfo& info, const std::string& sys_dir) {
    Topology topo;
    topo.pci_address = info.pci_address;
    topo.driver_version = version_string(info.driver);
    const fs::path dir = device_dir(info, sys_dir);
    std::error_code ec;
    const fs::path real = fs::canonical(dir, ec);
    if (!ec) {
        topo.sysfs_path = real.string();
        for (const auto& part : real) {
            const std::string s = part.string();
            if (is_pci_address(s)) {
                if (!topo.pci_path.empty())
                    topo.pci_path += '/';
                topo.pci_path += s;
            }
        }
    }
    if (topo.pci_path.empty())
        topo.pci_path = info.pci_address;
    if (const auto text = read_text(dir / "numa_node")) {
        const std::string_view v = trim(*text);
        if (!v.empty() && v != "-1") {
            if (const auto n = detail::parse_number<int>(v, 10, INT32_MAX))
                topo.numa_node = *n;
        }
    }
    return topo;
}

SysfsCounters read_sysfs_counters(const DeviceInfo& info, const std::string& sys_dir) {
    const fs::path dir = device_dir(info, sys_dir);
    SysfsCounters c;
    c.irq_count = read_number(dir / "irq_count");
    c.reset_count = read_number(dir / "reset_count");
    c.hbm_used_bytes = read_number(dir / "hbm_used_bytes");
    c.hbm_retired_bytes = read_number(dir / "hbm_retired_bytes");
    c.ecc_corrected = read_number(dir / "ecc_corrected");
    c.ecc_uncorrected = read_number(dir / "ecc_uncorrected");
    return c;
}

} // namespace seed
