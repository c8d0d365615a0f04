// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The DRM clients of SeedChips, from /proc/PID/fdinfo (the DRM usage
// statistics, Documentation/gpu/drm-usage-stats.rst). Keys are read by
// family rather than by name, so engine classes and memory regions the
// driver adds later are counted without a change here.
#include "mgmt.hpp"

#include "parse.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace seed::detail {
namespace {

namespace fs = std::filesystem;

std::string_view trim_line(std::string_view s) {
    s = trim(s);
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
        s.remove_suffix(1);
    return trim(s);
}

// "123", "4 KiB", "2 MiB", "1 GiB", "123 ns": the number times its unit.
std::optional<std::uint64_t> parse_quantity(std::string_view text) {
    text = trim_line(text);
    const auto space = text.find(' ');
    const std::string_view number = text.substr(0, space);
    const std::string_view unit =
        space == std::string_view::npos ? std::string_view{} : trim(text.substr(space + 1));
    const auto value = parse_number<std::uint64_t>(number, 10, UINT64_MAX);
    if (!value)
        return std::nullopt;
    std::uint64_t shift = 0;
    if (unit == "KiB")
        shift = 10;
    else if (unit == "MiB")
        shift = 20;
    else if (unit == "GiB")
        shift = 30;
    else if (!unit.empty() && unit != "ns" && unit != "B")
        return std::nullopt;
    if (shift != 0 && *value > (UINT64_MAX >> shift))
        return std::nullopt;
    return *value << shift;
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

template <std::size_t N>
void copy_text(char (&dst)[N], std::string_view src) {
    const std::size_t n = std::min(src.size(), N - 1);
    std::memcpy(dst, src.data(), n);
    dst[n] = '\0';
}

// Memory of @p region: total, else resident, else the older drm-memory-.
std::uint64_t region_bytes(const std::map<std::string, std::uint64_t>& memory,
                           const std::string& region) {
    for (const char* kind : {"total-", "resident-", "memory-"}) {
        const auto it = memory.find(kind + region);
        if (it != memory.end())
            return it->second;
    }
    return 0;
}

} // namespace

std::optional<FdinfoUsage> parse_fdinfo_usage(std::string_view text) {
    FdinfoUsage usage;
    bool have_driver = false;
    bool have_client = false;
    std::map<std::string, std::uint64_t> memory; // "total-hbm" -> bytes
    while (!text.empty()) {
        const auto nl = text.find('\n');
        const std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        const auto colon = line.find(':');
        if (colon == std::string_view::npos)
            continue;
        const std::string_view key = trim(line.substr(0, colon));
        const std::string_view value = trim_line(line.substr(colon + 1));
        if (!key.starts_with("drm-"))
            continue;
        const std::string_view name = key.substr(4);
        if (name == "driver") {
            usage.driver = std::string(value);
            have_driver = true;
        } else if (name == "pdev") {
            usage.pdev = std::string(value);
        } else if (name == "client-id") {
            const auto id = parse_number<std::uint64_t>(value, 10, UINT64_MAX);
            if (!id)
                return std::nullopt;
            usage.client_id = *id;
            have_client = true;
        } else if (name.starts_with("engine-") && !name.starts_with("engine-capacity-")) {
            if (const auto ns = parse_quantity(value))
                usage.engine_ns[std::string(name.substr(7))] = *ns;
        } else if (name.starts_with("total-") || name.starts_with("resident-") ||
                   name.starts_with("memory-")) {
            if (const auto bytes = parse_quantity(value))
                memory[std::string(name)] = *bytes;
        }
    }
    if (!have_driver || !have_client)
        return std::nullopt;
    for (const auto& [key, bytes] : memory) {
        const std::string region = key.substr(key.find('-') + 1);
        usage.memory_bytes[region] = region_bytes(memory, region);
    }
    return usage;
}

MgmtProcessScan mgmt_scan_processes(const MgmtRoots& roots) {
    MgmtProcessScan scan;
    std::vector<int> pids;
    std::error_code ec;
    for (fs::directory_iterator it(roots.proc, ec), end; !ec && it != end; it.increment(ec)) {
        if (const auto pid = parse_number<int>(it->path().filename().string(), 10, INT32_MAX))
            pids.push_back(*pid);
    }
    std::sort(pids.begin(), pids.end());

    std::set<std::pair<std::string, std::uint64_t>> seen;
    for (const int pid : pids) {
        const fs::path dir = roots.proc / std::to_string(pid);
        std::error_code dir_ec;
        fs::directory_iterator it(dir / "fdinfo", dir_ec);
        if (dir_ec) {
            if (dir_ec == std::errc::permission_denied ||
                dir_ec == std::errc::operation_not_permitted)
                ++scan.unreadable;
            continue; // or the process exited meanwhile
        }
        std::string command;
        for (; !dir_ec && it != fs::directory_iterator(); it.increment(dir_ec)) {
            const auto text = read_text(it->path());
            if (!text)
                continue;
            const auto usage = parse_fdinfo_usage(*text);
            if (!usage || usage->driver != "seed")
                continue;
            if (!seen.emplace(usage->pdev, usage->client_id).second)
                continue;
            if (command.empty())
                command = std::string(trim_line(read_text(dir / "comm").value_or("?")));
            seed_mgmt_process p{};
            p.size = sizeof(p);
            p.pid = pid;
            copy_text(p.command, command);
            copy_text(p.pci_address, usage->pdev);
            p.client_id = usage->client_id;
            p.hbm_bytes = usage->memory_bytes.contains("hbm") ? usage->memory_bytes.at("hbm") : 0;
            p.host_bytes =
                usage->memory_bytes.contains("host") ? usage->memory_bytes.at("host") : 0;
            for (const auto& [engine, ns] : usage->engine_ns)
                p.engine_ns += ns;
            scan.processes.push_back(p);
        }
    }
    std::stable_sort(scan.processes.begin(), scan.processes.end(),
                     [](const seed_mgmt_process& a, const seed_mgmt_process& b) {
                         return std::pair(a.pid, a.client_id) < std::pair(b.pid, b.client_id);
                     });
    return scan;
}

} // namespace seed::detail
