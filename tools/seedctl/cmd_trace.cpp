// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seedctl trace: record seed.ko's tracepoints (events/seed/ in tracefs) for
// a while, or convert a captured tracefs text log, into a Chrome trace
// (the JSON "traceEvents" format that Perfetto and chrome://tracing open).
#include "command.hpp"
#include "output.hpp"
#include "report.hpp"

#include <seed/error.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <ostream>
#include <sstream>
#include <system_error>
#include <thread>
#include <tuple>

namespace seedctl {

namespace {

namespace fs = std::filesystem;

// One line of a tracefs text log:
//   <task>-<pid> [<cpu>] <flags> <seconds>.<fraction>: <event>: key=value ...
// The flags column is absent without the irq-info option; trace-cmd report
// prints the same shape.
struct Line {
    std::int64_t ts_ns = 0;
    std::string event;
    std::map<std::string, std::string> fields;
};

// "1234.567890" (any number of decimals) to ns; false if not a time stamp.
bool parse_time(std::string_view s, std::int64_t& ns) {
    const auto dot = s.find('.');
    const std::string_view whole = s.substr(0, dot);
    if (whole.empty())
        return false;
    std::int64_t sec = 0;
    for (const char c : whole) {
        if (c < '0' || c > '9')
            return false;
        sec = sec * 10 + (c - '0');
    }
    std::int64_t frac = 0;
    int digits = 0;
    if (dot != std::string_view::npos) {
        for (const char c : s.substr(dot + 1)) {
            if (c < '0' || c > '9')
                return false;
            if (digits < 9) {
                frac = frac * 10 + (c - '0');
                digits++;
            }
        }
    }
    for (; digits < 9; digits++)
        frac *= 10;
    ns = sec * 1'000'000'000 + frac;
    return true;
}

// key=value pairs; a value runs to the next " key=", so the last one (the
// reason of a device reset) may hold spaces.
std::map<std::string, std::string> parse_fields(std::string_view s) {
    std::map<std::string, std::string> out;
    std::size_t pos = 0;
    while (pos < s.size()) {
        const auto eq = s.find('=', pos);
        if (eq == std::string_view::npos)
            break;
        std::string key(s.substr(pos, eq - pos));
        std::size_t end = eq + 1;
        std::size_t next = s.size();
        for (std::size_t sp = s.find(' ', end); sp != std::string_view::npos;
             sp = s.find(' ', sp + 1)) {
            const auto k_end = s.find_first_of("= ", sp + 1);
            if (k_end != std::string_view::npos && s[k_end] == '=' && k_end > sp + 1) {
                next = sp;
                break;
            }
        }
        out.emplace(std::move(key), std::string(s.substr(end, next - end)));
        pos = next == s.size() ? next : next + 1;
    }
    return out;
}

std::optional<Line> parse_line(std::string_view text) {
    // The event name is the first ": seed_" token; the time stamp ends
    // right before it.
    const auto mark = text.find(": seed_");
    if (mark == std::string_view::npos)
        return std::nullopt;
    const auto ev_end = text.find(": ", mark + 2);
    const auto ts_begin = text.rfind(' ', mark);
    if (ts_begin == std::string_view::npos)
        return std::nullopt;
    Line line;
    if (!parse_time(text.substr(ts_begin + 1, mark - ts_begin - 1), line.ts_ns))
        return std::nullopt;
    if (ev_end == std::string_view::npos) {
        line.event = std::string(text.substr(mark + 2));
    } else {
        line.event = std::string(text.substr(mark + 2, ev_end - mark - 2));
        line.fields = parse_fields(text.substr(ev_end + 2));
    }
    return line;
}

std::uint64_t number(const Line& l, const std::string& key) {
    const auto it = l.fields.find(key);
    if (it == l.fields.end())
        return 0;
    try {
        return std::stoull(it->second);
    } catch (const std::exception&) {
        return 0;
    }
}

std::int64_t signed_number(const Line& l, const std::string& key) {
    const auto it = l.fields.find(key);
    if (it == l.fields.end())
        return 0;
    try {
        return std::stoll(it->second);
    } catch (const std::exception&) {
        return 0;
    }
}

std::string field(const Line& l, const std::string& key) {
    const auto it = l.fields.find(key);
    return it == l.fields.end() ? std::string() : it->second;
}

double to_us(std::int64_t ns) {
    return static_cast<double>(ns) / 1000.0;
}

} // namespace

TraceConversion convert_trace(std::string_view log) {
    TraceConversion result;
    Json events = Json::array();

    // Chrome's pid is the chip, tid the track: 0 for the chip's own events
    // (BOs, resets), then one per (client, queue).
    std::map<std::string, int> pids;
    std::map<std::tuple<std::string, std::uint64_t, std::uint64_t>, int> tids;
    std::map<std::string, int> next_tid;
    auto pid_of = [&](const std::string& dev) {
        const auto [it, added] = pids.emplace(dev, static_cast<int>(pids.size()) + 1);
        if (added) {
            events.push_back({{"ph", "M"},
                              {"name", "process_name"},
                              {"pid", it->second},
                              {"args", {{"name", "seed " + dev}}}});
            events.push_back({{"ph", "M"},
                              {"name", "thread_name"},
                              {"pid", it->second},
                              {"tid", 0},
                              {"args", {{"name", "device"}}}});
        }
        return it->second;
    };
    auto tid_of = [&](const Line& l) {
        const std::string dev = field(l, "dev");
        const int pid = pid_of(dev);
        const auto key = std::make_tuple(dev, number(l, "client"), number(l, "queue"));
        const auto [it, added] = tids.emplace(key, 0);
        if (added) {
            it->second = ++next_tid[dev];
            events.push_back(
                {{"ph", "M"},
                 {"name", "thread_name"},
                 {"pid", pid},
                 {"tid", it->second},
                 {"args",
                  {{"name", "client " + std::to_string(number(l, "client")) + " queue " +
                                std::to_string(number(l, "queue")) + " (ring " +
                                std::to_string(number(l, "ring")) + ")"}}}});
        }
        return std::make_pair(pid, it->second);
    };

    struct Job {
        std::optional<std::int64_t> submit_ns;
        std::optional<std::int64_t> run_ns;
        Line run;
    };
    using JobKey = std::tuple<std::string, std::uint64_t, std::uint64_t, std::uint64_t>;
    std::map<JobKey, Job> jobs;
    auto key_of = [](const Line& l) {
        return JobKey{field(l, "dev"), number(l, "client"), number(l, "queue"), number(l, "seq")};
    };
    auto instant = [&](const Line& l, const std::string& name, const char* cat) {
        Json args = Json::object();
        for (const auto& [k, v] : l.fields)
            if (k != "dev")
                args[k] = v;
        events.push_back({{"ph", "i"},
                          {"s", "t"},
                          {"name", name},
                          {"cat", cat},
                          {"ts", to_us(l.ts_ns)},
                          {"pid", pid_of(field(l, "dev"))},
                          {"tid", 0},
                          {"args", args}});
    };

    std::istringstream in{std::string(log)};
    for (std::string text; std::getline(in, text);) {
        if (text.find("[LOST ") != std::string::npos && text.find(" EVENTS]") != std::string::npos)
            result.lost_lines++;
        const auto l = parse_line(text);
        if (!l)
            continue;
        result.seed_events++;
        if (l->event == "seed_job_submit") {
            jobs[key_of(*l)].submit_ns = l->ts_ns;
        } else if (l->event == "seed_job_run") {
            auto& job = jobs[key_of(*l)];
            job.run_ns = l->ts_ns;
            job.run = *l;
        } else if (l->event == "seed_job_done") {
            const auto it = jobs.find(key_of(*l));
            if (it == jobs.end() || !it->second.run_ns) {
                // Failed before it ran, or ran before the capture began.
                result.jobs_not_run++;
                instant(*l, "job " + field(*l, "seq") + " ended without running here", "job");
                if (it != jobs.end())
                    jobs.erase(it);
                continue;
            }
            const Job& job = it->second;
            const auto [pid, tid] = tid_of(*l);
            Json args = {{"client", number(*l, "client")},
                         {"queue", number(*l, "queue")},
                         {"ring", number(*l, "ring")},
                         {"seq", number(*l, "seq")},
                         {"hw_seqno", number(job.run, "hw_seqno")},
                         {"hw_ctx", number(job.run, "hw_ctx")},
                         {"status", number(*l, "status")},
                         {"error", signed_number(*l, "error")},
                         {"device_done_ns", number(*l, "dev_ns")}};
            if (job.submit_ns)
                args["queued_us"] = to_us(*job.run_ns - *job.submit_ns);
            events.push_back({{"ph", "X"},
                              {"name", "job " + field(*l, "seq")},
                              {"cat", number(*l, "status") ? "job,failed" : "job"},
                              {"ts", to_us(*job.run_ns)},
                              {"dur", to_us(l->ts_ns - *job.run_ns)},
                              {"pid", pid},
                              {"tid", tid},
                              {"args", args}});
            result.jobs++;
            jobs.erase(it);
        } else if (l->event == "seed_job_timeout") {
            instant(*l, "timeout on ring " + field(*l, "ring"), "reset");
        } else if (l->event == "seed_queue_reset") {
            instant(*l, "queue reset of ring " + field(*l, "ring"), "reset");
        } else if (l->event == "seed_device_reset") {
            instant(*l, "device reset", "reset");
        } else if (l->event == "seed_bo_create") {
            instant(*l, "BO " + field(*l, "id") + " created", "bo");
        } else if (l->event == "seed_bo_free") {
            instant(*l, "BO " + field(*l, "id") + " freed", "bo");
        }
    }
    for (const auto& [key, job] : jobs)
        if (job.run_ns)
            result.jobs_unfinished++;

    result.json = to_text(Json{{"traceEvents", events},
                               {"displayTimeUnit", "ns"},
                               {"otherData",
                                {{"source", "seedctl trace"},
                                 {"clock", "tracefs trace clock"},
                                 {"seed_events", result.seed_events},
                                 {"jobs", result.jobs},
                                 {"jobs_not_run", result.jobs_not_run},
                                 {"jobs_unfinished", result.jobs_unfinished},
                                 {"lost_event_reports", result.lost_lines}}}});
    return result;
}

namespace {

std::atomic<bool> interrupted{false};

extern "C" void on_interrupt(int) {
    interrupted = true;
}

// A tracefs instance of its own, so that the global buffer and other users'
// settings are untouched; removed on destruction.
class TraceInstance {
public:
    explicit TraceInstance(fs::path dir) : dir_(std::move(dir)) {
        if (::mkdir(dir_.c_str(), 0700) != 0)
            throw seed::Error(std::error_code(errno, std::generic_category()),
                              "cannot create the trace instance " + dir_.string());
    }
    TraceInstance(const TraceInstance&) = delete;
    TraceInstance& operator=(const TraceInstance&) = delete;
    ~TraceInstance() {
        std::error_code ec;
        write("events/seed/enable", "0", ec);
        ::rmdir(dir_.c_str());
    }

    void write(const std::string& file, const std::string& value, std::error_code& ec) const {
        std::ofstream out(dir_ / file);
        out << value << '\n';
        out.flush();
        if (!out)
            ec = std::make_error_code(std::errc::io_error);
    }
    void write(const std::string& file, const std::string& value) const {
        std::error_code ec;
        write(file, value, ec);
        if (ec)
            throw seed::Error(std::make_error_code(std::errc::io_error),
                              "cannot write '" + value + "' to " + (dir_ / file).string());
    }
    [[nodiscard]] std::string read(const std::string& file) const {
        std::ifstream in(dir_ / file);
        std::ostringstream text;
        text << in.rdbuf();
        if (!in && !in.eof())
            throw seed::Error(std::make_error_code(std::errc::io_error),
                              "cannot read " + (dir_ / file).string());
        return text.str();
    }

private:
    fs::path dir_;
};

class TraceCommand final : public Command {
public:
    std::string_view name() const noexcept override { return "trace"; }
    std::string_view summary() const noexcept override {
        return "Record the driver's job and memory events as a Chrome/Perfetto trace";
    }

    void configure(CLI::App& app) override {
        app.add_option("-t,--duration", seconds_, "Seconds to record (default 5)")
            ->check(CLI::Range(0.1, 86400.0));
        app.add_option("-i,--input", input_,
                       "Convert this tracefs text log (a copy of tracing/trace, or trace-cmd "
                       "report output) instead of recording; - reads standard input");
        app.add_option("-o,--output", output_, "Write the result here instead of standard output");
        app.add_flag("--raw", raw_, "Print the recorded tracefs text log, not JSON");
        app.add_option("--tracefs", tracefs_, "Where tracefs is mounted")->capture_default_str();
        app.description(
            "Without -i: enable seed.ko's tracepoints (events/seed/: job submit, run, done and "
            "timeout; BO create and free; queue and device resets) in a tracefs instance of "
            "its own with the mono trace clock, record every device for --duration seconds (or "
            "until interrupted), and write a Chrome trace JSON document: one process per "
            "device, one track per user queue (client and queue id), one complete event per "
            "job from the push to its ring (seed_job_run) to its end (seed_job_done), instant "
            "events for BOs, timeouts and resets. Open it in Perfetto (ui.perfetto.dev) or "
            "chrome://tracing. Recording needs root and tracefs mounted. With -i: convert a "
            "captured log the same way (recording it is described in docs/seedctl.md). Time "
            "stamps are those of the trace clock; the device's own completion time of a job "
            "is in its device_done_ns argument.");
        app.footer("Exit status: 0 success, 1 failure (tracefs missing or not writable, input "
                   "unreadable or without seed events), 2 usage error, 77 seed.ko has no "
                   "tracepoints.");
    }

    int run(const Io& io) override {
        std::string log;
        if (input_) {
            if (raw_) {
                print_error(io.err, "--raw only applies when recording",
                            "drop --raw, or -i to record");
                return exit_usage;
            }
            std::ostringstream text;
            if (*input_ == "-") {
                text << std::cin.rdbuf();
            } else {
                std::ifstream in(*input_);
                if (!in) {
                    print_error(io.err, "cannot read " + *input_ + ": " + std::strerror(errno), "");
                    return exit_failure;
                }
                text << in.rdbuf();
            }
            log = text.str();
        } else {
            const int status = record(io, log);
            if (status != exit_ok)
                return status;
        }

        std::string out;
        if (raw_) {
            out = log;
        } else {
            const TraceConversion conv = convert_trace(log);
            if (input_ && conv.seed_events == 0) {
                print_error(io.err, "no seed events in " + *input_,
                            "capture events/seed/ of tracefs (see docs/seedctl.md)");
                return exit_failure;
            }
            if (conv.lost_lines)
                io.err << "seedctl: warning: the trace buffer overflowed (" << conv.lost_lines
                       << " lost-event reports); jobs may be missing\n";
            if (conv.jobs_not_run || conv.jobs_unfinished)
                io.err << "seedctl: note: " << conv.jobs << " jobs; " << conv.jobs_not_run
                       << " ended without a run event, " << conv.jobs_unfinished
                       << " had not ended\n";
            out = conv.json;
        }
        if (!output_) {
            io.out << out;
            return exit_ok;
        }
        std::ofstream file(*output_, std::ios::trunc);
        file << out;
        file.flush();
        if (!file) {
            print_error(io.err, "cannot write " + *output_ + ": " + std::strerror(errno), "");
            return exit_failure;
        }
        return exit_ok;
    }

private:
    int record(const Io& io, std::string& log) {
        const fs::path root = tracefs_;
        std::error_code ec;
        if (!fs::is_directory(root / "instances", ec)) {
            print_error(io.err, "tracefs is not mounted at " + root.string(),
                        "mount it: mount -t tracefs nodev " + root.string());
            return exit_failure;
        }
        if (!fs::is_directory(root / "events" / "seed", ec)) {
            print_error(io.err, "no seed tracepoints in " + (root / "events").string(),
                        "load seed.ko (version with tracepoints)");
            return exit_unsupported;
        }
        // Handlers first: an interrupt once the instance exists must stop
        // the recording, not kill seedctl and leave the instance behind.
        struct sigaction sa {};
        struct sigaction old_int {
        }, old_term{};
        sa.sa_handler = on_interrupt;
        sigemptyset(&sa.sa_mask);
        ::sigaction(SIGINT, &sa, &old_int);
        ::sigaction(SIGTERM, &sa, &old_term);
        TraceInstance inst(root / "instances" / ("seedctl-" + std::to_string(::getpid())));
        // mono: comparable across CPUs and with CLOCK_MONOTONIC.
        inst.write("trace_clock", "mono");
        inst.write("buffer_size_kb", "4096");
        inst.write("events/seed/enable", "1");

        const auto end = std::chrono::steady_clock::now() +
                         std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                             std::chrono::duration<double>(seconds_));
        while (!interrupted && std::chrono::steady_clock::now() < end)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        ::sigaction(SIGINT, &old_int, nullptr);
        ::sigaction(SIGTERM, &old_term, nullptr);

        inst.write("events/seed/enable", "0");
        log = inst.read("trace");
        return exit_ok;
    }

    double seconds_ = 5.0;
    std::optional<std::string> input_;
    std::optional<std::string> output_;
    bool raw_ = false;
    std::string tracefs_ = "/sys/kernel/tracing";
};

} // namespace

std::unique_ptr<Command> make_trace_command() {
    return std::make_unique<TraceCommand>();
}

} // namespace seedctl
