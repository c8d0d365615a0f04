// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seedctl exporter: Prometheus metrics on /metrics over plain HTTP/1.0,
// one request at a time.
#include "command.hpp"
#include "output.hpp"
#include "report.hpp"

#include <seed/error.hpp>
#include <seed/uuid.hpp>

#include <cerrno>
#include <cstring>
#include <ostream>

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

namespace seedctl {

std::string prometheus_escape(const std::string& value) {
    std::string out;
    for (const char c : value) {
        if (c == '\\' || c == '"')
            out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

namespace {

std::string labels(const seed::DeviceInfo& info, const std::string& extra = {}) {
    std::string out = "{uuid=\"" + prometheus_escape(seed::format_uuid(info.uuid)) +
                      "\",serial=\"" + prometheus_escape(info.serial) + "\",pci=\"" +
                      prometheus_escape(info.pci_address) + "\"";
    if (!extra.empty())
        out += ',' + extra;
    return out + '}';
}

std::string number(double v) {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "%.17g", v);
    return buf;
}

} // namespace

std::string render_prometheus(std::span<const MetricsSample> samples) {
    std::string out;
    const auto family = [&](const char* name, const char* type, const char* help, auto&& emit) {
        out += std::string("# HELP ") + name + ' ' + help + '\n';
        out += std::string("# TYPE ") + name + ' ' + type + '\n';
        for (const auto& s : samples)
            emit(s, name);
    };
    family("seedchip_up", "gauge", "1 if the device answered the telemetry query, else 0.",
           [&](const MetricsSample& s, const char* n) {
               out += n + labels(s.info) + ' ' + (s.telemetry && s.memory ? "1" : "0") + '\n';
           });
    family("seedchip_temperature_celsius", "gauge", "Chip temperature.",
           [&](const MetricsSample& s, const char* n) {
               if (s.telemetry)
                   out +=
                       n + labels(s.info) + ' ' + number(s.telemetry->temperature_celsius()) + '\n';
           });
    family("seedchip_power_watts", "gauge", "Board power.",
           [&](const MetricsSample& s, const char* n) {
               if (s.telemetry)
                   out += n + labels(s.info) + ' ' + number(s.telemetry->power_watts()) + '\n';
           });
    family("seedchip_core_clock_hertz", "gauge", "Core clock.",
           [&](const MetricsSample& s, const char* n) {
               if (s.telemetry)
                   out +=
                       n + labels(s.info) + ' ' + number(s.telemetry->core_clock_mhz * 1e6) + '\n';
           });
    family("seedchip_hbm_total_bytes", "gauge", "Device memory (HBM) size.",
           [&](const MetricsSample& s, const char* n) {
               out += n + labels(s.info) + ' ' + std::to_string(s.info.hbm_size) + '\n';
           });
    family("seedchip_hbm_used_bytes", "gauge", "HBM allocated to buffers of all processes.",
           [&](const MetricsSample& s, const char* n) {
               if (s.memory)
                   out += n + labels(s.info) + ' ' + std::to_string(s.memory->hbm_used) + '\n';
           });
    family("seedchip_ecc_errors_total", "counter", "HBM ECC errors since power-on.",
           [&](const MetricsSample& s, const char* n) {
               if (!s.telemetry)
                   return;
               out += n + labels(s.info, "type=\"corrected\"") + ' ' +
                      std::to_string(s.telemetry->ecc_corrected) + '\n';
               out += n + labels(s.info, "type=\"uncorrected\"") + ' ' +
                      std::to_string(s.telemetry->ecc_uncorrected) + '\n';
           });
    family("seedchip_engine_busy_seconds_total", "counter", "Busy time of each engine.",
           [&](const MetricsSample& s, const char* n) {
               if (!s.telemetry)
                   return;
               for (std::size_t e = 0; e < s.telemetry->engine_busy_ns.size(); ++e) {
                   out += n + labels(s.info, "engine=\"" + std::to_string(e) + "\"") + ' ' +
                          number(static_cast<double>(s.telemetry->engine_busy_ns[e]) / 1e9) + '\n';
               }
           });
    family("seedchip_resets_total", "counter", "Device resets since the driver bound.",
           [&](const MetricsSample& s, const char* n) {
               if (s.telemetry)
                   out +=
                       n + labels(s.info) + ' ' + std::to_string(s.telemetry->reset_count) + '\n';
           });
    return out;
}

namespace {

class Socket {
public:
    explicit Socket(int fd = -1) noexcept : fd_(fd) {}
    Socket(Socket&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    Socket& operator=(Socket&&) = delete;
    ~Socket() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    [[nodiscard]] int get() const noexcept { return fd_; }

private:
    int fd_;
};

bool send_all(int fd, const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

std::vector<MetricsSample> collect() {
    std::vector<MetricsSample> samples;
    for (const auto& info : seed::Device::list()) {
        MetricsSample s{info, std::nullopt, std::nullopt};
        try {
            const auto dev = seed::Device::open(info.index);
            s.telemetry = seed::read_telemetry(dev);
            s.memory = dev.memory_usage();
        } catch (const seed::Error&) {
            // reported as seedchip_up 0
        }
        samples.push_back(std::move(s));
    }
    return samples;
}

void serve(int client) {
    timeval tv{5, 0};
    ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    std::string request;
    char buf[2048];
    while (request.find("\r\n\r\n") == std::string::npos && request.size() < 16384) {
        const ssize_t n = ::recv(client, buf, sizeof(buf), 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        request.append(buf, static_cast<std::size_t>(n));
    }
    const auto line_end = request.find("\r\n");
    const std::string line = request.substr(0, line_end);
    std::string status = "200 OK";
    std::string type = "text/plain; version=0.0.4; charset=utf-8";
    std::string body;
    if (line.rfind("GET /metrics", 0) == 0 &&
        (line.size() == 12 || line[12] == ' ' || line[12] == '?')) {
        try {
            body = render_prometheus(collect());
        } catch (const std::exception& e) {
            status = "500 Internal Server Error";
            body = std::string("seedctl exporter: ") + e.what() + '\n';
        }
    } else if (line.rfind("GET / ", 0) == 0) {
        type = "text/html";
        body = "<html><body><a href=\"/metrics\">SeedChip metrics</a></body></html>\n";
    } else {
        status = "404 Not Found";
        type = "text/plain";
        body = "not found; metrics are on /metrics\n";
    }
    send_all(client, "HTTP/1.0 " + status + "\r\nContent-Type: " + type + "\r\nContent-Length: " +
                         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
}

class ExporterCommand final : public Command {
public:
    std::string_view name() const noexcept override { return "exporter"; }
    std::string_view summary() const noexcept override {
        return "Serve Prometheus metrics on http://ADDR/metrics";
    }

    void configure(CLI::App& app) override {
        app.add_option("--listen", listen_,
                       "HOST:PORT to listen on (default :9400, all "
                       "interfaces; 127.0.0.1:9400 for local only)");
        app.add_option("--max-requests", max_requests_,
                       "Exit after serving N requests (default 0: run until killed)");
        app.description(
            "Serve the Prometheus text format on /metrics: seedchip_up, "
            "seedchip_temperature_celsius, seedchip_power_watts, seedchip_core_clock_hertz, "
            "seedchip_hbm_total_bytes, seedchip_hbm_used_bytes, "
            "seedchip_ecc_errors_total{type}, seedchip_engine_busy_seconds_total{engine}, "
            "seedchip_resets_total, each labelled uuid, serial and pci. Devices are opened "
            "for each scrape only, so the exporter never keeps a device busy.");
        app.footer("Exit status: 0 after --max-requests, 1 cannot listen, 2 usage error.");
    }

    int run(const Io& io) override {
        const auto colon = listen_.rfind(':');
        if (colon == std::string::npos) {
            print_error(io.err, "--listen '" + listen_ + "' has no port",
                        "use HOST:PORT, e.g. 127.0.0.1:9400 or :9400");
            return exit_usage;
        }
        std::string host = listen_.substr(0, colon);
        const std::string port = listen_.substr(colon + 1);
        if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
            host = host.substr(1, host.size() - 2);
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_PASSIVE;
        addrinfo* res = nullptr;
        const int gai =
            ::getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &res);
        if (gai != 0) {
            print_error(io.err, "cannot resolve --listen '" + listen_ + "': " + ::gai_strerror(gai),
                        "use HOST:PORT with a numeric port");
            return exit_usage;
        }
        const std::unique_ptr<addrinfo, void (*)(addrinfo*)> guard(res, ::freeaddrinfo);
        Socket sock(::socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol));
        const int one = 1;
        if (sock.get() >= 0)
            ::setsockopt(sock.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (sock.get() < 0 || ::bind(sock.get(), res->ai_addr, res->ai_addrlen) != 0 ||
            ::listen(sock.get(), 16) != 0) {
            print_error(io.err, "cannot listen on " + listen_ + ": " + std::strerror(errno),
                        "is the address in use, or the port privileged?");
            return exit_failure;
        }
        io.err << "seedctl: exporter listening on " << listen_ << "/metrics\n";
        io.err.flush();
        for (unsigned served = 0; max_requests_ == 0 || served < max_requests_; ++served) {
            Socket client(::accept4(sock.get(), nullptr, nullptr, SOCK_CLOEXEC));
            if (client.get() < 0) {
                if (errno == EINTR || errno == ECONNABORTED)
                    continue;
                print_error(io.err, std::string("accept: ") + std::strerror(errno), "");
                return exit_failure;
            }
            serve(client.get());
        }
        return exit_ok;
    }

private:
    std::string listen_ = ":9400";
    unsigned max_requests_ = 0;
};

} // namespace

std::unique_ptr<Command> make_exporter_command() {
    return std::make_unique<ExporterCommand>();
}

} // namespace seedctl
