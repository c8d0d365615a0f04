// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seedctl subcommands. Each lives in its own cmd_<name>.cpp and is
// registered in main.cpp; the render_* functions are the commands' output,
// kept free of I/O so they can be unit-tested.
#pragma once

#include <seed/device.hpp>

#include <CLI/CLI.hpp>

#include <iosfwd>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace seedctl {

/// Process exit status of seedctl.
enum ExitCode : int {
    exit_ok = 0,
    exit_failure = 1,     ///< the request failed (no device, I/O error, ...)
    exit_usage = 2,       ///< malformed command line
    exit_unsupported = 77 ///< the driver or device cannot do this
};

struct Io {
    std::ostream& out;
    std::ostream& err;
};

class Command {
public:
    virtual ~Command() = default;

    [[nodiscard]] virtual std::string_view name() const noexcept = 0;
    [[nodiscard]] virtual std::string_view summary() const noexcept = 0;
    /// Adds the subcommand's options to @p app (already named and described).
    virtual void configure(CLI::App& app) = 0;
    /// Runs after a successful parse. Returns the exit status; may throw
    /// seed::Error, which main() reports.
    [[nodiscard]] virtual int run(const Io& io) = 0;
};

[[nodiscard]] std::unique_ptr<Command> make_list_command();
[[nodiscard]] std::unique_ptr<Command> make_info_command();

// Output of `seedctl list`.
[[nodiscard]] std::string render_list_text(std::span<const seed::DeviceInfo> devices);
[[nodiscard]] std::string render_list_json(std::span<const seed::DeviceInfo> devices);

// Output of `seedctl info`.
[[nodiscard]] std::string render_info_text(std::span<const seed::DeviceInfo> devices);
[[nodiscard]] std::string render_info_json(std::span<const seed::DeviceInfo> devices);

} // namespace seedctl
