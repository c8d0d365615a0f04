// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// VM tests of seed.ko's accel node and DRM_IOCTL_SEED_GET_INFO. They run in
// the guest as root with seed.ko loaded, against every /dev/accel/accel*
// whose DRM driver is "seed", and skip when there is none. Under seed-vm
// (SEED_VM_CHIPS=N) they also check the identity of every attached chip.

#include "seed_drm.hpp"
#include "vm_env.hpp"

#include <gtest/gtest.h>

#include <xf86drm.h>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include <hw/seed_hw.h>
#include <uapi/drm/seed_accel.h>

namespace {

namespace fs = std::filesystem;

constexpr const char* kDriverName = "seed";
constexpr const char* kDriverDesc = "SeedChip AI accelerator";
constexpr const char* kPciDriverDir = "/sys/bus/pci/drivers/seed";

using UniqueFd = seed::vm::Fd;

// One open SeedChip accel node.
struct SeedNode {
    std::string path;     // /dev/accel/accelN
    std::string pci_slot; // PCI address from sysfs, e.g. 0000:01:00.0
    UniqueFd fd;
};

struct DrmVersion {
    std::string name;
    std::string desc;
};

std::optional<DrmVersion> drm_version(int fd) {
    drmVersionPtr v = drmGetVersion(fd);
    if (v == nullptr)
        return std::nullopt;
    DrmVersion out{std::string(v->name, static_cast<size_t>(v->name_len)),
                   std::string(v->desc, static_cast<size_t>(v->desc_len))};
    drmFreeVersion(v);
    return out;
}

// PCI address of the device behind /dev/accel/accelN, empty if unknown.
std::string pci_slot_of(const fs::path& node) {
    std::error_code ec;
    fs::path dev = fs::canonical(fs::path("/sys/class/accel") / node.filename() / "device", ec);
    return ec ? std::string() : dev.filename().string();
}

std::vector<SeedNode> find_seed_nodes() {
    std::vector<fs::path> paths;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/dev/accel", ec)) {
        if (entry.path().filename().string().rfind("accel", 0) == 0)
            paths.push_back(entry.path());
    }
    std::sort(paths.begin(), paths.end());

    std::vector<SeedNode> nodes;
    for (const auto& p : paths) {
        UniqueFd fd(::open(p.c_str(), O_RDWR | O_CLOEXEC));
        if (fd.get() < 0)
            continue;
        auto version = drm_version(fd.get());
        if (!version || version->name != kDriverName)
            continue;
        nodes.push_back({p.string(), pci_slot_of(p), std::move(fd)});
    }
    return nodes;
}

// GET_INFO: 0 on success, else errno.
int get_info(int fd, drm_seed_get_info& info) {
    return ::ioctl(fd, DRM_IOCTL_SEED_GET_INFO, &info) == 0 ? 0 : errno;
}

// A request whose output fields hold garbage; the input fields are valid.
drm_seed_get_info garbage_request() {
    drm_seed_get_info info;
    std::memset(&info, 0xa5, sizeof(info));
    info.flags = 0;
    info.pad = 0;
    info.pad2 = 0;
    return info;
}

bool same_bytes(const drm_seed_get_info& a, const drm_seed_get_info& b) {
    return std::memcmp(&a, &b, sizeof(a)) == 0;
}

// The serial field must be NUL terminated; returns it as a string.
std::string serial_string(const drm_seed_get_info& info) {
    const void* nul = std::memchr(info.serial, '\0', sizeof(info.serial));
    if (nul == nullptr)
        return {};
    return std::string(info.serial);
}

bool write_sysfs(const fs::path& path, const std::string& value) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (fd.get() < 0)
        return false;
    return ::write(fd.get(), value.data(), value.size()) == static_cast<ssize_t>(value.size());
}

class SeedDriver : public ::testing::Test {
protected:
    void SetUp() override {
        nodes_ = find_seed_nodes();
        if (auto chips = seed::vm::chips(); chips && *chips > 0) {
            ASSERT_EQ(nodes_.size(), *chips)
                << "SEED_VM_CHIPS=" << *chips << " but " << nodes_.size() << " seed accel nodes";
        }
        if (nodes_.empty())
            GTEST_SKIP() << "no SeedChip accel node (DRM driver \"seed\")";
    }

    std::vector<SeedNode> nodes_;
};

TEST_F(SeedDriver, NodeReportsDriverNameAndDescription) {
    for (const auto& n : nodes_) {
        SCOPED_TRACE(n.path);
        auto version = drm_version(n.fd.get());
        ASSERT_TRUE(version.has_value());
        EXPECT_EQ(version->name, kDriverName);
        EXPECT_EQ(version->desc, kDriverDesc);
    }
}

TEST_F(SeedDriver, GetInfoReportsSaneIdentity) {
    for (const auto& n : nodes_) {
        SCOPED_TRACE(n.path);
        drm_seed_get_info info{};
        ASSERT_EQ(get_info(n.fd.get(), info), 0);

        EXPECT_EQ(info.flags, 0u);
        EXPECT_EQ(info.pad, 0u);
        EXPECT_EQ(unsigned{info.pad2}, 0u);
        EXPECT_EQ(info.hw_revision, static_cast<__u32>(SEED_HW_REV_V1_0));
        EXPECT_GT(info.hbm_size, 0u);
        EXPECT_GE(info.num_queues, 1u);
        EXPECT_LE(info.num_queues, static_cast<__u32>(SEED_MAX_QUEUES));
        EXPECT_GE(info.num_engines, 1u);
        EXPECT_GE(info.irq_count, 1u) << "the probe-time MSI-X self-test counts";

        ASSERT_NE(std::memchr(info.serial, '\0', sizeof(info.serial)), nullptr)
            << "serial is not NUL terminated";
        const size_t len = std::strlen(info.serial);
        EXPECT_GT(len, 0u) << "empty serial";
        for (size_t i = len; i < sizeof(info.serial); i++) {
            EXPECT_EQ(info.serial[i], '\0') << "serial not NUL padded at byte " << i;
        }
        for (const __u64 r : info.reserved) {
            EXPECT_EQ(r, 0u);
        }

        if (const auto hbm = seed::vm::hbm_bytes()) {
            EXPECT_EQ(info.hbm_size, *hbm) << "SEED_VM_HBM";
        }
    }
}

TEST_F(SeedDriver, GetInfoPciLocationMatchesSysfs) {
    for (const auto& n : nodes_) {
        SCOPED_TRACE(n.path);
        ASSERT_FALSE(n.pci_slot.empty()) << "no PCI device in sysfs for " << n.path;
        unsigned domain = 0, bus = 0, device = 0, function = 0;
        ASSERT_EQ(std::sscanf(n.pci_slot.c_str(), "%x:%x:%x.%x", &domain, &bus, &device, &function),
                  4)
            << n.pci_slot;

        drm_seed_get_info info{};
        ASSERT_EQ(get_info(n.fd.get(), info), 0);
        EXPECT_EQ(info.pci_domain, domain) << n.pci_slot;
        EXPECT_EQ(unsigned{info.pci_bus}, bus) << n.pci_slot;
        EXPECT_EQ(unsigned{info.pci_device}, device) << n.pci_slot;
        EXPECT_EQ(unsigned{info.pci_function}, function) << n.pci_slot;
    }
}

TEST_F(SeedDriver, GetInfoRejectsNonzeroFlagsUntouched) {
    for (const auto& n : nodes_) {
        SCOPED_TRACE(n.path);
        for (unsigned bit = 0; bit < 32; bit++) {
            drm_seed_get_info info = garbage_request();
            info.flags = 1u << bit;
            const drm_seed_get_info before = info;
            EXPECT_EQ(get_info(n.fd.get(), info), EINVAL) << "flags bit " << bit;
            EXPECT_TRUE(same_bytes(info, before)) << "struct modified, flags bit " << bit;
        }
    }
}

TEST_F(SeedDriver, GetInfoRejectsNonzeroPadUntouched) {
    for (const auto& n : nodes_) {
        SCOPED_TRACE(n.path);
        for (const __u32 pad : {0x1u, 0x80000000u, 0xffffffffu}) {
            drm_seed_get_info info = garbage_request();
            info.pad = pad;
            const drm_seed_get_info before = info;
            EXPECT_EQ(get_info(n.fd.get(), info), EINVAL) << "pad " << pad;
            EXPECT_TRUE(same_bytes(info, before)) << "struct modified, pad " << pad;
        }
        for (const __u8 pad2 : {__u8{0x1}, __u8{0x80}, __u8{0xff}}) {
            drm_seed_get_info info = garbage_request();
            info.pad2 = pad2;
            const drm_seed_get_info before = info;
            EXPECT_EQ(get_info(n.fd.get(), info), EINVAL) << "pad2 " << unsigned{pad2};
            EXPECT_TRUE(same_bytes(info, before)) << "struct modified, pad2 " << unsigned{pad2};
        }
    }
}

TEST_F(SeedDriver, GetInfoIgnoresOutputFieldsOnInput) {
    for (const auto& n : nodes_) {
        SCOPED_TRACE(n.path);
        drm_seed_get_info clean{};
        ASSERT_EQ(get_info(n.fd.get(), clean), 0);
        drm_seed_get_info dirty = garbage_request();
        ASSERT_EQ(get_info(n.fd.get(), dirty), 0);

        // Interrupts may arrive between the calls; everything else is constant.
        EXPECT_GE(dirty.irq_count, clean.irq_count);
        dirty.irq_count = clean.irq_count;
        EXPECT_TRUE(same_bytes(dirty, clean)) << "output depends on the input's output fields";
    }
}

TEST_F(SeedDriver, SerialsAndUuidsMatchVmChips) {
    const auto chips = seed::vm::chips();
    if (!chips)
        GTEST_SKIP() << "SEED_VM_CHIPS not set (not under seed-vm)";

    std::set<std::string> want_serials, want_uuids, serials, uuids;
    for (unsigned k = 0; k < *chips; k++) {
        want_serials.insert(seed::vm::serial(k));
        want_uuids.insert(seed::vm::uuid(k));
    }
    for (const auto& n : nodes_) {
        drm_seed_get_info info{};
        ASSERT_EQ(get_info(n.fd.get(), info), 0) << n.path;
        serials.insert(serial_string(info));
        uuids.insert(seed::vm::format_uuid(info.uuid));
    }
    EXPECT_EQ(serials, want_serials);
    EXPECT_EQ(uuids, want_uuids);
}

// No buffer objects exist yet: mmap() must fail cleanly, not crash the kernel.
TEST_F(SeedDriver, MmapWithoutBufferFails) {
    for (const auto& n : nodes_) {
        SCOPED_TRACE(n.path);
        const long page = ::sysconf(_SC_PAGESIZE);
        void* p = ::mmap(nullptr, static_cast<size_t>(page), PROT_READ, MAP_SHARED, n.fd.get(), 0);
        const int err = errno;
        EXPECT_EQ(p, MAP_FAILED);
        if (p != MAP_FAILED) {
            ::munmap(p, static_cast<size_t>(page));
        } else {
            EXPECT_EQ(err, EINVAL);
        }
    }
}

// Waits for the accel node of the PCI device `slot` to appear.
std::optional<SeedNode> wait_for_node(const std::string& slot, std::chrono::seconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    do {
        for (auto& n : find_seed_nodes()) {
            if (n.pci_slot == slot)
                return std::move(n);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    } while (std::chrono::steady_clock::now() < deadline);
    return std::nullopt;
}

// Unbinds a chip while a file handle is open: the handle must report
// ENODEV without touching the request, and the chip must bind again.
TEST_F(SeedDriver, GetInfoFailsWithEnodevAfterUnbind) {
    if (::geteuid() != 0 || ::access(kPciDriverDir, W_OK) != 0)
        GTEST_SKIP() << "needs root and " << kPciDriverDir;
    SeedNode node = std::move(nodes_.front());
    nodes_.clear();
    ASSERT_FALSE(node.pci_slot.empty());
    const std::string slot = node.pci_slot;
    const fs::path drv(kPciDriverDir);

    ASSERT_TRUE(write_sysfs(drv / "unbind", slot))
        << "unbind " << slot << ": " << std::strerror(errno);
    struct Rebind {
        const fs::path& drv;
        const std::string& slot;
        bool done = false;
        ~Rebind() {
            if (!done)
                write_sysfs(drv / "bind", slot);
        }
    } rebind{drv, slot};

    drm_seed_get_info info = garbage_request();
    const drm_seed_get_info before = info;
    EXPECT_EQ(get_info(node.fd.get(), info), ENODEV);
    EXPECT_TRUE(same_bytes(info, before)) << "struct modified by a failed GET_INFO";
    node.fd.reset();

    rebind.done = true;
    ASSERT_TRUE(write_sysfs(drv / "bind", slot)) << "bind " << slot << ": " << std::strerror(errno);
    auto again = wait_for_node(slot, std::chrono::seconds(30));
    ASSERT_TRUE(again.has_value()) << "no accel node after rebinding " << slot;
    drm_seed_get_info fresh{};
    ASSERT_EQ(get_info(again->fd.get(), fresh), 0);
    EXPECT_GE(fresh.irq_count, 1u);
}

} // namespace
