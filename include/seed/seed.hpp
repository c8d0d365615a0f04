// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// libseed, the SeedChip SDK: include this for the whole public API.
//
// Thread safety (tested by tests/vm/libseed_threads_test.cpp):
// - Device, Buffer, Queue, Fence and Event objects may be used from several
//   threads at once: any number of threads may submit to one Queue, create
//   and free Buffers of one Device, and wait on or poll the same Fences.
//   Jobs submitted to one Queue from different threads run in the order the
//   submissions were made.
// - A CommandList is recorded by one thread at a time. Once finish()ed (or
//   submitted, which finishes it) it is immutable and may be submitted from
//   any number of threads.
// - A FenceWaiter (and a FileLoader) is used by one thread at a time.
// - Moving or destroying an object while another thread uses it is a data
//   race, as for any C++ object. Objects keep what they depend on alive
//   (a Buffer its Device, a job its Buffers), so destruction order between
//   different objects does not matter.
// - The management functions (seed/management.hpp) and Device::list() are
//   safe to call concurrently.
#pragma once

#include <seed/caps.hpp>
#include <seed/command_list.hpp>
#include <seed/device.hpp>
#include <seed/error.hpp>
#include <seed/event.hpp>
#include <seed/fence_waiter.hpp>
#include <seed/format.hpp>
#include <seed/management.hpp>
#include <seed/memory.hpp>
#include <seed/pci.hpp>
#include <seed/queue.hpp>
#include <seed/uuid.hpp>
#include <seed/version.hpp>
