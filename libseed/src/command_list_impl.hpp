// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#pragma once

#include "context.hpp"
#include "packets.hpp"

#include <seed/command_list.hpp>

#include <memory>
#include <vector>

namespace seed::detail {

struct CommandListImpl {
    std::shared_ptr<DeviceContext> ctx;
    std::vector<seed_pkt_raw> packets;
    std::vector<DescFixup> fixups;
    std::vector<std::byte> descs;
    /// Buffers the packets reference: kept alive with the list and its jobs.
    std::vector<std::shared_ptr<BufferImpl>> refs;
    /// The finished list (empty until finish()).
    Buffer bo;
};

} // namespace seed::detail
