// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Fuzzer of seed.ko's userspace interface, run in the guest against the real
// driver: every DRM_IOCTL_SEED_* command (QUERY with every type, unknown types
// and sizes; SUBMIT with in/out syncs and command buffers of random and
// mutated packets referencing real device VAs), the generic DRM ioctls that
// reach the driver (GEM close/flink/open, PRIME export/import, syncobj
// create/destroy/wait), unknown ioctl numbers in the driver's range with
// random size and direction bits, mmap() of arbitrary offsets, and
// IORING_OP_URING_CMD with random and mutated cmd_op and payload on rings
// with and without SQE128/CQE32.
//
// Each call starts from a VALID argument structure built from a pool of live
// objects (BOs, their VAs and mmap offsets, queues, syncobjs, job seqs, dma-buf
// fds, flink names) and is then mutated: bit flips, fields set to interesting
// values, handles that are stale or belong to another file, pointers that are
// NULL, unmapped, kernel addresses, misaligned or to too-short buffers. Some
// calls are plain random bytes. User pointers are always either buffers the
// test owns or deliberately invalid addresses, so the fuzzer cannot corrupt
// itself. Phases: one thread as root; two threads racing on the same files;
// an unprivileged user (uid 65534, in a child process).
//
// What it proves: no call crashes the process, oopses or WARNs (seed-vm fails
// the run on either in dmesg) or hangs; a call the UAPI says must be rejected
// (nonzero pad/flags/reserved fields, unknown type or placement, a count out
// of range, a missing capability) never succeeds; and afterwards the driver is
// healthy: the HBM and host memory in use return to the baseline and a fresh
// client's FILL/COPY job produces the right data.
//
// SEED_IOCTL_FUZZ_SECONDS (default 20) is the total time of the three phases;
// SEED_IOCTL_FUZZ_SEED replays a run. The seed, per-command counts and the
// result (errno) histogram are printed at the end. The single-threaded phase
// is deterministic given the seed, up to timing (job completion and the rate
// limit of real device resets).

#include "seed_drm.hpp"
#include "uring.hpp"
#include "vm_env.hpp"

#include <gtest/gtest.h>

#include <drm.h>
#include <hw/seed_hw.h>
#include <xf86drm.h>

#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using seed::vm::Fd;
using seed::vm::open_seed;
using seed::vm::seed_ioctl;
using seed::vm::Uring;
using u8 = std::uint8_t;
using u16 = std::uint16_t;
using u32 = std::uint32_t;
using u64 = std::uint64_t;

constexpr u64 kPage = 4096;
constexpr u64 kKernelVa = 0xffff800000000000ull;
constexpr u64 kHostBoMax = 16ull << 20; // valid host BO sizes stay below this
constexpr u64 kHbmBoMax = 64ull << 20;  // and HBM BO sizes below this
constexpr u64 kMapMax = 1ull << 20;     // host BOs up to this size are mapped
constexpr size_t kMaxBos = 24, kMaxQueues = 6, kMaxSyncobjs = 16, kMaxDmabufs = 8;
constexpr u64 kMaxInFlight = 8; // submits per queue before it is recycled
constexpr std::int64_t kResetIntervalNs = 5'000'000'000;

std::int64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// Last real device reset, shared by every fuzzer of the process.
std::atomic<std::int64_t> g_last_reset{0};

constexpr u64 kInteresting[] = {
    0,
    1,
    2,
    7,
    8,
    63,
    64,
    65,
    4095,
    4096,
    4097,
    1ull << 20,
    (1ull << 20) + 1,
    1ull << 21,
    1ull << 30,
    1ull << 40,
    0x7f,
    0x80,
    0xff,
    0x7fff,
    0xffff,
    0x7fffffff,
    0x80000000,
    0xffffffff,
    0x100000000ull,
    0x7fffffffffffffffull,
    0x8000000000000000ull,
    0xffffffffffffffffull,
    0xfffffffffffff000ull,
    0xffffffffffffffc0ull,
    kKernelVa,
    0xffffffff80000000ull,
    0x0000800000000000ull,
    DRM_SEED_MAX_CMD_PACKETS,
    DRM_SEED_MAX_CMD_PACKETS + 1,
    DRM_SEED_MAX_SYNCS,
    DRM_SEED_MAX_SYNCS + 1,
};

class Rng {
public:
    explicit Rng(u64 seed) : g_(seed) {}
    u64 next() { return g_(); }
    u64 below(u64 n) { return n ? g_() % n : 0; }
    bool one_in(u64 n) { return below(n) == 0; }
    u64 interesting() {
        const u64 v = kInteresting[below(std::size(kInteresting))];
        switch (below(4)) {
        case 0:
            return v - 1;
        case 1:
            return v + 1;
        default:
            return v;
        }
    }
    template <typename C>
    auto& pick(C& c) {
        return c[below(c.size())];
    }

private:
    std::mt19937_64 g_;
};

u32 load32(const u8* p) {
    u32 v;
    std::memcpy(&v, p, sizeof(v));
    return v;
}

std::string errno_name(int err) {
    if (err == 0)
        return "ok";
    const char* n = strerrorname_np(err);
    return n ? n : "E" + std::to_string(err);
}

// Per-command call counts and result histograms.
class Stats {
public:
    void add(const std::string& op, int err) {
        std::lock_guard lock(mutex_);
        hist_[op][err]++;
    }
    void duration(const char* op, std::int64_t ns) {
        std::lock_guard lock(mutex_);
        auto& m = slowest_[op];
        m = std::max(m, ns);
    }
    u64 total() const {
        std::lock_guard lock(mutex_);
        u64 n = 0;
        for (const auto& [op, h] : hist_)
            for (const auto& [err, c] : h)
                n += c;
        return n;
    }
    std::string report() const {
        std::lock_guard lock(mutex_);
        std::string out;
        for (const auto& [op, h] : hist_) {
            u64 n = 0;
            for (const auto& [err, c] : h)
                n += c;
            char line[64];
            std::snprintf(line, sizeof(line), "  %-26s %8llu ", op.c_str(),
                          static_cast<unsigned long long>(n));
            out += line;
            bool first = true;
            for (const auto& [err, c] : h) {
                out += (first ? "" : ", ") + errno_name(err) + " " + std::to_string(c);
                first = false;
            }
            out += "\n";
        }
        out += "  slowest step of each kind (ms):";
        for (const auto& [op, ns] : slowest_)
            out += " " + op + " " + std::to_string(ns / 1'000'000);
        return out + "\n";
    }

private:
    mutable std::mutex mutex_;
    std::map<std::string, std::map<int, u64>> hist_;
    std::map<std::string, std::int64_t> slowest_;
};

// Aborts the process (with the operation it is stuck in) when one fuzzing
// step takes longer than a minute: a hang is a failure, not a timeout of the
// whole VM run.
class Watchdog {
public:
    Watchdog() : thread_([this] { loop(); }) {}
    ~Watchdog() {
        stop_ = true;
        thread_.join();
    }
    Watchdog(const Watchdog&) = delete;
    Watchdog& operator=(const Watchdog&) = delete;

    void enter(const char* op) {
        op_.store(op);
        since_.store(now_ns());
    }

private:
    void loop() {
        while (!stop_) {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            if (now_ns() - since_.load() > 60'000'000'000) {
                std::fprintf(stderr, "[fuzz] HANG: %s did not return within 60 s\n", op_.load());
                std::abort();
            }
        }
    }

    std::atomic<const char*> op_{"(start)"};
    std::atomic<std::int64_t> since_{now_ns()};
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

// ---------------------------------------------------------------------------
// The pool of live objects of one DRM file.

struct PoolBo {
    u32 handle = 0;
    u64 size = 0;
    u64 va = 0;
    u32 placement = 0;
    u64 mmap_offset = 0;
    u8* map = nullptr; // host BOs up to kMapMax
};

struct PoolQueue {
    u32 id = 0;
    u32 syncobj = 0;
    u64 last_seq = 0;
};

struct Client {
    int fd = -1;
    bool owned = false; // the fuzzer opened (and may close and reopen) the file
    std::vector<PoolBo> bos;
    std::vector<PoolQueue> queues;
    std::vector<u32> syncobjs; // binary and timeline syncobjs it created
    std::vector<u32> stale;    // handles and ids closed or destroyed since

    void forget_stale(Rng& r, u32 v) {
        if (stale.size() >= 32)
            stale[r.below(stale.size())] = v;
        else
            stale.push_back(v);
    }
    void drop_bo(size_t i, Rng& r) {
        if (bos[i].map)
            munmap(bos[i].map, bos[i].size);
        forget_stale(r, bos[i].handle);
        bos.erase(bos.begin() + static_cast<std::ptrdiff_t>(i));
    }
    void release() {
        for (auto& b : bos)
            if (b.map)
                munmap(b.map, b.size);
        bos.clear();
        queues.clear();
        syncobjs.clear();
        if (owned && fd >= 0)
            close(fd);
        fd = -1;
    }
};

// Memory the user pointers of fuzzed calls point into: a scratch area the
// kernel may write anywhere in, followed by an inaccessible guard page and a
// read-only page. Pointers are either into these or deliberately invalid.
class Arena {
public:
    static constexpr size_t kScratch = 64 * 1024;

    Arena() {
        void* p = mmap(nullptr, kScratch + 2 * kPage, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return;
        base_ = static_cast<u8*>(p);
        // 0xa5 everywhere: a DRM_IOCTL_SEED_RESET read from here is invalid.
        std::memset(base_ + kScratch + kPage, 0xa5, kPage);
        mprotect(base_ + kScratch, kPage, PROT_NONE);
        mprotect(base_ + kScratch + kPage, kPage, PROT_READ);
    }
    ~Arena() {
        if (base_)
            munmap(base_, kScratch + 2 * kPage);
    }
    Arena(const Arena&) = delete;
    Arena& operator=(const Arena&) = delete;

    bool ok() const { return base_ != nullptr; }
    u8* scratch(size_t off = 0) const { return base_ + off; }
    u64 guard() const { return reinterpret_cast<u64>(base_ + kScratch); }
    u64 read_only() const { return reinterpret_cast<u64>(base_ + kScratch + kPage); }

private:
    u8* base_ = nullptr;
};

enum class PtrKind { Good, Null, Low, Kernel, NonCanonical, Guard, ReadOnly, Misaligned, Short };

// ---------------------------------------------------------------------------
// The fuzzer: one instance per thread.

class Fuzzer {
public:
    Fuzzer(u64 seed, Stats& stats, bool privileged, int shared_fd_a = -1, int shared_fd_b = -1)
        : rng_(seed), stats_(stats), privileged_(privileged) {
        for (int i = 0; i < 2; i++) {
            Client& c = clients_[i];
            const int shared = i == 0 ? shared_fd_a : shared_fd_b;
            if (shared >= 0) {
                c.fd = shared;
            } else {
                c.fd = reopen();
                c.owned = true;
            }
        }
        drm_seed_get_info info{};
        if (clients_[0].fd >= 0 && seed_ioctl(clients_[0].fd, DRM_IOCTL_SEED_GET_INFO, &info) == 0)
            hbm_size_ = info.hbm_size;
        const unsigned ring_flags[] = {IORING_SETUP_SQE128 | IORING_SETUP_CQE32, 0,
                                       IORING_SETUP_SQE128, IORING_SETUP_CQE32};
        for (unsigned f : ring_flags) {
            auto r = std::make_unique<Uring>(f, 8);
            if (r->ok())
                rings_.push_back(std::move(r));
        }
        for (auto& c : clients_)
            if (c.fd >= 0)
                seed_pool(c);
    }
    ~Fuzzer() {
        for (int fd : dmabufs_)
            close(fd);
        for (auto& c : clients_)
            c.release();
    }
    Fuzzer(const Fuzzer&) = delete;
    Fuzzer& operator=(const Fuzzer&) = delete;

    bool ok() const { return arena_.ok() && clients_[0].fd >= 0 && clients_[1].fd >= 0; }
    bool have_rings() const { return !rings_.empty(); }
    u64 violations() const { return violations_; }
    u64 resets() const { return resets_; }

    /// Runs random operations until @deadline (CLOCK_MONOTONIC ns).
    u64 run(std::int64_t deadline) {
        u64 n = 0;
        while (now_ns() < deadline) {
            step();
            n++;
        }
        return n;
    }

private:
    // Opens a fresh file of chip 0 (the fd is owned by the caller).
    static int reopen() {
        Fd f = open_seed();
        return f ? ::dup(f.get()) : -1;
    }

    // -- recording -----------------------------------------------------------

    int record(const std::string& op, int err) {
        stats_.add(op, err);
        return err;
    }

    // A call whose arguments the UAPI says must be rejected succeeded.
    void must_fail(const std::string& op, bool must, int err, const std::string& why) {
        if (must && err == 0) {
            violations_++;
            std::fprintf(stderr, "[fuzz] VIOLATION: %s accepted %s\n", op.c_str(), why.c_str());
        }
    }
    void violation(const std::string& what) {
        violations_++;
        std::fprintf(stderr, "[fuzz] VIOLATION: %s\n", what.c_str());
    }

    // -- generic mutation --------------------------------------------------

    void mutate_bytes(void* p, size_t n) {
        auto* b = static_cast<u8*>(p);
        const int k = 1 + static_cast<int>(rng_.below(3));
        for (int i = 0; i < k; i++) {
            switch (rng_.below(4)) {
            case 0:
                b[rng_.below(n)] ^= static_cast<u8>(1u << rng_.below(8));
                break;
            case 1: {
                if (n < 4)
                    break;
                const size_t off = rng_.below(n / 4) * 4;
                const u32 v = static_cast<u32>(rng_.interesting());
                std::memcpy(b + off, &v, 4);
                break;
            }
            case 2: {
                if (n < 8)
                    break;
                const size_t off = rng_.below(n / 8) * 8;
                const u64 v = rng_.interesting();
                std::memcpy(b + off, &v, 8);
                break;
            }
            default:
                b[rng_.below(n)] = static_cast<u8>(rng_.next());
                break;
            }
        }
    }
    void random_bytes(void* p, size_t n) {
        auto* b = static_cast<u8*>(p);
        for (size_t i = 0; i < n; i++)
            b[i] = static_cast<u8>(rng_.next());
    }
    // Leaves a valid @s (about half the time), mutates it, or replaces it by
    // random bytes.
    template <typename T>
    void fuzz(T& s) {
        const u64 r = rng_.below(20);
        if (r < 9)
            return;
        if (r < 19)
            mutate_bytes(&s, sizeof(s));
        else
            random_bytes(&s, sizeof(s));
    }

    // -- pool accessors ------------------------------------------------------

    Client& client() { return clients_[rng_.one_in(5) ? 1 : 0]; }
    Client& other(const Client& c) { return &c == &clients_[0] ? clients_[1] : clients_[0]; }

    // A u32 handle/id: mostly from @live, else stale, the other file's,
    // interesting or random.
    u32 pick_u32(Client& c, const std::vector<u32>& live, const std::vector<u32>& others) {
        const u64 r = rng_.below(20);
        if (r < 15 && !live.empty())
            return live[rng_.below(live.size())];
        if (r < 17 && !c.stale.empty())
            return rng_.pick(c.stale);
        if (r < 18 && !others.empty())
            return others[rng_.below(others.size())];
        if (r < 19)
            return static_cast<u32>(rng_.interesting());
        return static_cast<u32>(rng_.below(64));
    }
    static std::vector<u32> bo_handles(const Client& c) {
        std::vector<u32> v;
        for (const auto& b : c.bos)
            v.push_back(b.handle);
        return v;
    }
    static std::vector<u32> queue_ids(const Client& c) {
        std::vector<u32> v;
        for (const auto& q : c.queues)
            v.push_back(q.id);
        return v;
    }
    static std::vector<u32> all_syncobjs(const Client& c) {
        std::vector<u32> v = c.syncobjs;
        for (const auto& q : c.queues)
            v.push_back(q.syncobj);
        return v;
    }
    u32 bo_handle(Client& c) { return pick_u32(c, bo_handles(c), bo_handles(other(c))); }
    u32 queue_id(Client& c) { return pick_u32(c, queue_ids(c), queue_ids(other(c))); }
    u32 syncobj(Client& c) { return pick_u32(c, all_syncobjs(c), all_syncobjs(other(c))); }

    // A device VA: mostly inside a BO of @c, sometimes anywhere.
    u64 device_va(Client& c, u64 len = 8) {
        const u64 r = rng_.below(10);
        if (r < 8 && !c.bos.empty()) {
            const PoolBo& b = rng_.pick(c.bos);
            const u64 room = b.size > len ? b.size - len : 0;
            return b.va + (rng_.below(room / 8 + 1) * 8);
        }
        if (r < 9 && !other(c).bos.empty())
            return rng_.pick(other(c).bos).va;
        return rng_.interesting();
    }

    PoolBo* mapped_bo(Client& c) {
        std::vector<PoolBo*> m;
        for (auto& b : c.bos)
            if (b.map)
                m.push_back(&b);
        return m.empty() ? nullptr : m[rng_.below(m.size())];
    }

    // A user pointer for @len bytes of @data (copied to @slot of the scratch
    // area), or a deliberately bad one. The kernel may also write there: every
    // valid choice is scratch memory, at least 16 KiB before the guard page.
    u64 place(const void* data, size_t len, size_t slot, PtrKind* kind_out = nullptr) {
        static constexpr PtrKind kinds[] = {
            PtrKind::Null,  PtrKind::Low,      PtrKind::Kernel,     PtrKind::NonCanonical,
            PtrKind::Guard, PtrKind::ReadOnly, PtrKind::Misaligned, PtrKind::Short};
        const PtrKind kind = rng_.below(10) < 8 ? PtrKind::Good : kinds[rng_.below(8)];
        if (kind_out)
            *kind_out = kind;
        const size_t off = slot * 16384;
        len = std::min<size_t>(len, 16384 - 8);
        switch (kind) {
        case PtrKind::Good:
            std::memcpy(arena_.scratch(off), data, len);
            return reinterpret_cast<u64>(arena_.scratch(off));
        case PtrKind::Null:
            return 0;
        case PtrKind::Low:
            return 8 + rng_.below(4096);
        case PtrKind::Kernel:
            return kKernelVa + rng_.below(1 << 20) * 8;
        case PtrKind::NonCanonical:
            return 0x0000800000000000ull + rng_.below(1 << 20) * 8;
        case PtrKind::Guard:
            return arena_.guard() + rng_.below(kPage);
        case PtrKind::ReadOnly:
            return arena_.read_only();
        case PtrKind::Misaligned: {
            const size_t mis = 1 + rng_.below(7);
            std::memcpy(arena_.scratch(off + mis), data, len);
            return reinterpret_cast<u64>(arena_.scratch(off + mis));
        }
        case PtrKind::Short: {
            // Only the first k bytes are readable/writable, then the guard.
            const size_t k = len ? rng_.below(len) : 0;
            u8* p = reinterpret_cast<u8*>(arena_.guard()) - k;
            std::memcpy(p, data, k);
            return reinterpret_cast<u64>(p);
        }
        }
        return 0;
    }

    // An output pointer after mutation: kept if it still points into the
    // arena with room for any result (256 bytes), or where nothing of this
    // process can be (the first 64 KiB, kernel and non-canonical addresses);
    // else @fallback. A flipped bit must not aim the kernel at the heap.
    u64 safe_out_ptr(u64 p, u64 fallback) const {
        const u64 lo = reinterpret_cast<u64>(arena_.scratch(0));
        const u64 hi = arena_.read_only() + kPage;
        if (p < 65536 || p >= 0x0000800000000000ull || (p >= lo && p <= hi - 256))
            return p;
        return fallback;
    }

    // The argument pointer of an ioctl: usually @arg, sometimes invalid.
    void* ioctl_arg(void* arg, size_t len) {
        if (!rng_.one_in(25))
            return arg;
        switch (rng_.below(5)) {
        case 0:
            return nullptr;
        case 1:
            return reinterpret_cast<void*>(kKernelVa);
        case 2:
            return reinterpret_cast<void*>(arena_.guard());
        case 3:
            return reinterpret_cast<void*>(arena_.guard() - rng_.below(len));
        default:
            return reinterpret_cast<void*>(arena_.read_only());
        }
    }
    template <typename T>
    int call(int fd, unsigned long req, T* arg) {
        void* p = ioctl_arg(arg, sizeof(T));
        if (p == arg)
            return seed_ioctl(fd, req, arg);
        // The structure did not reach the kernel: nothing "must fail" checks.
        bad_arg_ = true;
        return seed_ioctl(fd, req, static_cast<u8*>(p));
    }

    bool reset_allowed() {
        std::int64_t last = g_last_reset.load();
        const std::int64_t now = now_ns();
        if (now - last < kResetIntervalNs)
            return false;
        return g_last_reset.compare_exchange_strong(last, now);
    }

    // -- pool maintenance --------------------------------------------------

    // BO_INFO of a handle just obtained, into the pool (mapped if small host).
    void adopt_bo(Client& c, u32 handle) {
        for (const auto& b : c.bos)
            if (b.handle == handle)
                return;
        drm_seed_bo_info info{};
        info.handle = handle;
        if (seed_ioctl(c.fd, DRM_IOCTL_SEED_BO_INFO, &info))
            return;
        PoolBo b;
        b.handle = handle;
        b.size = info.size;
        b.va = info.device_va;
        b.placement = info.placement;
        b.mmap_offset = info.mmap_offset;
        if (info.placement == DRM_SEED_BO_HOST && info.size <= kMapMax) {
            void* p = mmap(nullptr, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, c.fd,
                           static_cast<off_t>(info.mmap_offset));
            if (p != MAP_FAILED)
                b.map = static_cast<u8*>(p);
        }
        while (c.bos.size() >= kMaxBos)
            close_bo(c, rng_.below(c.bos.size()));
        c.bos.push_back(b);
    }
    void close_bo(Client& c, size_t i) {
        drm_gem_close cl{};
        cl.handle = c.bos[i].handle;
        seed_ioctl(c.fd, DRM_IOCTL_GEM_CLOSE, &cl);
        c.drop_bo(i, rng_);
    }
    bool create_bo(Client& c, u64 size, u32 placement) {
        drm_seed_bo_create cr{};
        cr.size = size;
        cr.placement = placement;
        if (seed_ioctl(c.fd, DRM_IOCTL_SEED_BO_CREATE, &cr))
            return false;
        adopt_bo(c, cr.handle);
        return true;
    }
    void adopt_queue(Client& c, u32 id, u32 sync) {
        while (c.queues.size() >= kMaxQueues)
            destroy_queue(c, 0);
        c.queues.push_back({id, sync, 0});
    }
    void destroy_queue(Client& c, size_t i) {
        drm_seed_queue_destroy d{};
        d.queue_id = c.queues[i].id;
        seed_ioctl(c.fd, DRM_IOCTL_SEED_QUEUE_DESTROY, &d);
        drm_syncobj_destroy sd{};
        sd.handle = c.queues[i].syncobj;
        seed_ioctl(c.fd, DRM_IOCTL_SYNCOBJ_DESTROY, &sd);
        c.forget_stale(rng_, c.queues[i].id);
        c.queues.erase(c.queues.begin() + static_cast<std::ptrdiff_t>(i));
    }
    bool create_queue(Client& c) {
        drm_seed_queue_create qc{};
        qc.priority = static_cast<u32>(rng_.below(3));
        if (seed_ioctl(c.fd, DRM_IOCTL_SEED_QUEUE_CREATE, &qc))
            return false;
        adopt_queue(c, qc.queue_id, qc.syncobj);
        return true;
    }
    void adopt_syncobj(Client& c, u32 h) {
        while (c.syncobjs.size() >= kMaxSyncobjs) {
            const size_t i = rng_.below(c.syncobjs.size());
            drm_syncobj_destroy sd{};
            sd.handle = c.syncobjs[i];
            seed_ioctl(c.fd, DRM_IOCTL_SYNCOBJ_DESTROY, &sd);
            c.forget_stale(rng_, c.syncobjs[i]);
            c.syncobjs.erase(c.syncobjs.begin() + static_cast<std::ptrdiff_t>(i));
        }
        c.syncobjs.push_back(h);
    }
    void adopt_dmabuf(int fd) {
        if (dmabufs_.size() >= kMaxDmabufs) {
            const size_t i = rng_.below(dmabufs_.size());
            close(dmabufs_[i]);
            dmabufs_[i] = fd;
        } else {
            dmabufs_.push_back(fd);
        }
    }

    void seed_pool(Client& c) {
        create_bo(c, 64 * 1024, DRM_SEED_BO_HOST);
        create_bo(c, 4096, DRM_SEED_BO_HOST);
        create_bo(c, 256 * 1024, DRM_SEED_BO_HOST);
        create_bo(c, 1 << 20, DRM_SEED_BO_HBM);
        create_bo(c, 8192, DRM_SEED_BO_HBM);
        create_queue(c);
        create_queue(c);
        u32 h = 0;
        if (drmSyncobjCreate(c.fd, 0, &h) == 0)
            adopt_syncobj(c, h);
        if (drmSyncobjCreate(c.fd, DRM_SYNCOBJ_CREATE_SIGNALED, &h) == 0)
            adopt_syncobj(c, h);
    }

    // Keeps the pools usable: bounded in-flight work per queue, at least one
    // queue and one mapped host BO per file.
    void maintain() {
        for (auto& c : clients_) {
            for (size_t i = 0; i < c.queues.size();) {
                u64 point = 0;
                if (drmSyncobjQuery(c.fd, &c.queues[i].syncobj, &point, 1))
                    point = 0;
                if (c.queues[i].last_seq > point + kMaxInFlight) {
                    stats_.add("(recycle queue)", 0);
                    destroy_queue(c, i);
                } else {
                    i++;
                }
            }
            if (c.queues.empty())
                create_queue(c);
            if (!mapped_bo(c))
                create_bo(c, 64 * 1024, DRM_SEED_BO_HOST);
        }
    }

    // -- command buffers -----------------------------------------------------

    // One packet at @p: valid-looking for a random opcode, with real VAs.
    void make_packet(Client& c, u8* p, const PoolBo& cmd) {
        seed_pkt_raw raw{};
        const u64 kind = rng_.below(14);
        switch (kind) {
        case 0:
        case 1:
            raw.hdr.opcode = SEED_OP_NOP;
            break;
        case 2:
        case 3: {
            auto* f = reinterpret_cast<seed_pkt_fill*>(&raw);
            f->hdr.opcode = SEED_OP_FILL;
            const u32 pb[] = {1, 2, 4, 8};
            f->pattern_bytes = pb[rng_.below(4)];
            f->size = (1 + rng_.below(512)) * 8;
            f->dst = device_va(c, f->size) & ~7ull;
            f->pattern = rng_.next();
            break;
        }
        case 4:
        case 5: {
            auto* cp = reinterpret_cast<seed_pkt_copy*>(&raw);
            cp->hdr.opcode = SEED_OP_COPY;
            cp->width = 1 + rng_.below(4096);
            cp->height = rng_.one_in(4) ? 1 + static_cast<u32>(rng_.below(4)) : 1;
            cp->src_pitch = cp->width;
            cp->dst_pitch = cp->width;
            cp->src = device_va(c, cp->width * cp->height);
            cp->dst = device_va(c, cp->width * cp->height);
            break;
        }
        case 6: {
            auto* s = reinterpret_cast<seed_pkt_signal*>(&raw);
            s->hdr.opcode = SEED_OP_SIGNAL;
            s->addr = device_va(c) & ~7ull;
            s->value = rng_.next();
            break;
        }
        case 7: {
            auto* w = reinterpret_cast<seed_pkt_wait*>(&raw);
            w->hdr.opcode = SEED_OP_WAIT;
            w->addr = device_va(c) & ~7ull;
            w->value = rng_.below(3);
            // Rarely no time limit: such a job ends at the driver's timeout
            // or when its queue is destroyed.
            w->timeout_us = rng_.one_in(50) ? 0 : static_cast<u32>(1 + rng_.below(2000));
            break;
        }
        case 8: {
            auto* t = reinterpret_cast<seed_pkt_timestamp*>(&raw);
            t->hdr.opcode = SEED_OP_TIMESTAMP;
            t->addr = device_va(c) & ~7ull;
            break;
        }
        case 9: {
            auto* in = reinterpret_cast<seed_pkt_indirect*>(&raw);
            in->hdr.opcode = SEED_OP_INDIRECT;
            in->count = 1 + static_cast<u32>(rng_.below(8));
            const u64 slots = cmd.size / SEED_PKT_SIZE;
            in->addr =
                rng_.one_in(4) ? device_va(c) & ~63ull : cmd.va + rng_.below(slots) * SEED_PKT_SIZE;
            break;
        }
        case 10: {
            auto* cm = reinterpret_cast<seed_pkt_compute*>(&raw);
            const u8 ops[] = {SEED_OP_GEMM, SEED_OP_ELEMENTWISE, SEED_OP_REDUCE};
            cm->hdr.opcode = ops[rng_.below(3)];
            cm->desc = device_va(c, 256) & ~63ull;
            break;
        }
        case 11:
            raw.hdr.opcode = static_cast<u8>(rng_.next());
            break;
        default:
            random_bytes(&raw, sizeof(raw));
            break;
        }
        if (rng_.one_in(8))
            raw.hdr.flags = static_cast<u8>(rng_.one_in(2) ? SEED_PKT_F_IRQ : rng_.next());
        raw.hdr.tag = static_cast<u32>(rng_.next());
        if (rng_.one_in(4))
            mutate_bytes(&raw, sizeof(raw));
        std::memcpy(p, &raw, sizeof(raw));
    }

    // A valid SUBMIT for @c (packets written to a mapped host BO), with the
    // sync arrays in @in / @out.
    drm_seed_submit make_submit(Client& c, std::vector<drm_seed_sync>& in,
                                std::vector<drm_seed_sync>& out) {
        drm_seed_submit s{};
        s.queue_id = queue_id(c);
        PoolBo* cmd = mapped_bo(c);
        if (cmd && !rng_.one_in(20)) {
            const u64 slots = cmd->size / SEED_PKT_SIZE;
            const u64 count = 1 + rng_.below(std::min<u64>(slots, 16));
            const u64 first = rng_.below(slots - count + 1);
            for (u64 i = 0; i < count; i++)
                make_packet(c, cmd->map + (first + i) * SEED_PKT_SIZE, *cmd);
            s.cmd_handle = cmd->handle;
            s.cmd_count = static_cast<u32>(count);
            s.cmd_offset = first * SEED_PKT_SIZE;
        } else {
            // Packets the test cannot see: an HBM BO or an unknown handle.
            s.cmd_handle = bo_handle(c);
            s.cmd_count = 1 + static_cast<u32>(rng_.below(4));
        }
        const u64 nin = rng_.one_in(2) ? 0 : 1 + rng_.below(3);
        for (u64 i = 0; i < nin; i++) {
            drm_seed_sync y{};
            if (!c.queues.empty() && rng_.below(3)) {
                const PoolQueue& q = rng_.pick(c.queues);
                y.handle = q.syncobj;
                y.point = q.last_seq ? 1 + rng_.below(q.last_seq) : 0;
            } else {
                y.handle = syncobj(c);
            }
            in.push_back(y);
        }
        const u64 nout = rng_.one_in(2) ? 0 : 1 + rng_.below(2);
        for (u64 i = 0; i < nout; i++) {
            drm_seed_sync y{};
            y.handle = c.syncobjs.empty() || rng_.one_in(8) ? syncobj(c) : rng_.pick(c.syncobjs);
            y.point = rng_.one_in(2) ? 0 : 1 + rng_.below(1000);
            out.push_back(y);
        }
        for (auto* v : {&in, &out})
            for (auto& y : *v)
                if (rng_.one_in(20))
                    mutate_bytes(&y, sizeof(y));
        s.in_sync_count = static_cast<u32>(in.size());
        s.out_sync_count = static_cast<u32>(out.size());
        place_bo_list(c, s);
        return s;
    }

    // The BO list of @s (implicit sync) in scratch slot 3: mostly the
    // client's BOs, read or written, duplicates included; sometimes
    // another file's handles, unknown flags, reserved bits or a count past
    // the limit. Only the structure's own fields are judged afterwards
    // (submit_invalid()): the list may be overwritten by a later SQE of a
    // uring batch before the kernel reads it.
    void place_bo_list(Client& c, drm_seed_submit& s) {
        if (rng_.one_in(3))
            return;
        std::vector<drm_seed_submit_bo> bos(1 + rng_.below(8));
        for (auto& e : bos) {
            e.handle = bo_handle(c);
            e.flags = rng_.one_in(2) ? DRM_SEED_SUBMIT_BO_WRITE : 0;
            if (rng_.one_in(30))
                e.flags = static_cast<u32>(rng_.interesting());
            if (rng_.one_in(30))
                e.reserved = rng_.interesting();
        }
        s.bos = place(bos.data(), bos.size() * sizeof(bos[0]), 3);
        s.bo_count = static_cast<u32>(bos.size());
        if (rng_.one_in(40))
            s.bo_count = DRM_SEED_MAX_SUBMIT_BOS + 1 + static_cast<u32>(rng_.below(4));
        if (rng_.one_in(40))
            s.pad = static_cast<u32>(rng_.interesting());
    }

    // Places the sync arrays of @s; true if both are fully readable.
    bool place_syncs(drm_seed_submit& s, const std::vector<drm_seed_sync>& in,
                     const std::vector<drm_seed_sync>& out) {
        PtrKind ki = PtrKind::Good, ko = PtrKind::Good;
        s.in_syncs = place(in.data(), in.size() * sizeof(drm_seed_sync), 1, &ki);
        s.out_syncs = place(out.data(), out.size() * sizeof(drm_seed_sync), 2, &ko);
        const auto readable = [](PtrKind k) {
            return k == PtrKind::Good || k == PtrKind::Misaligned;
        };
        return readable(ki) && readable(ko);
    }

    // Whether the kernel reads the sync arrays that were placed: a mutation
    // of the pointers aims it at other bytes, whose flags the test does not
    // know.
    static bool syncs_intact(const drm_seed_submit& placed, const drm_seed_submit& sent) {
        return placed.in_syncs == sent.in_syncs && placed.out_syncs == sent.out_syncs;
    }

    // Why a SUBMIT must fail, judged on the structure the kernel receives.
    static std::string submit_invalid(const drm_seed_submit& s,
                                      const std::vector<drm_seed_sync>& in,
                                      const std::vector<drm_seed_sync>& out, bool syncs_readable,
                                      bool syncs_intact) {
        if (s.flags)
            return "nonzero flags";
        if (!s.cmd_count || s.cmd_count > DRM_SEED_MAX_CMD_PACKETS)
            return "cmd_count out of range";
        if (s.cmd_offset % SEED_PKT_SIZE)
            return "misaligned cmd_offset";
        if (s.in_sync_count > DRM_SEED_MAX_SYNCS || s.out_sync_count > DRM_SEED_MAX_SYNCS)
            return "too many syncs";
        if (s.bo_count > DRM_SEED_MAX_SUBMIT_BOS)
            return "too many BOs";
        if (s.pad)
            return "nonzero pad";
        if (syncs_readable && syncs_intact) {
            for (size_t i = 0; i < in.size() && i < s.in_sync_count; i++)
                if (in[i].flags)
                    return "nonzero in_sync flags";
            for (size_t i = 0; i < out.size() && i < s.out_sync_count; i++)
                if (out[i].flags)
                    return "nonzero out_sync flags";
        }
        return {};
    }

    void note_seq(Client& c, u32 queue, u64 seq) {
        for (auto& q : c.queues)
            if (q.id == queue && seq > q.last_seq)
                q.last_seq = seq;
    }

    // -- the operations ------------------------------------------------------

    void op_get_info() {
        Client& c = client();
        drm_seed_get_info s{};
        fuzz(s);
        const drm_seed_get_info before = s;
        bad_arg_ = false;
        const int err = record("GET_INFO", call(c.fd, DRM_IOCTL_SEED_GET_INFO, &s));
        if (bad_arg_)
            return;
        const bool invalid = before.flags || before.pad || before.pad2;
        must_fail("GET_INFO", invalid, err, "nonzero flags/pad");
        if (invalid && err == EINVAL && std::memcmp(&s, &before, sizeof(s)) != 0)
            violation("GET_INFO changed the structure it rejected");
        if (err == 0) {
            for (u64 r : s.reserved)
                if (r)
                    violation("GET_INFO left reserved nonzero");
            if (s.serial[sizeof(s.serial) - 1] != '\0')
                violation("GET_INFO serial not NUL terminated");
        }
    }

    void op_query() {
        Client& c = client();
        drm_seed_query q{};
        const u64 r = rng_.below(10);
        q.type = r < 4   ? DRM_SEED_QUERY_MEMORY
                 : r < 8 ? DRM_SEED_QUERY_TELEMETRY
                 : r < 9 ? static_cast<u32>(rng_.below(8))
                         : static_cast<u32>(rng_.interesting());
        switch (rng_.below(6)) {
        case 0:
            q.size = 0;
            break;
        case 1:
            q.size = sizeof(drm_seed_query_memory);
            break;
        case 2:
            q.size = sizeof(drm_seed_query_telemetry);
            break;
        case 3:
            q.size = static_cast<u32>(1 + rng_.below(256));
            break;
        default:
            q.size = static_cast<u32>(rng_.interesting());
            break;
        }
        const u8 zeros[256] = {};
        q.data = place(zeros, sizeof(zeros), 0);
        const u64 placed = q.data;
        fuzz(q);
        q.data = safe_out_ptr(q.data, placed);
        const u32 size_in = q.size;
        bad_arg_ = false;
        const int err = record("QUERY", call(c.fd, DRM_IOCTL_SEED_QUERY, &q));
        if (bad_arg_)
            return;
        const bool known = q.type == DRM_SEED_QUERY_MEMORY || q.type == DRM_SEED_QUERY_TELEMETRY;
        must_fail("QUERY", q.flags || q.pad || !known, err, "nonzero flags/pad or unknown type");
        if (err == 0 && known) {
            const u32 full = q.type == DRM_SEED_QUERY_MEMORY ? sizeof(drm_seed_query_memory)
                                                             : sizeof(drm_seed_query_telemetry);
            const u32 want = size_in == 0 ? full : std::min(size_in, full);
            if (q.size != want)
                violation("QUERY size " + std::to_string(size_in) + " returned " +
                          std::to_string(q.size) + ", expected " + std::to_string(want));
        }
    }

    void op_bo_create() {
        Client& c = client();
        drm_seed_bo_create s{};
        switch (rng_.below(5)) {
        case 0:
            s.size = 1 + rng_.below(4096);
            break;
        case 1:
            s.size = kPage * (1 + rng_.below(64));
            break;
        case 2:
            s.size = 1 + rng_.below(4 << 20);
            break;
        default:
            s.size = rng_.one_in(2) ? 4096 : 64 * 1024;
            break;
        }
        s.placement = rng_.one_in(2) ? DRM_SEED_BO_HOST : DRM_SEED_BO_HBM;
        s.flags = rng_.one_in(5) ? DRM_SEED_BO_DEVICE_READ_ONLY : 0;
        fuzz(s);
        // Keep memory use sane: a host BO is pinned guest RAM.
        if (s.placement == DRM_SEED_BO_HOST && s.size > kHostBoMax && s.size < (1ull << 40))
            s.size = 1 + s.size % kHostBoMax;
        if (s.placement != DRM_SEED_BO_HOST && s.size > kHbmBoMax && s.size <= hbm_size_)
            s.size = 1 + s.size % kHbmBoMax;
        const drm_seed_bo_create in = s;
        bad_arg_ = false;
        const int err = record("BO_CREATE", call(c.fd, DRM_IOCTL_SEED_BO_CREATE, &s));
        if (bad_arg_) {
            return;
        }
        must_fail("BO_CREATE",
                  in.pad || (in.flags & ~DRM_SEED_BO_FLAGS) || in.size == 0 ||
                      (in.placement != DRM_SEED_BO_HBM && in.placement != DRM_SEED_BO_HOST),
                  err, "nonzero pad, unknown flag or placement, or size 0");
        if (err == 0) {
            if (s.size < in.size || s.size % kPage || s.size - in.size >= kPage || !s.handle ||
                s.device_va % kPage)
                violation("BO_CREATE returned size " + std::to_string(s.size) + " va " +
                          std::to_string(s.device_va));
            adopt_bo(c, s.handle);
        }
    }

    void op_bo_info() {
        Client& c = client();
        drm_seed_bo_info s{};
        s.handle = bo_handle(c);
        fuzz(s);
        const drm_seed_bo_info in = s;
        bad_arg_ = false;
        const int err = record("BO_INFO", call(c.fd, DRM_IOCTL_SEED_BO_INFO, &s));
        if (bad_arg_)
            return;
        must_fail("BO_INFO", in.flags || in.pad, err, "nonzero flags/pad");
        if (err == 0 && (s.placement > DRM_SEED_BO_HOST || (s.flags & ~DRM_SEED_BO_FLAGS)))
            violation("BO_INFO returned placement " + std::to_string(s.placement));
    }

    void op_queue_create() {
        Client& c = client();
        drm_seed_queue_create s{};
        s.priority = static_cast<u32>(rng_.below(4));
        fuzz(s);
        const drm_seed_queue_create in = s;
        bad_arg_ = false;
        const int err = record("QUEUE_CREATE", call(c.fd, DRM_IOCTL_SEED_QUEUE_CREATE, &s));
        if (bad_arg_)
            return;
        must_fail("QUEUE_CREATE",
                  in.flags || in.priority > DRM_SEED_PRIORITY_REALTIME ||
                      (in.priority == DRM_SEED_PRIORITY_REALTIME && !privileged_),
                  err, "nonzero flags, unknown priority or REALTIME without CAP_SYS_NICE");
        if (err == 0) {
            if (!s.queue_id || !s.syncobj)
                violation("QUEUE_CREATE returned id 0 or syncobj 0");
            adopt_queue(c, s.queue_id, s.syncobj);
        } else if (err == EBUSY && !c.queues.empty()) {
            destroy_queue(c, rng_.below(c.queues.size()));
        }
    }

    void op_queue_destroy() {
        Client& c = client();
        drm_seed_queue_destroy s{};
        s.queue_id = queue_id(c);
        fuzz(s);
        bad_arg_ = false;
        const int err = record("QUEUE_DESTROY", call(c.fd, DRM_IOCTL_SEED_QUEUE_DESTROY, &s));
        if (bad_arg_)
            return;
        must_fail("QUEUE_DESTROY", s.pad != 0, err, "nonzero pad");
        if (err == 0) {
            for (size_t i = 0; i < c.queues.size(); i++) {
                if (c.queues[i].id == s.queue_id) {
                    // The timeline syncobj outlives the queue.
                    adopt_syncobj(c, c.queues[i].syncobj);
                    c.forget_stale(rng_, s.queue_id);
                    c.queues.erase(c.queues.begin() + static_cast<std::ptrdiff_t>(i));
                    break;
                }
            }
        }
    }

    void op_submit() {
        Client& c = client();
        std::vector<drm_seed_sync> in, out;
        drm_seed_submit s = make_submit(c, in, out);
        const bool readable = place_syncs(s, in, out);
        const drm_seed_submit placed = s;
        fuzz(s);
        bad_arg_ = false;
        const int err = record("SUBMIT", call(c.fd, DRM_IOCTL_SEED_SUBMIT, &s));
        if (bad_arg_)
            return;
        const std::string why = submit_invalid(s, in, out, readable, syncs_intact(placed, s));
        must_fail("SUBMIT", !why.empty(), err, why);
        if (err == 0) {
            if (!s.seq)
                violation("SUBMIT returned seq 0");
            note_seq(c, s.queue_id, s.seq);
        }
    }

    void op_uring() {
        if (rings_.empty())
            return;
        Client& c = client();
        const size_t ri = rng_.below(4) ? 0 : rng_.below(rings_.size());
        Uring& ring = *rings_[ri];
        const bool big = ring.sqe_size() == 128 && ring.cqe_size() == 32;
        const unsigned batch = rng_.one_in(4) ? 2 + static_cast<unsigned>(rng_.below(3)) : 1;

        struct Pending {
            drm_seed_submit s;
            std::string why; // non-empty: must fail
            std::string op;
            u32 queue;
            std::string desc;
            bool done = false;
        };
        std::vector<Pending> pend;
        uring_ops_++;
        for (unsigned b = 0; b < batch; b++) {
            io_uring_sqe* sqe = ring.get_sqe();
            if (!sqe)
                break;
            std::vector<drm_seed_sync> in, out;
            Pending p{make_submit(c, in, out), {}, "URING_CMD", 0, {}, false};
            // All SQEs of a batch share the scratch slots: only the last one's
            // sync arrays are intact.
            const bool readable = place_syncs(p.s, in, out);
            const drm_seed_submit placed = p.s;
            fuzz(p.s);
            sqe->opcode = IORING_OP_URING_CMD;
            sqe->fd = c.fd;
            sqe->user_data = (uring_ops_ << 8) | b;
            u32 op = DRM_IOCTL_SEED_SUBMIT;
            const u64 r = rng_.below(20);
            if (r == 0)
                op = static_cast<u32>(rng_.next());
            else if (r == 1)
                op = static_cast<u32>(
                    DRM_IOWR(DRM_COMMAND_BASE + rng_.below(0x40), drm_seed_submit));
            else if (r == 2)
                op = DRM_IOCTL_SEED_SUBMIT ^ (1u << rng_.below(32));
            sqe->cmd_op = op;
            const size_t room = ring.sqe_size() - offsetof(io_uring_sqe, cmd);
            std::memcpy(sqe->cmd, &p.s, std::min(room, sizeof(p.s)));
            if (rng_.one_in(10)) {
                random_bytes(sqe->cmd, room);
                if (room >= sizeof(p.s))
                    std::memcpy(&p.s, sqe->cmd, sizeof(p.s));
            }
            bool clean = true;
            if (rng_.one_in(8)) {
                // Not IOSQE_IO_DRAIN: the guest kernel's io_uring can leave a
                // drained command of a batch uncompleted, even one for fd -1
                // that never reaches the driver. Not IOSQE_CQE_SKIP_SUCCESS
                // or links either: every SQE must produce one CQE here.
                const u8 flags[] = {IOSQE_ASYNC, IOSQE_FIXED_FILE, IOSQE_BUFFER_SELECT};
                sqe->flags = flags[rng_.below(3)];
                clean = sqe->flags == IOSQE_ASYNC;
            }
            if (rng_.one_in(12)) {
                const int fds[] = {other(c).fd, ring.fd(), -1, 1000, 0};
                sqe->fd = fds[rng_.below(5)];
                clean = false;
            }
            if (rng_.one_in(12)) {
                // Fields URING_CMD requires to be zero, or registered buffers
                // and credentials the ring does not have.
                switch (rng_.below(5)) {
                case 0:
                    sqe->ioprio = static_cast<u16>(rng_.next());
                    break;
                case 1:
                    sqe->__pad1 = static_cast<u32>(rng_.interesting());
                    break;
                case 2:
                    sqe->uring_cmd_flags = static_cast<u32>(rng_.next());
                    break;
                case 3:
                    sqe->buf_index = static_cast<u16>(rng_.next());
                    sqe->uring_cmd_flags = IORING_URING_CMD_FIXED;
                    break;
                default:
                    sqe->personality = static_cast<u16>(1 + rng_.below(100));
                    break;
                }
                clean = false;
            }
            if (clean && sqe->fd == c.fd) {
                if (op != DRM_IOCTL_SEED_SUBMIT)
                    p.why = "a cmd_op other than SUBMIT";
                else if (!big)
                    p.why = "SUBMIT on a ring without SQE128 and CQE32";
                else
                    p.why = submit_invalid(p.s, in, out, readable && b + 1 == batch,
                                           syncs_intact(placed, p.s));
            }
            p.op = std::string("URING_CMD") + (big ? "" : "(small ring)") +
                   (sqe->fd == c.fd ? "" : "(other fd)");
            char desc[128];
            std::snprintf(desc, sizeof(desc),
                          "sqe%u/cqe%u fd %d flags %#x op %#x ucf %#x pers %u bi %u pad %#x",
                          ring.sqe_size(), ring.cqe_size(), sqe->fd, unsigned{sqe->flags},
                          sqe->cmd_op, sqe->uring_cmd_flags, unsigned{sqe->personality},
                          unsigned{sqe->buf_index}, sqe->__pad1);
            p.desc = desc;
            p.queue = p.s.queue_id;
            pend.push_back(p);
        }
        if (pend.empty())
            return;
        // Submit until the kernel has consumed every SQE (it stops after one
        // it cannot initialise), then wait for all their completions.
        int n = 0;
        while (static_cast<size_t>(n) < pend.size()) {
            const int r = ring.submit(0);
            if (r <= 0) {
                record("URING_CMD(enter)", r < 0 ? -r : EAGAIN);
                break;
            }
            n += r;
        }
        if (n > 0) {
            const int w = ring.wait(static_cast<unsigned>(n), 5'000'000'000);
            if (w) {
                std::string what;
                for (const auto& p : pend)
                    what += " [" + p.desc + "]";
                violation("URING_CMD: " + std::to_string(n) + " commands consumed, waiting for " +
                          "them failed with " + errno_name(-w) + ":" + what);
            }
        }
        Uring::Cqe cqe;
        size_t got = 0;
        while (ring.pop(&cqe)) {
            if ((cqe.user_data >> 8) != uring_ops_ || (cqe.user_data & 0xff) >= pend.size()) {
                // Left over from an earlier batch the kernel did not consume.
                record("URING_CMD(stale)", cqe.res < 0 ? -cqe.res : 0);
                continue;
            }
            Pending& p = pend[cqe.user_data & 0xff];
            p.done = true;
            got++;
            const int err = cqe.res < 0 ? -cqe.res : 0;
            record(p.op, err);
            must_fail(p.op, !p.why.empty(), err, p.why);
            if (err == 0 && p.op == "URING_CMD")
                note_seq(c, p.queue, cqe.extra[0]);
        }
        if (n > 0 && got < static_cast<size_t>(n)) {
            std::string what;
            for (const auto& p : pend)
                if (!p.done)
                    what += " [" + p.desc + "]";
            violation("URING_CMD: " + std::to_string(n - static_cast<int>(got)) + " of " +
                      std::to_string(n) + " commands did not complete within 5 s:" + what);
        }
    }

    void op_job_status() {
        Client& c = client();
        drm_seed_job_status s{};
        s.queue_id = queue_id(c);
        u64 last = 0;
        for (const auto& q : c.queues)
            if (q.id == s.queue_id)
                last = q.last_seq;
        switch (rng_.below(6)) {
        case 0:
            s.seq = last + 1;
            break;
        case 1:
            s.seq = rng_.interesting();
            break;
        default:
            s.seq = last ? 1 + rng_.below(last) : 1;
            break;
        }
        fuzz(s);
        const drm_seed_job_status in = s;
        bad_arg_ = false;
        const int err = record("JOB_STATUS", call(c.fd, DRM_IOCTL_SEED_JOB_STATUS, &s));
        if (bad_arg_)
            return;
        must_fail("JOB_STATUS", in.flags || in.seq == 0, err, "nonzero flags or seq 0");
        if (err == 0 && (s.state > DRM_SEED_JOB_DONE || s.error > DRM_SEED_JOB_HW_ERROR || s.pad ||
                         (s.state == DRM_SEED_JOB_PENDING && s.error)))
            violation("JOB_STATUS returned state " + std::to_string(s.state) + " error " +
                      std::to_string(s.error));
    }

    void op_reset() {
        Client& c = client();
        drm_seed_reset s{};
        s.type = DRM_SEED_RESET_DEVICE;
        fuzz(s);
        const bool valid = s.type == DRM_SEED_RESET_DEVICE && s.flags == 0;
        if (valid && privileged_ && !reset_allowed())
            s.flags = 1u << rng_.below(32);
        const drm_seed_reset in = s;
        bad_arg_ = false;
        const int err = record("RESET", call(c.fd, DRM_IOCTL_SEED_RESET, &s));
        if (bad_arg_)
            return;
        if (err == 0)
            resets_++;
        must_fail("RESET", in.type != DRM_SEED_RESET_DEVICE || in.flags || !privileged_, err,
                  "unknown type, nonzero flags or a caller without CAP_SYS_ADMIN");
    }

    void op_gem_close() {
        Client& c = client();
        drm_gem_close s{};
        s.handle = bo_handle(c);
        fuzz(s);
        bad_arg_ = false;
        const int err = record("GEM_CLOSE", call(c.fd, DRM_IOCTL_GEM_CLOSE, &s));
        if (err == 0 && !bad_arg_)
            for (size_t i = 0; i < c.bos.size(); i++)
                if (c.bos[i].handle == s.handle) {
                    c.drop_bo(i, rng_);
                    break;
                }
    }

    void op_prime_export() {
        Client& c = client();
        drm_prime_handle s{};
        s.handle = bo_handle(c);
        s.flags = rng_.one_in(2) ? DRM_CLOEXEC | DRM_RDWR : DRM_CLOEXEC;
        s.fd = -1;
        fuzz(s);
        bad_arg_ = false;
        const int err = record("PRIME_HANDLE_TO_FD", call(c.fd, DRM_IOCTL_PRIME_HANDLE_TO_FD, &s));
        if (err == 0 && !bad_arg_ && s.fd >= 0)
            adopt_dmabuf(s.fd);
    }

    void op_prime_import() {
        Client& c = client();
        drm_prime_handle s{};
        const u64 r = rng_.below(10);
        if (r < 7 && !dmabufs_.empty())
            s.fd = rng_.pick(dmabufs_);
        else if (r < 8)
            s.fd = other(c).fd;
        else if (r < 9)
            s.fd = static_cast<int>(rng_.below(64));
        else
            s.fd = static_cast<int>(rng_.interesting());
        fuzz(s);
        bad_arg_ = false;
        const int err = record("PRIME_FD_TO_HANDLE", call(c.fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &s));
        if (err == 0 && !bad_arg_)
            adopt_bo(c, s.handle);
    }

    void op_syncobj_create() {
        Client& c = client();
        drm_syncobj_create s{};
        s.flags = rng_.one_in(2) ? DRM_SYNCOBJ_CREATE_SIGNALED : 0;
        fuzz(s);
        bad_arg_ = false;
        const int err = record("SYNCOBJ_CREATE", call(c.fd, DRM_IOCTL_SYNCOBJ_CREATE, &s));
        if (err == 0 && !bad_arg_)
            adopt_syncobj(c, s.handle);
    }

    void op_syncobj_destroy() {
        Client& c = client();
        drm_syncobj_destroy s{};
        s.handle = syncobj(c);
        fuzz(s);
        bad_arg_ = false;
        const int err = record("SYNCOBJ_DESTROY", call(c.fd, DRM_IOCTL_SYNCOBJ_DESTROY, &s));
        if (err == 0 && !bad_arg_) {
            auto& v = c.syncobjs;
            v.erase(std::remove(v.begin(), v.end(), s.handle), v.end());
            c.forget_stale(rng_, s.handle);
        }
    }

    // Absolute CLOCK_MONOTONIC timeouts: past, or at most ~20 ms ahead. DRM
    // treats a negative timeout as infinite, so none is negative.
    std::int64_t wait_deadline() {
        switch (rng_.below(4)) {
        case 0:
            return 0;
        case 1:
            return static_cast<std::int64_t>(rng_.below(static_cast<u64>(now_ns())));
        default:
            return now_ns() + static_cast<std::int64_t>(rng_.below(20'000'000));
        }
    }
    std::int64_t bound_deadline(std::int64_t t) {
        if (t < 0 || t > now_ns() + 20'000'000)
            t = now_ns() + static_cast<std::int64_t>(rng_.below(20'000'000));
        return t;
    }
    // DRM core allocates count_handles entries without __GFP_NOWARN: counts
    // beyond what kmalloc can serve WARN in the page allocator (a DRM core
    // issue, not seed.ko's), so keep them below that.
    u32 bound_count(u32 n) { return n > (1u << 16) ? static_cast<u32>(rng_.below(1u << 16)) : n; }
    u32 wait_flags() {
        u32 f = 0;
        if (rng_.one_in(2))
            f |= DRM_SYNCOBJ_WAIT_FLAGS_WAIT_ALL;
        if (rng_.one_in(2))
            f |= DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT;
        if (rng_.one_in(4))
            f |= DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE;
        return f;
    }

    void op_syncobj_wait() {
        Client& c = client();
        u32 handles[8];
        const u32 n = 1 + static_cast<u32>(rng_.below(4));
        for (u32 i = 0; i < n; i++)
            handles[i] = syncobj(c);
        drm_syncobj_wait s{};
        s.handles = place(handles, n * sizeof(u32), 1);
        s.count_handles = n;
        s.timeout_nsec = wait_deadline();
        s.flags = wait_flags();
        fuzz(s);
        s.timeout_nsec = bound_deadline(s.timeout_nsec);
        s.count_handles = bound_count(s.count_handles);
        record("SYNCOBJ_WAIT", call(c.fd, DRM_IOCTL_SYNCOBJ_WAIT, &s));
    }

    void op_syncobj_timeline_wait() {
        Client& c = client();
        u32 handles[8];
        u64 points[8];
        const u32 n = 1 + static_cast<u32>(rng_.below(4));
        for (u32 i = 0; i < n; i++) {
            handles[i] = syncobj(c);
            points[i] = rng_.below(4) ? rng_.below(16) : rng_.interesting();
            for (const auto& q : c.queues)
                if (q.syncobj == handles[i] && q.last_seq && rng_.one_in(2))
                    points[i] = 1 + rng_.below(q.last_seq);
        }
        drm_syncobj_timeline_wait s{};
        s.handles = place(handles, n * sizeof(u32), 1);
        s.points = place(points, n * sizeof(u64), 2);
        s.count_handles = n;
        s.timeout_nsec = wait_deadline();
        s.flags = wait_flags();
        fuzz(s);
        s.timeout_nsec = bound_deadline(s.timeout_nsec);
        s.count_handles = bound_count(s.count_handles);
        record("SYNCOBJ_TIMELINE_WAIT", call(c.fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT, &s));
    }

    void op_flink() {
        Client& c = client();
        drm_gem_flink s{};
        s.handle = bo_handle(c);
        fuzz(s);
        bad_arg_ = false;
        const int err = record("GEM_FLINK", call(c.fd, DRM_IOCTL_GEM_FLINK, &s));
        if (err == 0 && !bad_arg_ && names_.size() < 16)
            names_.push_back(s.name);
    }

    void op_gem_open() {
        Client& c = client();
        drm_gem_open s{};
        s.name =
            !names_.empty() && rng_.below(4) ? rng_.pick(names_) : static_cast<u32>(rng_.below(64));
        fuzz(s);
        bad_arg_ = false;
        const int err = record("GEM_OPEN", call(c.fd, DRM_IOCTL_GEM_OPEN, &s));
        if (err == 0 && !bad_arg_)
            adopt_bo(c, s.handle);
    }

    // A valid structure for driver ioctl @nr, as the random ioctl's payload.
    void valid_payload(Client& c, unsigned nr, u8* buf) {
        switch (nr) {
        case DRM_SEED_QUERY: {
            drm_seed_query q{};
            q.type = 1 + static_cast<u32>(rng_.below(2));
            q.size = static_cast<u32>(rng_.below(256));
            q.data = reinterpret_cast<u64>(arena_.scratch(32768));
            std::memcpy(buf, &q, sizeof(q));
            break;
        }
        case DRM_SEED_BO_CREATE: {
            drm_seed_bo_create b{};
            b.size = 1 + rng_.below(1 << 20);
            b.placement = static_cast<u32>(rng_.below(2));
            std::memcpy(buf, &b, sizeof(b));
            break;
        }
        case DRM_SEED_BO_INFO: {
            drm_seed_bo_info b{};
            b.handle = bo_handle(c);
            std::memcpy(buf, &b, sizeof(b));
            break;
        }
        case DRM_SEED_QUEUE_DESTROY:
        case DRM_SEED_JOB_STATUS: {
            const u32 id = queue_id(c);
            std::memcpy(buf, &id, sizeof(id));
            const u64 seq = 1 + rng_.below(8);
            if (nr == DRM_SEED_JOB_STATUS)
                std::memcpy(buf + 8, &seq, sizeof(seq));
            break;
        }
        case DRM_SEED_SUBMIT: {
            std::vector<drm_seed_sync> in, out;
            drm_seed_submit s = make_submit(c, in, out);
            place_syncs(s, in, out);
            std::memcpy(buf, &s, sizeof(s));
            break;
        }
        default:
            break;
        }
    }

    // Any command number in the driver's range, any size and direction.
    void op_random_ioctl() {
        Client& c = client();
        const unsigned nr =
            static_cast<unsigned>(rng_.one_in(2) ? rng_.below(9) : rng_.below(0x40));
        const unsigned dirs[] = {_IOC_NONE, _IOC_READ, _IOC_WRITE, _IOC_READ | _IOC_WRITE};
        const unsigned dir = dirs[rng_.below(4)];
        static constexpr unsigned sizes[] = {
            sizeof(drm_seed_get_info),   sizeof(drm_seed_query),        sizeof(drm_seed_bo_create),
            sizeof(drm_seed_bo_info),    sizeof(drm_seed_queue_create), sizeof(drm_seed_submit),
            sizeof(drm_seed_job_status), sizeof(drm_seed_reset)};
        unsigned size;
        switch (rng_.below(4)) {
        case 0:
            size = static_cast<unsigned>(rng_.below(_IOC_SIZEMASK + 1));
            break;
        case 1:
            size = static_cast<unsigned>(rng_.below(256));
            break;
        default:
            size = sizes[rng_.below(std::size(sizes))] + static_cast<unsigned>(rng_.below(17)) - 8;
            break;
        }
        size &= _IOC_SIZEMASK;
        u8* buf = arena_.scratch(0);
        std::memset(buf, 0, 512);
        if (rng_.one_in(3))
            random_bytes(buf, 512);
        else
            valid_payload(c, nr, buf);
        if (rng_.one_in(2))
            mutate_bytes(buf, 64);
        // What the kernel sees: the first @size bytes if it copies in, the
        // rest zero.
        const bool copies_in = (dir & _IOC_WRITE) != 0;
        auto seen = [&](size_t off, size_t len) -> u64 {
            u64 v = 0;
            if (copies_in && off < size)
                std::memcpy(&v, buf + off, std::min<size_t>(len, size - off));
            return v;
        };
        if (nr == DRM_SEED_RESET && privileged_ && seen(0, 8) == 0 && !reset_allowed()) {
            // A zero RESET is a real reset: make it invalid unless allowed.
            if (!copies_in || size < 8) {
                record("IOCTL(random, skipped)", 0);
                return;
            }
            buf[4] = 1;
        }
        if (nr == DRM_SEED_BO_CREATE && copies_in && size >= 16) {
            u64 sz = seen(0, 8);
            const u32 placement = static_cast<u32>(seen(8, 4));
            if (placement == DRM_SEED_BO_HOST && sz > kHostBoMax && sz < (1ull << 40))
                sz = 1 + sz % kHostBoMax;
            if (placement == DRM_SEED_BO_HBM && sz > kHbmBoMax && sz <= hbm_size_)
                sz = 1 + sz % kHbmBoMax;
            std::memcpy(buf, &sz, 8);
        }
        if (nr == DRM_SEED_QUERY && copies_in && size > 8) {
            // The only output pointer among the driver's commands.
            const u64 data = safe_out_ptr(seen(8, 8), kKernelVa);
            std::memcpy(buf + 8, &data, 8);
        }
        const unsigned long req = _IOC(dir, DRM_IOCTL_BASE, DRM_COMMAND_BASE + nr, size);
        void* arg = rng_.one_in(10) ? ioctl_arg(nullptr, 64) : buf;
        char name[40];
        std::snprintf(name, sizeof(name), "IOCTL(random nr %s)",
                      nr <= DRM_SEED_RESET ? "known" : "unknown");
        const int err = record(name, seed_ioctl(c.fd, req, static_cast<u8*>(arg)));
        if (err || arg != buf || !(dir & _IOC_READ))
            return;
        // Objects created this way join the pool when their ids came back.
        if (nr == DRM_SEED_BO_CREATE && size >= 20)
            adopt_bo(c, load32(buf + 16));
        if (nr == DRM_SEED_QUEUE_CREATE && size >= 16)
            adopt_queue(c, load32(buf + 8), load32(buf + 12));
        if (nr == DRM_SEED_RESET)
            resets_++;
    }

    void op_mmap() {
        Client& c = client();
        u64 off = 0, len = kPage;
        const PoolBo* known = nullptr;
        const u64 r = rng_.below(10);
        if (r < 6 && !c.bos.empty()) {
            known = &rng_.pick(c.bos);
            off = known->mmap_offset;
            len = known->size;
            if (rng_.one_in(3))
                len = kPage * (1 + rng_.below(known->size / kPage + 2));
            if (rng_.one_in(5)) {
                off += kPage * rng_.below(4);
                known = nullptr;
            }
        } else if (r < 7 && !other(c).bos.empty()) {
            off = rng_.pick(other(c).bos).mmap_offset;
        } else if (r < 8) {
            off = rng_.below(1ull << 32) & ~(kPage - 1);
        } else {
            off = rng_.interesting() & ~(kPage - 1);
            len = rng_.one_in(2) ? 0 : rng_.interesting();
        }
        const int prots[] = {PROT_READ | PROT_WRITE, PROT_READ, PROT_NONE, PROT_WRITE,
                             PROT_READ | PROT_EXEC};
        const int prot = prots[rng_.below(5)];
        const int flags = rng_.below(5) ? MAP_SHARED : MAP_PRIVATE;
        if (len > (1ull << 40))
            len = (1ull << 40);
        void* p = mmap(nullptr, len, prot, flags, c.fd, static_cast<off_t>(off));
        const int err = p == MAP_FAILED ? errno : 0;
        record("MMAP", err);
        if (err)
            return;
        if (known && known->placement == DRM_SEED_BO_HOST && (prot & PROT_READ) &&
            len <= known->size) {
            // Fault in the first and last page.
            const volatile u8* b = static_cast<const u8*>(p);
            (void)b[0];
            (void)b[len - 1];
            if ((prot & PROT_WRITE) && flags == MAP_SHARED)
                static_cast<volatile u8*>(p)[0] = b[0];
        }
        munmap(p, len);
    }

    // Closes one of the fuzzer's own files with everything in it and opens
    // a fresh one.
    void op_reopen() {
        Client& c = client();
        // An unprivileged caller could not open the node again.
        if (!c.owned || !privileged_)
            return;
        c.release();
        c.fd = reopen();
        c.owned = true;
        record("(reopen file)", c.fd < 0 ? ENODEV : 0);
        if (c.fd >= 0)
            seed_pool(c);
    }

    void step() {
        using Op = void (Fuzzer::*)();
        struct Entry {
            unsigned weight;
            const char* name;
            Op fn;
        };
        static constexpr Entry ops[] = {
            {60, "GET_INFO", &Fuzzer::op_get_info},
            {60, "QUERY", &Fuzzer::op_query},
            {70, "BO_CREATE", &Fuzzer::op_bo_create},
            {50, "BO_INFO", &Fuzzer::op_bo_info},
            {40, "QUEUE_CREATE", &Fuzzer::op_queue_create},
            {30, "QUEUE_DESTROY", &Fuzzer::op_queue_destroy},
            {150, "SUBMIT", &Fuzzer::op_submit},
            {120, "URING_CMD", &Fuzzer::op_uring},
            {50, "JOB_STATUS", &Fuzzer::op_job_status},
            {10, "RESET", &Fuzzer::op_reset},
            {40, "GEM_CLOSE", &Fuzzer::op_gem_close},
            {25, "PRIME_HANDLE_TO_FD", &Fuzzer::op_prime_export},
            {25, "PRIME_FD_TO_HANDLE", &Fuzzer::op_prime_import},
            {20, "SYNCOBJ_CREATE", &Fuzzer::op_syncobj_create},
            {15, "SYNCOBJ_DESTROY", &Fuzzer::op_syncobj_destroy},
            {25, "SYNCOBJ_WAIT", &Fuzzer::op_syncobj_wait},
            {25, "SYNCOBJ_TIMELINE_WAIT", &Fuzzer::op_syncobj_timeline_wait},
            {15, "GEM_FLINK", &Fuzzer::op_flink},
            {15, "GEM_OPEN", &Fuzzer::op_gem_open},
            {90, "IOCTL(random)", &Fuzzer::op_random_ioctl},
            {63, "MMAP", &Fuzzer::op_mmap},
            {2, "(reopen file)", &Fuzzer::op_reopen},
        };
        static constexpr unsigned total = [] {
            unsigned t = 0;
            for (const auto& e : ops)
                t += e.weight;
            return t;
        }();
        if (++steps_ % 16 == 0) {
            watchdog_.enter("(maintenance)");
            const std::int64_t t = now_ns();
            maintain();
            stats_.duration("(maintenance)", now_ns() - t);
        }
        u64 r = rng_.below(total);
        for (const auto& e : ops) {
            if (r < e.weight) {
                watchdog_.enter(e.name);
                const std::int64_t t = now_ns();
                (this->*e.fn)();
                stats_.duration(e.name, now_ns() - t);
                return;
            }
            r -= e.weight;
        }
    }

    Rng rng_;
    Watchdog watchdog_;
    Stats& stats_;
    bool privileged_;
    Arena arena_;
    Client clients_[2];
    std::vector<std::unique_ptr<Uring>> rings_;
    std::vector<int> dmabufs_;
    std::vector<u32> names_;
    u64 hbm_size_ = 0;
    u64 violations_ = 0;
    u64 resets_ = 0;
    u64 steps_ = 0;
    u64 uring_ops_ = 0;
    bool bad_arg_ = false;
};

// ---------------------------------------------------------------------------
// Health checks

struct MemUse {
    u64 hbm = 0, host = 0;
    bool operator==(const MemUse&) const = default;
};

bool query_memory(int fd, MemUse* m) {
    drm_seed_query_memory mem{};
    drm_seed_query q{};
    q.type = DRM_SEED_QUERY_MEMORY;
    q.size = sizeof(mem);
    q.data = reinterpret_cast<u64>(&mem);
    if (seed_ioctl(fd, DRM_IOCTL_SEED_QUERY, &q))
        return false;
    m->hbm = mem.hbm_used;
    m->host = mem.host_used;
    return true;
}

// A fresh client's FILL (host) -> COPY (HBM) -> COPY (host) job, checked.
void expect_fill_copy_works() {
    Fd f = open_seed();
    ASSERT_TRUE(f);
    const int fd = f.get();
    constexpr u64 kSize = 64 * 1024;
    struct Bo {
        u32 handle = 0;
        u64 va = 0;
        u8* map = nullptr;
    } cmd, src, hbm, dst;
    auto make = [&](Bo& b, u32 placement) {
        drm_seed_bo_create c{};
        c.size = kSize;
        c.placement = placement;
        ASSERT_EQ(seed_ioctl(fd, DRM_IOCTL_SEED_BO_CREATE, &c), 0);
        b.handle = c.handle;
        b.va = c.device_va;
        if (placement != DRM_SEED_BO_HOST)
            return;
        drm_seed_bo_info info{};
        info.handle = c.handle;
        ASSERT_EQ(seed_ioctl(fd, DRM_IOCTL_SEED_BO_INFO, &info), 0);
        void* p = mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
                       static_cast<off_t>(info.mmap_offset));
        ASSERT_NE(p, MAP_FAILED);
        b.map = static_cast<u8*>(p);
    };
    make(cmd, DRM_SEED_BO_HOST);
    make(src, DRM_SEED_BO_HOST);
    make(hbm, DRM_SEED_BO_HBM);
    make(dst, DRM_SEED_BO_HOST);
    if (::testing::Test::HasFatalFailure())
        return;
    std::memset(dst.map, 0x11, kSize);
    auto* fill = reinterpret_cast<seed_pkt_fill*>(cmd.map);
    fill->hdr.opcode = SEED_OP_FILL;
    fill->dst = src.va;
    fill->size = kSize;
    fill->pattern = 0x5eedf00dcafe1234ull;
    fill->pattern_bytes = 8;
    for (int i = 1; i <= 2; i++) {
        auto* cp = reinterpret_cast<seed_pkt_copy*>(cmd.map + i * SEED_PKT_SIZE);
        cp->hdr.opcode = SEED_OP_COPY;
        cp->src = i == 1 ? src.va : hbm.va;
        cp->dst = i == 1 ? hbm.va : dst.va;
        cp->width = kSize;
        cp->height = 1;
    }
    drm_seed_queue_create qc{};
    ASSERT_EQ(seed_ioctl(fd, DRM_IOCTL_SEED_QUEUE_CREATE, &qc), 0);
    drm_seed_submit s{};
    s.queue_id = qc.queue_id;
    s.cmd_handle = cmd.handle;
    s.cmd_count = 3;
    ASSERT_EQ(seed_ioctl(fd, DRM_IOCTL_SEED_SUBMIT, &s), 0);
    u64 point = s.seq;
    ASSERT_EQ(drmSyncobjTimelineWait(fd, &qc.syncobj, &point, 1, now_ns() + 60'000'000'000,
                                     DRM_SYNCOBJ_WAIT_FLAGS_WAIT_FOR_SUBMIT, nullptr),
              0);
    drm_seed_job_status st{};
    st.queue_id = qc.queue_id;
    st.seq = s.seq;
    ASSERT_EQ(seed_ioctl(fd, DRM_IOCTL_SEED_JOB_STATUS, &st), 0);
    EXPECT_EQ(st.state, DRM_SEED_JOB_DONE);
    EXPECT_EQ(st.error, DRM_SEED_JOB_OK);
    for (u64 i = 0; i < kSize / 8; i++)
        ASSERT_EQ(reinterpret_cast<u64*>(dst.map)[i], 0x5eedf00dcafe1234ull) << i;
    for (Bo* b : {&cmd, &src, &dst})
        munmap(b->map, kSize);
}

u64 fuzz_seed() {
    if (const auto s = seed::vm::env_number("SEED_IOCTL_FUZZ_SEED"))
        return *s;
    return static_cast<u64>(std::chrono::system_clock::now().time_since_epoch().count());
}

// ---------------------------------------------------------------------------

// What the process still holds of the driver's: dma-buf and accel file
// descriptors, and mappings of accel files.
std::string holdings() {
    namespace fs = std::filesystem;
    unsigned dmabufs = 0, accel_fds = 0, maps = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/proc/self/fd", ec)) {
        const std::string target = fs::read_symlink(e.path(), ec).string();
        dmabufs += target.find("dmabuf") != std::string::npos;
        accel_fds += target.find("/dev/accel") != std::string::npos;
    }
    std::ifstream in("/proc/self/maps");
    for (std::string line; std::getline(in, line);)
        maps += line.find("/dev/accel") != std::string::npos ||
                line.find("dmabuf") != std::string::npos;
    return std::to_string(dmabufs) + " dma-buf fds, " + std::to_string(accel_fds) + " accel fds, " +
           std::to_string(maps) + " mappings";
}

// Phases 1 (one thread, half the time) and 2 (two threads racing on the same
// two files, a quarter), as root; returns the exit status for the child.
int root_phases(u64 seed, std::int64_t total_ns) {
    Stats stats;
    const std::int64_t t0 = now_ns();
    u64 calls = 0, violations = 0, resets = 0;
    {
        Fuzzer f(seed, stats, true);
        if (!f.ok())
            return 101;
        if (!f.have_rings())
            std::printf("[fuzz] io_uring unavailable: no URING_CMD calls\n");
        calls += f.run(t0 + total_ns / 2);
        violations += f.violations();
        resets += f.resets();
    }
    {
        Fd a = open_seed(), b = open_seed();
        if (!a || !b)
            return 102;
        const std::int64_t end = now_ns() + total_ns / 4;
        std::atomic<u64> n{0}, v{0}, rs{0};
        std::vector<std::thread> threads;
        for (u64 i = 0; i < 2; i++)
            threads.emplace_back([&, i] {
                Fuzzer f(seed + 1 + i, stats, true, a.get(), b.get());
                if (!f.ok()) {
                    v++;
                    return;
                }
                n += f.run(end);
                v += f.violations();
                rs += f.resets();
            });
        for (auto& t : threads)
            t.join();
        calls += n;
        violations += v;
        resets += rs;
    }
    const std::int64_t root_ns = now_ns() - t0;
    std::printf("[fuzz] root (1 thread, then 2 racing on one file): %llu calls in %.1f s "
                "(%.0f calls/s), %llu device resets\n%s",
                static_cast<unsigned long long>(calls), static_cast<double>(root_ns) / 1e9,
                static_cast<double>(calls) / (static_cast<double>(root_ns) / 1e9),
                static_cast<unsigned long long>(resets), stats.report().c_str());
    std::printf("[fuzz] root phases left behind: %s\n", holdings().c_str());
    std::fflush(stdout);
    return violations == 0 ? 0 : 1;
}

// Phase 3 (a quarter of the time): the files are opened as root, then every
// id is dropped; returns the exit status for the child.
int unprivileged_phase(u64 seed, std::int64_t total_ns) {
    u64 violations = 0;
    {
        Stats stats;
        Fuzzer f(seed + 3, stats, false);
        if (!f.ok())
            return 101;
        if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0)
            return 102;
        const std::int64_t t = now_ns();
        const u64 n = f.run(t + total_ns / 4);
        const std::int64_t dt = std::max<std::int64_t>(now_ns() - t, 1);
        std::printf("[fuzz] unprivileged (uid 65534): %llu calls in %.1f s (%.0f calls/s)\n%s",
                    static_cast<unsigned long long>(n), static_cast<double>(dt) / 1e9,
                    static_cast<double>(n) / (static_cast<double>(dt) / 1e9),
                    stats.report().c_str());
        violations = f.violations();
    }
    std::printf("[fuzz] unprivileged phase left behind: %s\n", holdings().c_str());
    std::fflush(stdout);
    return violations == 0 ? 0 : 1;
}

TEST(Fuzz, IoctlsAndUringCmds) {
    Fd probe = open_seed();
    if (!probe)
        GTEST_SKIP() << "no SeedChip device";
    const u64 seed = fuzz_seed();
    const u64 seconds = seed::vm::env_number("SEED_IOCTL_FUZZ_SECONDS").value_or(20);
    const std::int64_t total_ns = static_cast<std::int64_t>(seconds) * 1'000'000'000;
    std::printf("[fuzz] seed %llu (replay with SEED_IOCTL_FUZZ_SEED=%llu), %llu s\n",
                static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed),
                static_cast<unsigned long long>(seconds));
    std::fflush(stdout);

    MemUse baseline;
    ASSERT_TRUE(query_memory(probe.get(), &baseline));

    // Phases 1 and 2 run as root in a child process, like phase 3: when it
    // has exited, whatever it held (files, mappings, dma-bufs) is gone, so
    // memory still in use afterwards is the driver's, not the test's.
    const std::int64_t t0 = now_ns();
    {
        const pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0)
            _exit(root_phases(seed, total_ns));
        int status = 0;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status))
            << "the root fuzzer died of signal " << (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        EXPECT_EQ(WEXITSTATUS(status), 0)
            << "root phases: setup failed (>100) or calls that must fail succeeded "
               "(see [fuzz] VIOLATION above)";
    }

    // Phase 3: an unprivileged user, in a child too.
    {
        const pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0)
            _exit(unprivileged_phase(seed, total_ns));
        int status = 0;
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT_TRUE(WIFEXITED(status)) << "the unprivileged fuzzer died of signal "
                                       << (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        EXPECT_EQ(WEXITSTATUS(status), 0)
            << "unprivileged phase: setup failed (>100) or calls that must fail succeeded";
    }
    std::printf("[fuzz] seed %llu, %.1f s in all\n", static_cast<unsigned long long>(seed),
                static_cast<double>(now_ns() - t0) / 1e9);
    std::fflush(stdout);

    // Every file is closed: all memory comes back (jobs still being torn
    // down may hold it for a while).
    MemUse now;
    const std::int64_t grace_end = now_ns() + 30'000'000'000;
    do {
        ASSERT_TRUE(query_memory(probe.get(), &now));
        if (now == baseline)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    } while (now_ns() < grace_end);
    EXPECT_EQ(now.hbm, baseline.hbm) << "HBM in use after fuzzing";
    EXPECT_EQ(now.host, baseline.host) << "host BO memory in use after fuzzing";

    drm_seed_get_info info{};
    EXPECT_EQ(seed_ioctl(probe.get(), DRM_IOCTL_SEED_GET_INFO, &info), 0);
    expect_fill_copy_works();
}

} // namespace
