// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include "unique_fd.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <type_traits>
#include <unistd.h>

namespace {

using seed::UniqueFd;

static_assert(!std::is_copy_constructible_v<UniqueFd>);
static_assert(!std::is_copy_assignable_v<UniqueFd>);
static_assert(std::is_nothrow_move_constructible_v<UniqueFd>);
static_assert(std::is_nothrow_move_assignable_v<UniqueFd>);
static_assert(!std::is_convertible_v<int, UniqueFd>);
static_assert(!std::is_convertible_v<UniqueFd, int>);

bool is_open(int fd) {
    return ::fcntl(fd, F_GETFD) != -1;
}

struct Pipe {
    int r = -1;
    int w = -1;
    Pipe() {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0)
            throw std::runtime_error("pipe2");
        r = fds[0];
        w = fds[1];
    }
};

TEST(UniqueFd, DefaultIsInvalid) {
    UniqueFd fd;
    EXPECT_FALSE(fd.is_valid());
    EXPECT_EQ(fd.get(), -1);
}

TEST(UniqueFd, ClosesOnDestruction) {
    Pipe p;
    {
        UniqueFd r(p.r);
        UniqueFd w(p.w);
        EXPECT_TRUE(r.is_valid());
        EXPECT_EQ(r.get(), p.r);
    }
    EXPECT_FALSE(is_open(p.r));
    EXPECT_FALSE(is_open(p.w));
}

TEST(UniqueFd, MoveTransfersOwnership) {
    Pipe p;
    UniqueFd w(p.w);
    UniqueFd a(p.r);
    UniqueFd b(std::move(a));
    EXPECT_FALSE(a.is_valid()); // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(b.get(), p.r);
    UniqueFd c;
    c = std::move(b);
    EXPECT_EQ(c.get(), p.r);
    EXPECT_TRUE(is_open(p.r));
}

TEST(UniqueFd, MoveAssignmentClosesThePreviousFd) {
    Pipe p;
    UniqueFd r(p.r);
    UniqueFd w(p.w);
    r = std::move(w);
    EXPECT_FALSE(is_open(p.r));
    EXPECT_EQ(r.get(), p.w);
}

TEST(UniqueFd, ReleaseGivesUpOwnership) {
    Pipe p;
    UniqueFd w(p.w);
    int raw = -1;
    {
        UniqueFd r(p.r);
        raw = r.release();
        EXPECT_FALSE(r.is_valid());
    }
    EXPECT_EQ(raw, p.r);
    EXPECT_TRUE(is_open(raw));
    ::close(raw);
}

TEST(UniqueFd, ResetClosesAndAdopts) {
    Pipe p;
    UniqueFd fd(p.r);
    fd.reset(p.w);
    EXPECT_FALSE(is_open(p.r));
    EXPECT_EQ(fd.get(), p.w);
    fd.reset();
    EXPECT_FALSE(is_open(p.w));
    EXPECT_FALSE(fd.is_valid());
}

} // namespace
