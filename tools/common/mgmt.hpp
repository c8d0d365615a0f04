// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Small C++ conveniences over the management C API (seed/mgmt.h) for the
// fleet tools: structures with their size set, errors as exceptions.
#pragma once

#include <seed/mgmt.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace seed::fleet {

/// A failed management call: the status and libseed's message.
class MgmtError : public std::runtime_error {
public:
    MgmtError(seed_status status, const std::string& what)
        : std::runtime_error(what + ": " + seed_last_error_message()), status_(status) {}
    [[nodiscard]] seed_status status() const noexcept { return status_; }

private:
    seed_status status_;
};

/// Throws MgmtError unless @p status is SEED_SUCCESS.
inline void check(seed_status status, const std::string& what) {
    if (status != SEED_SUCCESS)
        throw MgmtError(status, what);
}

/// A zeroed structure with its size member set.
template <typename T>
[[nodiscard]] T sized() {
    T value{};
    value.size = sizeof(T);
    return value;
}

/// seed_mgmt_init() for the lifetime of the object.
class MgmtSession {
public:
    MgmtSession() { check(seed_mgmt_init(), "initialise the management API"); }
    ~MgmtSession() { (void)seed_mgmt_shutdown(); }
    MgmtSession(const MgmtSession&) = delete;
    MgmtSession& operator=(const MgmtSession&) = delete;
};

/// The identity of every chip, by physical index. A chip that vanishes
/// while being read is left out.
[[nodiscard]] inline std::vector<seed_mgmt_identity> all_identities() {
    unsigned count = 0;
    check(seed_mgmt_device_count(&count), "count SeedChips");
    std::vector<seed_mgmt_identity> out;
    for (unsigned i = 0; i < count; ++i) {
        auto id = sized<seed_mgmt_identity>();
        seed_mgmt_device device = nullptr;
        if (seed_mgmt_device_by_index(i, &device) == SEED_SUCCESS &&
            seed_mgmt_device_identity(device, &id) == SEED_SUCCESS)
            out.push_back(id);
    }
    return out;
}

} // namespace seed::fleet
