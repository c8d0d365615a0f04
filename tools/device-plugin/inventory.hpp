// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The chips seed-device-plugin advertises and their health, kept by UUID
// (stable across reboots, renumbering and re-plugging). The health rules,
// free of I/O so that they can be unit-tested:
//   - a probe (seed_mgmt_device_health) that answers makes a chip healthy,
//     unless it is recovering from a fatal error (below); any other
//     outcome makes it unhealthy, with the probe's reason;
//   - a reset the driver made because of a fatal error or a lost device
//     makes the chip unhealthy at once and for a hold-off time after the
//     event, so that pods are not sent to a chip that just failed; the
//     first good probe after that makes it healthy again;
//   - the removal of its node makes it unhealthy; a chip never disappears
//     from the list (kubelet keeps device IDs), it stays unhealthy.
// Every change that alters what kubelet sees bumps the generation and
// wakes the ListAndWatch streams.
#pragma once

#include <seed/mgmt.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace seed::plugin {

using Clock = std::chrono::steady_clock;

struct Chip {
    std::string uuid;
    std::string node; ///< last known /dev/accel/accelN
    std::string pci_address;
    std::vector<std::string> pci_path; ///< PCI addresses from the root port down
    int numa_node = -1;
    unsigned index = 0; ///< last known physical index
    bool healthy = false;
    std::string reason;                ///< why unhealthy ("" when healthy)
    Clock::time_point holdoff_until{}; ///< recovering from a fatal error until then

    friend bool operator==(const Chip&, const Chip&) = default;
};

/// True if a reset with @p reason (SEED_RESET_REASON) means the chip failed.
[[nodiscard]] bool is_failure_reset(const std::string& reason);

class Inventory {
public:
    explicit Inventory(Clock::duration holdoff) : holdoff_(holdoff) {}

    /// Adds a chip or refreshes where it is; health is not changed.
    void upsert(const seed_mgmt_identity& id);
    /// Applies a health probe of the chip @p uuid.
    void apply_probe(const std::string& uuid, const seed_mgmt_health& health,
                     Clock::time_point now);
    /// Marks a known chip that enumeration no longer finds.
    void mark_absent(const std::string& uuid);
    /// Applies a driver event (reset, removal).
    void apply_event(const seed_mgmt_event& event, Clock::time_point now);

    [[nodiscard]] std::vector<Chip> chips() const;
    /// The end of the nearest hold-off still running, or Clock::time_point::max().
    [[nodiscard]] Clock::time_point next_holdoff_end(Clock::time_point now) const;

    [[nodiscard]] std::uint64_t generation() const;
    /// Waits until the generation differs from @p seen, or @p timeout passed;
    /// returns the current generation.
    std::uint64_t wait_change(std::uint64_t seen, Clock::duration timeout) const;
    /// Wakes every waiter (shutdown).
    void wake_all();

private:
    Chip* find_locked(const std::string& uuid);
    void set_health_locked(Chip& chip, bool healthy, const std::string& reason);

    Clock::duration holdoff_;
    mutable std::mutex mutex_; // protects chips_, generation_
    mutable std::condition_variable changed_;
    std::vector<Chip> chips_;
    std::uint64_t generation_ = 0;
};

} // namespace seed::plugin
