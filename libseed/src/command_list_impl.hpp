// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#pragma once

#include "context.hpp"
#include "packets.hpp"

#include <seed/command_list.hpp>
#include <uapi/drm/seed_accel.h>

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
    /// The buffers the packets read or write as data, for SUBMIT's BO list
    /// (the kernel's implicit sync). Not the addresses of SIGNAL and WAIT,
    /// which synchronise by themselves: a job waiting for a value another
    /// queue's job signals must not also wait for that job to finish.
    std::vector<drm_seed_submit_bo> bos;
    /// The finished list (empty until finish()).
    Buffer bo;
};

} // namespace seed::detail
