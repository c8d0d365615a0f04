// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include "command.hpp"
#include "report.hpp"

#include <seed/error.hpp>

#include <gtest/gtest.h>

#include <cerrno>
#include <sstream>

namespace {

using seedctl::diagnose;

std::error_code sys(int err) {
    return {err, std::system_category()};
}

TEST(Diagnose, ExitCodes) {
    EXPECT_EQ(diagnose(seed::Errc::invalid_device_spec, false).exit_code, seedctl::exit_usage);
    EXPECT_EQ(diagnose(seed::Errc::device_not_found, false).exit_code, seedctl::exit_failure);
    EXPECT_EQ(diagnose(seed::Errc::invalid_visible_devices, false).exit_code,
              seedctl::exit_failure);
    EXPECT_EQ(diagnose(sys(EACCES), false).exit_code, seedctl::exit_failure);
    EXPECT_EQ(diagnose(sys(ENOTTY), false).exit_code, seedctl::exit_unsupported);
    EXPECT_EQ(diagnose(sys(EOPNOTSUPP), false).exit_code, seedctl::exit_unsupported);
    EXPECT_EQ(diagnose(sys(EIO), false).exit_code, seedctl::exit_failure);
}

TEST(Diagnose, EveryFailureHasAHint) {
    for (const std::error_code& code : {make_error_code(seed::Errc::invalid_device_spec),
                                        make_error_code(seed::Errc::device_not_found),
                                        make_error_code(seed::Errc::invalid_visible_devices),
                                        sys(EACCES), sys(EPERM), sys(ENOTTY), sys(EIO)}) {
        EXPECT_FALSE(diagnose(code, false).hint.empty()) << code.message();
    }
}

TEST(Diagnose, HintsMentionTheVisibleDevicesFilter) {
    EXPECT_NE(diagnose(seed::Errc::device_not_found, true).hint.find("SEED_VISIBLE_DEVICES"),
              std::string::npos);
    EXPECT_EQ(diagnose(seed::Errc::device_not_found, false).hint.find("SEED_VISIBLE_DEVICES"),
              std::string::npos);
    EXPECT_NE(seedctl::no_devices_hint(false).find("dmesg | grep seed"), std::string::npos);
    EXPECT_NE(seedctl::no_devices_hint(true).find("SEED_VISIBLE_DEVICES"), std::string::npos);
}

TEST(PrintError, ErrorThenHint) {
    std::ostringstream err;
    seedctl::print_error(err, "boom", "try again");
    EXPECT_EQ(err.str(), "seedctl: error: boom\nseedctl: hint: try again\n");
    std::ostringstream bare;
    seedctl::print_error(bare, "boom", "");
    EXPECT_EQ(bare.str(), "seedctl: error: boom\n");
}

} // namespace
