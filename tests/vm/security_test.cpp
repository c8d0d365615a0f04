// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Security: what an unprivileged user can and cannot do with a SeedChip.
// The nodes get their permissions from tools/udev/70-seedchip.rules, applied
// by the real udevd in the guest (udevd.hpp): a user in the rule's group
// computes, but cannot reset the chip, reach debugfs, the sysfs reset or the
// fault-injection channel, open or map another process's buffers, or read
// another process's HBM through device addresses or through memory it left
// behind. A user outside the group cannot open the node at all, and libseed
// tells it so. A chip an admin withholds (mode 0600) is not among the
// user's devices. The children drop every capability with setresuid().

#include "debugfs.hpp"
#include "seed_drm.hpp"
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

// Runs body in a child that dropped to user nobody, with the udev rule's
// group as supplementary group if in_group; returns the child's exit status
// (0: all good).
int run_unprivileged(bool in_group, const std::function<int()>& body) {
    const gid_t group = seed::vm::Udevd::group_id();
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        const gid_t groups[] = {group};
        if (setgroups(in_group ? 1 : 0, groups) != 0 || setresgid(kNobody, kNobody, kNobody) != 0 ||
            setresuid(kNobody, kNobody, kNobody) != 0)
            _exit(250);
        _exit(body());
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
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

TEST_F(Security, OtherProcessesBuffersAreOutOfReach) {
    // Root holds a host BO and an HBM BO full of a secret.
    const Fd fd = seed::vm::open_seed(0);
    ASSERT_TRUE(fd);
    drm_seed_bo_create host{};
    host.size = 1 << 16;
    host.placement = DRM_SEED_BO_HOST;
    ASSERT_EQ(seed_ioctl(fd.get(), DRM_IOCTL_SEED_BO_CREATE, &host), 0);
    drm_seed_bo_info hinfo{};
    hinfo.handle = host.handle;
    ASSERT_EQ(seed_ioctl(fd.get(), DRM_IOCTL_SEED_BO_INFO, &hinfo), 0);
    void* map = mmap(nullptr, host.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(),
                     static_cast<off_t>(hinfo.mmap_offset));
    ASSERT_NE(map, MAP_FAILED);
    for (size_t i = 0; i < host.size / 4; i++)
        static_cast<std::uint32_t*>(map)[i] = kSecret;
    munmap(map, host.size);
    // An HBM secret, written by the chip.
    const seed::Device root_dev = seed::Device::open(0u);
    seed::Queue root_queue(root_dev);
    const seed::Buffer secret(root_dev, 1 << 16, seed::Placement::device);
    root_queue.fill(secret, secret.size(), kSecret).wait();
    // A global name, if the kernel lets root make one.
    drm_gem_flink flink{};
    flink.handle = host.handle;
    const bool named = seed_ioctl(fd.get(), DRM_IOCTL_GEM_FLINK, &flink) == 0;

    const std::string node = node_;
    const std::uint64_t host_offset = hinfo.mmap_offset;
    const std::uint64_t host_va = host.device_va;
    const std::uint64_t hbm_va = secret.device_va();
    const int status = run_unprivileged(true, [&] {
        Findings f;
        const Fd mine(::open(node.c_str(), O_RDWR | O_CLOEXEC));
        f.expect(static_cast<bool>(mine), "cannot open the node in its group");
        // Its mmap offset is not valid in another file.
        void* p = mmap(nullptr, 1 << 16, PROT_READ, MAP_SHARED, mine.get(),
                       static_cast<off_t>(host_offset));
        f.expect(p == MAP_FAILED, "mapped another process's host BO");
        if (p != MAP_FAILED)
            munmap(p, 1 << 16);
        // Nor is its global name, if it has one.
        if (named) {
            drm_gem_open open{};
            open.name = flink.name;
            const int err = seed_ioctl(mine.get(), DRM_IOCTL_GEM_OPEN, &open);
            f.expect(err != 0, "opened another process's BO by its flink name");
        }
        // Its device addresses mean nothing in this process's context: the
        // copies fault and the destination never sees the secret.
        try {
            const seed::Device dev = seed::Device::open(0u);
            seed::Queue queue(dev);
            const seed::Buffer dst(dev, 1 << 16, seed::Placement::host);
            for (const std::uint64_t va : {host_va, hbm_va}) {
                seed::CommandList list(dev);
                list.copy_va(dst.device_va(), va, dst.size());
                try {
                    queue.submit(list).wait();
                } catch (const seed::JobError& e) {
                    f.expect(e.reason() == seed::JobFailure::mmu_fault,
                             "copy from a foreign VA failed with " + seed::to_string(e.reason()));
                }
                for (std::uint32_t v : dst.span<std::uint32_t>())
                    if (v == kSecret) {
                        f.expect(false, "read another process's data through its device VA");
                        break;
                    }
            }
        } catch (const std::exception& e) {
            f.expect(false, std::string("unexpected error: ") + e.what());
        }
        return f.status();
    });
    EXPECT_EQ(status, 0) << "see the security: lines above";
    drm_gem_close close{};
    close.handle = host.handle;
    EXPECT_EQ(seed_ioctl(fd.get(), DRM_IOCTL_GEM_CLOSE, &close), 0);
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
