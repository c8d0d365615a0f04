// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// tools/udev/70-seedchip.rules, applied by the real udevd in the guest
// (udevd.hpp): every SeedChip accel node ends up owned by root, group
// "render", mode 0660 (docs/seedctl.md, "Permissions"), both when the "add"
// events are replayed (`udevadm trigger`, what the rule file's header tells
// admins to run) and when a chip is bound to the driver again (a real add
// event). The nodes start from the kernel's root:root 0600, so only the
// rule can give the group access; a broken rule file fails this test.

#include "seed_drm.hpp"
#include "sysfs_files.hpp"
#include "udevd.hpp"
#include "vm_env.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <thread>

namespace {

namespace fs = std::filesystem;

struct Owner {
    mode_t mode = 0;
    uid_t uid = 0;
    gid_t gid = 0;
};

std::map<std::string, Owner> owners() {
    std::map<std::string, Owner> out;
    for (const auto& node : seed::vm::seed_nodes()) {
        struct stat st {};
        if (::stat(node.c_str(), &st) == 0)
            out[node] = {static_cast<mode_t>(st.st_mode & 07777), st.st_uid, st.st_gid};
    }
    return out;
}

void expect_rule_applied(const std::string& node, const std::string& udev_log) {
    struct stat st {};
    ASSERT_EQ(::stat(node.c_str(), &st), 0) << node;
    EXPECT_TRUE(S_ISCHR(st.st_mode)) << node;
    EXPECT_EQ(st.st_mode & 07777, 0660u) << node << "\n" << udev_log;
    EXPECT_EQ(st.st_uid, 0u) << node;
    EXPECT_EQ(st.st_gid, seed::vm::Udevd::group_id()) << node << "\n" << udev_log;
}

class UdevRule : public ::testing::Test {
protected:
    void SetUp() override {
        if (seed::vm::seed_nodes().empty())
            GTEST_SKIP() << "no SeedChip device";
        if (std::getenv("SEED_VM") == nullptr)
            GTEST_SKIP() << "starts udevd: only in a seed-vm guest";
        const std::string why = seed::vm::Udevd::unavailable();
        ASSERT_TRUE(why.empty()) << why;
        saved_ = owners();
        // The kernel's defaults, so that only the rule can change them.
        for (const auto& [node, owner] : saved_) {
            ASSERT_EQ(::chown(node.c_str(), 0, 0), 0) << node;
            ASSERT_EQ(::chmod(node.c_str(), 0600), 0) << node;
        }
    }
    void TearDown() override {
        for (const auto& [node, owner] : saved_) {
            EXPECT_EQ(::chown(node.c_str(), owner.uid, owner.gid), 0) << node;
            EXPECT_EQ(::chmod(node.c_str(), owner.mode), 0) << node;
        }
    }

    std::map<std::string, Owner> saved_;
};

TEST_F(UdevRule, GivesEveryChipToTheGroupOnTriggerAndOnBind) {
    seed::vm::Udevd udevd;
    ASSERT_TRUE(udevd.trigger_accel()) << udevd.log();
    for (const auto& [node, owner] : saved_)
        expect_rule_applied(node, udevd.log());

    // A chip bound to the driver again gets a new node from a real "add".
    const auto chips = seed::vm::chips();
    if (!chips || *chips < 2)
        return; // the first chip stays bound for the other tests' sake
    const std::string serial = seed::vm::serial(*chips - 1);
    const std::string node = seed::vm::node_of(serial);
    ASSERT_FALSE(node.empty()) << serial;
    const std::string pci =
        fs::canonical(fs::path("/sys/class/accel") / fs::path(node).filename() / "device")
            .filename()
            .string();
    ASSERT_TRUE(seed::vm::write_file("/sys/bus/pci/drivers/seed/unbind", pci));
    ASSERT_TRUE(seed::vm::node_of(serial).empty()) << "still bound after unbind";
    ASSERT_TRUE(seed::vm::write_file("/sys/bus/pci/drivers/seed/bind", pci));
    std::string again;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while ((again = seed::vm::node_of(serial)).empty() &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_FALSE(again.empty()) << serial << " did not come back";
    ASSERT_TRUE(udevd.settle()) << udevd.log();
    expect_rule_applied(again, udevd.log());
}

} // namespace
