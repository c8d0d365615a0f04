// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Device selection shared by the per-device commands, and the one place
// seedctl reads chips: the management C API.
#include "chips.hpp"
#include "command.hpp"

#include <seed/error.hpp>
#include <seed/pci.hpp>
#include <seed/uuid.hpp>

#include <algorithm>
#include <charconv>
#include <cstdint>

#include <unistd.h>

namespace seedctl {
namespace {

namespace fleet = seed::fleet;

// "1.2" or "1.2.3": its numbers, missing ones 0.
std::vector<unsigned> version_numbers(std::string_view text) {
    std::vector<unsigned> out;
    while (!text.empty()) {
        unsigned v = 0;
        const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec != std::errc())
            break;
        out.push_back(v);
        text.remove_prefix(static_cast<std::size_t>(p - text.data()));
        if (text.empty() || text.front() != '.')
            break;
        text.remove_prefix(1);
    }
    out.resize(std::max<std::size_t>(out.size(), 3), 0);
    return out;
}

bool is_index(const std::string& spec) {
    return !spec.empty() && spec.size() <= 9 &&
           std::all_of(spec.begin(), spec.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::vector<seed_mgmt_device> visible_handles() {
    try {
        return fleet::visible_devices();
    } catch (const fleet::MgmtError& e) {
        throw failure_of(e, seed::Errc::invalid_visible_devices);
    }
}

} // namespace

std::error_code error_code_of(seed_status status, std::error_code invalid) {
    switch (status) {
    case SEED_SUCCESS:
        return {};
    case SEED_ERROR_INVALID_ARGUMENT:
        return invalid;
    case SEED_ERROR_DEVICE_NOT_FOUND:
        return seed::Errc::device_not_found;
    case SEED_ERROR_DEVICE_LOST:
        return seed::Errc::device_lost;
    case SEED_ERROR_JOB_FAILED:
        return seed::Errc::job_failed;
    case SEED_ERROR_TIMEOUT:
        return seed::Errc::timeout;
    case SEED_ERROR_OUT_OF_MEMORY:
        return std::make_error_code(std::errc::not_enough_memory);
    case SEED_ERROR_PERMISSION:
        return std::make_error_code(std::errc::permission_denied);
    case SEED_ERROR_BUSY:
        return std::make_error_code(std::errc::device_or_resource_busy);
    case SEED_ERROR_INVALID_STATE:
        return seed::Errc::invalid_state;
    case SEED_ERROR_NOT_SUPPORTED:
        return std::make_error_code(std::errc::operation_not_supported);
    case SEED_ERROR_SYSTEM:
    case SEED_ERROR_INSUFFICIENT_SIZE:
        break;
    }
    return std::make_error_code(std::errc::io_error);
}

Failure failure_of(const fleet::MgmtError& e, std::error_code invalid) {
    return Failure(error_code_of(e.status(), invalid), e.what());
}

Chip describe_chip(seed_mgmt_device handle, unsigned index, bool details) {
    const auto id = fleet::identity(handle);
    const auto counters = fleet::counters(handle);
    seed::DeviceInfo d;
    d.index = index;
    d.minor = id.minor;
    d.node = id.node;
    d.pci_address = id.pci_address;
    if (const auto pci = seed::parse_pci_address(d.pci_address))
        d.pci = *pci;
    if (const auto uuid = seed::parse_uuid(id.uuid))
        d.uuid = *uuid;
    d.serial = id.serial;
    d.hbm_size = id.hbm_total_bytes;
    const auto hw = version_numbers(id.hw_revision);
    d.hw_revision = {hw[0], hw[1]};
    const auto fw = version_numbers(id.fw_version);
    d.fw_version = {fw[0], fw[1], fw[2]};
    d.num_queues = id.num_queues;
    d.num_engines = id.num_engines;
    d.irq_count = counters.irq_count == UINT64_MAX ? 0 : counters.irq_count;
    const auto drv = version_numbers(id.driver_version);
    d.driver.name = "seed";
    d.driver.major = drv[0];
    d.driver.minor = drv[1];
    d.driver.patchlevel = drv[2];
    if (details) {
        const auto caps = fleet::capabilities(handle);
        d.caps = caps.caps;
        d.dtypes = caps.dtypes;
        d.page_sizes = caps.page_sizes;
        d.driver.name = caps.driver_name;
        d.driver.major = caps.driver_major;
        d.driver.minor = caps.driver_minor;
        d.driver.patchlevel = caps.driver_patch;
        d.driver.description = caps.driver_description;
    }
    return Chip{handle, std::move(d)};
}

std::vector<Chip> visible_chips(bool details) {
    const auto handles = visible_handles();
    std::vector<Chip> chips;
    try {
        for (std::size_t i = 0; i < handles.size(); ++i)
            chips.push_back(describe_chip(handles[i], static_cast<unsigned>(i), details));
    } catch (const fleet::MgmtError& e) {
        throw failure_of(e);
    }
    return chips;
}

Chip find_chip(const std::string& spec, bool details) {
    const auto handles = visible_handles();
    std::size_t index = handles.size();
    if (is_index(spec)) {
        index = std::stoul(spec);
        if (index >= handles.size())
            throw seed::Error(seed::Errc::device_not_found,
                              "no visible SeedChip with index " + spec + " (" +
                                  std::to_string(handles.size()) + " visible)");
    } else {
        seed_mgmt_device device = nullptr;
        try {
            device = fleet::find_device(spec);
        } catch (const fleet::MgmtError& e) {
            throw failure_of(e, seed::Errc::invalid_device_spec);
        }
        index = static_cast<std::size_t>(std::find(handles.begin(), handles.end(), device) -
                                         handles.begin());
        if (index == handles.size())
            throw seed::Error(seed::Errc::device_not_found,
                              "the SeedChip '" + spec + "' is not among the visible devices");
    }
    try {
        return describe_chip(handles[index], static_cast<unsigned>(index), details);
    } catch (const fleet::MgmtError& e) {
        throw failure_of(e);
    }
}

std::vector<Chip> select_chips(const std::optional<std::string>& spec, bool details) {
    if (!spec)
        return visible_chips(details);
    std::vector<Chip> one;
    one.push_back(find_chip(*spec, details));
    return one;
}

seed::Telemetry to_telemetry(const seed_mgmt_telemetry& t) {
    seed::Telemetry out;
    out.clock_ns = t.clock_ns;
    out.host_time_ns = t.host_time_ns;
    out.temperature_mc = t.temperature_mc;
    out.power_mw = t.power_mw;
    out.core_clock_mhz = t.core_clock_mhz;
    out.hbm_clock_mhz = t.hbm_clock_mhz;
    out.ecc_corrected = t.ecc_corrected;
    out.ecc_uncorrected = t.ecc_uncorrected;
    out.reset_count = t.reset_count;
    const std::size_t engines = std::min<std::size_t>(t.num_engines, std::size(t.engine_busy_ns));
    out.engine_busy_ns.assign(t.engine_busy_ns, t.engine_busy_ns + engines);
    return out;
}

seed::Telemetry read_telemetry(const Chip& chip) {
    try {
        return to_telemetry(fleet::telemetry(chip.handle));
    } catch (const fleet::MgmtError& e) {
        throw failure_of(e);
    }
}

seed::MemoryUsage read_memory(const Chip& chip) {
    try {
        const auto m = fleet::memory(chip.handle);
        seed::MemoryUsage out;
        out.hbm_total = m.total_bytes;
        out.hbm_used = m.used_bytes;
        out.hbm_retired = m.retired_bytes;
        out.host_used = m.host_used_bytes == UINT64_MAX ? 0 : m.host_used_bytes;
        return out;
    } catch (const fleet::MgmtError& e) {
        throw failure_of(e);
    }
}

std::optional<std::int64_t> read_power_cap_uw(const Chip& chip) {
    auto limit = fleet::sized<seed_mgmt_power_limit>();
    if (seed_mgmt_device_power_limit(chip.handle, &limit) != SEED_SUCCESS)
        return std::nullopt;
    return std::int64_t{limit.current_mw} * 1000;
}

seed_mgmt_counters read_counters(const Chip& chip) {
    try {
        return fleet::counters(chip.handle);
    } catch (const fleet::MgmtError& e) {
        throw failure_of(e);
    }
}

Clients read_clients() {
    fleet::ProcessList list;
    try {
        list = fleet::processes();
    } catch (const fleet::MgmtError& e) {
        throw failure_of(e);
    }
    Clients out;
    out.unreadable = list.unreadable;
    const int self = static_cast<int>(::getpid());
    for (const auto& p : list.processes) {
        if (p.pid == self)
            continue;
        out.processes.push_back(seed::DeviceProcess{p.pid, p.command, p.pci_address, p.client_id,
                                                    p.hbm_bytes, p.host_bytes, p.engine_ns});
    }
    return out;
}

std::vector<seed::DeviceProcess> Clients::of(const std::string& pci_address) const {
    std::vector<seed::DeviceProcess> out;
    for (const auto& p : processes) {
        if (p.pci_address == pci_address)
            out.push_back(p);
    }
    return out;
}

void add_device_option(CLI::App& app, std::optional<std::string>& device) {
    app.add_option("-d,--device", device,
                   "Device: index, PCI address (dddd:bb:dd.f), UUID or /dev/accel/accelN "
                   "(default: every visible device)");
}

} // namespace seedctl
