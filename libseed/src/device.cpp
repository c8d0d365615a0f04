// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include <seed/device.hpp>
#include <seed/error.hpp>

#include "device_spec.hpp"
#include "enumerate.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace seed {

std::string to_string(const HwRevision& rev) {
    return fmt::format("{}.{}", rev.major, rev.minor);
}

std::string to_string(const FirmwareVersion& ver) {
    return fmt::format("{}.{}.{}", ver.major, ver.minor, ver.patch);
}

std::string version_string(const DriverInfo& drv) {
    return fmt::format("{}.{}.{}", drv.major, drv.minor, drv.patchlevel);
}

std::vector<std::uint64_t> DeviceInfo::page_size_list() const {
    std::vector<std::uint64_t> sizes;
    for (unsigned bit = 0; bit < 64; ++bit) {
        if ((page_sizes >> bit) & 1u)
            sizes.push_back(std::uint64_t{1} << bit);
    }
    return sizes;
}

struct Device::Impl {
    UniqueFd fd;
    DeviceInfo info;
};

Device::Device(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
Device::Device(Device&& other) noexcept = default;
Device& Device::operator=(Device&& other) noexcept = default;
Device::~Device() = default;

const DeviceInfo& Device::info() const noexcept {
    return impl_->info;
}

std::vector<DeviceInfo> Device::list() {
    std::vector<DeviceInfo> infos;
    for (auto& dev : detail::probe_visible_devices())
        infos.push_back(std::move(dev.info));
    return infos;
}

Device Device::open(unsigned index) {
    auto devices = detail::probe_visible_devices();
    if (index >= devices.size()) {
        throw Error(Errc::device_not_found,
                    fmt::format("device {} ({} visible)", index, devices.size()));
    }
    auto& dev = devices[index];
    return Device(std::make_unique<Impl>(Impl{std::move(dev.fd), std::move(dev.info)}));
}

Device Device::open(std::string_view spec) {
    const detail::DeviceSpec parsed = detail::parse_device_spec(spec);
    auto devices = detail::probe_visible_devices();
    const auto it = std::find_if(devices.begin(), devices.end(), [&](const auto& dev) {
        return detail::matches(parsed, dev.info);
    });
    if (it == devices.end()) {
        throw Error(Errc::device_not_found,
                    fmt::format("device '{}' ({} visible)", spec, devices.size()));
    }
    return Device(std::make_unique<Impl>(Impl{std::move(it->fd), std::move(it->info)}));
}

} // namespace seed
