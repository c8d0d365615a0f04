// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include <seed/device.hpp>
#include <seed/error.hpp>

#include "context.hpp"
#include "device_spec.hpp"
#include "enumerate.hpp"
#include "kernel/drm.hpp"

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
    std::shared_ptr<detail::DeviceContext> ctx;
};

namespace detail {

const std::shared_ptr<DeviceContext>& DeviceAccess::context(const Device& device) {
    if (!device.impl_)
        throw Error(Errc::invalid_state, "moved-from seed::Device");
    return device.impl_->ctx;
}

const std::shared_ptr<DeviceContext>& context_of(const Device& device) {
    return DeviceAccess::context(device);
}

kernel::UringSubmitter* DeviceContext::uring_locked() {
    if (!uring_tried) {
        uring_tried = true;
        if (!uring_disabled) {
            int err = 0;
            uring = kernel::UringSubmitter::create(raw_fd(), err);
        }
    }
    return uring.get();
}

Device DeviceAccess::make(UniqueFd fd, DeviceInfo info) {
    auto ctx = std::make_shared<DeviceContext>();
    ctx->fd = std::move(fd);
    ctx->info = std::move(info);
    ctx->uring_disabled = kernel::io_uring_disabled_by_env();
    return Device(std::make_unique<Device::Impl>(Device::Impl{std::move(ctx)}));
}

} // namespace detail

Device::Device(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
Device::Device(Device&& other) noexcept = default;
Device& Device::operator=(Device&& other) noexcept = default;
Device::~Device() = default;

const DeviceInfo& Device::info() const noexcept {
    return impl_->ctx->info;
}

MemoryUsage Device::memory_usage() const {
    const auto& ctx = detail::context_of(*this);
    drm_seed_query_memory raw{};
    std::uint32_t size = sizeof(raw);
    const int ret = kernel::seed_query(ctx->raw_fd(), DRM_SEED_QUERY_MEMORY, &raw, size);
    if (ret != 0)
        throw device_error(ret, "DRM_SEED_QUERY_MEMORY on " + ctx->info.node);
    return MemoryUsage{raw.hbm_total, raw.hbm_used,   raw.hbm_retired,
                       raw.host_used, raw.client_hbm, raw.client_host};
}

bool Device::uses_io_uring() const {
    const auto& ctx = detail::context_of(*this);
    const std::lock_guard lock(ctx->uring_mutex);
    return ctx->uring_locked() != nullptr;
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
    return detail::DeviceAccess::make(std::move(dev.fd), std::move(dev.info));
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
    return detail::DeviceAccess::make(std::move(it->fd), std::move(it->info));
}

} // namespace seed
