// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Management of one chip: finding it in sysfs, its identity, memory, PCIe
// link and AER counters, power limit (hwmon), telemetry, health and reset.
#include "mgmt.hpp"

#include "device_spec.hpp"
#include "enumerate.hpp"
#include "kernel/drm.hpp"
#include "kernel/manage.hpp"
#include "parse.hpp"
#include "unique_fd.hpp"

#include <seed/error.hpp>
#include <seed/pci.hpp>
#include <seed/uuid.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace seed::detail {
namespace {

namespace fs = std::filesystem;

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

// The first line of a sysfs attribute, without its newline; "" if unreadable.
std::string read_attr(const fs::path& path) {
    const auto text = read_text(path);
    if (!text)
        return {};
    std::string line = text->substr(0, text->find('\n'));
    return std::string(trim(line));
}

std::optional<std::uint64_t> read_u64(const fs::path& path) {
    return parse_number<std::uint64_t>(read_attr(path), 10, UINT64_MAX);
}

template <std::size_t N>
void copy_text(char (&dst)[N], std::string_view src) {
    const std::size_t n = std::min(src.size(), N - 1);
    std::memcpy(dst, src.data(), n);
    dst[n] = '\0';
}

bool is_pci_address(std::string_view s) {
    return parse_pci_address(s).has_value() && s.size() == 12;
}

fs::path node_path(const MgmtChip& chip, const MgmtRoots& roots) {
    return roots.dev / "accel" / ("accel" + std::to_string(chip.minor));
}

std::string pci_address_of(const MgmtChip& chip) {
    std::error_code ec;
    const fs::path real = fs::canonical(chip.device_dir, ec);
    return ec ? std::string() : real.filename().string();
}

// The hwmon directory named "seedchip" under the PCI device, if any.
std::optional<fs::path> hwmon_dir(const MgmtChip& chip) {
    std::error_code ec;
    for (fs::directory_iterator it(chip.device_dir / "hwmon", ec), end; !ec && it != end;
         it.increment(ec)) {
        if (read_attr(it->path() / "name") == "seedchip")
            return it->path();
    }
    return std::nullopt;
}

UniqueFd open_chip(const MgmtChip& chip, const MgmtRoots& roots) {
    UniqueFd fd;
    const std::string node = node_path(chip, roots).string();
    const int ret = kernel::open_device(node.c_str(), fd);
    if (ret != 0)
        throw device_error(ret, "open " + node);
    return fd;
}

} // namespace

std::vector<MgmtChip> mgmt_chips(const MgmtRoots& roots) {
    std::vector<MgmtChip> chips;
    const fs::path class_root = roots.sys / "class" / "accel";
    std::error_code ec;
    for (fs::directory_iterator it(class_root, ec), end; !ec && it != end; it.increment(ec)) {
        const auto minor = parse_accel_node_name(it->path().filename().string());
        if (!minor)
            continue;
        std::error_code link_ec;
        const fs::path driver = fs::read_symlink(it->path() / "device" / "driver", link_ec);
        if (link_ec || driver.filename() != "seed")
            continue;
        chips.push_back(MgmtChip{0, *minor, it->path(), it->path() / "device"});
    }
    std::sort(chips.begin(), chips.end(),
              [](const MgmtChip& a, const MgmtChip& b) { return a.minor < b.minor; });
    for (std::size_t i = 0; i < chips.size(); ++i)
        chips[i].index = static_cast<unsigned>(i);
    return chips;
}

MgmtChip mgmt_chip(unsigned index, const MgmtRoots& roots) {
    auto chips = mgmt_chips(roots);
    if (index >= chips.size()) {
        throw Error(Errc::device_not_found, "no SeedChip with physical index " +
                                                std::to_string(index) + " (" +
                                                std::to_string(chips.size()) + " present)");
    }
    return chips[index];
}

unsigned mgmt_find(std::string_view spec, const MgmtRoots& roots) {
    const DeviceSpec parsed = parse_device_spec(spec);
    const auto chips = mgmt_chips(roots);
    for (const auto& chip : chips) {
        bool match = false;
        if (const auto* index = std::get_if<unsigned>(&parsed)) {
            match = chip.index == *index;
        } else if (const auto* pci = std::get_if<PciAddress>(&parsed)) {
            match = pci_address_of(chip) == format_pci_address(*pci);
        } else if (const auto* uuid = std::get_if<Uuid>(&parsed)) {
            match = read_attr(chip.device_dir / "uuid") == format_uuid(*uuid);
        } else if (const auto* node = std::get_if<NodePath>(&parsed)) {
            match = fs::path(node->path).filename() == "accel" + std::to_string(chip.minor);
        }
        if (match)
            return chip.index;
    }
    throw Error(Errc::device_not_found, "no SeedChip matches '" + std::string(spec) + "'");
}

void mgmt_identity(const MgmtChip& chip, seed_mgmt_identity& out, const MgmtRoots& roots) {
    seed_mgmt_identity id{};
    id.size = sizeof(id);
    id.index = chip.index;
    id.minor = chip.minor;
    copy_text(id.node, node_path(chip, roots).string());
    copy_text(id.uuid, read_attr(chip.device_dir / "uuid"));
    copy_text(id.serial, read_attr(chip.device_dir / "serial"));
    copy_text(id.hw_revision, read_attr(chip.device_dir / "hw_revision"));
    copy_text(id.fw_version, read_attr(chip.device_dir / "fw_version"));
    copy_text(id.driver_version, read_attr(roots.sys / "module" / "seed" / "version"));
    id.hbm_total_bytes = read_u64(chip.device_dir / "hbm_total_bytes").value_or(0);
    id.num_queues =
        static_cast<std::uint32_t>(read_u64(chip.device_dir / "num_queues").value_or(0));
    id.num_engines =
        static_cast<std::uint32_t>(read_u64(chip.device_dir / "num_engines").value_or(0));
    id.numa_node = -1;
    const std::string numa = read_attr(chip.device_dir / "numa_node");
    if (const auto n = parse_number<int>(numa, 10, INT32_MAX))
        id.numa_node = *n;

    std::error_code ec;
    const fs::path real = fs::canonical(chip.device_dir, ec);
    std::string path;
    if (!ec) {
        copy_text(id.pci_address, real.filename().string());
        for (const auto& part : real) {
            const std::string s = part.string();
            if (!is_pci_address(s))
                continue;
            if (!path.empty())
                path += '/';
            path += s;
        }
    }
    copy_text(id.pci_path, path);
    if (!ec)
        copy_text(id.sysfs_path, real.string());
    if (id.uuid[0] == '\0')
        throw Error(Errc::device_lost, "cannot read the identity of accel" +
                                           std::to_string(chip.minor) + " from sysfs");
    mgmt_deliver(id, out);
}

void mgmt_memory(const MgmtChip& chip, seed_mgmt_memory& out, const MgmtRoots& roots) {
    seed_mgmt_memory m{};
    m.size = sizeof(m);
    const auto total = read_u64(chip.device_dir / "hbm_total_bytes");
    if (!total)
        throw Error(Errc::device_lost,
                    "cannot read hbm_total_bytes of accel" + std::to_string(chip.minor));
    m.total_bytes = *total;
    m.used_bytes = read_u64(chip.device_dir / "hbm_used_bytes").value_or(0);
    m.retired_bytes = read_u64(chip.device_dir / "hbm_retired_bytes").value_or(0);
    m.host_used_bytes = UINT64_MAX;
    if (const auto host = read_u64(chip.device_dir / "host_used_bytes")) {
        m.host_used_bytes = *host;
    } else {
        // A driver older than the attribute: ask the device, if we may.
        UniqueFd fd;
        const std::string node = node_path(chip, roots).string();
        drm_seed_query_memory raw{};
        std::uint32_t size = sizeof(raw);
        if (kernel::open_device(node.c_str(), fd) == 0 &&
            kernel::seed_query(fd.get(), DRM_SEED_QUERY_MEMORY, &raw, size) == 0)
            m.host_used_bytes = raw.host_used;
    }
    mgmt_deliver(m, out);
}

const char* job_failure_name(unsigned reason) noexcept {
    static constexpr const char* names[] = {nullptr,   "mmu_fault",   "invalid_packet",
                                            "timeout", "reset",       "cancelled",
                                            "ecc",     "device_lost", "hw_error"};
    return reason < std::size(names) ? names[reason] : nullptr;
}

void mgmt_counters(const MgmtChip& chip, seed_mgmt_counters& out) {
    seed_mgmt_counters c{};
    c.size = sizeof(c);
    const fs::path& d = chip.device_dir;
    if (!fs::exists(d / "hbm_total_bytes"))
        throw Error(Errc::device_lost, "accel" + std::to_string(chip.minor) + " has gone");
    c.irq_count = read_u64(d / "irq_count").value_or(UINT64_MAX);
    c.reset_count = read_u64(d / "reset_count").value_or(UINT64_MAX);
    for (unsigned r = 1; r < std::size(c.job_failures); ++r) {
        const char* name = job_failure_name(r);
        c.job_failures[r] =
            name != nullptr ? read_u64(d / "job_failures" / name).value_or(UINT64_MAX) : UINT64_MAX;
    }
    mgmt_deliver(c, out);
}

void mgmt_capabilities(const MgmtChip& chip, seed_mgmt_capabilities& out, const MgmtRoots& roots) {
    const UniqueFd fd = open_chip(chip, roots);
    drm_seed_get_info info{};
    int ret = kernel::seed_get_info(fd.get(), info);
    if (ret != 0)
        throw device_error(ret, "DRM_IOCTL_SEED_GET_INFO on accel" + std::to_string(chip.minor));
    DriverInfo driver;
    ret = kernel::drm_get_version(fd.get(), driver);
    if (ret != 0)
        throw device_error(ret, "DRM_IOCTL_VERSION on accel" + std::to_string(chip.minor));
    seed_mgmt_capabilities c{};
    c.size = sizeof(c);
    c.caps = info.caps;
    c.dtypes = info.dtypes;
    c.page_sizes = info.page_sizes;
    c.driver_major = driver.major;
    c.driver_minor = driver.minor;
    c.driver_patch = driver.patchlevel;
    copy_text(c.driver_name, driver.name);
    copy_text(c.driver_description, driver.description);
    mgmt_deliver(c, out);
}

std::optional<std::uint32_t> parse_link_speed(std::string_view text) {
    text = trim(text);
    const auto space = text.find(' ');
    const std::string_view number = text.substr(0, space);
    if (space == std::string_view::npos || !text.substr(space + 1).starts_with("GT/s"))
        return std::nullopt;
    const auto dot = number.find('.');
    const auto whole = parse_number<std::uint32_t>(number.substr(0, dot), 10, 1000);
    if (!whole)
        return std::nullopt;
    std::uint32_t mts = *whole * 1000;
    if (dot != std::string_view::npos) {
        std::string_view frac = number.substr(dot + 1);
        if (frac.empty() || frac.size() > 3 || !all_digits(frac))
            return std::nullopt;
        std::uint32_t scale = 100;
        for (const char c : frac) {
            mts += static_cast<std::uint32_t>(c - '0') * scale;
            scale /= 10;
        }
    }
    return mts;
}

std::optional<std::uint64_t> parse_aer_total(std::string_view text) {
    while (!text.empty()) {
        const auto nl = text.find('\n');
        const std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (!line.starts_with("TOTAL_ERR_"))
            continue;
        const auto space = line.find(' ');
        if (space == std::string_view::npos)
            return std::nullopt;
        return parse_number<std::uint64_t>(trim(line.substr(space + 1)), 10, UINT64_MAX);
    }
    return std::nullopt;
}

void mgmt_pcie(const MgmtChip& chip, seed_mgmt_pcie& out) {
    seed_mgmt_pcie p{};
    p.size = sizeof(p);
    const fs::path& d = chip.device_dir;
    if (!fs::exists(d / "vendor"))
        throw Error(Errc::device_lost, "accel" + std::to_string(chip.minor) + " has gone");
    p.current_width = static_cast<std::uint32_t>(read_u64(d / "current_link_width").value_or(0));
    p.max_width = static_cast<std::uint32_t>(read_u64(d / "max_link_width").value_or(0));
    p.current_speed_mts = parse_link_speed(read_attr(d / "current_link_speed")).value_or(0);
    p.max_speed_mts = parse_link_speed(read_attr(d / "max_link_speed")).value_or(0);
    const auto aer = [&](const char* name) {
        const auto text = read_text(d / name);
        return text ? parse_aer_total(*text).value_or(UINT64_MAX) : UINT64_MAX;
    };
    p.aer_correctable = aer("aer_dev_correctable");
    p.aer_nonfatal = aer("aer_dev_nonfatal");
    p.aer_fatal = aer("aer_dev_fatal");
    mgmt_deliver(p, out);
}

void mgmt_power_limit(const MgmtChip& chip, seed_mgmt_power_limit& out) {
    seed_mgmt_power_limit p{};
    p.size = sizeof(p);
    const auto dir = hwmon_dir(chip);
    if (!dir)
        throw Error(std::make_error_code(std::errc::not_supported),
                    "accel" + std::to_string(chip.minor) + " has no seedchip hwmon device");
    const auto cap = read_u64(*dir / "power1_cap");
    if (!cap)
        throw Error(std::make_error_code(std::errc::not_supported),
                    "cannot read " + (*dir / "power1_cap").string());
    p.current_mw = static_cast<std::uint32_t>(*cap / 1000);
    p.min_mw = static_cast<std::uint32_t>(read_u64(*dir / "power1_cap_min").value_or(0) / 1000);
    p.max_mw = static_cast<std::uint32_t>(read_u64(*dir / "power1_cap_max").value_or(0) / 1000);
    struct stat st {};
    p.settable = ::stat((*dir / "power1_cap").c_str(), &st) == 0 && (st.st_mode & S_IWUSR) ? 1 : 0;
    mgmt_deliver(p, out);
}

void mgmt_set_power_limit(const MgmtChip& chip, std::uint32_t milliwatts) {
    seed_mgmt_power_limit limit{};
    limit.size = sizeof(limit);
    mgmt_power_limit(chip, limit);
    const auto dir = hwmon_dir(chip);
    const std::string file = (*dir / "power1_cap").string();
    if (!limit.settable) {
        throw Error(std::make_error_code(std::errc::not_supported),
                    "the driver does not let the power limit be changed (" + file +
                        " is read-only; the board's limit is " +
                        std::to_string(limit.current_mw / 1000) + " W)");
    }
    if ((limit.min_mw != 0 && milliwatts < limit.min_mw) ||
        (limit.max_mw != 0 && milliwatts > limit.max_mw) || milliwatts == 0) {
        throw Error(Errc::invalid_argument, "power limit " + std::to_string(milliwatts) +
                                                " mW outside [" + std::to_string(limit.min_mw) +
                                                ", " + std::to_string(limit.max_mw) + "] mW");
    }
    const int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        if (err == EACCES || err == EPERM)
            throw errno_error(-err, "setting the power limit needs root (" + file + ")");
        throw errno_error(-err, "open " + file);
    }
    const UniqueFd guard(fd);
    const std::string value = std::to_string(std::uint64_t{milliwatts} * 1000) + "\n";
    if (::write(fd, value.data(), value.size()) != static_cast<ssize_t>(value.size())) {
        const int err = errno;
        throw errno_error(-err, "write " + file);
    }
}

void mgmt_telemetry(const MgmtChip& chip, seed_mgmt_telemetry& out, const MgmtRoots& roots) {
    const UniqueFd fd = open_chip(chip, roots);
    drm_seed_query_telemetry raw{};
    const int ret = kernel::query_telemetry(fd.get(), raw);
    if (ret != 0)
        throw device_error(ret, "DRM_SEED_QUERY_TELEMETRY on accel" + std::to_string(chip.minor));
    seed_mgmt_telemetry t{};
    t.size = sizeof(t);
    t.clock_ns = raw.clock_ns;
    t.host_time_ns = kernel::monotonic_ns();
    t.temperature_mc = raw.temp_mc;
    t.power_mw = raw.power_mw;
    t.core_clock_mhz = raw.core_clk_mhz;
    t.hbm_clock_mhz = raw.hbm_clk_mhz;
    t.ecc_corrected = raw.ecc_corrected;
    t.ecc_uncorrected = raw.ecc_uncorrected;
    t.reset_count = raw.reset_count;
    t.num_engines = std::min<std::uint32_t>(raw.num_engines, std::size(t.engine_busy_ns));
    std::copy_n(raw.engine_busy_ns,
                std::min<std::size_t>(t.num_engines, std::size(raw.engine_busy_ns)),
                t.engine_busy_ns);
    mgmt_deliver(t, out);
}

MgmtUtilization mgmt_utilization(const seed_mgmt_telemetry& before,
                                 const seed_mgmt_telemetry& after) {
    if (before.size < sizeof(std::uint32_t) || after.size < sizeof(std::uint32_t))
        throw Error(Errc::invalid_argument, "structure size member not set");
    std::uint64_t span = after.clock_ns > before.clock_ns ? after.clock_ns - before.clock_ns : 0;
    if (span == 0 && after.host_time_ns > before.host_time_ns)
        span = static_cast<std::uint64_t>(after.host_time_ns - before.host_time_ns);
    const std::uint32_t engines =
        std::min({before.num_engines, after.num_engines,
                  static_cast<std::uint32_t>(std::size(after.engine_busy_ns))});
    MgmtUtilization u;
    if (span == 0 || engines == 0)
        return u;
    std::uint64_t sum = 0;
    for (std::uint32_t e = 0; e < engines; ++e) {
        const std::uint64_t a = before.engine_busy_ns[e], b = after.engine_busy_ns[e];
        const std::uint64_t busy = b > a ? b - a : 0;
        const double ratio = static_cast<double>(busy) / static_cast<double>(span);
        const auto permille = static_cast<std::uint32_t>(std::min(1000.0, ratio * 1000.0 + 0.5));
        u.max_permille = std::max(u.max_permille, permille);
        sum += permille;
    }
    u.mean_permille = static_cast<std::uint32_t>((sum + engines / 2) / engines);
    return u;
}

void mgmt_health(const MgmtChip& chip, seed_mgmt_health& out, const MgmtRoots& roots) {
    seed_mgmt_health h{};
    h.size = sizeof(h);
    const std::string node = node_path(chip, roots).string();
    const auto set = [&](std::uint32_t state, const std::string& detail) {
        h.state = state;
        copy_text(h.detail, detail);
    };
    UniqueFd fd;
    int ret = kernel::open_device(node.c_str(), fd);
    drm_seed_get_info info{};
    drm_seed_query_telemetry telemetry{};
    if (ret == -ENOENT) {
        set(SEED_HEALTH_ABSENT, node + " is gone");
    } else if (ret == -EACCES || ret == -EPERM) {
        set(SEED_HEALTH_DENIED, "open " + node + ": " + std::strerror(-ret));
    } else if (ret == -ENODEV || ret == -ENXIO) {
        set(SEED_HEALTH_LOST, "open " + node + ": " + std::strerror(-ret));
    } else if (ret != 0) {
        set(SEED_HEALTH_FAILING, "open " + node + ": " + std::strerror(-ret));
    } else if ((ret = kernel::seed_get_info(fd.get(), info)) != 0) {
        set(ret == -ENODEV ? SEED_HEALTH_LOST : SEED_HEALTH_FAILING,
            "DRM_IOCTL_SEED_GET_INFO: " + std::string(std::strerror(-ret)));
    } else if ((ret = kernel::query_telemetry(fd.get(), telemetry)) != 0) {
        set(ret == -ENODEV ? SEED_HEALTH_LOST : SEED_HEALTH_FAILING,
            "telemetry query: " + std::string(std::strerror(-ret)));
    } else {
        set(SEED_HEALTH_OK, "answers");
    }
    mgmt_deliver(h, out);
}

void mgmt_reset(const MgmtChip& chip, const MgmtRoots& roots) {
    const UniqueFd fd = open_chip(chip, roots);
    const int ret = kernel::reset_device(fd.get());
    if (ret == -EPERM || ret == -EACCES)
        throw errno_error(ret, "reset of accel" + std::to_string(chip.minor) +
                                   " needs CAP_SYS_ADMIN (DRM_IOCTL_SEED_RESET)");
    if (ret != 0)
        throw device_error(ret, "DRM_IOCTL_SEED_RESET on accel" + std::to_string(chip.minor));
}

} // namespace seed::detail
