// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Msix: eventfd assignment, raising, pending latch and PBA contents.
#include "msix.h"

#include "fake_client.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <vector>

namespace seed::device {
namespace {

using test::eventfd_value;
using test::make_eventfd;

TEST(Msix, RaiseSignalsAssignedEventfd) {
    Msix msix(65);
    UniqueFd efd = make_eventfd();
    int raw = efd.get();
    std::vector<UniqueFd> fds;
    fds.push_back(std::move(efd));
    ASSERT_EQ(msix.assign(5, fds), 0);
    EXPECT_TRUE(msix.assigned(5));
    EXPECT_TRUE(msix.raise(5));
    EXPECT_EQ(eventfd_value(raw), 1u);
    EXPECT_FALSE(msix.raise(65)) << "out of range";
}

TEST(Msix, PendingLatchFiresOnAssign) {
    Msix msix(65);
    EXPECT_FALSE(msix.raise(64));
    EXPECT_TRUE(msix.pending(64));
    uint8_t pba[16] = {};
    msix.read_pba(0, pba);
    EXPECT_EQ(pba[8], 1) << "vector 64 is bit 0 of the second qword";
    EXPECT_EQ(msix.pba_size(), 16u);

    UniqueFd efd = make_eventfd();
    int raw = efd.get();
    std::vector<UniqueFd> fds;
    fds.push_back(std::move(efd));
    ASSERT_EQ(msix.assign(64, fds), 0);
    EXPECT_FALSE(msix.pending(64));
    EXPECT_EQ(eventfd_value(raw), 1u);
}

TEST(Msix, DeassignAndClear) {
    Msix msix(65);
    std::vector<UniqueFd> fds;
    fds.push_back(make_eventfd());
    fds.push_back(make_eventfd());
    ASSERT_EQ(msix.assign(0, fds), 0);
    EXPECT_EQ(msix.deassign(1, 1), 0);
    EXPECT_TRUE(msix.assigned(0));
    EXPECT_FALSE(msix.assigned(1));
    msix.deassign_all();
    EXPECT_FALSE(msix.assigned(0));
    EXPECT_EQ(msix.deassign(60, 6), -EINVAL);
    std::vector<UniqueFd> too_many(2);
    EXPECT_EQ(msix.assign(64, too_many), -EINVAL);
    msix.raise(3);
    msix.clear_pending();
    EXPECT_FALSE(msix.pending(3));
}

} // namespace
} // namespace seed::device
