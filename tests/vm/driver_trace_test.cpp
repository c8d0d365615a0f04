// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// VM tests of seed.ko's tracepoints (events/seed/ in tracefs): jobs run
// through libseed show up as submit, run and done in that order with
// matching ids, BOs as create then free; and `seedctl trace` turns them
// into a Chrome trace with one complete event per job, both from a
// captured log and by recording itself. A job hung through seed-vm's
// fault injection shows its timeout and the queue reset between its run
// and its done; an admin device reset shows up between the jobs around it.
#include "seedctl_run.hpp"
#include "sysfs_files.hpp"
#include "vm_env.hpp"

#include <seed/management.hpp>
#include <seed/seed.hpp>

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const fs::path tracefs = "/sys/kernel/tracing";

bool write_file(const fs::path& path, const std::string& value) {
    std::ofstream out(path);
    out << value << '\n';
    out.flush();
    return static_cast<bool>(out);
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// One seed_* line of a tracefs text log.
struct Event {
    std::string name;
    std::map<std::string, std::string> fields;
    [[nodiscard]] std::uint64_t num(const std::string& key) const {
        const auto it = fields.find(key);
        return it == fields.end() ? ~0ull : std::stoull(it->second);
    }
};

std::vector<Event> seed_events(const std::string& log) {
    std::vector<Event> out;
    std::istringstream lines(log);
    for (std::string line; std::getline(lines, line);) {
        const auto mark = line.find(": seed_");
        if (mark == std::string::npos)
            continue;
        const auto end = line.find(": ", mark + 2);
        Event e;
        e.name = line.substr(mark + 2, end - mark - 2);
        std::istringstream fields(line.substr(end + 2));
        for (std::string kv; fields >> kv;) {
            const auto eq = kv.find('=');
            if (eq != std::string::npos)
                e.fields[kv.substr(0, eq)] = kv.substr(eq + 1);
        }
        out.push_back(std::move(e));
    }
    return out;
}

// A tracefs instance with the seed events on, removed with the object.
class Instance {
public:
    explicit Instance(const std::string& name) : dir_(tracefs / "instances" / name) {
        fs::remove(dir_); // a leftover of an earlier run
        ok_ = ::mkdir(dir_.c_str(), 0700) == 0 && write_file(dir_ / "trace_clock", "mono") &&
              write_file(dir_ / "buffer_size_kb", "4096") &&
              write_file(dir_ / "events/seed/enable", "1");
    }
    Instance(const Instance&) = delete;
    Instance& operator=(const Instance&) = delete;
    ~Instance() {
        write_file(dir_ / "events/seed/enable", "0");
        ::rmdir(dir_.c_str());
    }
    [[nodiscard]] bool ok() const { return ok_; }
    std::string stop_and_read() {
        write_file(dir_ / "events/seed/enable", "0");
        return read_file(dir_ / "trace");
    }

private:
    fs::path dir_;
    bool ok_ = false;
};

class DriverTrace : public ::testing::Test {
protected:
    void SetUp() override {
        if (seed::Device::list().empty())
            GTEST_SKIP() << "no SeedChip device";
        if (!fs::is_directory(tracefs / "instances")) {
            ASSERT_EQ(::mount("nodev", tracefs.c_str(), "tracefs", 0, nullptr), 0)
                << "cannot mount tracefs: " << std::strerror(errno);
        }
        ASSERT_TRUE(fs::is_directory(tracefs / "events/seed")) << "seed.ko has no tracepoints";
    }

    // Runs @p jobs fills through libseed on one queue, on buffers created
    // and freed here; returns the number of BOs the test created.
    static unsigned run_jobs(unsigned jobs) {
        seed::Device dev = seed::Device::open(0u);
        seed::Queue queue(dev);
        seed::Buffer hbm(dev, 64 << 10, seed::Placement::device);
        seed::Buffer out(dev, 64 << 10, seed::Placement::host);
        std::vector<seed::Fence> fences;
        for (unsigned i = 0; i < jobs; i++) {
            seed::CommandList list(dev);
            list.fill(hbm, hbm.size(), 0x5eed0000u + i, 4).copy(out, hbm, hbm.size());
            fences.push_back(queue.submit(list));
        }
        for (auto& f : fences)
            f.wait();
        EXPECT_EQ(out.span<std::uint32_t>()[0], 0x5eed0000u + jobs - 1);
        return 2;
    }
};

TEST_F(DriverTrace, JobsAndBuffersAppearInOrder) {
    Instance inst("seed-vm-test");
    ASSERT_TRUE(inst.ok()) << "cannot set up a tracefs instance";
    constexpr unsigned jobs = 6;
    const unsigned bos = run_jobs(jobs);
    const std::string log = inst.stop_and_read();
    const auto events = seed_events(log);

    // Per job (client, queue, seq): the position of each event.
    using Key = std::tuple<std::uint64_t, std::uint64_t, std::uint64_t>;
    std::map<Key, std::map<std::string, std::size_t>> seen;
    std::map<std::uint64_t, std::size_t> created, freed;
    for (std::size_t i = 0; i < events.size(); i++) {
        const Event& e = events[i];
        if (e.name.rfind("seed_job_", 0) == 0 && e.name != "seed_job_timeout") {
            const Key key{e.num("client"), e.num("queue"), e.num("seq")};
            EXPECT_FALSE(seen[key].contains(e.name)) << "twice: " << e.name;
            seen[key][e.name] = i;
            if (e.name == "seed_job_done") {
                EXPECT_EQ(e.num("status"), 0u);
                EXPECT_EQ(e.fields.at("error"), "0");
            }
        } else if (e.name == "seed_bo_create") {
            created[e.num("id")] = i;
        } else if (e.name == "seed_bo_free") {
            freed[e.num("id")] = i;
        }
    }
    // libseed may submit helper jobs of its own (clearing, uploads); every
    // job traced is complete and in order, and ours are among them.
    EXPECT_GE(seen.size(), jobs) << log;
    std::set<std::uint64_t> seqs;
    for (const auto& [key, pos] : seen) {
        ASSERT_EQ(pos.size(), 3u) << "job seq " << std::get<2>(key) << " lacks an event\n" << log;
        EXPECT_LT(pos.at("seed_job_submit"), pos.at("seed_job_run"));
        EXPECT_LT(pos.at("seed_job_run"), pos.at("seed_job_done"));
        seqs.insert(std::get<2>(key));
    }
    // Seqs of one queue are 1, 2, ...: our jobs are consecutive.
    for (std::uint64_t s = 1; s <= jobs; s++)
        EXPECT_TRUE(seqs.contains(s)) << "no job seq " << s;

    EXPECT_GE(created.size(), bos) << log;
    for (const auto& [id, pos] : created) {
        ASSERT_TRUE(freed.contains(id)) << "BO " << id << " never freed\n" << log;
        EXPECT_LT(pos, freed.at(id));
    }
}

// Index of the first event named @p name at or after @p from whose fields
// match @p want, or events.size().
std::size_t find_event(const std::vector<Event>& events, const std::string& name,
                       const std::map<std::string, std::uint64_t>& want, std::size_t from = 0) {
    for (std::size_t i = from; i < events.size(); i++) {
        if (events[i].name != name)
            continue;
        if (std::all_of(want.begin(), want.end(),
                        [&](const auto& kv) { return events[i].num(kv.first) == kv.second; }))
            return i;
    }
    return events.size();
}

std::uint32_t parameter(const char* name) {
    std::ifstream in(std::string("/sys/module/seed/parameters/") + name);
    std::uint32_t v = 0;
    in >> v;
    return v;
}

// A job hung by fault injection: the queue reset on its hardware queue
// (the run event's ring) comes after its run, then the job is done with a
// timeout. If the driver's timeout fires first, seed_job_timeout names the
// packet (the run event's hw_seqno) and the reset aims at it. An admin device
// reset comes after that and before the next job is submitted.
TEST_F(DriverTrace, TimeoutAndResetsAppearInOrder) {
    using seed::vm::Control;
    if (!seed::vm::chips() || !Control::available(0))
        GTEST_SKIP() << "needs seed-vm's fault-injection channel";
    // The driver's job timeout well before the device's engine watchdog
    // (10 s): with both at 10 s which one fires first depends on what ran
    // before.
    const seed::vm::ScopedParameter job_timeout("/sys/module/seed/parameters/job_timeout_ms",
                                                "2000");
    ASSERT_TRUE(job_timeout.ok());
    Control ctl(0);
    seed::Device dev = seed::Device::open(0u);
    seed::Queue queue(dev);
    const seed::Buffer host(dev, 64 << 10, seed::Placement::host);
    queue.fill(host, host.size(), 0x11111111u).wait(); // queue and ring set up

    Instance inst("seed-vm-test");
    ASSERT_TRUE(inst.ok());
    // Every hardware queue users can get (the last is the driver's own).
    for (unsigned q = 0; q + 1 < dev.info().num_queues; ++q)
        ASSERT_EQ(ctl.command("hang-queue " + std::to_string(q)), "ok");
    const seed::Fence hung = queue.fill(host, host.size(), 0x22222222u);
    EXPECT_THROW(hung.wait(), seed::JobError);
    ctl.command("clear");
    seed::reset_device(dev);
    queue.fill(host, host.size(), 0x33333333u).wait();
    EXPECT_EQ(host.span<std::uint32_t>()[0], 0x33333333u);
    const std::string log = inst.stop_and_read();
    const auto events = seed_events(log);
    const std::size_t end = events.size();

    // The hung job is the queue's second: seq 2.
    const std::size_t run = find_event(events, "seed_job_run", {{"seq", 2}});
    ASSERT_NE(run, end) << log;
    const std::uint64_t client = events[run].num("client");
    const std::uint64_t qid = events[run].num("queue");
    const std::uint64_t ring = events[run].num("ring");
    const std::uint64_t hw_seqno = events[run].num("hw_seqno");
    // Who notices the hang first: the driver's job timeout (a conditional
    // queue reset aimed at the packet) or the device's engine watchdog (an
    // ERROR record, then an unconditional queue reset). Here the driver,
    // unless the module was loaded with a shorter watchdog.
    const bool driver_first = parameter("job_timeout_ms") < parameter("watchdog_ms");
    const std::size_t timeout = find_event(events, "seed_job_timeout", {});
    std::size_t qreset = end;
    if (driver_first) {
        ASSERT_NE(timeout, end) << "no seed_job_timeout\n" << log;
        EXPECT_EQ(events[timeout].num("ring"), ring) << log;
        EXPECT_EQ(events[timeout].num("hw_seqno"), hw_seqno) << log;
        EXPECT_LT(run, timeout);
        // Only the hung packet timed out.
        EXPECT_EQ(find_event(events, "seed_job_timeout", {}, timeout + 1), end) << log;
        qreset = find_event(events, "seed_queue_reset",
                            {{"ring", ring}, {"hw_seqno", hw_seqno}, {"ret", 0}}, timeout);
    } else {
        EXPECT_EQ(timeout, end) << log;
        qreset = find_event(events, "seed_queue_reset",
                            {{"ring", ring}, {"hw_seqno", 0}, {"ret", 0}}, run);
    }
    ASSERT_NE(qreset, end) << log;
    const std::size_t done = find_event(events, "seed_job_done",
                                        {{"client", client}, {"queue", qid}, {"seq", 2}}, qreset);
    ASSERT_NE(done, end) << log;
    EXPECT_NE(events[done].num("status"), 0u) << log;
    EXPECT_EQ(events[done].fields.at("error"), "-110") << "a timeout\n" << log;

    // The admin reset: after the failed job, before the next one.
    const std::size_t reset = find_event(events, "seed_device_reset", {{"ret", 0}});
    ASSERT_NE(reset, end) << log;
    EXPECT_EQ(events[reset].fields.at("reason"), "requested");
    EXPECT_GT(reset, done);
    const std::size_t next =
        find_event(events, "seed_job_submit", {{"client", client}, {"queue", qid}, {"seq", 3}});
    ASSERT_NE(next, end) << log;
    EXPECT_GT(next, reset);
    const std::size_t next_done =
        find_event(events, "seed_job_done", {{"client", client}, {"queue", qid}, {"seq", 3}});
    ASSERT_NE(next_done, end) << log;
    EXPECT_EQ(events[next_done].num("status"), 0u);
}

// Complete events ("X") of a seedctl trace document, per track; checks the
// document's shape on the way.
std::map<std::pair<int, int>, unsigned> complete_events(const std::string& text) {
    std::map<std::pair<int, int>, unsigned> out;
    const auto doc = nlohmann::json::parse(text);
    EXPECT_TRUE(doc.at("traceEvents").is_array());
    for (const auto& e : doc.at("traceEvents")) {
        if (e.at("ph") != "X")
            continue;
        EXPECT_GE(e.at("dur").get<double>(), 0.0) << e.dump();
        EXPECT_GT(e.at("ts").get<double>(), 0.0) << e.dump();
        EXPECT_EQ(e.at("args").at("status"), 0) << e.dump();
        out[{e.at("pid").get<int>(), e.at("tid").get<int>()}]++;
    }
    return out;
}

TEST_F(DriverTrace, SeedctlConvertsACapturedLog) {
    Instance inst("seed-vm-test");
    ASSERT_TRUE(inst.ok());
    constexpr unsigned jobs = 5;
    run_jobs(jobs);
    const std::string log = inst.stop_and_read();
    unsigned done = 0;
    for (const auto& e : seed_events(log))
        done += e.name == "seed_job_done";
    ASSERT_GE(done, jobs);

    const fs::path file = "/tmp/seed-trace.txt";
    std::ofstream(file) << log;
    const auto r = seed::vm::seedctl({"trace", "-i", file.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    unsigned total = 0;
    for (const auto& [track, n] : complete_events(r.out))
        total += n;
    EXPECT_EQ(total, done) << "one complete event per job";

    // A log without seed events is an error, not an empty trace.
    std::ofstream(file) << "# tracer: nop\n";
    const auto empty = seed::vm::seedctl({"trace", "-i", file.string()});
    EXPECT_EQ(empty.exit_code, 1);
    EXPECT_TRUE(seed::vm::contains(empty.err, "no seed events")) << empty.err;
}

TEST_F(DriverTrace, SeedctlRecords) {
    const fs::path file = "/tmp/seed-trace.json";
    seed::test::ProcessResult r;
    // A long recording, ended by SIGINT once the jobs are done: the
    // duration is only a bound should the signal not stop it.
    std::thread recorder([&] {
        r = seed::vm::seedctl({"trace", "-t", "120", "-o", file.string()});
    });
    // Jobs start once seedctl's instance (seedctl-<pid>) has the events on.
    pid_t pid = 0;
    for (int i = 0; i < 200 && !pid; i++) {
        for (const auto& d : fs::directory_iterator(tracefs / "instances")) {
            const std::string name = d.path().filename().string();
            if (name.rfind("seedctl-", 0) == 0 &&
                read_file(d.path() / "events/seed/enable").rfind('1', 0) == 0)
                pid = static_cast<pid_t>(std::stol(name.substr(8)));
        }
        if (!pid)
            std::this_thread::sleep_for(50ms);
    }
    EXPECT_NE(pid, 0) << "seedctl trace set up no instance";
    const auto start = std::chrono::steady_clock::now();
    constexpr unsigned jobs = 4;
    run_jobs(jobs);
    if (pid) {
        EXPECT_EQ(::kill(pid, SIGINT), 0) << std::strerror(errno);
    }
    recorder.join();
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_LT(std::chrono::steady_clock::now() - start, 60s) << "SIGINT did not end the recording";
    const auto tracks = complete_events(read_file(file));
    // One track: the test's queue (libseed's own jobs, if any, are on
    // other queues); on it, one event per job.
    unsigned most = 0;
    for (const auto& [track, n] : tracks)
        most = std::max(most, n);
    EXPECT_EQ(most, jobs);
    // The instance is gone.
    for (const auto& d : fs::directory_iterator(tracefs / "instances"))
        EXPECT_NE(d.path().filename().string().rfind("seedctl-", 0), 0u) << d.path();
}

} // namespace
