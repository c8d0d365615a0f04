// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seedctl exporter: Prometheus metrics on http://HOST:PORT/metrics (one
// thread per connection, so an idle or slow client never delays another
// scrape), or written to a node_exporter textfile.
#include "command.hpp"
#include "metrics_collector.hpp"
#include "prometheus.hpp"
#include "report.hpp"

#include <httplib.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <ostream>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

namespace seedctl {
namespace {

constexpr const char* kDefaultListen = ":29400";
constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

// Runs each connection on a thread of its own, at most @p max at once;
// beyond that, accepting waits for a connection to end.
class ConnectionThreads final : public httplib::TaskQueue {
public:
    explicit ConnectionThreads(unsigned max) : max_(max) {}

    void enqueue(std::function<void()> fn) override {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return running_ < max_; });
        ++running_;
        lock.unlock();
        try {
            std::thread([this, task = std::move(fn)] {
                task();
                finished();
            }).detach();
        } catch (const std::system_error&) {
            // No thread to spare: serve this one on the accepting thread.
            fn();
            finished();
        }
    }

    void shutdown() override {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return running_ == 0; });
    }

private:
    void finished() {
        const std::lock_guard lock(mutex_);
        --running_;
        changed_.notify_all();
    }

    const unsigned max_;
    std::mutex mutex_; // Protects running_
    std::condition_variable changed_;
    unsigned running_ = 0;
};

struct ListenAddress {
    std::string host;
    int port = 0;
};

// "HOST:PORT", ":PORT" (all IPv4 interfaces) or "[V6]:PORT".
std::optional<ListenAddress> parse_listen(const std::string& text, std::string& why) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) {
        why = "has no port";
        return std::nullopt;
    }
    ListenAddress a;
    a.host = text.substr(0, colon);
    const std::string port = text.substr(colon + 1);
    if (a.host.size() >= 2 && a.host.front() == '[' && a.host.back() == ']')
        a.host = a.host.substr(1, a.host.size() - 2);
    if (a.host.empty())
        a.host = "0.0.0.0";
    const auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), a.port);
    if (port.empty() || ec != std::errc() || p != port.data() + port.size() || a.port < 1 ||
        a.port > 65535) {
        why = "port '" + port + "' is not a number from 1 to 65535";
        return std::nullopt;
    }
    return a;
}

std::string scrape() {
    return render_prometheus(collect_metrics());
}

// Writes @p text to @p path atomically: a temporary file in the same
// directory (not named *.prom, so node_exporter ignores it), fsync, rename.
bool write_atomically(const std::string& path, const std::string& text, std::string& why) {
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        why = "cannot create " + tmp + ": " + std::strerror(errno);
        return false;
    }
    std::size_t done = 0;
    bool ok = true;
    while (ok && done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        if (ok)
            done += static_cast<std::size_t>(n);
    }
    if (ok)
        ok = ::fsync(fd) == 0;
    const int saved = errno;
    ok = ::close(fd) == 0 && ok;
    if (ok && ::rename(tmp.c_str(), path.c_str()) == 0)
        return true;
    why = "cannot write " + path + ": " + std::strerror(ok ? errno : saved);
    ::unlink(tmp.c_str());
    return false;
}

class ExporterCommand final : public Command {
public:
    std::string_view name() const noexcept override { return "exporter"; }
    std::string_view summary() const noexcept override {
        return "Serve Prometheus metrics on http://ADDR/metrics, or write a textfile";
    }

    void configure(CLI::App& app) override {
        auto* listen = app.add_option(
            "--listen", listen_,
            std::string("HOST:PORT to listen on (default ") + kDefaultListen +
                ", all IPv4 interfaces; 127.0.0.1:29400 for local only, [::]:29400 for IPv6)");
        auto* max_requests =
            app.add_option("--max-requests", max_requests_,
                           "Exit after serving N requests (default 0: run until killed)");
        app.add_option("--max-connections", max_connections_,
                       "Connections served at once, each on its own thread (default 256)")
            ->check(CLI::Range(1u, 65536u));
        app.add_option("--timeout", timeout_s_,
                       "Seconds a connection may stay idle or stall a read or write "
                       "before it is closed (default 10)")
            ->check(CLI::Range(1u, 3600u));
        auto* textfile = app.add_option(
            "--textfile", textfile_,
            "Instead of serving HTTP, write the metrics to FILE (must end in .prom) for "
            "node_exporter's textfile collector, replacing it atomically");
        auto* interval = app.add_option("--interval", interval_s_,
                                        "With --textfile: seconds between writes (default 15)")
                             ->check(CLI::Range(1u, 86400u));
        auto* once = app.add_flag("--once", once_, "With --textfile: write once and exit");
        textfile->excludes(listen)->excludes(max_requests);
        interval->needs(textfile);
        once->needs(textfile)->excludes(interval);
        app.description(
            "Serve the Prometheus text format on /metrics (default port 29400), one thread per "
            "connection, or with --textfile write it to a file for node_exporter. Metrics are "
            "listed in docs/seedctl.md. Devices are opened for each scrape only, so the "
            "exporter never keeps a device busy.");
        app.footer("Exit status: 0 after --max-requests or --once, 1 cannot listen or write the "
                   "textfile, 2 usage error.");
    }

    int run(const Io& io) override {
        if (!textfile_.empty())
            return run_textfile(io);
        std::string why;
        const auto address = parse_listen(listen_, why);
        if (!address) {
            print_error(io.err, "--listen '" + listen_ + "' " + why,
                        "use HOST:PORT, e.g. 127.0.0.1:29400 or :29400");
            return exit_usage;
        }
        httplib::Server server;
        const unsigned max_connections = max_connections_;
        server.new_task_queue = [max_connections] {
            return new ConnectionThreads(max_connections);
        };
        server.set_read_timeout(timeout_s_, 0);
        server.set_write_timeout(timeout_s_, 0);
        server.set_keep_alive_timeout(timeout_s_);
        std::atomic<unsigned> served = 0;
        const auto count = [&] {
            if (max_requests_ != 0 && ++served == max_requests_)
                server.stop();
        };
        server.Get("/metrics", [&](const httplib::Request&, httplib::Response& res) {
            try {
                res.set_content(scrape(), kContentType);
            } catch (const std::exception& e) {
                res.status = 500;
                res.set_content(std::string("seedctl exporter: ") + e.what() + '\n', "text/plain");
            }
            count();
        });
        server.Get("/", [&](const httplib::Request&, httplib::Response& res) {
            res.set_content("<html><body><a href=\"/metrics\">SeedChip metrics</a></body></html>\n",
                            "text/html");
            count();
        });
        server.set_error_handler([&](const httplib::Request&, httplib::Response& res) {
            if (res.status == 404)
                res.set_content("not found; metrics are on /metrics\n", "text/plain");
            count();
        });
        if (!server.bind_to_port(address->host, address->port)) {
            print_error(io.err, "cannot listen on " + listen_ + ": " + std::strerror(errno),
                        "is the address in use, or the port privileged?");
            return exit_failure;
        }
        io.err << "seedctl: exporter listening on " << listen_ << "/metrics\n";
        io.err.flush();
        if (!server.listen_after_bind()) {
            print_error(io.err, "the server on " + listen_ + " stopped", "");
            return exit_failure;
        }
        return exit_ok;
    }

private:
    int run_textfile(const Io& io) {
        namespace fs = std::filesystem;
        const fs::path path(textfile_);
        if (path.extension() != ".prom" || path.filename() == ".prom") {
            print_error(io.err, "--textfile '" + textfile_ + "' does not end in .prom",
                        "node_exporter's textfile collector reads only *.prom files");
            return exit_usage;
        }
        std::error_code ec;
        const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
        if (!fs::is_directory(dir, ec)) {
            print_error(io.err, "--textfile: no directory " + dir.string(),
                        "create it, or point --textfile at node_exporter's "
                        "--collector.textfile.directory");
            return exit_usage;
        }
        while (true) {
            std::string text;
            try {
                text = scrape();
            } catch (const std::exception& e) {
                text = "# seedctl exporter: " + std::string(e.what()) + '\n';
            }
            std::string why;
            if (!write_atomically(textfile_, text, why)) {
                print_error(io.err, why, "check the directory's permissions");
                return exit_failure;
            }
            if (once_)
                return exit_ok;
            std::this_thread::sleep_for(std::chrono::seconds(interval_s_));
        }
    }

    std::string listen_ = kDefaultListen;
    unsigned max_requests_ = 0;
    unsigned max_connections_ = 256;
    unsigned timeout_s_ = 10;
    std::string textfile_;
    unsigned interval_s_ = 15;
    bool once_ = false;
};

} // namespace

std::unique_ptr<Command> make_exporter_command() {
    return std::make_unique<ExporterCommand>();
}

} // namespace seedctl
