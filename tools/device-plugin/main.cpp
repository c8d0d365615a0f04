// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seed-device-plugin: the Kubernetes device plugin of SeedChip. It serves
// kubelet's device plugin API v1beta1 on a UNIX socket in kubelet's device
// plugin directory, registers the resource (seedchip.org/accel) with
// kubelet, keeps the chips' health current, writes the CDI spec the
// runtime uses, and re-registers whenever kubelet restarts (kubelet then
// empties the directory, so the plugin's socket disappearing is the sign).
// docs/kubernetes.md describes the deployment.
#include "cdi.hpp"
#include "health_monitor.hpp"
#include "inventory.hpp"
#include "mgmt.hpp"
#include "plugin_service.hpp"

#include <CLI/CLI.hpp>
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <memory>
#include <regex>
#include <string>
#include <thread>

#include <pthread.h>
#include <sys/stat.h>

#ifndef SEED_DEVICE_PLUGIN_VERSION
#error "SEED_DEVICE_PLUGIN_VERSION must be defined by the build"
#endif

namespace {

namespace fs = std::filesystem;
using seed::plugin::Clock;

constexpr const char* api_version = "v1beta1";

struct Options {
    std::string plugin_dir = "/var/lib/kubelet/device-plugins";
    std::string resource_name = "seedchip.org/accel";
    std::string endpoint = "seedchip.sock";
    double health_interval_s = 5.0;
    double recovery_holdoff_s = 30.0;
    std::string cdi_spec_dir = "/var/run/cdi";
    bool no_cdi_devices = false;
};

void log(const std::string& message) {
    std::cerr << "seed-device-plugin: " << message << std::endl;
}

// The inode of @p path, 0 if it does not exist.
ino_t inode_of(const fs::path& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

bool register_with_kubelet(const Options& opt) {
    const std::string kubelet = "unix://" + (fs::path(opt.plugin_dir) / "kubelet.sock").string();
    const auto channel = grpc::CreateChannel(kubelet, grpc::InsecureChannelCredentials());
    const auto stub = v1beta1::Registration::NewStub(channel);
    v1beta1::RegisterRequest request;
    request.set_version(api_version);
    request.set_endpoint(opt.endpoint);
    request.set_resource_name(opt.resource_name);
    request.mutable_options()->set_get_preferred_allocation_available(true);
    v1beta1::Empty reply;
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    const grpc::Status status = stub->Register(&context, request, &reply);
    if (!status.ok()) {
        log("registration with kubelet (" + kubelet + ") failed: " + status.error_message());
        return false;
    }
    log("registered " + opt.resource_name + " with kubelet as " + opt.endpoint);
    return true;
}

void write_cdi_spec(const Options& opt) {
    if (opt.cdi_spec_dir.empty())
        return;
    try {
        fs::create_directories(opt.cdi_spec_dir);
        const auto chips = seed::fleet::all_identities();
        const std::string path = (fs::path(opt.cdi_spec_dir) / "seedchip.json").string();
        seed::fleet::write_file_atomically(path, seed::fleet::render_cdi_spec(chips));
        log("wrote the CDI spec " + path + " (" + std::to_string(chips.size()) + " chips)");
    } catch (const std::exception& e) {
        log(std::string("cannot write the CDI spec: ") + e.what());
    }
}

int run(const Options& opt) {
    // Signals go to a thread of their own: blocked here, inherited by every
    // thread started below, taken with sigwait().
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    std::atomic<bool> stopping{false};
    std::thread signal_thread([&] {
        int sig = 0;
        sigwait(&signals, &sig);
        log(std::string("stopping on ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT"));
        stopping = true;
    });
    signal_thread.detach();

    const seed::fleet::MgmtSession mgmt;
    seed::plugin::Inventory inventory(std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(opt.recovery_holdoff_s)));
    seed::plugin::HealthMonitor health(inventory,
                                       std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(opt.health_interval_s)));
    health.probe_all();
    log(std::to_string(inventory.chips().size()) + " SeedChips");
    write_cdi_spec(opt);
    std::thread health_thread([&] { health.run(stopping); });

    seed::plugin::DevicePluginService service(inventory, {.cdi_devices = !opt.no_cdi_devices},
                                              stopping);
    const fs::path socket = fs::path(opt.plugin_dir) / opt.endpoint;
    const fs::path kubelet_socket = fs::path(opt.plugin_dir) / "kubelet.sock";
    int status = 0;
    while (!stopping.load()) {
        std::error_code ec;
        fs::remove(socket, ec);
        grpc::ServerBuilder builder;
        builder.AddListeningPort("unix://" + socket.string(), grpc::InsecureServerCredentials());
        builder.RegisterService(&service);
        const std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
        if (!server) {
            log("cannot serve on " + socket.string());
            status = 1;
            break;
        }
        log("serving on " + socket.string());
        const ino_t ours = inode_of(socket);
        ino_t kubelet = 0;
        bool registered = false;
        auto next_attempt = Clock::now();
        // Until kubelet removes our socket (its restart) or a signal.
        while (!stopping.load() && inode_of(socket) == ours && ours != 0) {
            const ino_t k = inode_of(kubelet_socket);
            if (k != kubelet) {
                registered = false; // a new kubelet: register again
                kubelet = k;
            }
            if (!registered && k != 0 && Clock::now() >= next_attempt) {
                registered = register_with_kubelet(opt);
                next_attempt = Clock::now() + std::chrono::seconds(5);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        if (!stopping.load())
            log(socket.string() + " was removed (kubelet restarted?); starting again");
        inventory.wake_all();
        server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
        server->Wait();
        if (stopping.load())
            fs::remove(socket, ec);
    }
    stopping = true;
    inventory.wake_all();
    health_thread.join();
    return status;
}

} // namespace

int main(int argc, char** argv) {
    Options opt;
    CLI::App app("seed-device-plugin - Kubernetes device plugin for SeedChip accelerators",
                 "seed-device-plugin");
    app.set_version_flag("--version",
                         std::string("seed-device-plugin ") + SEED_DEVICE_PLUGIN_VERSION);
    app.add_option("--plugin-dir", opt.plugin_dir,
                   "kubelet's device plugin directory, holding kubelet.sock")
        ->capture_default_str();
    app.add_option("--resource-name", opt.resource_name,
                   "Extended resource the chips are advertised as")
        ->capture_default_str();
    app.add_option("--endpoint", opt.endpoint, "Socket file name inside --plugin-dir")
        ->capture_default_str();
    app.add_option("--health-interval", opt.health_interval_s,
                   "Seconds between health probes of every chip")
        ->capture_default_str()
        ->check(CLI::Range(0.1, 3600.0));
    app.add_option("--recovery-holdoff", opt.recovery_holdoff_s,
                   "Seconds a chip stays unhealthy after the driver reset it for a fatal error")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 86400.0));
    app.add_option("--cdi-spec-dir", opt.cdi_spec_dir,
                   "Write the CDI spec seedchip.json here at start (empty: do not)")
        ->capture_default_str();
    app.add_flag("--no-cdi-devices", opt.no_cdi_devices,
                 "Do not name CDI devices in Allocate answers (runtimes without CDI)");
    app.footer("Exit status: 0 stopped by SIGTERM or SIGINT, 1 cannot serve, 2 usage error. "
               "Details: docs/kubernetes.md.");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success))
            return app.exit(e);
        std::cerr << "seed-device-plugin: error: " << e.what() << '\n';
        return 2;
    }
    // A DNS subdomain, a slash, a DNS label: kubelet's extended resource form.
    static const std::regex resource(
        R"(^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$)");
    if (!std::regex_match(opt.resource_name, resource) ||
        opt.resource_name.starts_with("kubernetes.io/")) {
        std::cerr << "seed-device-plugin: error: --resource-name '" << opt.resource_name
                  << "' is not of the form domain/name (e.g. seedchip.org/accel)\n";
        return 2;
    }
    if (opt.endpoint.empty() || opt.endpoint.find('/') != std::string::npos ||
        opt.endpoint == "kubelet.sock") {
        std::cerr << "seed-device-plugin: error: --endpoint must be a plain file name other "
                     "than kubelet.sock\n";
        return 2;
    }
    if (!fs::is_directory(opt.plugin_dir)) {
        std::cerr << "seed-device-plugin: error: --plugin-dir " << opt.plugin_dir
                  << " is not a directory\n";
        return 1;
    }
    try {
        return run(opt);
    } catch (const std::exception& e) {
        std::cerr << "seed-device-plugin: error: " << e.what() << '\n';
        return 1;
    }
}
