// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seedctl: administration tool for SeedChip accelerators.
//
// main() owns the command line: global options, dispatch to the
// subcommand, and mapping every failure to an exit status
// (0 ok, 1 failure, 2 usage, 3 in use, 4 diag failed, 77 unsupported).
#include "chips.hpp"
#include "command.hpp"
#include "report.hpp"

#include <seed/error.hpp>
#include <seed/version.hpp>

#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#ifndef SEEDCTL_VERSION
#error "SEEDCTL_VERSION must be defined by the build"
#endif

namespace {

constexpr const char* footer =
    "Exit status: 0 success, 1 failure, 2 usage error, 3 reset refused (device in use), 4 diag "
    "found a failure, 77 unsupported by the driver. Details: docs/seedctl.md.\n"
    "Environment: SEED_VISIBLE_DEVICES=<index|uuid>[,...] restricts and orders the visible "
    "devices.";

int run(int argc, char** argv) {
    using namespace seedctl;

    CLI::App app("seedctl - inspect and manage SeedChip accelerators", "seedctl");
    app.set_version_flag("--version", std::string("seedctl ") + SEEDCTL_VERSION + " (libseed " +
                                          std::string(seed::library_version()) + ")");
    app.require_subcommand(1);

    std::vector<std::unique_ptr<Command>> commands;
    commands.push_back(make_list_command());
    commands.push_back(make_info_command());
    commands.push_back(make_query_command());
    commands.push_back(make_telemetry_command());
    commands.push_back(make_watch_command());
    commands.push_back(make_ps_command());
    commands.push_back(make_reset_command());
    commands.push_back(make_health_command());
    commands.push_back(make_set_command());
    commands.push_back(make_diag_command());
    commands.push_back(make_topo_command());
    commands.push_back(make_cdi_command());
    commands.push_back(make_exporter_command());
    commands.push_back(make_trace_command());
    commands.push_back(make_dump_command());

    std::map<const CLI::App*, Command*> by_app;
    for (const auto& cmd : commands) {
        CLI::App* sub = app.add_subcommand(std::string(cmd->name()), std::string(cmd->summary()));
        cmd->configure(*sub);
        // The long description goes into the subcommand's own --help only;
        // `seedctl --help` lists the one-line summaries.
        const std::string details = sub->get_description();
        if (details != cmd->summary()) {
            sub->description(std::string(cmd->summary()));
            sub->footer(details + "\n\n" + sub->get_footer());
        }
        by_app.emplace(sub, cmd.get());
    }
    app.footer(footer); // after the subcommands, which would inherit it

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success))
            return app.exit(e, std::cout, std::cerr); // --help, --version
        const auto extra = app.remaining();
        if (app.get_subcommands().empty() && !extra.empty())
            std::cerr << "seedctl: error: unknown command '" << extra.front() << "'\n\n";
        else
            std::cerr << "seedctl: error: " << e.what() << "\n\n";
        std::cerr << app.help();
        return exit_usage;
    }

    // `cdi generate` is a subcommand of a subcommand: dispatch on the top one.
    Command* cmd = by_app.at(app.get_subcommands().front());
    const Io io{std::cout, std::cerr};
    const auto report = [](const std::error_code& code, const char* what) {
        const Diagnosis d = diagnose(code, visible_devices_set());
        print_error(std::cerr, what, d.hint);
        return d.exit_code;
    };
    try {
        // Chips are read through the management C API (chips.hpp).
        const seed::fleet::MgmtSession mgmt;
        return cmd->run(io);
    } catch (const Failure& e) {
        return report(e.code(), e.what());
    } catch (const seed::fleet::MgmtError& e) {
        return report(failure_of(e).code(), e.what());
    } catch (const seed::Error& e) {
        return report(e.code(), e.what());
    }
}

} // namespace

int main(int argc, char** argv) {
    try {
        const int status = run(argc, argv);
        std::cout.flush();
        if (!std::cout) {
            std::cerr << "seedctl: error: cannot write the output\n";
            return seedctl::exit_failure;
        }
        return status;
    } catch (const std::exception& e) {
        std::cerr << "seedctl: error: " << e.what() << '\n';
        return seedctl::exit_failure;
    }
}
