// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include "allocation.hpp"

#include "cdi.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <tuple>

namespace seed::plugin {
namespace {

const Chip* find(const std::vector<Chip>& chips, const std::string& uuid) {
    const auto it =
        std::find_if(chips.begin(), chips.end(), [&](const Chip& c) { return c.uuid == uuid; });
    return it == chips.end() ? nullptr : &*it;
}

// Lower is better: NUMA nodes spanned, PCI distance summed over pairs,
// then the indices.
using Score = std::tuple<std::size_t, int, std::vector<unsigned>>;

Score score(const std::vector<const Chip*>& set) {
    std::set<int> numa;
    int distance = 0;
    std::vector<unsigned> indices;
    for (std::size_t i = 0; i < set.size(); ++i) {
        numa.insert(set[i]->numa_node);
        indices.push_back(set[i]->index);
        for (std::size_t j = i + 1; j < set.size(); ++j)
            distance += pci_distance(*set[i], *set[j]);
    }
    std::sort(indices.begin(), indices.end());
    return {numa.size(), distance, indices};
}

} // namespace

int pci_distance(const Chip& a, const Chip& b) {
    std::size_t common = 0;
    while (common < a.pci_path.size() && common < b.pci_path.size() &&
           a.pci_path[common] == b.pci_path[common])
        ++common;
    return static_cast<int>(a.pci_path.size() - common + b.pci_path.size() - common);
}

std::vector<std::string> preferred_allocation(const std::vector<Chip>& chips,
                                              const std::vector<std::string>& available,
                                              const std::vector<std::string>& must_include,
                                              int size) {
    std::vector<const Chip*> pool;
    for (const auto& uuid : available) {
        const Chip* c = find(chips, uuid);
        if (c != nullptr && std::find(pool.begin(), pool.end(), c) == pool.end())
            pool.push_back(c);
    }
    std::vector<const Chip*> base;
    for (const auto& uuid : must_include) {
        const Chip* c = find(chips, uuid);
        if (c == nullptr)
            throw AllocationError("must-include device " + uuid +
                                  " is not a SeedChip of this node");
        if (std::find(base.begin(), base.end(), c) == base.end())
            base.push_back(c);
    }
    if (size < 0 || static_cast<std::size_t>(size) < base.size())
        throw AllocationError("allocation size " + std::to_string(size) + " is smaller than " +
                              std::to_string(base.size()) + " required devices");
    std::vector<const Chip*> candidates;
    for (const Chip* c : pool) {
        if (std::find(base.begin(), base.end(), c) == base.end())
            candidates.push_back(c);
    }
    const std::size_t want = static_cast<std::size_t>(size);
    if (base.size() + candidates.size() < want)
        throw AllocationError("allocation size " + std::to_string(size) + " exceeds the " +
                              std::to_string(base.size() + candidates.size()) +
                              " available devices");

    // Greedy growth from every possible first pick (or from the required
    // set), keeping the best-scoring result: exact for the shapes that
    // matter (NUMA nodes, switches) and cheap for a node's handful of chips.
    std::vector<std::vector<const Chip*>> starts;
    if (!base.empty() || candidates.empty()) {
        starts.push_back(base);
    } else {
        for (const Chip* c : candidates)
            starts.push_back({c});
    }
    std::optional<std::pair<Score, std::vector<const Chip*>>> best;
    for (auto set : starts) {
        while (set.size() < want) {
            const Chip* pick = nullptr;
            std::optional<Score> pick_score;
            for (const Chip* c : candidates) {
                if (std::find(set.begin(), set.end(), c) != set.end())
                    continue;
                auto trial = set;
                trial.push_back(c);
                const Score s = score(trial);
                if (!pick_score || s < *pick_score) {
                    pick_score = s;
                    pick = c;
                }
            }
            set.push_back(pick);
        }
        const Score s = score(set);
        if (!best || s < best->first)
            best = {s, set};
    }
    std::vector<std::string> out;
    for (const Chip* c : best->second)
        out.push_back(c->uuid);
    return out;
}

ContainerEdits container_edits(const std::vector<Chip>& chips,
                               const std::vector<std::string>& uuids) {
    ContainerEdits edits;
    std::string visible;
    std::set<std::string> seen;
    for (const auto& uuid : uuids) {
        const Chip* c = find(chips, uuid);
        if (c == nullptr)
            throw AllocationError("unknown device " + uuid);
        if (!seen.insert(uuid).second)
            throw AllocationError("device " + uuid + " requested twice");
        if (!visible.empty())
            visible += ',';
        visible += uuid;
        edits.nodes.push_back(c->node);
        edits.cdi_devices.push_back(fleet::cdi_device_name(uuid));
    }
    // One variable for all chips of the container: it composes because
    // kubelet asks once per container.
    edits.env["SEED_VISIBLE_DEVICES"] = visible;
    return edits;
}

} // namespace seed::plugin
