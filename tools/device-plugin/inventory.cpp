// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include "inventory.hpp"

#include <algorithm>
#include <cctype>

namespace seed::plugin {

bool is_failure_reset(const std::string& reason) {
    std::string lower(reason);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower.find("fatal") != std::string::npos || lower.find("lost") != std::string::npos;
}

Chip* Inventory::find_locked(const std::string& uuid) {
    const auto it =
        std::find_if(chips_.begin(), chips_.end(), [&](const Chip& c) { return c.uuid == uuid; });
    return it == chips_.end() ? nullptr : &*it;
}

void Inventory::set_health_locked(Chip& chip, bool healthy, const std::string& reason) {
    // Only the health itself is what kubelet sees; the reason is for logs.
    if (chip.healthy != healthy)
        ++generation_;
    chip.healthy = healthy;
    chip.reason = healthy ? std::string() : reason;
    changed_.notify_all();
}

void Inventory::upsert(const seed_mgmt_identity& id) {
    const std::lock_guard lock(mutex_);
    Chip* chip = find_locked(id.uuid);
    if (chip == nullptr) {
        chips_.push_back(Chip{});
        chip = &chips_.back();
        chip->uuid = id.uuid;
        chip->reason = "not probed yet";
        ++generation_;
        changed_.notify_all();
    }
    chip->node = id.node;
    chip->pci_address = id.pci_address;
    chip->index = id.index;
    chip->pci_path.clear();
    std::string path = id.pci_path;
    for (std::size_t start = 0; start <= path.size();) {
        const auto slash = path.find('/', start);
        const std::string part = path.substr(start, slash - start);
        if (!part.empty())
            chip->pci_path.push_back(part);
        if (slash == std::string::npos)
            break;
        start = slash + 1;
    }
    if (chip->numa_node != id.numa_node) {
        chip->numa_node = id.numa_node;
        ++generation_;
        changed_.notify_all();
    }
}

void Inventory::apply_probe(const std::string& uuid, const seed_mgmt_health& health,
                            Clock::time_point now) {
    const std::lock_guard lock(mutex_);
    Chip* chip = find_locked(uuid);
    if (chip == nullptr)
        return;
    if (health.state != SEED_HEALTH_OK) {
        set_health_locked(*chip, false, health.detail);
        return;
    }
    if (now < chip->holdoff_until) {
        set_health_locked(*chip, false, chip->reason.empty() ? "recovering" : chip->reason);
        return;
    }
    set_health_locked(*chip, true, {});
}

void Inventory::mark_absent(const std::string& uuid) {
    const std::lock_guard lock(mutex_);
    if (Chip* chip = find_locked(uuid))
        set_health_locked(*chip, false, "not present");
}

void Inventory::apply_event(const seed_mgmt_event& event, Clock::time_point now) {
    const std::lock_guard lock(mutex_);
    Chip* chip = find_locked(event.uuid);
    if (chip == nullptr)
        return;
    if (event.type == SEED_MGMT_EVENT_REMOVE || event.type == SEED_MGMT_EVENT_UNBIND ||
        event.type == SEED_MGMT_EVENT_UNPLUG) {
        set_health_locked(*chip, false, "removed");
    } else if (event.type == SEED_MGMT_EVENT_RESET && is_failure_reset(event.reason)) {
        chip->holdoff_until = now + holdoff_;
        set_health_locked(*chip, false, std::string("reset after: ") + event.reason);
    }
}

std::vector<Chip> Inventory::chips() const {
    const std::lock_guard lock(mutex_);
    return chips_;
}

Clock::time_point Inventory::next_holdoff_end(Clock::time_point now) const {
    const std::lock_guard lock(mutex_);
    Clock::time_point next = Clock::time_point::max();
    for (const auto& c : chips_) {
        if (c.holdoff_until > now)
            next = std::min(next, c.holdoff_until);
    }
    return next;
}

std::uint64_t Inventory::generation() const {
    const std::lock_guard lock(mutex_);
    return generation_;
}

std::uint64_t Inventory::wait_change(std::uint64_t seen, Clock::duration timeout) const {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return generation_ != seen; });
    return generation_;
}

void Inventory::wake_all() {
    const std::lock_guard lock(mutex_);
    changed_.notify_all();
}

} // namespace seed::plugin
