// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The management C API (include/seed/mgmt.h) over mgmt_*.cpp: argument
// checks, exceptions turned into seed_status codes. The event monitor's
// functions live with it in mgmt_monitor.cpp.
#include "c_status.hpp"
#include "enumerate.hpp"
#include "mgmt.hpp"

#include <seed/mgmt.h>

#include <cstddef>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

/// A handle: the chip at one PCI address.
struct seed_mgmt_device_s {
    std::string pci_address;
};

namespace {

using namespace seed::detail;

/// What seed_mgmt_init sets up: the handles handed out, one per PCI address,
/// kept until the last seed_mgmt_shutdown.
struct MgmtState {
    std::mutex mutex;
    unsigned users = 0;
    std::map<std::string, std::unique_ptr<seed_mgmt_device_s>> handles;
};

MgmtState& state() {
    static MgmtState s;
    return s;
}

void require_init() {
    const std::lock_guard lock(state().mutex);
    if (state().users == 0)
        throw seed::Error(seed::Errc::invalid_state, "seed_mgmt_init() has not been called");
}

std::string pci_address_of(const MgmtChip& chip) {
    std::error_code ec;
    const auto real = std::filesystem::canonical(chip.device_dir, ec);
    return ec ? std::string() : real.filename().string();
}

seed_mgmt_device handle_for(const std::string& pci) {
    const std::lock_guard lock(state().mutex);
    if (state().users == 0)
        throw seed::Error(seed::Errc::invalid_state, "seed_mgmt_init() has not been called");
    auto& slot = state().handles[pci];
    if (!slot)
        slot = std::make_unique<seed_mgmt_device_s>(seed_mgmt_device_s{pci});
    return slot.get();
}

seed_mgmt_device handle_of(const MgmtChip& chip) {
    const std::string pci = pci_address_of(chip);
    if (pci.empty())
        throw seed::Error(seed::Errc::device_lost,
                          "accel" + std::to_string(chip.minor) + " has no PCI device any more");
    return handle_for(pci);
}

/// The chip behind @p device now. @throws Error(device_lost) if it is gone.
MgmtChip chip_of(seed_mgmt_device device) {
    require_init();
    for (const auto& chip : mgmt_chips()) {
        if (pci_address_of(chip) == device->pci_address)
            return chip;
    }
    throw seed::Error(seed::Errc::device_lost,
                      "no SeedChip at " + device->pci_address + " any more");
}

// Runs @p f on the chip behind @p device, with @p out checked.
template <typename T, typename F>
seed_status with_chip(seed_mgmt_device device, T* out, F&& f) noexcept {
    if (device == nullptr || out == nullptr)
        return null_arg("device or out");
    return guarded([&] { f(chip_of(device), *out); });
}

seed_status find_handle(const char* text, seed_mgmt_device* out, const char* what,
                        bool (*accept)(std::string_view)) noexcept {
    if (text == nullptr || out == nullptr)
        return null_arg("argument or out");
    return guarded([&] {
        require_init();
        if (accept != nullptr && !accept(text))
            throw seed::Error(seed::Errc::invalid_argument,
                              "'" + std::string(text) + "' is not " + what);
        *out = handle_of(mgmt_chip(mgmt_find(text)));
    });
}

bool looks_like_uuid(std::string_view s) {
    return s.size() == 36 && s[8] == '-' && s[13] == '-' && s[18] == '-' && s[23] == '-';
}

bool looks_like_pci(std::string_view s) {
    return s.find(':') != std::string_view::npos && s.find('.') != std::string_view::npos &&
           s.find('/') == std::string_view::npos;
}

} // namespace

extern "C" {

seed_status seed_mgmt_init(void) {
    return guarded([] {
        const std::lock_guard lock(state().mutex);
        ++state().users;
    });
}

seed_status seed_mgmt_shutdown(void) {
    return guarded([] {
        const std::lock_guard lock(state().mutex);
        if (state().users == 0)
            throw seed::Error(seed::Errc::invalid_state, "seed_mgmt_shutdown() without init");
        if (--state().users == 0)
            state().handles.clear();
    });
}

const char* seed_mgmt_status_string(seed_status status) {
    switch (status) {
    case SEED_SUCCESS:
        return "success";
    case SEED_ERROR_INVALID_ARGUMENT:
        return "invalid argument";
    case SEED_ERROR_DEVICE_NOT_FOUND:
        return "device not found";
    case SEED_ERROR_DEVICE_LOST:
        return "device lost";
    case SEED_ERROR_JOB_FAILED:
        return "job failed";
    case SEED_ERROR_TIMEOUT:
        return "timed out";
    case SEED_ERROR_OUT_OF_MEMORY:
        return "out of memory";
    case SEED_ERROR_PERMISSION:
        return "permission denied";
    case SEED_ERROR_BUSY:
        return "busy";
    case SEED_ERROR_INVALID_STATE:
        return "invalid state";
    case SEED_ERROR_SYSTEM:
        return "system error";
    case SEED_ERROR_NOT_SUPPORTED:
        return "not supported";
    case SEED_ERROR_INSUFFICIENT_SIZE:
        return "insufficient size";
    }
    return "unknown status";
}

seed_status seed_mgmt_device_count(unsigned* count) {
    if (count == nullptr)
        return null_arg("count");
    return guarded([&] {
        require_init();
        *count = static_cast<unsigned>(mgmt_chips().size());
    });
}

seed_status seed_mgmt_device_by_index(unsigned index, seed_mgmt_device* out) {
    if (out == nullptr)
        return null_arg("out");
    return guarded([&] {
        require_init();
        *out = handle_of(mgmt_chip(index));
    });
}

seed_status seed_mgmt_device_by_uuid(const char* uuid, seed_mgmt_device* out) {
    return find_handle(uuid, out, "a UUID", looks_like_uuid);
}

seed_status seed_mgmt_device_by_pci_address(const char* pci_address, seed_mgmt_device* out) {
    return find_handle(pci_address, out, "a PCI address", looks_like_pci);
}

seed_status seed_mgmt_device_find(const char* spec, seed_mgmt_device* out) {
    return find_handle(spec, out, "a device", nullptr);
}

seed_status seed_mgmt_visible_devices(seed_mgmt_device* out, unsigned* count) {
    if (count == nullptr)
        return null_arg("count");
    return guarded([&] {
        require_init();
        // libseed's own enumeration, so that the numbering is the one
        // applications see; the nodes are closed again on return.
        const auto devices = probe_visible_devices();
        const auto n = static_cast<unsigned>(devices.size());
        if (out == nullptr) {
            *count = n;
            return;
        }
        const unsigned capacity = *count;
        *count = n;
        if (n > capacity) {
            throw seed::Error(std::make_error_code(std::errc::no_buffer_space),
                              std::to_string(n) + " visible chips; the array holds " +
                                  std::to_string(capacity));
        }
        for (unsigned i = 0; i < n; ++i)
            out[i] = handle_for(devices[i].info.pci_address);
    });
}

seed_status seed_mgmt_device_identity(seed_mgmt_device device, seed_mgmt_identity* out) {
    return with_chip(device, out,
                     [](const MgmtChip& c, seed_mgmt_identity& o) { mgmt_identity(c, o); });
}

seed_status seed_mgmt_device_memory(seed_mgmt_device device, seed_mgmt_memory* out) {
    return with_chip(device, out,
                     [](const MgmtChip& c, seed_mgmt_memory& o) { mgmt_memory(c, o); });
}

seed_status seed_mgmt_device_pcie(seed_mgmt_device device, seed_mgmt_pcie* out) {
    return with_chip(device, out, [](const MgmtChip& c, seed_mgmt_pcie& o) { mgmt_pcie(c, o); });
}

seed_status seed_mgmt_device_counters(seed_mgmt_device device, seed_mgmt_counters* out) {
    return with_chip(device, out,
                     [](const MgmtChip& c, seed_mgmt_counters& o) { mgmt_counters(c, o); });
}

const char* seed_mgmt_job_failure_reason(unsigned reason) {
    return job_failure_name(reason);
}

seed_status seed_mgmt_device_capabilities(seed_mgmt_device device, seed_mgmt_capabilities* out) {
    return with_chip(device, out,
                     [](const MgmtChip& c, seed_mgmt_capabilities& o) { mgmt_capabilities(c, o); });
}

seed_status seed_mgmt_device_telemetry(seed_mgmt_device device, seed_mgmt_telemetry* out) {
    return with_chip(device, out,
                     [](const MgmtChip& c, seed_mgmt_telemetry& o) { mgmt_telemetry(c, o); });
}

seed_status seed_mgmt_utilization(const seed_mgmt_telemetry* before,
                                  const seed_mgmt_telemetry* after, uint32_t* mean_permille,
                                  uint32_t* max_permille) {
    if (before == nullptr || after == nullptr)
        return null_arg("before or after");
    return guarded([&] {
        const auto u = mgmt_utilization(*before, *after);
        if (mean_permille != nullptr)
            *mean_permille = u.mean_permille;
        if (max_permille != nullptr)
            *max_permille = u.max_permille;
    });
}

seed_status seed_mgmt_device_health(seed_mgmt_device device, seed_mgmt_health* out) {
    if (device == nullptr || out == nullptr)
        return null_arg("device or out");
    return guarded([&] {
        MgmtChip chip;
        try {
            chip = chip_of(device);
        } catch (const seed::Error& e) {
            if (e.code() != seed::Errc::device_lost)
                throw;
            seed_mgmt_health h{};
            h.size = sizeof(h);
            h.state = SEED_HEALTH_ABSENT;
            std::snprintf(h.detail, sizeof(h.detail), "%s", e.what());
            mgmt_deliver(h, *out);
            return;
        }
        mgmt_health(chip, *out);
    });
}

seed_status seed_mgmt_device_reset(seed_mgmt_device device) {
    if (device == nullptr)
        return null_arg("device");
    return guarded([&] { mgmt_reset(chip_of(device)); });
}

seed_status seed_mgmt_device_power_limit(seed_mgmt_device device, seed_mgmt_power_limit* out) {
    return with_chip(device, out,
                     [](const MgmtChip& c, seed_mgmt_power_limit& o) { mgmt_power_limit(c, o); });
}

seed_status seed_mgmt_device_set_power_limit(seed_mgmt_device device, uint32_t milliwatts) {
    if (device == nullptr)
        return null_arg("device");
    return guarded([&] { mgmt_set_power_limit(chip_of(device), milliwatts); });
}

seed_status seed_mgmt_processes(seed_mgmt_process* out, size_t* count, unsigned* unreadable) {
    if (count == nullptr)
        return null_arg("count");
    return guarded([&] {
        const MgmtProcessScan scan = mgmt_scan_processes();
        if (unreadable != nullptr)
            *unreadable = scan.unreadable;
        if (out == nullptr) {
            *count = scan.processes.size();
            return;
        }
        const std::size_t capacity = *count;
        *count = scan.processes.size();
        if (scan.processes.size() > capacity) {
            throw seed::Error(std::make_error_code(std::errc::no_buffer_space),
                              std::to_string(scan.processes.size()) +
                                  " processes; the array holds " + std::to_string(capacity));
        }
        if (scan.processes.empty())
            return;
        // The caller's element size is the stride: its structure may be
        // older (smaller) or newer (larger) than ours.
        const std::uint32_t stride = out[0].size;
        if (stride < offsetof(seed_mgmt_process, command))
            throw seed::Error(seed::Errc::invalid_argument, "out[0].size not set");
        auto* bytes = reinterpret_cast<unsigned char*>(out);
        const std::size_t n = std::min<std::size_t>(stride, sizeof(seed_mgmt_process));
        for (std::size_t i = 0; i < scan.processes.size(); ++i) {
            unsigned char* element = bytes + i * stride;
            std::memset(element, 0, stride);
            std::memcpy(element, &scan.processes[i], n);
            std::memcpy(element, &stride, sizeof(stride));
        }
    });
}

} // extern "C"
