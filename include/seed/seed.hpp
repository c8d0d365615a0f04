// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// libseed, the SeedChip SDK: include this for the whole public API.
#pragma once

#include <seed/caps.hpp>
#include <seed/command_list.hpp>
#include <seed/device.hpp>
#include <seed/error.hpp>
#include <seed/event.hpp>
#include <seed/format.hpp>
#include <seed/management.hpp>
#include <seed/memory.hpp>
#include <seed/pci.hpp>
#include <seed/queue.hpp>
#include <seed/uuid.hpp>
#include <seed/version.hpp>
