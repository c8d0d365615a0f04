// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Security: what an unprivileged user can and cannot do with a SeedChip.
// The nodes get their permissions from tools/udev/70-seedchip.rules, applied
// by the real udevd in the guest (udevd.hpp): a user in the rule's group
// computes, but cannot reset the chip, reach debugfs, the sysfs reset or the
// fault-injection channel, open or map another process's buffers, reach
// them through device addresses, queue ids or BO handles, or read another
// process's HBM through memory it left behind. A user outside the group
// cannot open the node at all, and libseed tells it so. A chip an admin
// withholds (mode 0600) is not among the user's devices. The children drop
// every capability with setresuid().

#include "debugfs.hpp"
#include "seed_drm.hpp"
#include "seed_exec.hpp"
#include "udevd.hpp"
#include "vm_env.hpp"

#include <seed/seed.hpp>

#include <gtest/gtest.h>

#include <grp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using seed::vm::Fd;
using seed::vm::seed_ioctl;

constexpr uid_t kNobody = 65534;
constexpr std::uint32_t kSecret = 0x5ec12e75u;

// What a child found wrong, printed to stderr; the exit status says how many.
class Findings {
public:
    void expect(bool ok, const std::string& what) {
        if (!ok) {
            std::fprintf(stderr, "security: %s\n", what.c_str());
            ++count_;
        }
    }
    int status() const { return count_ > 255 ? 255 : count_; }

private:
    int count_ = 0;
};

// Starts body in a child that dropped to user nobody, with the udev rule's
// group as supplementary group if in_group; the child exits with body's
// result (0: all good). Returns the child's pid, -1 if fork failed.
pid_t start_unprivileged(bool in_group, const std::function<int()>& body) {
    const gid_t group = seed::vm::Udevd::group_id();
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid == 0) {
        const gid_t groups[] = {group};
        if (setgroups(in_group ? 1 : 0, groups) != 0 || setresgid(kNobody, kNobody, kNobody) != 0 ||
            setresuid(kNobody, kNobody, kNobody) != 0)
            _exit(250);
        _exit(body());
    }
    return pid;
}

// The exit status of child @p pid, -1 if it did not exit normally.
int wait_child(pid_t pid) {
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

int run_unprivileged(bool in_group, const std::function<int()>& body) {
    return wait_child(start_unprivileged(in_group, body));
}

// Whole structs over a pipe between parent and child (the same binary).
template <typename T>
bool send(int fd, const T& v) {
    return ::write(fd, &v, sizeof(v)) == static_cast<ssize_t>(sizeof(v));
}
template <typename T>
bool receive(int fd, T& v) {
    size_t got = 0;
    while (got < sizeof(v)) {
        const ssize_t n = ::read(fd, reinterpret_cast<char*>(&v) + got, sizeof(v) - got);
        if (n <= 0)
            return false;
        got += static_cast<size_t>(n);
    }
    return true;
}

std::string hex(std::uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

// errno of open(path, flags), 0 if it opened.
int open_errno(const std::string& path, int flags) {
    const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
    if (fd < 0)
        return errno;
    ::close(fd);
    return 0;
}

struct NodeOwner {
    mode_t mode = 0;
    gid_t gid = 0;
};

// The suite starts udevd once: from the kernel's root:root 0600, only the
// rule can let the group in. TearDownTestSuite puts the nodes back as found.
class Security : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (seed::vm::seed_nodes().empty() || std::getenv("SEED_VM") == nullptr)
            return;
        if (const std::string why = seed::vm::Udevd::unavailable(); !why.empty()) {
            setup_error_ = why;
            return;
        }
        for (const auto& node : seed::vm::seed_nodes()) {
            struct stat st {};
            if (::stat(node.c_str(), &st) != 0 || ::chown(node.c_str(), 0, 0) != 0 ||
                ::chmod(node.c_str(), 0600) != 0) {
                setup_error_ = "cannot reset the owner of " + node;
                return;
            }
            saved_[node] = {static_cast<mode_t>(st.st_mode & 07777), st.st_gid};
        }
        try {
            udevd_ = std::make_unique<seed::vm::Udevd>();
            if (!udevd_->trigger_accel())
                setup_error_ = "udevadm trigger failed: " + udevd_->log();
        } catch (const std::exception& e) {
            setup_error_ = e.what();
        }
    }
    static void TearDownTestSuite() {
        udevd_.reset();
        for (const auto& [node, owner] : saved_) {
            EXPECT_EQ(::chown(node.c_str(), 0, owner.gid), 0) << node;
            EXPECT_EQ(::chmod(node.c_str(), owner.mode), 0) << node;
        }
        saved_.clear();
        setup_error_.clear();
    }

    void SetUp() override {
        const auto nodes = seed::vm::seed_nodes();
        if (nodes.empty())
            GTEST_SKIP() << "no SeedChip device";
        if (std::getenv("SEED_VM") == nullptr)
            GTEST_SKIP() << "applies the udev rule with its own udevd: only in a seed-vm guest";
        ASSERT_EQ(setup_error_, "");
        node_ = nodes[0];
        // What the rule must have done.
        struct stat st {};
        ASSERT_EQ(::stat(node_.c_str(), &st), 0);
        ASSERT_EQ(st.st_mode & 07777, 0660u) << udevd_->log();
        ASSERT_EQ(st.st_gid, seed::vm::Udevd::group_id()) << udevd_->log();
    }

    std::string node_;

    static inline std::unique_ptr<seed::vm::Udevd> udevd_;
    static inline std::map<std::string, NodeOwner> saved_;
    static inline std::string setup_error_;
};

TEST_F(Security, UserOutsideTheGroupCannotOpenTheNode) {
    const std::string node = node_;
    const auto body = [&node] {
        Findings f;
        const int err = open_errno(node, O_RDWR);
        f.expect(err == EACCES, "open as nobody: " + std::string(std::strerror(err)));
        // libseed says why, rather than "no devices".
        try {
            const auto devices = seed::Device::list();
            f.expect(false, "listed " + std::to_string(devices.size()) + " devices");
        } catch (const seed::Error& e) {
            f.expect(e.code() == std::errc::permission_denied,
                     std::string("list() failed with: ") + e.what());
        }
        return f.status();
    };
    EXPECT_EQ(run_unprivileged(false, body), 0) << "see the security: lines above";
}

TEST_F(Security, UnprivilegedUserComputesButCannotAdminister) {
    // Admin-only paths, found as root first so the child tries real files.
    const std::string dbg = seed::vm::debugfs_dir(node_);
    ASSERT_FALSE(dbg.empty()) << "no debugfs directory for " << node_;
    std::vector<std::string> debugfs_files;
    for (const auto& e : fs::directory_iterator(dbg))
        debugfs_files.push_back(e.path().string());
    ASSERT_GE(debugfs_files.size(), 6u);
    {
        // As root they work: reading the event log is allowed.
        EXPECT_EQ(open_errno(dbg + "/events", O_RDONLY), 0);
    }
    const std::string minor = fs::path(node_).filename().string().substr(5);
    const std::string sysfs_reset = "/sys/class/accel/accel" + minor + "/device/reset_device";
    ASSERT_TRUE(fs::exists(sysfs_reset));
    const bool have_control = seed::vm::Control::available(0);
    const std::string node = node_;
    // An admin withholds every other chip from the group.
    std::vector<std::string> withheld;
    for (const auto& other : seed::vm::seed_nodes())
        if (other != node_) {
            ASSERT_EQ(::chmod(other.c_str(), 0600), 0) << other;
            withheld.push_back(other);
        }

    const int status = run_unprivileged(true, [&] {
        Findings f;
        // The chips it may not open are not its devices; the one it may is.
        try {
            const auto devices = seed::Device::list();
            f.expect(devices.size() == 1 && devices[0].node == node,
                     "sees " + std::to_string(devices.size()) + " devices, not just " + node);
        } catch (const std::exception& e) {
            f.expect(false, std::string("list() failed: ") + e.what());
        }
        // Computing works.
        try {
            const seed::Device dev = seed::Device::open(0u);
            seed::Queue queue(dev);
            const seed::Buffer hbm(dev, 1 << 20, seed::Placement::device);
            queue.fill(hbm, hbm.size(), 0x600dda7au).wait();
            std::vector<std::uint32_t> back(hbm.size() / 4);
            queue.download(std::span<std::uint32_t>(back), hbm);
            bool right = true;
            for (std::uint32_t v : back)
                right = right && v == 0x600dda7au;
            f.expect(right, "FILL result read back wrong");
        } catch (const std::exception& e) {
            f.expect(false, std::string("computing failed: ") + e.what());
        }
        // Resetting does not.
        const Fd fd(::open(node.c_str(), O_RDWR | O_CLOEXEC));
        f.expect(static_cast<bool>(fd), "cannot open the node in its group");
        drm_seed_reset r{};
        const int reset = seed_ioctl(fd.get(), DRM_IOCTL_SEED_RESET, &r);
        f.expect(reset == EPERM, "RESET ioctl: " + std::string(std::strerror(reset)));
        f.expect(open_errno(sysfs_reset, O_WRONLY) == EACCES, "sysfs reset_device writable");
        for (const std::string& file : debugfs_files) {
            f.expect(open_errno(file, O_RDONLY) == EACCES, "debugfs readable: " + file);
            f.expect(open_errno(file, O_WRONLY) == EACCES, "debugfs writable: " + file);
        }
        if (have_control) {
            const std::string ctl = seed::vm::control_path(0);
            f.expect(open_errno(ctl, O_RDWR) == EACCES, "fault channel reachable: " + ctl);
        }
        return f.status();
    });
    EXPECT_EQ(status, 0) << "see the security: lines above";
    for (const auto& other : withheld)
        EXPECT_EQ(::chmod(other.c_str(), 0660), 0) << other;
}

// What the child maps, sent to root so that root's secrets go elsewhere.
struct ChildMappings {
    std::uint64_t ranges[2][2];
};

// Root's objects, sent to the child.
struct RootObjects {
    std::uint64_t secret_va[2]; // host, HBM
    std::uint64_t host_offset;
    std::uint32_t flink_name; // 0 if root could not name its BO
    std::uint32_t queues[3];
    std::uint32_t bos[4];
};

// Root's buffers are placed at VAs the child has not mapped (every file's
// address space fills from the same start, so otherwise they would be its
// own buffers' VAs). Reading or writing there faults at that address and
// moves no byte; root's mmap offset, flink name, queue ids and BO handles
// are unknown to the child; root's data and queues are untouched.
TEST_F(Security, OtherProcessesBuffersAreOutOfReach) {
    constexpr std::uint64_t kSize = 1 << 16;
    constexpr std::uint64_t kSecret64 = (std::uint64_t{kSecret} << 32) | kSecret;
    using seed::vm::Bo;
    const Fd fd = seed::vm::open_seed(0);
    ASSERT_TRUE(fd);
    std::vector<seed::vm::Queue> queues(3);
    for (auto& q : queues)
        ASSERT_EQ(seed::vm::create_queue(q, fd.get()), 0);
    Bo cmd, check;
    ASSERT_EQ(seed::vm::create_bo(cmd, fd.get(), 4096, DRM_SEED_BO_HOST), 0);
    ASSERT_EQ(seed::vm::create_bo(check, fd.get(), kSize, DRM_SEED_BO_HOST), 0);

    int to_root[2], to_child[2];
    ASSERT_EQ(::pipe2(to_root, O_CLOEXEC), 0);
    ASSERT_EQ(::pipe2(to_child, O_CLOEXEC), 0);
    const std::string node = node_;
    const pid_t child = start_unprivileged(true, [&] {
        ::close(to_root[0]);
        ::close(to_child[1]);
        Findings f;
        const Fd mine(::open(node.c_str(), O_RDWR | O_CLOEXEC));
        Bo my_cmd, dst;
        seed::vm::Queue q;
        if (!mine || seed::vm::create_bo(my_cmd, mine.get(), 4096, DRM_SEED_BO_HOST) != 0 ||
            seed::vm::create_bo(dst, mine.get(), kSize, DRM_SEED_BO_HOST) != 0 ||
            seed::vm::create_queue(q, mine.get()) != 0) {
            f.expect(false, "cannot open the node and make its own BOs and queue");
            return f.status();
        }
        const ChildMappings mapped{{{my_cmd.va, my_cmd.size}, {dst.va, dst.size}}};
        RootObjects root{};
        if (!send(to_root[1], mapped) || !receive(to_child[0], root)) {
            f.expect(false, "no word from root");
            return f.status();
        }

        // Root's mmap offset is not valid in another file.
        void* p = mmap(nullptr, kSize, PROT_READ, MAP_SHARED, mine.get(),
                       static_cast<off_t>(root.host_offset));
        f.expect(p == MAP_FAILED, "mapped another process's host BO");
        if (p != MAP_FAILED)
            munmap(p, kSize);
        // Nor is its global name, if it has one.
        if (root.flink_name != 0) {
            drm_gem_open open{};
            open.name = root.flink_name;
            const int e = seed_ioctl(mine.get(), DRM_IOCTL_GEM_OPEN, &open);
            f.expect(e != 0, "opened another process's BO by its flink name");
        }
        // Root's device addresses, unmapped here: reads and writes fault
        // there and the destination keeps every byte.
        for (const std::uint64_t va : root.secret_va) {
            const std::string at = " at root's VA " + hex(va);
            if (my_cmd.overlaps(va, kSize) || dst.overlaps(va, kSize)) {
                f.expect(false, "root's VA is mapped here too: nothing to prove" + at);
                continue;
            }
            std::memset(dst.ptr(), 0xa5, kSize);
            seed::vm::put_copy(my_cmd, 0, va, dst.va, kSize);
            seed::vm::put_fill(my_cmd, 1, va, kSize, 0);
            for (unsigned slot = 0; slot < 2; slot++) {
                const auto s = seed::vm::submit(q, my_cmd, 1, slot * SEED_PKT_SIZE);
                int e = s.err;
                const auto st = e == 0 ? seed::vm::finish(q, s.seq, &e) : drm_seed_job_status{};
                const char* what = slot == 0 ? "read" : "write";
                f.expect(e == 0, std::string(what) + at + ": " + std::strerror(e));
                f.expect(st.error == DRM_SEED_JOB_MMU_FAULT,
                         std::string(what) + at + " ended with reason " + std::to_string(st.error));
                f.expect(st.fault_addr == va,
                         std::string(what) + at + " faulted at " + hex(st.fault_addr));
                f.expect(SEED_FAULT_INFO_ACCESS(st.fault_info) == slot,
                         std::string(what) + at + ": wrong access type");
            }
            for (std::uint64_t i = 0; i < kSize; i++)
                if (dst.ptr()[i] != 0xa5) {
                    f.expect(false, "a read" + at + " changed byte " + std::to_string(i));
                    break;
                }
        }
        // Root's queue ids and BO handles mean nothing here.
        seed::vm::put_nop(my_cmd, 0);
        const std::uint32_t foreign_queue =
            seed::vm::first_foreign({root.queues[0], root.queues[1], root.queues[2]}, {q.id});
        const std::uint32_t foreign_bo = seed::vm::first_foreign(
            {root.bos[0], root.bos[1], root.bos[2], root.bos[3]}, {my_cmd.handle, dst.handle});
        f.expect(foreign_queue != 0, "every root queue id is also one of its own");
        f.expect(foreign_bo != 0, "every root BO handle is also one of its own");
        if (foreign_queue != 0 && foreign_bo != 0) {
            const std::string bad =
                seed::vm::foreign_ids_accepted(mine.get(), foreign_queue, foreign_bo, q, my_cmd);
            f.expect(bad.empty(), "root's ids: " + bad);
        }
        return f.status();
    });
    ::close(to_root[1]);
    ::close(to_child[0]);
    ASSERT_GT(child, 0);

    // Root's secrets, at VAs the child does not map: a host BO written by
    // the CPU, an HBM BO written by the chip.
    ChildMappings mapped{};
    const bool heard = receive(to_root[0], mapped);
    std::vector<Bo> fillers;
    Bo host, hbm;
    int err = 0;
    if (heard) {
        const std::vector<seed::vm::VaRange> avoid = {{mapped.ranges[0][0], mapped.ranges[0][1]},
                                                      {mapped.ranges[1][0], mapped.ranges[1][1]}};
        EXPECT_EQ(
            seed::vm::create_bo_avoiding(host, fd.get(), kSize, DRM_SEED_BO_HOST, avoid, fillers),
            0);
        EXPECT_EQ(
            seed::vm::create_bo_avoiding(hbm, fd.get(), kSize, DRM_SEED_BO_HBM, avoid, fillers), 0);
    }
    RootObjects root{};
    if (host.handle != 0 && hbm.handle != 0) {
        for (size_t i = 0; i < kSize / 4; i++)
            host.ptr<std::uint32_t>()[i] = kSecret;
        seed::vm::put_fill(cmd, 0, hbm.va, kSize, kSecret64);
        seed::vm::put_copy(cmd, 1, hbm.va, check.va, kSize);
        seed::vm::put_nop(cmd, 2);
        const auto filled = seed::vm::submit(queues[0], cmd, 1);
        EXPECT_EQ(filled.err, 0);
        EXPECT_EQ(seed::vm::finish(queues[0], filled.seq, &err).error, DRM_SEED_JOB_OK);
        drm_seed_bo_info hinfo{};
        hinfo.handle = host.handle;
        EXPECT_EQ(seed_ioctl(fd.get(), DRM_IOCTL_SEED_BO_INFO, &hinfo), 0);
        drm_gem_flink flink{};
        flink.handle = host.handle;
        root = {{host.va, hbm.va},
                hinfo.mmap_offset,
                seed_ioctl(fd.get(), DRM_IOCTL_GEM_FLINK, &flink) == 0 ? flink.name : 0,
                {queues[0].id, queues[1].id, queues[2].id},
                {host.handle, hbm.handle, cmd.handle, check.handle}};
        EXPECT_TRUE(send(to_child[1], root));
    }
    ::close(to_child[1]);
    ::close(to_root[0]);
    EXPECT_EQ(wait_child(child), 0) << "see the security: lines above";
    ASSERT_TRUE(heard) << "the child did not say what it maps";
    ASSERT_NE(root.bos[0], 0u) << "root could not place its secrets";

    // Root's secrets, handles and queues are as they were.
    for (size_t i = 0; i < kSize / 4; i++)
        ASSERT_EQ(host.ptr<std::uint32_t>()[i], kSecret) << i;
    for (std::uint32_t handle : root.bos) {
        drm_seed_bo_info info{};
        info.handle = handle;
        EXPECT_EQ(seed_ioctl(fd.get(), DRM_IOCTL_SEED_BO_INFO, &info), 0) << handle;
    }
    for (auto& q : queues) {
        const auto s = seed::vm::submit(q, cmd, 1, 2 * SEED_PKT_SIZE);
        ASSERT_EQ(s.err, 0);
        EXPECT_EQ(seed::vm::finish(q, s.seq, &err).error, DRM_SEED_JOB_OK);
        EXPECT_EQ(err, 0);
    }
    const auto copied = seed::vm::submit(queues[0], cmd, 1, SEED_PKT_SIZE);
    ASSERT_EQ(copied.err, 0);
    ASSERT_EQ(seed::vm::finish(queues[0], copied.seq, &err).error, DRM_SEED_JOB_OK);
    for (size_t i = 0; i < kSize / 8; i++)
        ASSERT_EQ(check.ptr<std::uint64_t>()[i], kSecret64) << i;
}

TEST(SecurityHbm, LeftoversAreNeverVisibleToTheNextProcess) {
    if (seed::Device::list().empty())
        GTEST_SKIP() << "no SeedChip device";
    constexpr std::uint64_t kSize = 16ull << 20;
    // A process fills HBM with a secret and exits without cleaning up.
    std::fflush(nullptr);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        try {
            const seed::Device dev = seed::Device::open(0u);
            seed::Queue queue(dev);
            const seed::Buffer leftover(dev, kSize, seed::Placement::device);
            queue.fill(leftover, kSize, kSecret).wait();
            _exit(0);
        } catch (const std::exception&) {
            _exit(1);
        }
    }
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    // The next process takes HBM (the same blocks, most likely) and reads it.
    const seed::Device dev = seed::Device::open(0u);
    seed::Queue queue(dev);
    const seed::Buffer mine(dev, kSize, seed::Placement::device);
    std::vector<std::uint32_t> data(kSize / 4);
    queue.download(std::span<std::uint32_t>(data), mine);
    for (std::uint32_t v : data)
        ASSERT_EQ(v, 0u) << "leftover data from another process";
}

} // namespace
