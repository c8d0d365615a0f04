// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// VM tests of seed.ko's sysfs attributes (docs/sysfs-attributes.md). For
// every chip found through /sys/class/accel/accel*/device bound to "seed",
// each attribute must match DRM_IOCTL_SEED_GET_INFO on the accel node and,
// under seed-vm (SEED_VM_CHIPS=N), the identities the runner assigned.
// They run in the guest as root and skip when there is no chip.

#include "vm_env.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include <uapi/drm/seed_accel.h>

namespace {

namespace fs = std::filesystem;

constexpr const char* kAttributes[] = {"uuid",        "serial",          "hw_revision",
                                       "fw_version",  "hbm_total_bytes", "num_queues",
                                       "num_engines", "irq_count"};

// One chip: its sysfs PCI device directory and accel node.
struct SysfsChip {
    std::string accel; // accelN
    fs::path device;   // /sys/class/accel/accelN/device (resolved)
    std::string node;  // /dev/accel/accelN
};

std::vector<SysfsChip> find_sysfs_chips() {
    std::vector<SysfsChip> chips;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/sys/class/accel", ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("accel", 0) != 0)
            continue;
        std::error_code ec2;
        const fs::path device = fs::canonical(entry.path() / "device", ec2);
        if (ec2)
            continue;
        const fs::path driver = fs::read_symlink(device / "driver", ec2);
        if (ec2 || driver.filename() != "seed")
            continue;
        chips.push_back({name, device, "/dev/accel/" + name});
    }
    std::sort(chips.begin(), chips.end(),
              [](const SysfsChip& a, const SysfsChip& b) { return a.accel < b.accel; });
    return chips;
}

// Contents of a sysfs attribute, nullopt if it cannot be read.
std::optional<std::string> read_attr(const fs::path& path) {
    std::ifstream in(path);
    if (!in)
        return std::nullopt;
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad())
        return std::nullopt;
    return ss.str();
}

std::string line(const std::string& value) {
    return value + "\n";
}

// A decimal number with no sign, leading zeros or trailing garbage, + "\n".
std::optional<unsigned long long> parse_decimal_line(const std::string& text) {
    if (text.size() < 2 || text.back() != '\n')
        return std::nullopt;
    const std::string digits = text.substr(0, text.size() - 1);
    if (digits.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    if (digits.size() > 1 && digits[0] == '0')
        return std::nullopt;
    return std::strtoull(digits.c_str(), nullptr, 10);
}

class SeedSysfs : public ::testing::Test {
protected:
    void SetUp() override {
        chips_ = find_sysfs_chips();
        if (auto chips = seed::vm::chips(); chips && *chips > 0) {
            ASSERT_EQ(chips_.size(), *chips)
                << "SEED_VM_CHIPS=" << *chips << " but " << chips_.size() << " seed chips in sysfs";
        }
        if (chips_.empty())
            GTEST_SKIP() << "no SeedChip under /sys/class/accel";
    }

    // GET_INFO on the chip's accel node.
    static drm_seed_get_info get_info(const SysfsChip& chip) {
        drm_seed_get_info info{};
        const int fd = ::open(chip.node.c_str(), O_RDWR | O_CLOEXEC);
        EXPECT_GE(fd, 0) << chip.node << ": " << std::strerror(errno);
        if (fd < 0)
            return info;
        EXPECT_EQ(::ioctl(fd, DRM_IOCTL_SEED_GET_INFO, &info), 0)
            << chip.node << ": " << std::strerror(errno);
        ::close(fd);
        return info;
    }

    std::vector<SysfsChip> chips_;
};

TEST_F(SeedSysfs, AttributesExistReadOnly) {
    for (const auto& chip : chips_) {
        for (const char* attr : kAttributes) {
            SCOPED_TRACE(chip.device.string() + "/" + attr);
            struct stat st {};
            ASSERT_EQ(::stat((chip.device / attr).c_str(), &st), 0) << std::strerror(errno);
            EXPECT_TRUE(S_ISREG(st.st_mode));
            EXPECT_EQ(st.st_mode & 07777, 0444u);
            EXPECT_TRUE(read_attr(chip.device / attr).has_value());
        }
    }
}

TEST_F(SeedSysfs, AttributesMatchGetInfo) {
    for (const auto& chip : chips_) {
        SCOPED_TRACE(chip.node + " " + chip.device.string());
        const drm_seed_get_info info = get_info(chip);
        const fs::path& d = chip.device;

        ASSERT_NE(std::memchr(info.serial, '\0', sizeof(info.serial)), nullptr);
        EXPECT_EQ(read_attr(d / "uuid"), line(seed::vm::format_uuid(info.uuid)));
        EXPECT_EQ(read_attr(d / "serial"), line(info.serial));

        char buf[64];
        std::snprintf(buf, sizeof(buf), "%u.%u", info.hw_revision >> 16, info.hw_revision & 0xffff);
        EXPECT_EQ(read_attr(d / "hw_revision"), line(buf));
        std::snprintf(buf, sizeof(buf), "%u.%u.%u", info.fw_version >> 24,
                      (info.fw_version >> 16) & 0xff, info.fw_version & 0xffff);
        EXPECT_EQ(read_attr(d / "fw_version"), line(buf));

        EXPECT_EQ(read_attr(d / "hbm_total_bytes"), line(std::to_string(info.hbm_size)));
        EXPECT_EQ(read_attr(d / "num_queues"), line(std::to_string(info.num_queues)));
        EXPECT_EQ(read_attr(d / "num_engines"), line(std::to_string(info.num_engines)));

        // Interrupts may arrive between the reads: sysfs >= the earlier ioctl.
        const auto irq_text = read_attr(d / "irq_count");
        ASSERT_TRUE(irq_text.has_value());
        const auto irq = parse_decimal_line(*irq_text);
        ASSERT_TRUE(irq.has_value()) << "irq_count: \"" << *irq_text << "\"";
        EXPECT_GE(*irq, info.irq_count);
        EXPECT_GE(*irq, 1u) << "the probe-time MSI-X self-test counts";
        EXPECT_LE(*irq, get_info(chip).irq_count);

        for (const char* attr : {"hbm_total_bytes", "num_queues", "num_engines"}) {
            const auto text = read_attr(d / attr);
            ASSERT_TRUE(text.has_value()) << attr;
            EXPECT_TRUE(parse_decimal_line(*text).has_value())
                << attr << " is not a decimal line: \"" << *text << "\"";
        }
    }
}

TEST_F(SeedSysfs, VersionsAreV1) {
    for (const auto& chip : chips_) {
        SCOPED_TRACE(chip.device.string());
        EXPECT_EQ(read_attr(chip.device / "hw_revision"), "1.0\n");
        EXPECT_EQ(read_attr(chip.device / "fw_version"), "1.0.0\n");
    }
}

TEST_F(SeedSysfs, IdentitiesMatchVmChips) {
    const auto chips = seed::vm::chips();
    if (!chips)
        GTEST_SKIP() << "SEED_VM_CHIPS not set (not under seed-vm)";

    std::set<std::string> want_serials, want_uuids, serials, uuids;
    for (unsigned k = 0; k < *chips; k++) {
        want_serials.insert(seed::vm::serial(k) + "\n");
        want_uuids.insert(seed::vm::uuid(k) + "\n");
    }
    for (const auto& chip : chips_) {
        serials.insert(read_attr(chip.device / "serial").value_or("<unreadable>"));
        uuids.insert(read_attr(chip.device / "uuid").value_or("<unreadable>"));
    }
    EXPECT_EQ(serials, want_serials);
    EXPECT_EQ(uuids, want_uuids);

    if (const auto hbm = seed::vm::hbm_bytes()) {
        for (const auto& chip : chips_) {
            EXPECT_EQ(read_attr(chip.device / "hbm_total_bytes"), line(std::to_string(*hbm)))
                << chip.device;
        }
    }
}

// Mode 0444 and no store(): opening for writing fails even for root.
TEST_F(SeedSysfs, WritesAreRejected) {
    for (const auto& chip : chips_) {
        for (const char* attr : kAttributes) {
            const fs::path path = chip.device / attr;
            SCOPED_TRACE(path.string());
            const auto before = read_attr(path);
            const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
            const int err = errno;
            if (fd >= 0) {
                const ssize_t n = ::write(fd, "0\n", 2);
                const int werr = errno;
                ::close(fd);
                ADD_FAILURE() << "opened for writing; write returned " << n << " ("
                              << std::strerror(werr) << ")";
                continue;
            }
            EXPECT_TRUE(err == EACCES || err == EPERM || err == EIO) << std::strerror(err);
            if (std::string(attr) != "irq_count") {
                EXPECT_EQ(read_attr(path), before) << "value changed";
            }
        }
    }
}

} // namespace
