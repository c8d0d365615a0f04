// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Command line parsing and validation of seedchip-device.
#include "options.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace seed::device {
namespace {

ParseResult parse(std::vector<std::string_view> args) {
    return parse_options(args);
}

ParseResult parse_with_socket(std::vector<std::string_view> args) {
    args.insert(args.begin(), {"--socket", "/tmp/x.sock"});
    return parse_options(args);
}

TEST(Options, Defaults) {
    ParseResult r = parse({"--socket", "/tmp/x.sock"});
    ASSERT_EQ(r.action, ParseAction::kRun) << r.error;
    EXPECT_EQ(r.options.socket_path, "/tmp/x.sock");
    EXPECT_EQ(r.options.hbm_size, 1ull << 30);
    EXPECT_EQ(r.options.queues, 64u);
    EXPECT_EQ(r.options.engines, 4u);
    EXPECT_EQ(r.options.contexts, 64u);
    EXPECT_EQ(r.options.ready_fd, -1);
    EXPECT_EQ(r.options.log_level, LogLevel::kWarn);
    // Random version 4, RFC 4122 variant.
    EXPECT_EQ(r.options.uuid.bytes[6] >> 4, 4);
    EXPECT_EQ(r.options.uuid.bytes[8] & 0xc0, 0x80);
    EXPECT_EQ(r.options.serial, default_serial(r.options.uuid));
}

TEST(Options, SocketIsRequired) {
    ParseResult r = parse({"--hbm", "1G"});
    EXPECT_EQ(r.action, ParseAction::kError);
    EXPECT_NE(r.error.find("--socket"), std::string::npos);
    EXPECT_EQ(parse({"--socket", ""}).action, ParseAction::kError);
    EXPECT_EQ(parse({"--socket"}).action, ParseAction::kError);
    EXPECT_EQ(parse({"--socket", std::string(108, 'a')}).action, ParseAction::kError);
    EXPECT_EQ(parse({"--socket", std::string(107, 'a')}).action, ParseAction::kRun);
}

TEST(Options, EqualsForm) {
    ParseResult r = parse({"--socket=/tmp/y.sock", "--queues=3", "--log-level=debug"});
    ASSERT_EQ(r.action, ParseAction::kRun) << r.error;
    EXPECT_EQ(r.options.socket_path, "/tmp/y.sock");
    EXPECT_EQ(r.options.queues, 3u);
    EXPECT_EQ(r.options.log_level, LogLevel::kDebug);
}

TEST(Options, HelpAndVersion) {
    EXPECT_EQ(parse({"--help"}).action, ParseAction::kHelp);
    EXPECT_EQ(parse({"-h"}).action, ParseAction::kHelp);
    EXPECT_EQ(parse({"--version"}).action, ParseAction::kVersion);
    std::string usage = usage_text("seedchip-device");
    for (const char* opt : {"--socket", "--hbm", "--queues", "--engines", "--contexts", "--uuid",
                            "--serial", "--ready-fd", "--log-level", "--help", "--version"})
        EXPECT_NE(usage.find(opt), std::string::npos) << opt;
    EXPECT_NE(usage.find("default: 1G"), std::string::npos);
}

TEST(Options, UnknownOptionsAndArguments) {
    EXPECT_EQ(parse_with_socket({"--bogus"}).action, ParseAction::kError);
    EXPECT_EQ(parse_with_socket({"stray"}).action, ParseAction::kError);
    EXPECT_EQ(parse_with_socket({"-x"}).action, ParseAction::kError);
}

TEST(Options, SizeParsing) {
    EXPECT_EQ(parse_size("0"), 0u);
    EXPECT_EQ(parse_size("4096"), 4096u);
    EXPECT_EQ(parse_size("4K"), 4096u);
    EXPECT_EQ(parse_size("64m"), 64ull << 20);
    EXPECT_EQ(parse_size("1G"), 1ull << 30);
    EXPECT_EQ(parse_size("2T"), 2ull << 40);
    EXPECT_FALSE(parse_size(""));
    EXPECT_FALSE(parse_size("G"));
    EXPECT_FALSE(parse_size("1.5G"));
    EXPECT_FALSE(parse_size("-1G"));
    EXPECT_FALSE(parse_size("1GB"));
    EXPECT_FALSE(parse_size(" 1G"));
    EXPECT_FALSE(parse_size("99999999999999999999"));
    EXPECT_FALSE(parse_size("17179869184T")); // overflows 64 bits
}

TEST(Options, HbmRange) {
    EXPECT_EQ(parse_with_socket({"--hbm", "64M"}).options.hbm_size, 64ull << 20);
    EXPECT_EQ(parse_with_socket({"--hbm", "64G"}).options.hbm_size, 64ull << 30);
    EXPECT_EQ(parse_with_socket({"--hbm", "1T"}).options.hbm_size, 1ull << 40);
    EXPECT_EQ(parse_with_socket({"--hbm", "66M"}).action, ParseAction::kRun);
    EXPECT_EQ(parse_with_socket({"--hbm", "62M"}).action, ParseAction::kError);   // < 64M
    EXPECT_EQ(parse_with_socket({"--hbm", "65M"}).action, ParseAction::kError);   // not 2M aligned
    EXPECT_EQ(parse_with_socket({"--hbm", "1025G"}).action, ParseAction::kError); // > 1T
    EXPECT_EQ(parse_with_socket({"--hbm", "lots"}).action, ParseAction::kError);
}

TEST(Options, QueueAndEngineCounts) {
    EXPECT_EQ(parse_with_socket({"--queues", "1"}).options.queues, 1u);
    EXPECT_EQ(parse_with_socket({"--queues", "64"}).options.queues, 64u);
    EXPECT_EQ(parse_with_socket({"--queues", "0"}).action, ParseAction::kError);
    EXPECT_EQ(parse_with_socket({"--queues", "65"}).action, ParseAction::kError);
    EXPECT_EQ(parse_with_socket({"--queues", "-1"}).action, ParseAction::kError);
    EXPECT_EQ(parse_with_socket({"--queues", "8x"}).action, ParseAction::kError);
    EXPECT_EQ(parse_with_socket({"--engines", "16"}).options.engines, 16u);
    EXPECT_EQ(parse_with_socket({"--engines", "0"}).action, ParseAction::kError);
    EXPECT_EQ(parse_with_socket({"--engines", "17"}).action, ParseAction::kError);
    EXPECT_EQ(parse_with_socket({"--contexts", "2"}).options.contexts, 2u);
    EXPECT_EQ(parse_with_socket({"--contexts", "64"}).options.contexts, 64u);
    EXPECT_EQ(parse_with_socket({"--contexts", "1"}).action, ParseAction::kError);
    EXPECT_EQ(parse_with_socket({"--contexts", "65"}).action, ParseAction::kError);
}

TEST(Options, Uuid) {
    ParseResult r = parse_with_socket({"--uuid", "01234567-89AB-cdef-0123-456789abcdef"});
    ASSERT_EQ(r.action, ParseAction::kRun) << r.error;
    EXPECT_EQ(r.options.uuid.bytes[0], 0x01);
    EXPECT_EQ(r.options.uuid.bytes[5], 0xab);
    EXPECT_EQ(r.options.uuid.bytes[15], 0xef);
    EXPECT_EQ(r.options.uuid.to_string(), "01234567-89ab-cdef-0123-456789abcdef");
    // The default serial comes from the UUID's last five bytes.
    EXPECT_EQ(r.options.serial, "SC6789ABCDEF");
    for (const char* bad :
         {"", "01234567-89ab-cdef-0123-456789abcde", "01234567-89ab-cdef-0123-456789abcdeff",
          "0123456789ab-cdef-0123-456789abcdef0", "01234567-89ab-cdef-0123_456789abcdef",
          "g1234567-89ab-cdef-0123-456789abcdef", "{01234567-89ab-cdef-0123-456789abcdef}"})
        EXPECT_EQ(parse_with_socket({"--uuid", bad}).action, ParseAction::kError) << bad;
}

TEST(Options, Serial) {
    EXPECT_EQ(parse_with_socket({"--serial", "TEST0"}).options.serial, "TEST0");
    EXPECT_EQ(parse_with_socket({"--serial", "with space ~"}).action, ParseAction::kRun);
    std::string longest(31, 'S');
    EXPECT_EQ(parse_with_socket({"--serial", longest}).options.serial, longest);
    EXPECT_EQ(parse_with_socket({"--serial", std::string(32, 'S')}).action, ParseAction::kError);
    EXPECT_EQ(parse_with_socket({"--serial", ""}).action, ParseAction::kError);
    EXPECT_EQ(parse_with_socket({"--serial", "tab\there"}).action, ParseAction::kError);
    EXPECT_EQ(parse_with_socket({"--serial", "caf\xc3\xa9"}).action, ParseAction::kError);
}

TEST(Options, ReadyFdAndLogLevel) {
    EXPECT_EQ(parse_with_socket({"--ready-fd", "3"}).options.ready_fd, 3);
    EXPECT_EQ(parse_with_socket({"--ready-fd", "-1"}).action, ParseAction::kError);
    EXPECT_EQ(parse_with_socket({"--ready-fd", "x"}).action, ParseAction::kError);
    EXPECT_EQ(parse_with_socket({"--log-level", "error"}).options.log_level, LogLevel::kError);
    EXPECT_EQ(parse_with_socket({"--log-level", "info"}).options.log_level, LogLevel::kInfo);
    EXPECT_EQ(parse_with_socket({"--log-level", "verbose"}).action, ParseAction::kError);
}

TEST(Options, ArgvEntryPoint) {
    const char* argv[] = {"seedchip-device", "--socket", "/tmp/z.sock", "--engines", "8"};
    ParseResult r = parse_options(5, argv);
    ASSERT_EQ(r.action, ParseAction::kRun) << r.error;
    EXPECT_EQ(r.options.engines, 8u);
}

TEST(Uuid, RandomIsVersion4AndDistinct) {
    Uuid a = Uuid::random_v4();
    Uuid b = Uuid::random_v4();
    EXPECT_NE(a, b);
    EXPECT_EQ(a.bytes[6] >> 4, 4);
    EXPECT_EQ(Uuid::parse(a.to_string()), a);
}

} // namespace
} // namespace seed::device
