// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Command line parsing and validation for seedchip-device.
#include "options.h"

#include <hw/seed_hw.h>

#include <sys/un.h>

#include <fmt/format.h>

#include <charconv>
#include <climits>
#include <vector>

#ifndef SEED_DEVICE_VERSION
#define SEED_DEVICE_VERSION "0.0.0"
#endif

namespace seed::device {
namespace {

constexpr size_t kSocketPathMax = sizeof(sockaddr_un::sun_path) - 1;

template <typename T>
std::optional<T> parse_uint(std::string_view text) {
    T value{};
    if (text.empty() || text[0] < '0' || text[0] > '9')
        return std::nullopt;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 10);
    if (ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

std::string format_size(uint64_t bytes) {
    if (bytes % kTiB == 0)
        return fmt::format("{}T", bytes / kTiB);
    if (bytes % kGiB == 0)
        return fmt::format("{}G", bytes / kGiB);
    if (bytes % kMiB == 0)
        return fmt::format("{}M", bytes / kMiB);
    if (bytes % kKiB == 0)
        return fmt::format("{}K", bytes / kKiB);
    return fmt::format("{}", bytes);
}

ParseResult fail(std::string message) {
    ParseResult result;
    result.action = ParseAction::kError;
    result.error = std::move(message);
    return result;
}

} // namespace

std::optional<uint64_t> parse_size(std::string_view text) {
    uint64_t multiplier = 1;
    if (!text.empty()) {
        switch (text.back()) {
        case 'K':
        case 'k':
            multiplier = kKiB;
            break;
        case 'M':
        case 'm':
            multiplier = kMiB;
            break;
        case 'G':
        case 'g':
            multiplier = kGiB;
            break;
        case 'T':
        case 't':
            multiplier = kTiB;
            break;
        default:
            break;
        }
        if (multiplier != 1)
            text.remove_suffix(1);
    }
    auto value = parse_uint<uint64_t>(text);
    if (!value || *value > UINT64_MAX / multiplier)
        return std::nullopt;
    return *value * multiplier;
}

std::string default_serial(const Uuid& uuid) {
    std::string serial = "SC";
    for (size_t i = uuid.bytes.size() - 5; i < uuid.bytes.size(); ++i)
        serial += fmt::format("{:02X}", uuid.bytes[i]);
    return serial;
}

bool valid_serial(std::string_view serial) {
    if (serial.empty() || serial.size() > kSerialMaxLength)
        return false;
    for (char c : serial) {
        if (c < 0x20 || c > 0x7e)
            return false;
    }
    return true;
}

ParseResult parse_options(std::span<const std::string_view> args) {
    ParseResult result;
    Options& opt = result.options;
    std::optional<Uuid> uuid;
    bool have_serial = false;

    for (size_t i = 0; i < args.size(); ++i) {
        std::string_view arg = args[i];
        if (arg == "--help" || arg == "-h") {
            result.action = ParseAction::kHelp;
            return result;
        }
        if (arg == "--version") {
            result.action = ParseAction::kVersion;
            return result;
        }
        if (!arg.starts_with("--"))
            return fail(fmt::format("unexpected argument '{}'", arg));

        std::string_view name = arg.substr(2);
        std::optional<std::string_view> value;
        if (auto eq = name.find('='); eq != std::string_view::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        static constexpr std::string_view kWithValue[] = {
            "socket", "hbm",      "queues",    "engines", "contexts", "uuid",
            "serial", "ready-fd", "log-level", "control", "fault",    "replay"};
        bool known = false;
        for (auto candidate : kWithValue)
            known = known || candidate == name;
        if (!known)
            return fail(fmt::format("unrecognized option '--{}'", name));
        if (!value) {
            if (i + 1 >= args.size())
                return fail(fmt::format("option '--{}' requires a value", name));
            value = args[++i];
        }
        std::string_view v = *value;

        if (name == "socket") {
            if (v.empty())
                return fail("--socket: empty path");
            if (v.size() > kSocketPathMax)
                return fail(fmt::format("--socket: path longer than {} bytes", kSocketPathMax));
            opt.socket_path = std::string(v);
        } else if (name == "hbm") {
            auto size = parse_size(v);
            if (!size)
                return fail(fmt::format("--hbm: invalid size '{}' (expected e.g. 1G, 512M)", v));
            if (*size < kHbmSizeMin || *size > kHbmSizeMax)
                return fail(fmt::format("--hbm: {} out of range [{}, {}]", v,
                                        format_size(kHbmSizeMin), format_size(kHbmSizeMax)));
            if (*size % kHbmSizeAlign != 0)
                return fail(fmt::format("--hbm: {} is not a multiple of {}", v,
                                        format_size(kHbmSizeAlign)));
            opt.hbm_size = *size;
        } else if (name == "queues") {
            auto n = parse_uint<unsigned>(v);
            if (!n || *n < kQueuesMin || *n > SEED_MAX_QUEUES)
                return fail(fmt::format("--queues: '{}' is not an integer in [{}, {}]", v,
                                        kQueuesMin, SEED_MAX_QUEUES));
            opt.queues = *n;
        } else if (name == "engines") {
            auto n = parse_uint<unsigned>(v);
            if (!n || *n < kEnginesMin || *n > kEnginesMax)
                return fail(fmt::format("--engines: '{}' is not an integer in [{}, {}]", v,
                                        kEnginesMin, kEnginesMax));
            opt.engines = *n;
        } else if (name == "contexts") {
            auto n = parse_uint<unsigned>(v);
            if (!n || *n < kContextsMin || *n > SEED_MAX_CONTEXTS)
                return fail(fmt::format("--contexts: '{}' is not an integer in [{}, {}]", v,
                                        kContextsMin, SEED_MAX_CONTEXTS));
            opt.contexts = *n;
        } else if (name == "uuid") {
            uuid = Uuid::parse(v);
            if (!uuid)
                return fail(fmt::format("--uuid: '{}' is not a UUID "
                                        "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
                                        v));
        } else if (name == "serial") {
            if (!valid_serial(v))
                return fail(fmt::format("--serial: must be 1 to {} printable ASCII characters",
                                        kSerialMaxLength));
            opt.serial = std::string(v);
            have_serial = true;
        } else if (name == "ready-fd") {
            auto fd = parse_uint<int>(v);
            if (!fd)
                return fail(fmt::format("--ready-fd: '{}' is not a file descriptor number", v));
            opt.ready_fd = *fd;
        } else if (name == "control") {
            if (v.empty())
                return fail("--control: empty path");
            if (v.size() > kSocketPathMax)
                return fail(fmt::format("--control: path longer than {} bytes", kSocketPathMax));
            opt.control_path = std::string(v);
        } else if (name == "fault") {
            opt.faults.emplace_back(v); // checked when the device exists
        } else if (name == "replay") {
            if (v.empty())
                return fail("--replay: empty path");
            opt.replay_path = std::string(v);
        } else if (name == "log-level") {
            auto level = parse_log_level(v);
            if (!level)
                return fail(
                    fmt::format("--log-level: '{}' is not one of error, warn, info, debug", v));
            opt.log_level = *level;
        }
    }

    if (opt.socket_path.empty() && opt.replay_path.empty())
        return fail("--socket PATH is required");
    opt.uuid = uuid ? *uuid : Uuid::random_v4();
    if (!have_serial)
        opt.serial = default_serial(opt.uuid);
    result.action = ParseAction::kRun;
    return result;
}

ParseResult parse_options(int argc, const char* const* argv) {
    std::vector<std::string_view> args;
    for (int i = 1; i < argc; ++i)
        args.emplace_back(argv[i]);
    return parse_options(args);
}

std::string usage_text(std::string_view program) {
    return fmt::format(
        R"(Usage: {0} --socket PATH [OPTION]...
  or:  {0} --replay DUMP [OPTION]...
SeedChip PCIe accelerator model: a vfio-user server for QEMU's vfio-user-pci.

  --socket PATH      UNIX socket to listen on (required; a stale socket at
                     PATH is replaced, the socket is removed on exit)
  --hbm SIZE         HBM size in bytes, suffix K, M, G or T (binary); sparse
                     backing; {1} to {2}, multiple of {11} (default: {3})
  --queues N         hardware queues, {4} to {5} (default: {6})
  --engines N        compute engines, {7} to {8} (default: {9})
  --contexts N       MMU contexts, {12} to {13} (default: {13})
  --uuid UUID        device UUID, xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx
                     (default: random version 4)
  --serial STR       serial number, 1 to {10} printable ASCII characters
                     (default: "SC" + 10 hex digits of the UUID)
  --ready-fd FD      once listening, write "ready\n" to FD and close it
                     (default: none)
  --log-level LEVEL  error, warn, info or debug; log goes to stderr
                     (default: warn)
  --control PATH     fault injection control socket (docs/hardware.md §16):
                     one command per line, e.g. "hang-queue 3", "help";
                     a stale socket is replaced, removed on exit (default: none)
  --fault CMD        run control command CMD once the device exists, before
                     the socket accepts a connection; repeatable, in order;
                     a failing command exits with status 2
  --replay DUMP      run the failing job of a seed.ko coredump (from
                     /sys/class/devcoredump, `seedctl dump`) on the model, in
                     this process, and compare the outcome: exit 0 when the
                     failure reproduces, 1 when it does not, 2 on a bad dump
  -h, --help         print this help and exit
  --version          print the version and exit

Exit status: 0 on a clean shutdown (SIGINT/SIGTERM), 1 on a runtime error,
2 on a usage error.
)",
        program, format_size(kHbmSizeMin), format_size(kHbmSizeMax), format_size(kHbmSizeDefault),
        kQueuesMin, SEED_MAX_QUEUES, kQueuesDefault, kEnginesMin, kEnginesMax, kEnginesDefault,
        kSerialMaxLength, format_size(kHbmSizeAlign), kContextsMin, SEED_MAX_CONTEXTS);
}

std::string version_text() {
    return fmt::format("seedchip-device {} (hardware revision {}.{})\n", SEED_DEVICE_VERSION,
                       SEED_HW_REV_MAJOR(SEED_HW_REV_V1_0), SEED_HW_REV_MINOR(SEED_HW_REV_V1_0));
}

} // namespace seed::device
