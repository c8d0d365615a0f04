// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include "enumerate.hpp"

#include "decode.hpp"
#include "kernel/drm.hpp"
#include "parse.hpp"
#include "visible_devices.hpp"

#include <seed/error.hpp>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <optional>
#include <string>
#include <system_error>

#include <unistd.h>

namespace seed::detail {
namespace {

constexpr std::string_view seed_driver_name = "seed";

enum class SysfsDriver { seed, other, unknown };

// Which driver sysfs says is bound to accel node @p name. Nodes of other
// drivers are skipped unopened; for our own, a failure to open or query
// is an error rather than a reason to skip. Without sysfs (unknown) the
// DRM driver name decides.
SysfsDriver sysfs_driver(const std::filesystem::path& sys_dir, const std::string& name) {
    std::error_code ec;
    const auto driver = std::filesystem::read_symlink(sys_dir / name / "device" / "driver", ec);
    if (ec)
        return SysfsDriver::unknown;
    if (driver.filename() == seed_driver_name)
        return SysfsDriver::seed;
    const auto module =
        std::filesystem::read_symlink(sys_dir / name / "device" / "driver" / "module", ec);
    if (!ec && module.filename() == seed_driver_name)
        return SysfsDriver::seed;
    return SysfsDriver::other;
}

bool vanished(int err) noexcept {
    return err == -ENOENT || err == -ENXIO || err == -ENODEV;
}

std::optional<ProbedDevice> probe_node(const ProbePaths& paths, const std::string& name,
                                       unsigned minor) {
    // Another driver's node is not even opened: that could wake it up.
    const SysfsDriver driver = sysfs_driver(paths.sys_dir, name);
    if (driver == SysfsDriver::other)
        return std::nullopt;

    ProbedDevice dev;
    dev.info.minor = minor;
    dev.info.node = (paths.dev_dir / name).string();

    int ret = kernel::open_device(dev.info.node.c_str(), dev.fd);
    if (ret < 0) {
        if (vanished(ret) || driver != SysfsDriver::seed)
            return std::nullopt;
        throw errno_error(ret, "open " + dev.info.node);
    }

    ret = kernel::drm_get_version(dev.fd.get(), dev.info.driver);
    if (ret < 0) {
        if (vanished(ret) || driver != SysfsDriver::seed)
            return std::nullopt;
        throw errno_error(ret, "DRM_IOCTL_VERSION on " + dev.info.node);
    }
    if (dev.info.driver.name != seed_driver_name)
        return std::nullopt;

    drm_seed_get_info raw{};
    ret = kernel::seed_get_info(dev.fd.get(), raw);
    if (ret < 0) {
        if (vanished(ret))
            return std::nullopt;
        throw errno_error(ret, "DRM_IOCTL_SEED_GET_INFO on " + dev.info.node);
    }
    decode_get_info(raw, dev.info);
    return dev;
}

} // namespace

std::optional<unsigned> parse_accel_node_name(std::string_view name) noexcept {
    constexpr std::string_view prefix = "accel";
    if (!name.starts_with(prefix))
        return std::nullopt;
    name.remove_prefix(prefix.size());
    if (!all_digits(name) || (name.size() > 1 && name.front() == '0'))
        return std::nullopt;
    return parse_number<unsigned>(name, 10, UINT_MAX);
}

std::vector<ProbedDevice> probe_devices(const ProbePaths& paths) {
    std::vector<std::pair<unsigned, std::string>> nodes;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(paths.dev_dir, ec), end; !ec && it != end;
         it.increment(ec)) {
        std::string name = it->path().filename().string();
        if (const auto minor = parse_accel_node_name(name))
            nodes.emplace_back(*minor, std::move(name));
    }
    if (ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory)
        throw Error(ec, "list " + paths.dev_dir.string());
    std::sort(nodes.begin(), nodes.end());

    std::vector<ProbedDevice> devices;
    std::optional<Error> denied;
    for (const auto& [minor, name] : nodes) {
        try {
            if (auto dev = probe_node(paths, name, minor)) {
                dev->info.index = static_cast<unsigned>(devices.size());
                devices.push_back(std::move(*dev));
            }
        } catch (const Error& e) {
            // A chip this process may not open is not one of its devices
            // (a container or group given some chips of a machine), unless
            // it can open none: then the reason is the answer.
            if (e.code() != std::errc::permission_denied &&
                e.code() != std::errc::operation_not_permitted)
                throw;
            if (!denied)
                denied = e;
        }
    }
    if (devices.empty() && denied)
        throw *denied;
    return devices;
}

std::vector<ProbedDevice> probe_visible_devices(const ProbePaths& paths) {
    // Parse first: a malformed variable is reported even with no device.
    const VisibleDevices visible = visible_devices_from_environment(environ);
    std::vector<ProbedDevice> all = probe_devices(paths);
    if (!visible.restricted)
        return all;

    std::vector<Uuid> uuids;
    uuids.reserve(all.size());
    for (const auto& dev : all)
        uuids.push_back(dev.info.uuid);

    std::vector<ProbedDevice> result;
    for (const std::size_t physical : select_visible(visible, uuids)) {
        ProbedDevice& dev = all[physical];
        dev.info.index = static_cast<unsigned>(result.size());
        result.push_back(std::move(dev));
    }
    return result;
}

} // namespace seed::detail
