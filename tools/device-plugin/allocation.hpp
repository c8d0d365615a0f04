// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// What seed-device-plugin answers to GetPreferredAllocation and Allocate,
// as pure functions of the inventory.
#pragma once

#include "inventory.hpp"

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace seed::plugin {

/// Number of PCI hops between two chips: the links from each up to the
/// deepest bridge they share (chips under one switch are closer than chips
/// on different root ports).
[[nodiscard]] int pci_distance(const Chip& a, const Chip& b);

/// Rejected request (unknown device, impossible size): becomes a gRPC
/// INVALID_ARGUMENT.
class AllocationError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// @p size devices out of @p available (UUIDs), including @p must_include:
/// the set spanning the fewest NUMA nodes, then the smallest sum of PCI
/// distances between its members, then the lowest physical indices.
/// Unknown UUIDs in @p available are ignored.
/// @throws AllocationError if @p size is impossible.
[[nodiscard]] std::vector<std::string>
preferred_allocation(const std::vector<Chip>& chips, const std::vector<std::string>& available,
                     const std::vector<std::string>& must_include, int size);

/// What one container gets for the chips @p uuids.
struct ContainerEdits {
    std::map<std::string, std::string> env;
    std::vector<std::string> nodes;       ///< accel nodes, same path on host and in the container
    std::vector<std::string> cdi_devices; ///< fully qualified CDI names
};

/// @throws AllocationError for an unknown or duplicate UUID.
[[nodiscard]] ContainerEdits container_edits(const std::vector<Chip>& chips,
                                             const std::vector<std::string>& uuids);

} // namespace seed::plugin
