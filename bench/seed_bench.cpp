// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seed_bench: whole-stack performance of SeedChip through libseed (run in a
// guest with seed.ko loaded; tools/seed-bench boots one). See
// docs/performance.md for what each figure means.
//
// Usage: seed_bench [--json FILE|-] [--markers] [--quick] [--max-chips N]
//                   [--gemm-sizes N,N...] [--cpu-gemm-max N] [--transfer-mib N]
//                   [--nvme DEV] [--trace-marker] [--samples N] [--only SECTION,...]
//                   [--loader-chunk-mib N]
//
// The two sides of every ratio are measured alternately, round after round,
// and medians of the rounds are reported: the machine is shared and noisy.
// The GEMM section is the exception: its device runs are timed back to back
// and the cblas runs follow them (see bench_gemm()).
#include "report.hpp"
#include "stats.hpp"

#include <seed/file.hpp>
#include <seed/seed.hpp>

#include <fmt/format.h>

#include <cblas.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <functional>
#include <iostream>
#include <latch>
#include <memory>
#include <new>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using seed::bench::median;

/// Memory from std::aligned_alloc.
struct FreeBytes {
    void operator()(std::byte* p) const noexcept { std::free(p); }
};
using UniqueBytes = std::unique_ptr<std::byte, FreeBytes>;

constexpr const char* text_begin = "@@SEED_BENCH_TEXT_BEGIN@@";
constexpr const char* text_end = "@@SEED_BENCH_TEXT_END@@";
constexpr const char* json_begin = "@@SEED_BENCH_JSON_BEGIN@@";
constexpr const char* json_end = "@@SEED_BENCH_JSON_END@@";

constexpr std::string_view kSections[] = {"submit", "latency", "transfer",
                                          "gemm",   "scaling", "clients"};

struct Options {
    std::string json_path; ///< empty: no JSON; "-": stdout
    bool markers = false;
    bool quick = false;
    unsigned max_chips = 4;
    std::vector<std::uint32_t> gemm_sizes{256, 1024, 2048};
    std::uint32_t cpu_gemm_max = 256;
    std::uint64_t transfer_mib = 64;
    std::uint64_t loader_chunk_mib = 4; ///< staging chunk of the second FileLoader row
    std::vector<std::string> only;      ///< sections to run; empty: all
    std::string nvme;                   ///< reference block device for the latency section
    bool trace_marker = false;          ///< mark each NOP round trip in the ftrace buffer
    unsigned samples = 0;               ///< latency round trips; 0: 1000 (200 with --quick)
};

[[noreturn]] void usage(int status) {
    std::fputs("usage: seed_bench [--json FILE|-] [--markers] [--quick] [--max-chips N]\n"
               "                  [--gemm-sizes N,N...] [--cpu-gemm-max N] [--transfer-mib N]\n"
               "                  [--nvme DEV]   (latency reference: 4 KiB O_DIRECT reads)\n"
               "                  [--trace-marker] [--samples N]   (latency, submit sections;\n"
               "                                                    --trace-marker: gemm too)\n"
               "                  [--loader-chunk-mib N]   (second FileLoader row: 3 x N MiB "
               "staging, default 4)\n"
               "                  [--only SECTION,...]   (submit latency transfer gemm scaling "
               "clients)\n",
               status == 0 ? stdout : stderr);
    std::exit(status);
}

unsigned long parse_number(const char* text) {
    char* end = nullptr;
    const unsigned long v = std::strtoul(text, &end, 10);
    if (end == text || *end != '\0' || v == 0)
        usage(2);
    return v;
}

Options parse_options(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        auto value = [&]() -> const char* {
            if (i + 1 >= argc)
                usage(2);
            return argv[++i];
        };
        if (a == "--json") {
            o.json_path = value();
        } else if (a == "--markers") {
            o.markers = true;
        } else if (a == "--quick") {
            o.quick = true;
        } else if (a == "--max-chips") {
            o.max_chips = static_cast<unsigned>(parse_number(value()));
        } else if (a == "--gemm-sizes") {
            o.gemm_sizes.clear();
            std::string list = value();
            std::size_t pos = 0;
            while (pos <= list.size()) {
                const std::size_t comma = std::min(list.find(',', pos), list.size());
                const std::string item = list.substr(pos, comma - pos);
                o.gemm_sizes.push_back(static_cast<std::uint32_t>(parse_number(item.c_str())));
                pos = comma + 1;
            }
        } else if (a == "--cpu-gemm-max") {
            o.cpu_gemm_max = static_cast<std::uint32_t>(parse_number(value()));
        } else if (a == "--samples") {
            o.samples = static_cast<unsigned>(parse_number(value()));
        } else if (a == "--trace-marker") {
            o.trace_marker = true;
        } else if (a == "--nvme") {
            o.nvme = value();
        } else if (a == "--loader-chunk-mib") {
            o.loader_chunk_mib = parse_number(value());
        } else if (a == "--transfer-mib") {
            o.transfer_mib = parse_number(value());
        } else if (a == "--only") {
            const std::string list = value();
            for (std::size_t pos = 0; pos <= list.size();) {
                const std::size_t comma = std::min(list.find(',', pos), list.size());
                o.only.push_back(list.substr(pos, comma - pos));
                pos = comma + 1;
            }
            for (const auto& name : o.only)
                if (std::find(std::begin(kSections), std::end(kSections), name) ==
                    std::end(kSections))
                    usage(2);
        } else if (a == "-h" || a == "--help") {
            usage(0);
        } else {
            usage(2);
        }
    }
    return o;
}

void progress(const std::string& msg) {
    std::fprintf(stderr, "seed_bench: %s\n", msg.c_str());
    std::fflush(stderr);
}

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

seed::CommandList nop_list(const seed::Device& dev) {
    seed::CommandList list(dev);
    list.nop();
    list.finish();
    return list;
}

// Writes "seed_bench: nop begin" / "end" into the kernel's trace buffer
// around each round trip, so tools/seed-latency-profile can cut the trace
// into jobs: the hops between are the driver's and the kernel's events. The
// submit section marks each round ("seed_bench: round MODE begin" / "end"),
// the GEMM section each timed device run ("seed_bench: gemm N begin" /
// "seed_bench: gemm N end T0 T1", T0 and T1 its TIMESTAMPs in device ns).
class TraceMarker {
public:
    explicit TraceMarker(bool on) {
        if (!on)
            return;
        fd_ = ::open("/sys/kernel/tracing/trace_marker", O_WRONLY | O_CLOEXEC);
        if (fd_ < 0)
            throw std::system_error(errno, std::generic_category(),
                                    "open /sys/kernel/tracing/trace_marker");
    }
    TraceMarker(const TraceMarker&) = delete;
    TraceMarker& operator=(const TraceMarker&) = delete;
    ~TraceMarker() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    void mark(std::string_view what) const {
        if (fd_ >= 0)
            (void)!::write(fd_, what.data(), what.size());
    }

private:
    int fd_ = -1;
};

// ---------------------------------------------------------------------------
// a. Submission throughput

struct Rates {
    double submit = 0; ///< jobs/s of the submission calls
    double e2e = 0;    ///< jobs/s until the last job has completed
};

Rates submit_one_by_one(seed::Queue& q, const seed::CommandList& nop, unsigned jobs) {
    const auto t0 = Clock::now();
    for (unsigned i = 0; i < jobs; ++i)
        (void)q.submit(nop);
    const double ts = seconds_since(t0);
    q.finish();
    const double te = seconds_since(t0);
    return {jobs / ts, jobs / te};
}

Rates submit_batched(seed::Queue& q, const seed::CommandList& nop, unsigned jobs, unsigned batch) {
    const std::vector<seed::Submission> subs(batch, seed::Submission{&q, &nop, {}});
    const auto t0 = Clock::now();
    for (unsigned i = 0; i < jobs; i += batch)
        (void)seed::submit(subs);
    const double ts = seconds_since(t0);
    q.finish();
    const double te = seconds_since(t0);
    return {jobs / ts, jobs / te};
}

// n NOP jobs on 4 queues, then waited for: by one FenceWaiter, or by one
// thread per fence. Milliseconds from the first submission until every
// fence has been reported.
double wait_round(std::vector<seed::Queue>& qs, const seed::CommandList& nop, unsigned n,
                  bool waiter) {
    const auto t0 = Clock::now();
    std::vector<seed::Fence> fences;
    fences.reserve(n);
    for (unsigned i = 0; i < n; ++i)
        fences.push_back(qs[i % qs.size()].submit(nop));
    if (waiter) {
        seed::FenceWaiter w;
        for (const seed::Fence& f : fences)
            (void)w.add(f);
        while (w.pending() != 0)
            (void)w.wait();
    } else {
        std::vector<std::thread> threads;
        threads.reserve(n);
        for (const seed::Fence& f : fences)
            threads.emplace_back([f] { f.wait(); });
        for (std::thread& t : threads)
            t.join();
    }
    return seconds_since(t0) * 1e3;
}

seed::bench::SubmitResult bench_submit(const seed::Device& dev, const Options& o) {
    seed::bench::SubmitResult r;
    r.jobs = 256;
    r.batch = 32;
    r.reps = o.quick ? 3 : 7;

    // A second client of the same chip whose batches go through the ioctl:
    // the variable is read when a Device is opened.
    const char* old = std::getenv("SEED_DISABLE_IO_URING");
    const std::string saved = old != nullptr ? old : "";
    ::setenv("SEED_DISABLE_IO_URING", "1", 1);
    const seed::Device dev_ioctl = seed::Device::open(dev.info().node);
    if (old != nullptr)
        ::setenv("SEED_DISABLE_IO_URING", saved.c_str(), 1);
    else
        ::unsetenv("SEED_DISABLE_IO_URING");
    r.io_uring = dev.uses_io_uring();

    seed::Queue q(dev);
    seed::Queue q_ioctl(dev_ioctl);
    const seed::CommandList nop = nop_list(dev);
    const seed::CommandList nop_ioctl = nop_list(dev_ioctl);

    // Warm-up: first submissions set up the ring and page in the paths.
    (void)submit_one_by_one(q, nop, r.batch);
    (void)submit_batched(q, nop, r.batch, r.batch);
    (void)submit_batched(q_ioctl, nop_ioctl, r.batch, r.batch);

    const TraceMarker marker(o.trace_marker);
    std::vector<double> ss, se, us, ue, bs, be;
    for (unsigned rep = 0; rep < r.reps; ++rep) {
        // Rotate the order so that no mode always runs first.
        for (unsigned k = 0; k < 3; ++k) {
            static constexpr std::string_view names[] = {"single", "uring", "ioctl_batch"};
            const unsigned mode = (rep + k) % 3;
            marker.mark(fmt::format("seed_bench: round {} begin", names[mode]));
            const auto end_mark = [&] {
                marker.mark(fmt::format("seed_bench: round {} end", names[mode]));
            };
            switch (mode) {
            case 0: {
                const Rates x = submit_one_by_one(q, nop, r.jobs);
                end_mark();
                ss.push_back(x.submit);
                se.push_back(x.e2e);
                break;
            }
            case 1: {
                const Rates x = submit_batched(q, nop, r.jobs, r.batch);
                end_mark();
                us.push_back(x.submit);
                ue.push_back(x.e2e);
                break;
            }
            default: {
                const Rates x = submit_batched(q_ioctl, nop_ioctl, r.jobs, r.batch);
                end_mark();
                bs.push_back(x.submit);
                be.push_back(x.e2e);
                break;
            }
            }
        }
    }
    r.single_submit = median(ss);
    r.single_e2e = median(se);
    r.uring_submit = median(us);
    r.uring_e2e = median(ue);
    r.batch_ioctl_submit = median(bs);
    r.batch_ioctl_e2e = median(be);

    r.wait_fences = 64;
    std::vector<seed::Queue> wq;
    for (int i = 0; i < 4; ++i)
        wq.emplace_back(dev);
    (void)wait_round(wq, nop, r.wait_fences, true);
    (void)wait_round(wq, nop, r.wait_fences, false);
    std::vector<double> wm, tm;
    for (unsigned rep = 0; rep < r.reps; ++rep) {
        const bool waiter_first = rep % 2 == 0;
        for (int k = 0; k < 2; ++k) {
            const bool waiter = (k == 0) == waiter_first;
            (waiter ? wm : tm).push_back(wait_round(wq, nop, r.wait_fences, waiter));
        }
    }
    r.waiter_ms = median(wm);
    r.threads_ms = median(tm);
    return r;
}

// ---------------------------------------------------------------------------
// b. Latency

// 4 KiB O_DIRECT reads at random aligned offsets of a block device, one at a
// time. On QEMU's NVMe model with a null backend a read makes the trip a NOP
// makes (doorbell, device thread, completion entry, MSI-X, guest interrupt,
// wake-up) with no storage behind it: the latency reference.
class DirectReader {
public:
    explicit DirectReader(const std::string& path) {
        // The nvme driver probes asynchronously after its module loads.
        for (int i = 0; i < 100 && ::access(path.c_str(), F_OK) != 0; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        fd_ = ::open(path.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC);
        if (fd_ < 0)
            throw std::system_error(errno, std::generic_category(), "open " + path);
        std::uint64_t bytes = 0;
        if (::ioctl(fd_, BLKGETSIZE64, &bytes) != 0 || bytes < kBlock) {
            ::close(fd_);
            throw std::runtime_error(path + ": not a block device of at least 4 KiB");
        }
        blocks_ = bytes / kBlock;
        buf_ = static_cast<char*>(std::aligned_alloc(kBlock, kBlock));
        if (buf_ == nullptr) {
            ::close(fd_);
            throw std::bad_alloc();
        }
    }
    DirectReader(const DirectReader&) = delete;
    DirectReader& operator=(const DirectReader&) = delete;
    ~DirectReader() {
        std::free(buf_);
        ::close(fd_);
    }
    void read_one() {
        const auto off = static_cast<off_t>((rng_() % blocks_) * kBlock);
        const ssize_t n = ::pread(fd_, buf_, kBlock, off);
        if (n != static_cast<ssize_t>(kBlock))
            throw std::system_error(n < 0 ? errno : EIO, std::generic_category(),
                                    "4 KiB O_DIRECT read");
    }

private:
    static constexpr std::size_t kBlock = 4096;
    int fd_ = -1;
    std::uint64_t blocks_ = 0;
    char* buf_ = nullptr;
    std::mt19937_64 rng_{42};
};

seed::bench::LatencyResult bench_latency(const seed::Device& dev, const Options& o) {
    seed::Queue q(dev);
    const seed::CommandList nop = nop_list(dev);
    const TraceMarker marker(o.trace_marker);
    std::optional<DirectReader> nvme;
    if (!o.nvme.empty())
        nvme.emplace(o.nvme);
    for (int i = 0; i < 10; ++i) {
        q.submit(nop).wait();
        if (nvme)
            nvme->read_one();
    }
    const unsigned samples = o.samples != 0 ? o.samples : o.quick ? 200 : 1000;
    std::vector<double> us;
    std::vector<double> nvme_us;
    us.reserve(samples);
    nvme_us.reserve(samples);
    // One for one, so both sides see the same machine load.
    for (unsigned i = 0; i < samples; ++i) {
        marker.mark("seed_bench: nop begin");
        auto t0 = Clock::now();
        q.submit(nop).wait();
        us.push_back(seconds_since(t0) * 1e6);
        marker.mark("seed_bench: nop end");
        if (nvme) {
            t0 = Clock::now();
            nvme->read_one();
            nvme_us.push_back(seconds_since(t0) * 1e6);
        }
    }
    seed::bench::LatencyResult r{seed::bench::summarize(us), {}, {}};
    if (nvme) {
        r.nvme_device = o.nvme;
        r.nvme = seed::bench::summarize(nvme_us);
    }
    return r;
}

// ---------------------------------------------------------------------------
// f. Concurrent clients

seed::bench::ClientsPoint clients_round(const std::string& node, unsigned clients,
                                        unsigned jobs_each) {
    // Every client opens the chip itself: its own file, MMU context and
    // queue, as separate processes would have. All start together.
    std::vector<std::vector<double>> us(clients);
    std::vector<std::exception_ptr> errors(clients);
    std::latch ready(clients + 1);
    std::latch go(1);
    std::vector<std::thread> threads;
    for (unsigned c = 0; c < clients; ++c) {
        threads.emplace_back([&, c] {
            try {
                const seed::Device dev = seed::Device::open(node);
                seed::Queue q(dev);
                const seed::CommandList nop = nop_list(dev);
                q.submit(nop).wait(); // warm: binds the context, pages in
                us[c].reserve(jobs_each);
                ready.count_down();
                go.wait();
                for (unsigned i = 0; i < jobs_each; ++i) {
                    const auto t0 = Clock::now();
                    q.submit(nop).wait();
                    us[c].push_back(seconds_since(t0) * 1e6);
                }
            } catch (...) {
                errors[c] = std::current_exception();
                ready.count_down();
            }
        });
    }
    ready.arrive_and_wait();
    const auto t0 = Clock::now();
    go.count_down();
    for (auto& t : threads)
        t.join();
    const double wall = seconds_since(t0);
    for (const auto& e : errors)
        if (e)
            std::rethrow_exception(e);
    std::vector<double> all;
    for (const auto& v : us)
        all.insert(all.end(), v.begin(), v.end());
    seed::bench::ClientsPoint p;
    p.clients = clients;
    p.jobs = static_cast<unsigned>(all.size());
    p.us = seed::bench::summarize(all);
    p.jobs_per_s = static_cast<double>(all.size()) / wall;
    return p;
}

// A point the driver cannot run (a driver that gives every client hardware
// of its own runs out) becomes a note; the others are still measured.
seed::bench::ClientsResult bench_clients(const seed::Device& dev, const Options& o,
                                         std::vector<std::string>& notes) {
    seed::bench::ClientsResult r;
    // About the same number of round trips at every point.
    const unsigned total = o.quick ? 256 : 1024;
    for (unsigned clients : {1u, 8u, 64u}) {
        try {
            r.points.push_back(
                clients_round(dev.info().node, clients, std::max(4u, total / clients)));
        } catch (const std::exception& e) {
            notes.push_back("clients: " + std::to_string(clients) +
                            " concurrent clients failed: " + e.what());
        }
    }
    if (r.points.empty())
        throw std::runtime_error("no number of clients could run");
    return r;
}

// ---------------------------------------------------------------------------
// c. Transfers

seed::bench::TransferResult bench_transfer(const seed::Device& dev, const Options& o) {
    seed::bench::TransferResult r;
    r.bytes = o.transfer_mib << 20;
    r.reps = o.quick ? 3 : 5;
    const std::size_t n = r.bytes;
    seed::Queue q(dev);
    const seed::Buffer dbuf(dev, n, seed::Placement::device);
    const seed::Buffer hbuf(dev, n, seed::Placement::host);
    std::vector<std::byte> src(n), dst(n);
    std::mt19937 rng(3);
    for (std::size_t i = 0; i < n; i += 4096)
        src[i] = static_cast<std::byte>(rng());
    std::memset(dst.data(), 1, n);
    std::memset(hbuf.bytes().data(), 2, n); // fault the mapping in

    // Warm-up and a correctness check of the round trip.
    q.upload(seed::BufferView(dbuf), std::span<const std::byte>(src)).wait();
    q.download(std::span<std::byte>(dst), seed::BufferView(dbuf));
    if (std::memcmp(src.data(), dst.data(), n) != 0)
        throw std::runtime_error("upload/download round trip mismatch");
    q.copy(hbuf, dbuf).wait();

    const double bytes = static_cast<double>(n);
    auto gbs = [bytes](const std::function<void()>& fn) {
        const auto t0 = Clock::now();
        fn();
        return bytes / seconds_since(t0) * 1e-9;
    };
    // The transfers as Queue::upload/download did them before BO_USERPTR.
    auto staged_upload = [&] {
        const seed::Buffer staging(dev, n, seed::Placement::host);
        std::memcpy(staging.bytes().data(), src.data(), n);
        q.copy(dbuf, staging, n).wait();
    };
    auto staged_download = [&] {
        const seed::Buffer staging(dev, n, seed::Placement::host);
        q.copy(staging, dbuf, n).wait();
        std::memcpy(dst.data(), staging.bytes().data(), n);
    };
    std::vector<std::byte> rsrc(src), rdst(n);
    const seed::RegisteredMemory reg_src(dev, std::span<const std::byte>(rsrc));
    const seed::RegisteredMemory reg_dst(dev, std::span<std::byte>(rdst));
    // A file of the same size on the guest's tmpfs, for FileLoader against
    // read() + Queue::upload.
    const std::string file_path = "/tmp/seed_bench_load_file";
    {
        std::ofstream out(file_path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(src.data()), static_cast<std::streamsize>(n));
        if (!out)
            throw std::runtime_error("cannot write " + file_path);
    }
    struct Unlink {
        std::string path;
        ~Unlink() { (void)::unlink(path.c_str()); }
    } unlink_file{file_path};
    seed::FileLoader loader(q);
    // A second loader with other staging chunks; by default 3 x 4 MiB, what
    // the loader had before chunks were sized from the file (a 64 MiB file
    // is then 16 COPY jobs, not 4).
    seed::FileLoader loader_alt(q, {.chunk_size = o.loader_chunk_mib << 20, .chunks = 3});
    r.loader_alt_chunk_mib = o.loader_chunk_mib;
    std::vector<std::byte> file_bytes(n);
    auto load_file = [&] {
        r.load_file_direct = loader.load(seed::BufferView(dbuf), file_path).direct;
    };
    auto read_upload = [&] {
        const int fd = ::open(file_path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            throw std::system_error(errno, std::generic_category(), file_path);
        std::size_t got = 0;
        while (got < n) {
            const ssize_t k = ::read(fd, file_bytes.data() + got, n - got);
            if (k <= 0) {
                ::close(fd);
                throw std::runtime_error("short read of " + file_path);
            }
            got += static_cast<std::size_t>(k);
        }
        ::close(fd);
        q.upload(seed::BufferView(dbuf), std::span<const std::byte>(file_bytes)).wait();
    };
    load_file(); // warm-up, checked
    q.download(std::span<std::byte>(dst), seed::BufferView(dbuf));
    if (std::memcmp(src.data(), dst.data(), n) != 0)
        throw std::runtime_error("FileLoader::load mismatch");
    read_upload();
    r.load_file_fs = "tmpfs";

    // The same from a block device (seed-vm --nvme: QEMU's NVMe model over a
    // null backend), where nothing is in the page cache: the loader's
    // O_DIRECT reads are DMA into its pinned staging, while read() +
    // upload reads (O_DIRECT too) into a pageable buffer that the upload
    // then pins.
    const std::string block_path = o.nvme.empty() ? "/dev/nvme0n1" : o.nvme;
    if (::access("/sys/module/nvme", F_OK) == 0) {
        // The nvme driver probes asynchronously after its module loads.
        for (int i = 0; i < 100 && ::access(block_path.c_str(), F_OK) != 0; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    UniqueBytes block_bytes;
    std::function<void()> load_block, read_upload_block;
    if (::access(block_path.c_str(), R_OK) == 0) {
        block_bytes = UniqueBytes(static_cast<std::byte*>(std::aligned_alloc(4096, n)));
        if (!block_bytes)
            throw std::bad_alloc();
        std::memset(block_bytes.get(), 0, n); // fault it in, like file_bytes
        load_block = [&] { (void)loader.load(seed::BufferView(dbuf), block_path, 0, n); };
        read_upload_block = [&] {
            const int fd = ::open(block_path.c_str(), O_RDONLY | O_DIRECT | O_CLOEXEC);
            if (fd < 0)
                throw std::system_error(errno, std::generic_category(), block_path);
            std::size_t got = 0;
            while (got < n) {
                const ssize_t k =
                    ::pread(fd, block_bytes.get() + got, n - got, static_cast<off_t>(got));
                if (k <= 0) {
                    ::close(fd);
                    throw std::runtime_error("short read of " + block_path);
                }
                got += static_cast<std::size_t>(k);
            }
            ::close(fd);
            q.upload(seed::BufferView(dbuf), std::span<const std::byte>(block_bytes.get(), n))
                .wait();
        };
        load_block(); // warm-up, checked: the null backend reads as zeroes
        q.download(std::span<std::byte>(dst), seed::BufferView(dbuf));
        if (std::any_of(dst.begin(), dst.end(), [](std::byte b) { return b != std::byte{0}; }))
            throw std::runtime_error("FileLoader::load of " + block_path + " mismatch");
        read_upload_block();
        r.load_block_device = block_path;
    }

    std::vector<double> mc, up, down, h2d, d2h, sup, sdown, rup, rdown, lf, lf4, ru, lb, rub, lba;
    for (unsigned rep = 0; rep < r.reps; ++rep) {
        mc.push_back(gbs([&] {
            std::memcpy(dst.data(), src.data(), n);
            // Keep the copy observable.
            if (dst[n - 1] != src[n - 1])
                std::abort();
        }));
        up.push_back(
            gbs([&] { q.upload(seed::BufferView(dbuf), std::span<const std::byte>(src)).wait(); }));
        down.push_back(gbs([&] { q.download(std::span<std::byte>(dst), seed::BufferView(dbuf)); }));
        sup.push_back(gbs(staged_upload));
        sdown.push_back(gbs(staged_download));
        rup.push_back(gbs(
            [&] { q.upload(seed::BufferView(dbuf), std::span<const std::byte>(rsrc)).wait(); }));
        rdown.push_back(
            gbs([&] { q.download(std::span<std::byte>(rdst), seed::BufferView(dbuf)); }));
        h2d.push_back(gbs([&] { q.copy(dbuf, hbuf).wait(); }));
        d2h.push_back(gbs([&] { q.copy(hbuf, dbuf).wait(); }));
        lf.push_back(gbs(load_file));
        lf4.push_back(gbs([&] { (void)loader_alt.load(seed::BufferView(dbuf), file_path); }));
        ru.push_back(gbs(read_upload));
        if (load_block) {
            // Alternate which goes first.
            if (rep % 2 == 0) {
                lb.push_back(gbs(load_block));
                rub.push_back(gbs(read_upload_block));
            } else {
                rub.push_back(gbs(read_upload_block));
                lb.push_back(gbs(load_block));
            }
            lba.push_back(
                gbs([&] { (void)loader_alt.load(seed::BufferView(dbuf), block_path, 0, n); }));
        }
    }
    if (load_block) {
        r.load_block_gbs = median(lb);
        r.load_block_alt_gbs = median(lba);
        r.read_upload_block_gbs = median(rub);
    }
    r.load_file_gbs = median(lf);
    r.load_file_alt_gbs = median(lf4);
    r.read_upload_gbs = median(ru);
    r.memcpy_gbs = median(mc);
    r.upload_gbs = median(up);
    r.download_gbs = median(down);
    r.upload_staging_gbs = median(sup);
    r.download_staging_gbs = median(sdown);
    r.upload_registered_gbs = median(rup);
    r.download_registered_gbs = median(rdown);
    if (std::memcmp(rsrc.data(), rdst.data(), n) != 0)
        throw std::runtime_error("registered upload/download round trip mismatch");
    r.copy_h2d_gbs = median(h2d);
    r.copy_d2h_gbs = median(d2h);
    return r;
}

// ---------------------------------------------------------------------------
// d. GEMM

std::vector<float> small_integers(std::size_t count, unsigned seed_value) {
    // Small integers: every partial sum is exact in f32, so the device's
    // result must equal cblas's bit for bit whatever the summation order.
    std::mt19937 rng(seed_value);
    std::uniform_int_distribution<int> dist(-2, 2);
    std::vector<float> v(count);
    for (auto& x : v)
        x = static_cast<float>(dist(rng));
    return v;
}

void cpu_gemm(std::uint32_t n, const std::vector<float>& a, const std::vector<float>& b,
              std::vector<float>& c) {
    const int d = static_cast<int>(n);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, d, d, d, 1.0f, a.data(), d, b.data(), d,
                0.0f, c.data(), d);
}

/// Device GEMM of one size with TIMESTAMP packets around it.
struct DeviceGemm {
    seed::Buffer a, b, c, ts;
    seed::CommandList list;

    DeviceGemm(const seed::Device& dev, seed::Queue& q, std::uint32_t n, unsigned count,
               const std::vector<float>& ha, const std::vector<float>& hb)
        : a(dev, std::uint64_t{n} * n * 4, seed::Placement::device),
          b(dev, std::uint64_t{n} * n * 4, seed::Placement::device),
          c(dev, std::uint64_t{n} * n * 4, seed::Placement::device),
          ts(dev, 4096, seed::Placement::host), list(dev) {
        q.upload(seed::BufferView(a), std::span<const float>(ha)).wait();
        q.upload(seed::BufferView(b), std::span<const float>(hb)).wait();
        seed::GemmParams p;
        p.m = p.n = p.k = n;
        list.timestamp(seed::BufferView(ts, 0));
        for (unsigned i = 0; i < count; ++i)
            list.gemm(p, a, b, c);
        list.timestamp(seed::BufferView(ts, 8));
        list.finish();
    }
    /// Device time of the last run, ms.
    [[nodiscard]] double device_ms() const {
        const auto t = ts.span<std::uint64_t>();
        return static_cast<double>(t[1] - t[0]) * 1e-6;
    }
};

/// Whether 64 sampled elements of @p c equal A * B computed here (exact:
/// small-integer inputs).
bool spot_check(std::uint32_t n, const std::vector<float>& a, const std::vector<float>& b,
                const std::vector<float>& c) {
    std::mt19937 rng(n);
    std::uniform_int_distribution<std::uint32_t> pick(0, n - 1);
    for (int s = 0; s < 64; ++s) {
        const std::size_t i = pick(rng), j = pick(rng);
        float ref = 0;
        for (std::size_t q = 0; q < n; ++q)
            ref += a[i * n + q] * b[q * n + j];
        if (ref != c[i * n + j])
            return false;
    }
    return true;
}

seed::bench::GemmResult bench_gemm(const seed::Device& dev, std::uint32_t n, const Options& o) {
    seed::bench::GemmResult r;
    r.n = n;
    r.reps = o.quick ? 3 : (n <= 1024 ? 7 : 5);
    seed::Queue q(dev);
    const std::size_t elems = std::size_t{n} * n;
    const auto ha = small_integers(elems, 11 + n);
    const auto hb = small_integers(elems, 29 + n);
    DeviceGemm g(dev, q, n, 1, ha, hb);

    // First device run: warm-up and verification.
    q.submit(g.list).wait();
    std::vector<float> out(elems), ref(elems);
    q.download(std::span<float>(out), seed::BufferView(g.c));
    r.verified = spot_check(n, ha, hb, out);

    // The device runs back to back, the cblas runs after them: a device run
    // timed right after a cblas run (a few hundred ms of busy emulated guest
    // CPU) took milliseconds longer, a cost of the emulated CPU's recent
    // work and not of the job (docs/performance.md).
    const TraceMarker marker(o.trace_marker);
    std::vector<double> stack, device, cpu;
    for (unsigned rep = 0; rep < r.reps; ++rep) {
        marker.mark(fmt::format("seed_bench: gemm {} begin", n));
        const auto t0 = Clock::now();
        q.submit(g.list).wait();
        stack.push_back(seconds_since(t0) * 1e3);
        const auto ts = g.ts.span<std::uint64_t>();
        marker.mark(fmt::format("seed_bench: gemm {} end {} {}", n, ts[0], ts[1]));
        device.push_back(g.device_ms());
    }

    // The guest CPU is emulated (TCG, tens of MFLOP/s): cblas only up to
    // --cpu-gemm-max, where it must also match the device bit for bit.
    if (n <= o.cpu_gemm_max) {
        cpu_gemm(n, ha, hb, ref);
        r.verified = r.verified && std::memcmp(out.data(), ref.data(), elems * 4) == 0;
        r.cpu_reps = r.reps;
        for (unsigned rep = 0; rep < r.reps; ++rep) {
            const auto t0 = Clock::now();
            cpu_gemm(n, ha, hb, ref);
            cpu.push_back(seconds_since(t0) * 1e3);
        }
    }
    r.stack_ms = median(stack);
    r.device_ms = median(device);
    r.cpu_ms = cpu.empty() ? 0.0 : median(cpu);
    return r;
}

// ---------------------------------------------------------------------------
// e. Multi-chip scaling

struct Chip {
    seed::Device dev;
    seed::Queue queue;
    std::unique_ptr<DeviceGemm> gemm;
};

seed::bench::ScalingResult bench_scaling(unsigned chips, const Options& o) {
    seed::bench::ScalingResult r;
    r.n = 1024;
    r.gemms_per_chip = o.quick ? 2 : 4;
    r.reps = o.quick ? 2 : 3;
    std::vector<unsigned> counts;
    for (unsigned c : {1u, 2u, 4u})
        if (c <= chips)
            counts.push_back(c);
    if (counts.back() != chips)
        counts.push_back(chips);

    const std::size_t elems = std::size_t{r.n} * r.n;
    const auto ha = small_integers(elems, 5);
    const auto hb = small_integers(elems, 6);
    std::vector<Chip> all;
    for (unsigned i = 0; i < chips; ++i) {
        seed::Device dev = seed::Device::open(i);
        seed::Queue q(dev);
        auto g = std::make_unique<DeviceGemm>(dev, q, r.n, r.gemms_per_chip, ha, hb);
        q.submit(g->list).wait(); // warm-up
        all.push_back(Chip{std::move(dev), std::move(q), std::move(g)});
    }

    std::vector<std::vector<double>> wall(counts.size());
    for (unsigned rep = 0; rep < r.reps; ++rep) {
        for (std::size_t k = 0; k < counts.size(); ++k) {
            // Ascending on even rounds, descending on odd ones.
            const std::size_t idx = rep % 2 == 0 ? k : counts.size() - 1 - k;
            const unsigned n = counts[idx];
            std::latch start(1);
            std::vector<std::exception_ptr> errors(n);
            std::vector<std::thread> threads;
            for (unsigned c = 0; c < n; ++c) {
                threads.emplace_back([&, c] {
                    start.wait();
                    try {
                        all[c].queue.submit(all[c].gemm->list).wait();
                    } catch (...) {
                        errors[c] = std::current_exception();
                    }
                });
            }
            const auto t0 = Clock::now();
            start.count_down();
            for (auto& t : threads)
                t.join();
            wall[idx].push_back(seconds_since(t0) * 1e3);
            for (const auto& e : errors)
                if (e)
                    std::rethrow_exception(e);
        }
    }
    for (std::size_t k = 0; k < counts.size(); ++k) {
        seed::bench::ScalingPoint p;
        p.chips = counts[k];
        p.wall_ms = median(wall[k]);
        p.gflops = seed::bench::gemm_flops(r.n) * r.gemms_per_chip * counts[k] / (p.wall_ms * 1e6);
        r.points.push_back(p);
    }
    return r;
}

// ---------------------------------------------------------------------------

seed::bench::Environment environment(const seed::Device& dev, unsigned devices) {
    seed::bench::Environment e;
    utsname u{};
    if (::uname(&u) == 0)
        e.kernel = u.release;
    e.cpus = static_cast<unsigned>(std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN)));
    e.devices = devices;
    e.device_serial = dev.info().serial;
    e.engines = dev.info().num_engines;
    e.hbm_bytes = dev.info().hbm_size;
    e.io_uring = dev.uses_io_uring();
    e.openblas_config = openblas_get_config();
    return e;
}

template <typename F>
void section(const Options& o, seed::bench::Results& res, bool& failed, const char* name, F&& fn) {
    if (!o.only.empty() && std::find(o.only.begin(), o.only.end(), name) == o.only.end())
        return;
    progress(std::string("running ") + name);
    const auto t0 = Clock::now();
    try {
        fn();
    } catch (const std::exception& e) {
        failed = true;
        res.notes.push_back(std::string(name) + " FAILED: " + e.what());
        progress(std::string(name) + " failed: " + e.what());
    }
    progress(std::string(name) + " took " + std::to_string(seconds_since(t0)) + " s");
}

} // namespace

int main(int argc, char** argv) {
    // In a seed-vm guest (QEMU's default TCG CPU: SSE3, no SSSE3) OpenBLAS's
    // runtime detection picks the Opteron kernels, which die with SIGILL.
    // OPENBLAS_CORETYPE is read when the library loads, so re-execute once
    // with the SSE3 kernels selected unless the caller chose some.
    if (std::getenv("SEED_VM") != nullptr && std::getenv("OPENBLAS_CORETYPE") == nullptr) {
        ::setenv("OPENBLAS_CORETYPE", "Prescott", 1);
        ::execv("/proc/self/exe", argv);
        // Not fatal: carry on (the GEMM comparison may then fail).
    }
    const Options o = parse_options(argc, argv);
    // The device model runs each GEMM on one host thread; compare like with like.
    openblas_set_num_threads(1);
    seed::bench::Results res;
    bool failed = false;
    try {
        const auto devices = seed::Device::list();
        if (devices.empty()) {
            std::fputs("seed_bench: no SeedChip visible (is seed.ko loaded?)\n", stderr);
            return 1;
        }
        const seed::Device dev = seed::Device::open(0u);
        res.env = environment(dev, static_cast<unsigned>(devices.size()));
        section(o, res, failed, "submit", [&] { res.submit = bench_submit(dev, o); });
        section(o, res, failed, "latency", [&] { res.latency = bench_latency(dev, o); });
        section(o, res, failed, "transfer", [&] { res.transfer = bench_transfer(dev, o); });
        for (std::uint32_t n : o.gemm_sizes)
            section(o, res, failed, "gemm", [&] { res.gemm.push_back(bench_gemm(dev, n, o)); });
        const unsigned chips = std::min(o.max_chips, static_cast<unsigned>(devices.size()));
        section(o, res, failed, "scaling", [&] { res.scaling = bench_scaling(chips, o); });
        section(o, res, failed, "clients", [&] { res.clients = bench_clients(dev, o, res.notes); });
    } catch (const std::exception& e) {
        std::fprintf(stderr, "seed_bench: %s\n", e.what());
        return 1;
    }
    res.notes.push_back(
        "The guest CPU is emulated by QEMU TCG while the device model (seedchip-device) runs "
        "natively on the host: 'cpu' GEMM figures are TCG-emulated OpenBLAS (SSE3 kernels), "
        "so stack/cpu ratios flatter the device enormously; stack/device is the meaningful "
        "overhead ratio. cblas runs only up to n = " +
        std::to_string(o.cpu_gemm_max) + " ('-' above: minutes per GEMM under TCG).");
    if (res.submit && !res.submit->io_uring)
        res.notes.push_back("io_uring was not used for batches on this device.");
    for (const auto& g : res.gemm)
        if (!g.verified)
            res.notes.push_back("GEMM " + std::to_string(g.n) +
                                ": device result differs from cblas");

    const std::string text = seed::bench::to_text(res);
    const std::string json = seed::bench::to_json(res).dump(2);
    if (o.markers)
        std::cout << text_begin << '\n';
    std::cout << text;
    if (o.markers)
        std::cout << text_end << '\n';
    if (o.json_path == "-") {
        std::cout << json_begin << '\n' << json << '\n' << json_end << '\n';
    } else if (!o.json_path.empty()) {
        std::ofstream f(o.json_path);
        f << json << '\n';
        if (!f) {
            std::fprintf(stderr, "seed_bench: cannot write %s\n", o.json_path.c_str());
            return 1;
        }
    }
    std::cout.flush();
    return failed ? 1 : 0;
}
