// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Device coredumps (docs/driver.md, "Device coredumps"): a job that faults
// in the MMU or runs an invalid packet makes seed.ko write a dump to
// /sys/class/devcoredump; `seedctl dump` decodes it (reason, job, the
// failing packet and address) and frees it; a job that succeeds writes
// none, nor does a fault with the coredump parameter off; a FATAL chip is
// dumped with its running job, and so is a job the driver stops for running
// past job_timeout_ms; a dump lets go of the job's buffers before it is
// built; and the device
// model's replay of the dump (seedchip-device --replay, the host binary
// through the host root the guest mounts) reproduces the failure.
//
// The devcoredump core keeps one dump per device for five minutes: every
// test frees the chip's dumps before and after it, so that other tests
// (whose recoveries write dumps too) do not change what it sees.

#include "debugfs.hpp"
#include "seed_exec.hpp"
#include "seedctl_run.hpp"
#include "sysfs_files.hpp"
#include "vm_env.hpp"

#include <seed/seed.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#ifndef SEEDCHIP_DEVICE_PATH
#error "SEEDCHIP_DEVICE_PATH must be defined by the build"
#endif

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using seed::vm::contains;
using seed::vm::read_line;
using seed::vm::write_file;

const fs::path kDevcd = "/sys/class/devcoredump";
const fs::path kParam = "/sys/module/seed/parameters/coredump";
const fs::path kJobTimeout = "/sys/module/seed/parameters/job_timeout_ms";
constexpr std::uint64_t kUnmappedVa = 0x7ff000000000ull;

// The pending dumps whose failing device is @p pci.
std::vector<fs::path> dumps_of(const std::string& pci) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(kDevcd, ec)) {
        const fs::path target = fs::canonical(e.path() / "failing_device", ec);
        if (!ec && target.filename() == pci)
            out.push_back(e.path());
    }
    return out;
}

void free_dumps(const std::string& pci) {
    for (const auto& d : dumps_of(pci)) {
        std::ofstream f(d / "data");
        f << "1";
    }
    for (int i = 0; i < 100 && !dumps_of(pci).empty(); ++i)
        std::this_thread::sleep_for(20ms);
}

// Waits for the dump of @p pci (it is written by a work item after the
// job failed).
std::optional<fs::path> wait_dump(const std::string& pci,
                                  std::chrono::milliseconds limit = 20000ms) {
    const auto end = std::chrono::steady_clock::now() + limit;
    do {
        if (const auto d = dumps_of(pci); !d.empty())
            return d.front();
        std::this_thread::sleep_for(50ms);
    } while (std::chrono::steady_clock::now() < end);
    return std::nullopt;
}

std::vector<std::uint8_t> read_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// SUBMIT listing @p bos (handle, DRM_SEED_SUBMIT_BO_* flags).
seed::vm::Submit submit_with_bos(const seed::vm::Queue& q, const seed::vm::Bo& cmd,
                                 std::uint32_t count, const std::vector<drm_seed_submit_bo>& bos) {
    drm_seed_submit s{};
    s.queue_id = q.id;
    s.cmd_handle = cmd.handle;
    s.cmd_count = count;
    s.bos = reinterpret_cast<std::uintptr_t>(bos.data());
    s.bo_count = static_cast<std::uint32_t>(bos.size());
    seed::vm::Submit r;
    r.err = seed::vm::seed_ioctl(q.fd, DRM_IOCTL_SEED_SUBMIT, &s);
    r.seq = s.seq;
    return r;
}

class DriverCoredump : public ::testing::Test {
protected:
    void SetUp() override {
        const auto devices = seed::vm::all_devices();
        if (devices.empty())
            GTEST_SKIP() << "no SeedChip device";
        if (!fs::exists(kDevcd))
            GTEST_SKIP() << "kernel without devcoredump";
        info_ = devices.front();
        pci_ = info_.pci_address;
        // On by default (docs/driver.md); on for these tests, as it was after.
        param_ = read_line(kParam);
        ASSERT_TRUE(param_ == "Y" || param_ == "N") << param_;
        ASSERT_TRUE(write_file(kParam, "Y"));
        free_dumps(pci_);
        fd_ = seed::vm::Fd(::open(info_.node.c_str(), O_RDWR | O_CLOEXEC));
        ASSERT_TRUE(fd_);
        q_.emplace();
        ASSERT_EQ(seed::vm::create_queue(*q_, fd_.get()), 0);
        ASSERT_EQ(seed::vm::create_bo(cmd_, fd_.get(), 4096, DRM_SEED_BO_HOST), 0);
        ASSERT_EQ(seed::vm::create_bo(out_, fd_.get(), 4096, DRM_SEED_BO_HOST), 0);
    }
    void TearDown() override {
        if (!delay_.empty())
            write_file(delay_, "0");
        if (!param_.empty())
            write_file(kParam, param_);
        if (!pci_.empty())
            free_dumps(pci_);
    }

    // Runs the job of @p count packets of cmd_, listing out_ for writing;
    // returns its JOB_STATUS and its seq.
    drm_seed_job_status run(std::uint32_t count, std::uint64_t* seq) {
        const auto s =
            submit_with_bos(*q_, cmd_, count, {{out_.handle, DRM_SEED_SUBMIT_BO_WRITE, 0}});
        EXPECT_EQ(s.err, 0);
        *seq = s.seq;
        int err = 0;
        const auto st = seed::vm::finish(*q_, s.seq, &err);
        EXPECT_EQ(err, 0);
        return st;
    }

    // A NOP, then a COPY from an address nothing is mapped at into out_.
    void make_mmu_fault_job() {
        seed::vm::put_nop(cmd_, 0);
        seed::vm::put_copy(cmd_, 1, kUnmappedVa, out_.va, 64);
    }

    // A NOP, then a reserved opcode.
    void make_invalid_packet_job() {
        seed::vm::put_nop(cmd_, 0);
        seed::vm::put_nop(cmd_, 1);
        cmd_.ptr<seed_pkt_header>(SEED_PKT_SIZE)->opcode = 0x7f;
    }

    // `seedctl dump --json -d <chip>`, parsed.
    nlohmann::json decoded() {
        const auto r = seed::vm::seedctl({"dump", "--json", "-d", pci_});
        EXPECT_EQ(r.exit_code, 0) << r.err;
        return nlohmann::json::parse(r.out, nullptr, false);
    }

    // Copies the pending dump to a file and replays it on the device model.
    seed::test::ProcessResult replay(const fs::path& dump) {
        const fs::path file = fs::temp_directory_path() / ("seed-coredump-" + pci_ + ".bin");
        const auto bytes = read_bytes(dump / "data");
        std::ofstream(file, std::ios::binary)
            .write(reinterpret_cast<const char*>(bytes.data()),
                   static_cast<std::streamsize>(bytes.size()));
        auto r = seed::test::run_process({SEEDCHIP_DEVICE_PATH, "--replay", file.string()});
        fs::remove(file);
        return r;
    }

    seed::DeviceInfo info_;
    std::string pci_;
    std::string param_; // the coredump parameter before the test
    fs::path delay_;    // debugfs coredump_delay_ms, once a test set it
    seed::vm::Fd fd_;
    std::optional<seed::vm::Queue> q_;
    seed::vm::Bo cmd_, out_;
};

TEST_F(DriverCoredump, MmuFaultIsDumpedDecodedAndFreed) {
    make_mmu_fault_job();
    std::uint64_t seq = 0;
    const auto st = run(2, &seq);
    ASSERT_EQ(st.error, static_cast<std::uint32_t>(DRM_SEED_JOB_MMU_FAULT));

    const auto dump = wait_dump(pci_);
    ASSERT_TRUE(dump) << "no coredump of " << pci_;
    EXPECT_EQ(dumps_of(pci_).size(), 1u);

    // The text report names the reason, the job and the faulting VA.
    const auto text = seed::vm::seedctl({"dump", "-d", pci_});
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_TRUE(contains(text.out, "mmu_fault")) << text.out;
    EXPECT_TRUE(contains(text.out, "job seq " + std::to_string(seq))) << text.out;
    EXPECT_TRUE(contains(text.out, "VA 0x7ff000000000")) << text.out;
    EXPECT_TRUE(contains(text.out, "not in any BO of the job")) << text.out;
    EXPECT_TRUE(contains(text.out, "COPY src 0x7ff000000000")) << text.out;

    const auto j = decoded();
    ASSERT_FALSE(j.is_discarded());
    EXPECT_EQ(j["reason"], "mmu_fault");
    EXPECT_EQ(j["chip"]["pci_address"], pci_);
    EXPECT_EQ(j["job"]["seq"], seq);
    EXPECT_EQ(j["job"]["queue_id"], q_->id);
    EXPECT_EQ(j["job"]["cmd_va"], cmd_.va);
    EXPECT_EQ(j["job"]["cmd_bytes"], 2 * SEED_PKT_SIZE);
    EXPECT_EQ(j["job"]["error"]["error"], "MMU_FAULT");
    EXPECT_EQ(j["job"]["error"]["fault_addr"], kUnmappedVa);
    EXPECT_EQ(j["job"]["error"]["level"], 1);
    EXPECT_EQ(j["job"]["error"]["packet_offset"], 1);
    // The command buffer and the BO the job listed, at their VAs, with the
    // contents of host BOs.
    bool saw_cmd = false, saw_out = false;
    for (const auto& b : j["bos"]) {
        if (b["handle"] == cmd_.handle) {
            saw_cmd = true;
            EXPECT_EQ(b["va"], cmd_.va);
            EXPECT_TRUE(contains(b["flags"].get<std::string>(), "cmd")) << b.dump();
            EXPECT_EQ(b["data_size"], cmd_.size);
        } else if (b["handle"] == out_.handle) {
            saw_out = true;
            EXPECT_EQ(b["va"], out_.va);
            EXPECT_EQ(b["prot"], "rw");
            EXPECT_TRUE(contains(b["flags"].get<std::string>(), "write")) << b.dump();
        }
    }
    EXPECT_TRUE(saw_cmd && saw_out) << j["bos"].dump();
    EXPECT_FALSE(j["registers"].empty());

    const auto list = seed::vm::seedctl({"dump", "--list"});
    EXPECT_EQ(list.exit_code, 0) << list.err;
    EXPECT_TRUE(contains(list.out, pci_)) << list.out;

    const auto freed = seed::vm::seedctl({"dump", "--free", "-d", pci_});
    EXPECT_EQ(freed.exit_code, 0) << freed.err;
    for (int i = 0; i < 100 && !dumps_of(pci_).empty(); ++i)
        std::this_thread::sleep_for(20ms);
    EXPECT_TRUE(dumps_of(pci_).empty());
    const auto none = seed::vm::seedctl({"dump", "-d", pci_});
    EXPECT_EQ(none.exit_code, 1) << none.out;
    EXPECT_TRUE(contains(none.err, "no pending SeedChip coredump")) << none.err;
}

TEST_F(DriverCoredump, InvalidPacketIsDumped) {
    make_invalid_packet_job();
    std::uint64_t seq = 0;
    const auto st = run(2, &seq);
    ASSERT_EQ(st.error, static_cast<std::uint32_t>(DRM_SEED_JOB_INVALID_PACKET));
    ASSERT_TRUE(wait_dump(pci_));
    const auto j = decoded();
    ASSERT_FALSE(j.is_discarded());
    EXPECT_EQ(j["reason"], "invalid_packet");
    EXPECT_EQ(j["hw_error"], "BAD_OPCODE");
    EXPECT_EQ(j["job"]["seq"], seq);
    EXPECT_EQ(j["job"]["error"]["packet_offset"], 1);
    EXPECT_EQ(j["job"]["error"]["opcode"], 0x7f);
}

TEST_F(DriverCoredump, SuccessfulJobWritesNone) {
    seed::vm::put_nop(cmd_, 0);
    seed::vm::put_fill(cmd_, 1, out_.va, out_.size, 0x5eed5eed5eed5eedull);
    std::uint64_t seq = 0;
    const auto st = run(2, &seq);
    EXPECT_EQ(st.error, static_cast<std::uint32_t>(DRM_SEED_JOB_OK));
    EXPECT_FALSE(wait_dump(pci_, 1000ms));
}

TEST_F(DriverCoredump, ParameterOffWritesNone) {
    ASSERT_TRUE(write_file(kParam, "N"));
    make_mmu_fault_job();
    std::uint64_t seq = 0;
    ASSERT_EQ(run(2, &seq).error, static_cast<std::uint32_t>(DRM_SEED_JOB_MMU_FAULT));
    EXPECT_FALSE(wait_dump(pci_, 1000ms));

    ASSERT_TRUE(write_file(kParam, "Y"));
    ASSERT_EQ(run(2, &seq).error, static_cast<std::uint32_t>(DRM_SEED_JOB_MMU_FAULT));
    EXPECT_TRUE(wait_dump(pci_));
}

TEST_F(DriverCoredump, ReplayReproducesTheMmuFault) {
    make_mmu_fault_job();
    std::uint64_t seq = 0;
    ASSERT_EQ(run(2, &seq).error, static_cast<std::uint32_t>(DRM_SEED_JOB_MMU_FAULT));
    const auto dump = wait_dump(pci_);
    ASSERT_TRUE(dump);
    const auto r = replay(*dump);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(contains(r.out, "reproduced")) << r.out;
    EXPECT_TRUE(contains(r.out, "0x7ff000000000")) << r.out;
}

TEST_F(DriverCoredump, ReplayReproducesTheInvalidPacket) {
    make_invalid_packet_job();
    std::uint64_t seq = 0;
    ASSERT_EQ(run(2, &seq).error, static_cast<std::uint32_t>(DRM_SEED_JOB_INVALID_PACKET));
    const auto dump = wait_dump(pci_);
    ASSERT_TRUE(dump);
    const auto r = replay(*dump);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(contains(r.out, "reproduced")) << r.out;
    EXPECT_TRUE(contains(r.out, "BAD_OPCODE")) << r.out;
}

// A job whose command buffer and data live in HBM: the dump holds their
// contents (read by the device's HBM copy block while the queue is stopped
// on the fault), and the replay loads them into the model's HBM. Without
// them the replay would run a command buffer of zeros and fail otherwise.
TEST_F(DriverCoredump, HbmBuffersAreDumpedAndReplayed) {
    constexpr std::uint64_t kPattern = 0x0123456789abcdefull;
    constexpr std::uint64_t kDataBytes = 64 * 1024;
    seed::vm::Bo hbm_cmd, hbm_data;
    ASSERT_EQ(seed::vm::create_bo(hbm_cmd, fd_.get(), 4096, DRM_SEED_BO_HBM), 0);
    ASSERT_EQ(seed::vm::create_bo(hbm_data, fd_.get(), kDataBytes, DRM_SEED_BO_HBM), 0);

    // The faulting job's packets, written in a host BO and copied to HBM
    // with the data's pattern, by one job.
    seed::vm::Bo staging;
    ASSERT_EQ(seed::vm::create_bo(staging, fd_.get(), 4096, DRM_SEED_BO_HOST), 0);
    seed::vm::put_nop(staging, 0);
    seed::vm::put_copy(staging, 1, kUnmappedVa, out_.va, 64);
    seed::vm::put_copy(cmd_, 0, staging.va, hbm_cmd.va, 2 * SEED_PKT_SIZE);
    seed::vm::put_fill(cmd_, 1, hbm_data.va, kDataBytes, kPattern);
    auto s = submit_with_bos(*q_, cmd_, 2,
                             {{staging.handle, 0, 0},
                              {hbm_cmd.handle, DRM_SEED_SUBMIT_BO_WRITE, 0},
                              {hbm_data.handle, DRM_SEED_SUBMIT_BO_WRITE, 0}});
    ASSERT_EQ(s.err, 0);
    int err = 0;
    ASSERT_EQ(seed::vm::finish(*q_, s.seq, &err).error,
              static_cast<std::uint32_t>(DRM_SEED_JOB_OK));
    ASSERT_EQ(err, 0);
    ASSERT_FALSE(wait_dump(pci_, 500ms));

    s = submit_with_bos(*q_, hbm_cmd, 2,
                        {{hbm_data.handle, 0, 0}, {out_.handle, DRM_SEED_SUBMIT_BO_WRITE, 0}});
    ASSERT_EQ(s.err, 0);
    ASSERT_EQ(seed::vm::finish(*q_, s.seq, &err).error,
              static_cast<std::uint32_t>(DRM_SEED_JOB_MMU_FAULT));
    const auto dump = wait_dump(pci_);
    ASSERT_TRUE(dump) << "no coredump of " << pci_;

    const auto j = decoded();
    ASSERT_FALSE(j.is_discarded());
    EXPECT_EQ(j["job"]["seq"], s.seq);
    EXPECT_EQ(j["job"]["cmd_bytes"], 2 * SEED_PKT_SIZE) << "the command buffer from HBM";
    EXPECT_EQ(j["job"]["error"]["fault_addr"], kUnmappedVa);
    bool saw_cmd = false, saw_data = false;
    for (const auto& b : j["bos"]) {
        if (b["handle"] == hbm_cmd.handle) {
            saw_cmd = true;
            EXPECT_EQ(b["placement"], "hbm") << b.dump();
            EXPECT_EQ(b["data_size"], hbm_cmd.size) << b.dump();
        } else if (b["handle"] == hbm_data.handle) {
            saw_data = true;
            EXPECT_EQ(b["placement"], "hbm") << b.dump();
            EXPECT_EQ(b["data_size"], kDataBytes) << b.dump();
        }
    }
    EXPECT_TRUE(saw_cmd && saw_data) << j["bos"].dump();
    const auto text = seed::vm::seedctl({"dump", "-d", pci_});
    EXPECT_TRUE(contains(text.out, "COPY src 0x7ff000000000")) << text.out;
    EXPECT_FALSE(contains(text.out, "not readable")) << text.out;

    // The data BO's 64 KiB of pattern are in the dump.
    const auto bytes = read_bytes(*dump / "data");
    std::vector<std::uint8_t> want(kDataBytes);
    for (std::size_t i = 0; i < kDataBytes; i += 8)
        std::memcpy(want.data() + i, &kPattern, 8);
    EXPECT_NE(std::search(bytes.begin(), bytes.end(), want.begin(), want.end()), bytes.end());

    const auto r = replay(*dump);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(contains(r.out, "reproduced")) << r.out;
    EXPECT_TRUE(contains(r.out, "0x7ff000000000")) << r.out;
    EXPECT_TRUE(
        contains(r.out, std::to_string(hbm_cmd.size + kDataBytes) + " bytes of HBM contents"))
        << r.out;
}

// The devcoredump core keeps one dump per device and would drop the next:
// the driver does not build it, and counts it as skipped, in debugfs and
// in the next dump it writes.
TEST_F(DriverCoredump, NoDumpIsBuiltWhileOneIsPending) {
    const std::string dir = seed::vm::debugfs_dir(info_.node);
    ASSERT_FALSE(dir.empty()) << "no debugfs directory for " << info_.node;
    const fs::path stats = fs::path(dir) / "coredump_stats";
    const auto count = [&stats](const std::string& key) {
        std::ifstream in(stats);
        std::string k;
        long v = -1;
        while (in >> k >> v)
            if (k == key)
                return v;
        return -1L;
    };
    const long written = count("written"), skipped = count("skipped");
    ASSERT_GE(written, 0);
    ASSERT_GE(skipped, 0);

    make_mmu_fault_job();
    std::uint64_t first = 0, second = 0, third = 0;
    ASSERT_EQ(run(2, &first).error, static_cast<std::uint32_t>(DRM_SEED_JOB_MMU_FAULT));
    ASSERT_TRUE(wait_dump(pci_));
    for (int i = 0; i < 200 && count("written") != written + 1; ++i)
        std::this_thread::sleep_for(20ms);
    EXPECT_EQ(count("written"), written + 1);

    ASSERT_EQ(run(2, &second).error, static_cast<std::uint32_t>(DRM_SEED_JOB_MMU_FAULT));
    for (int i = 0; i < 500 && count("skipped") != skipped + 1; ++i)
        std::this_thread::sleep_for(20ms);
    EXPECT_EQ(count("skipped"), skipped + 1);
    EXPECT_EQ(count("written"), written + 1);
    EXPECT_EQ(decoded()["job"]["seq"], first) << "the pending dump is the first one";

    free_dumps(pci_);
    ASSERT_EQ(run(2, &third).error, static_cast<std::uint32_t>(DRM_SEED_JOB_MMU_FAULT));
    ASSERT_TRUE(wait_dump(pci_));
    const auto j = decoded();
    EXPECT_EQ(j["job"]["seq"], third);
    EXPECT_EQ(j["skipped"], 1);
    EXPECT_EQ(count("written"), written + 2);
}

// The replay is checked, not just run: a dump whose failing packet was
// made harmless does not reproduce (exit 1), and garbage is refused (2).
TEST_F(DriverCoredump, ReplayTellsWhenTheFailureDoesNotReproduce) {
    make_mmu_fault_job();
    std::uint64_t seq = 0;
    ASSERT_EQ(run(2, &seq).error, static_cast<std::uint32_t>(DRM_SEED_JOB_MMU_FAULT));
    const auto dump = wait_dump(pci_);
    ASSERT_TRUE(dump);
    auto bytes = read_bytes(*dump / "data");
    ASSERT_FALSE(bytes.empty());

    const fs::path file = fs::temp_directory_path() / "seed-coredump-patched.bin";
    // Every copy of the COPY packet's source (job section, command BO):
    // point it at the output BO, which is mapped.
    unsigned patched = 0;
    for (std::size_t i = 0; i + 8 <= bytes.size(); i += 8) {
        std::uint64_t v = 0;
        std::memcpy(&v, bytes.data() + i, 8);
        if (v == kUnmappedVa && i >= 16 && bytes[i - 16] == SEED_OP_COPY) {
            std::memcpy(bytes.data() + i, &out_.va, 8);
            ++patched;
        }
    }
    ASSERT_GE(patched, 1u);
    std::ofstream(file, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
    const auto r = seed::test::run_process({SEEDCHIP_DEVICE_PATH, "--replay", file.string()});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;

    std::ofstream(file, std::ios::binary | std::ios::trunc) << "not a dump";
    const auto bad = seed::test::run_process({SEEDCHIP_DEVICE_PATH, "--replay", file.string()});
    EXPECT_EQ(bad.exit_code, 2) << bad.out << bad.err;
    fs::remove(file);
}

// The chip is unbound while a faulting job runs and its dump may be being
// written: removal waits for the dump work, leaks nothing (the debug
// kernel's kmemleak, KASAN and lockdep watch this), and the chip binds
// again.
// The dump copies the contents of the job's buffers while the queue is
// recovered and lets go of them before it is built: buffers their owner
// frees after the failure leave the chip's memory accounting at once,
// although the dump is still pending (debugfs coredump_delay_ms holds its
// work back), and the dump still has their contents.
TEST_F(DriverCoredump, FreedBuffersLeaveTheAccountingWhileTheDumpIsBuilt) {
    const std::string dir = seed::vm::debugfs_dir(info_.node);
    ASSERT_FALSE(dir.empty()) << "no debugfs directory for " << info_.node;
    delay_ = fs::path(dir) / "coredump_delay_ms";
    ASSERT_TRUE(write_file(delay_, "4000"));
    const auto host_used = [this] {
        drm_seed_query_memory m{};
        drm_seed_query q{};
        q.type = DRM_SEED_QUERY_MEMORY;
        q.size = sizeof(m);
        q.data = reinterpret_cast<std::uintptr_t>(&m);
        EXPECT_EQ(seed::vm::seed_ioctl(fd_.get(), DRM_IOCTL_SEED_QUERY, &q), 0);
        return m.host_used;
    };
    const std::uint64_t before = host_used();

    constexpr std::uint64_t kBoSize = 1 << 20;
    std::vector<seed::vm::Bo> inputs(4);
    std::vector<drm_seed_submit_bo> listed{{out_.handle, DRM_SEED_SUBMIT_BO_WRITE, 0}};
    for (std::size_t i = 0; i < inputs.size(); ++i) {
        ASSERT_EQ(seed::vm::create_bo(inputs[i], fd_.get(), kBoSize, DRM_SEED_BO_HOST), 0);
        std::memset(inputs[i].map, static_cast<int>(0x11 * (i + 1)), kBoSize);
        listed.push_back({inputs[i].handle, 0, 0});
    }
    ASSERT_EQ(host_used(), before + inputs.size() * kBoSize);
    make_mmu_fault_job();
    const auto s = submit_with_bos(*q_, cmd_, 2, listed);
    ASSERT_EQ(s.err, 0);
    int err = 0;
    const auto st = seed::vm::finish(*q_, s.seq, &err);
    ASSERT_EQ(err, 0);
    ASSERT_EQ(st.error, static_cast<std::uint32_t>(DRM_SEED_JOB_MMU_FAULT));
    inputs.clear();

    // The job's own references go with its scheduler entry, right after its
    // fence; the dump's when its work starts, before the delay.
    const auto end = std::chrono::steady_clock::now() + 1s;
    while (host_used() != before && std::chrono::steady_clock::now() < end)
        std::this_thread::sleep_for(10ms);
    EXPECT_EQ(host_used(), before);
    EXPECT_TRUE(dumps_of(pci_).empty()) << "the dump was written before the delay ran out";

    ASSERT_TRUE(wait_dump(pci_)) << "no coredump of " << pci_;
    const auto j = decoded();
    ASSERT_FALSE(j.is_discarded());
    std::size_t with_contents = 0;
    for (const auto& b : j["bos"])
        if (b["size"] == kBoSize && b["data_size"] == kBoSize)
            ++with_contents;
    EXPECT_EQ(with_contents, 4u) << j["bos"].dump();
}

// A chip that goes FATAL is dumped by the reset that recovers it, with the
// job that was running on it.
TEST_F(DriverCoredump, FatalIsDumpedWithTheRunningJob) {
    if (!seed::vm::Control::available(0))
        GTEST_SKIP() << "no fault-injection channel";
    ASSERT_EQ(info_.serial, seed::vm::serial(0)) << "the first device is not chip 0";
    seed::vm::Control ctl(0);
    seed::vm::Bo flag;
    ASSERT_EQ(seed::vm::create_bo(flag, fd_.get(), 4096, DRM_SEED_BO_HOST), 0);
    seed::vm::put_wait(cmd_, 0, flag.va, 1, 0);
    const auto s = submit_with_bos(
        *q_, cmd_, 1, {{flag.handle, 0, 0}, {out_.handle, DRM_SEED_SUBMIT_BO_WRITE, 0}});
    ASSERT_EQ(s.err, 0);
    std::this_thread::sleep_for(200ms);
    ASSERT_EQ(ctl.command("fatal"), "ok");
    int err = 0;
    const auto st = seed::vm::finish(*q_, s.seq, &err);
    ASSERT_EQ(err, 0);
    EXPECT_NE(st.error, static_cast<std::uint32_t>(DRM_SEED_JOB_OK));

    ASSERT_TRUE(wait_dump(pci_)) << "no coredump of " << pci_;
    const auto j = decoded();
    ASSERT_FALSE(j.is_discarded());
    EXPECT_EQ(j["reason"], "fatal");
    EXPECT_EQ(j["job"]["seq"], s.seq);
    EXPECT_EQ(j["job"]["queue_id"], q_->id);
    EXPECT_EQ(j["job"]["cmd_va"], cmd_.va);
    EXPECT_EQ(j["bos"].size(), 3u) << j["bos"].dump();
    ctl.command("clear");

    // The reset brought the chip back: a NOP on a new queue runs.
    seed::vm::Queue fresh;
    ASSERT_EQ(seed::vm::create_queue(fresh, fd_.get()), 0);
    seed::vm::put_nop(cmd_, 0);
    const auto nop = submit_with_bos(fresh, cmd_, 1, {});
    ASSERT_EQ(nop.err, 0);
    EXPECT_EQ(seed::vm::finish(fresh, nop.seq, &err).error,
              static_cast<std::uint32_t>(DRM_SEED_JOB_OK));
    EXPECT_EQ(err, 0);
}

// A job the driver stops for running past job_timeout_ms is dumped with
// reason job_timeout, its queue and command buffer and the BOs it listed.
// The parameter is lowered at run time (and refused out of range, as at
// load), so the test does not wait the default 10 s. The job is a WAIT
// without a time limit on a flag nobody sets: the device's engine watchdog
// does not apply to WAIT (docs/hardware.md §5.4, §10.8), so only the
// driver's timeout can end it, and the chip then runs the next job.
TEST_F(DriverCoredump, JobTimeoutIsDumpedWithTheJob) {
    constexpr unsigned kTimeoutMs = 1000;
    const std::string before = read_line(kJobTimeout);
    ASSERT_FALSE(before.empty()) << kJobTimeout;
    EXPECT_FALSE(write_file(kJobTimeout, "0"));
    EXPECT_FALSE(write_file(kJobTimeout, "3600001"));
    EXPECT_EQ(read_line(kJobTimeout), before);
    const seed::vm::ScopedParameter timeout(kJobTimeout, std::to_string(kTimeoutMs));
    ASSERT_TRUE(timeout.ok()) << "cannot set " << kJobTimeout;
    ASSERT_EQ(read_line(kJobTimeout), std::to_string(kTimeoutMs));

    seed::vm::Bo flag;
    ASSERT_EQ(seed::vm::create_bo(flag, fd_.get(), 4096, DRM_SEED_BO_HOST), 0);
    seed::vm::put_wait(cmd_, 0, flag.va, 1, 0);
    const auto start = std::chrono::steady_clock::now();
    const auto s = submit_with_bos(
        *q_, cmd_, 1, {{flag.handle, 0, 0}, {out_.handle, DRM_SEED_SUBMIT_BO_WRITE, 0}});
    ASSERT_EQ(s.err, 0);
    int err = 0;
    const auto st = seed::vm::finish(*q_, s.seq, &err);
    const auto took = std::chrono::steady_clock::now() - start;
    ASSERT_EQ(err, 0);
    ASSERT_EQ(st.error, static_cast<std::uint32_t>(DRM_SEED_JOB_TIMEOUT));
    EXPECT_EQ(st.hw_error, 0u) << "stopped by the device, not by the driver's timeout";
    EXPECT_GE(took, std::chrono::milliseconds(kTimeoutMs));
    EXPECT_LT(took, 8s) << "the lowered timeout did not apply";

    ASSERT_TRUE(wait_dump(pci_)) << "no coredump of " << pci_;
    const auto text = seed::vm::seedctl({"dump", "-d", pci_});
    ASSERT_EQ(text.exit_code, 0) << text.err;
    EXPECT_TRUE(contains(text.out, "job_timeout (job timeout)")) << text.out;
    EXPECT_TRUE(contains(text.out, "job seq " + std::to_string(s.seq))) << text.out;

    const auto j = decoded();
    ASSERT_FALSE(j.is_discarded());
    EXPECT_EQ(j["reason"], "job_timeout");
    EXPECT_EQ(j["reason_text"], "job timeout");
    EXPECT_TRUE(j["hw_error"].is_null()) << j["hw_error"];
    EXPECT_EQ(j["chip"]["pci_address"], pci_);
    ASSERT_TRUE(j.contains("job")) << j.dump();
    EXPECT_EQ(j["job"]["seq"], s.seq);
    EXPECT_EQ(j["job"]["queue_id"], q_->id);
    EXPECT_EQ(j["job"]["cmd_va"], cmd_.va);
    EXPECT_EQ(j["job"]["cmd_count"], 1);
    EXPECT_EQ(j["job"]["cmd_bytes"], SEED_PKT_SIZE);
    EXPECT_FALSE(j["job"].contains("error")) << "the queue did not stop on an error";
    EXPECT_TRUE(j.contains("queue")) << j.dump();
    bool saw_cmd = false, saw_flag = false, saw_out = false;
    for (const auto& b : j["bos"]) {
        if (b["handle"] == cmd_.handle) {
            saw_cmd = true;
            EXPECT_EQ(b["va"], cmd_.va);
            EXPECT_TRUE(contains(b["flags"].get<std::string>(), "cmd")) << b.dump();
        } else if (b["handle"] == flag.handle) {
            saw_flag = true;
            EXPECT_EQ(b["va"], flag.va);
            EXPECT_EQ(b["data_size"], flag.size);
        } else if (b["handle"] == out_.handle) {
            saw_out = true;
            EXPECT_EQ(b["va"], out_.va);
            EXPECT_TRUE(contains(b["flags"].get<std::string>(), "write")) << b.dump();
        }
    }
    EXPECT_EQ(j["bos"].size(), 3u) << j["bos"].dump();
    EXPECT_TRUE(saw_cmd && saw_flag && saw_out) << j["bos"].dump();

    // The queue was reset: the next job on it runs.
    seed::vm::put_fill(cmd_, 0, out_.va, out_.size, 0x600d600d600d600dull);
    std::uint64_t seq = 0;
    ASSERT_EQ(run(1, &seq).error, static_cast<std::uint32_t>(DRM_SEED_JOB_OK));
    EXPECT_EQ(*out_.ptr<std::uint64_t>(0), 0x600d600d600d600dull);
}

TEST_F(DriverCoredump, UnbindWhileDumpingIsClean) {
    const fs::path drv = "/sys/bus/pci/drivers/seed";
    const fs::path bound = drv / pci_;
    const auto chips = seed::vm::all_devices().size();
    make_mmu_fault_job();
    const auto s = submit_with_bos(*q_, cmd_, 2, {{out_.handle, DRM_SEED_SUBMIT_BO_WRITE, 0}});
    ASSERT_EQ(s.err, 0);
    ASSERT_TRUE(write_file(drv / "unbind", pci_));
    for (int i = 0; i < 600 && fs::exists(bound); ++i)
        std::this_thread::sleep_for(100ms);
    ASSERT_FALSE(fs::exists(bound));
    // The job ended one way or the other, on a file that outlived the chip.
    int err = 0;
    (void)seed::vm::finish(*q_, s.seq, &err);
    // Nothing holds the old DRM device: the chip gets its accel node (and
    // so its index) back, which later tests rely on.
    out_.reset();
    cmd_.reset();
    q_.reset();
    fd_.reset();

    ASSERT_TRUE(write_file(drv / "bind", pci_));
    for (int i = 0; i < 600 && (!fs::exists(bound) || seed::vm::all_devices().size() != chips); ++i)
        std::this_thread::sleep_for(100ms);
    EXPECT_TRUE(fs::exists(bound));
    EXPECT_EQ(seed::vm::all_devices().size(), chips);
}

} // namespace
