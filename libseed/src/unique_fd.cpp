// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include "unique_fd.hpp"

#include <unistd.h>

namespace seed {

void UniqueFd::reset(int fd) noexcept {
    const int old = std::exchange(fd_, fd);
    // close() releases the descriptor even when it fails (EINTR included),
    // so there is nothing to retry and nothing useful to report here.
    if (old >= 0 && old != fd)
        ::close(old);
}

} // namespace seed
