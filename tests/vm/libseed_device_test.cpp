// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// VM tests of libseed's device enumeration and opening. They run in the
// guest as root with seed.ko loaded and skip when there is no device. Under
// seed-vm (SEED_VM_CHIPS=N) chip k has serial SEEDVM-<kkkk> and UUID
// 5eed0000-0000-4000-8000-<k in 12 hex digits>.
#include "vm_env.hpp"

#include <seed/seed.hpp>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace {

/// Sets (or unsets, for std::nullopt) an environment variable for the
/// lifetime of the object.
class ScopedEnv {
public:
    ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
        if (const char* old = std::getenv(name))
            old_ = old;
        apply(value);
    }
    ~ScopedEnv() { apply(old_); }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    void apply(const std::optional<std::string>& value) {
        if (value)
            ::setenv(name_, value->c_str(), 1);
        else
            ::unsetenv(name_);
    }
    const char* name_;
    std::optional<std::string> old_;
};

template <typename F>
void expect_seed_error(F&& f, std::error_code want, const std::string& what) {
    try {
        f();
        ADD_FAILURE() << what << ": no exception";
    } catch (const seed::Error& e) {
        EXPECT_EQ(e.code(), want) << what << ": " << e.what();
    }
}

class LibseedDevice : public ::testing::Test {
protected:
    void SetUp() override {
        devices_ = seed::Device::list();
        if (devices_.empty())
            GTEST_SKIP() << "no SeedChip device";
    }

    // Every test sees all devices unless it sets the variable itself.
    ScopedEnv visible_{"SEED_VISIBLE_DEVICES", std::nullopt};
    std::vector<seed::DeviceInfo> devices_;
};

TEST_F(LibseedDevice, ListHasOneEntryPerChip) {
    const auto chips = seed::vm::chips();
    if (!chips)
        GTEST_SKIP() << "SEED_VM_CHIPS not set (not under seed-vm)";
    EXPECT_EQ(devices_.size(), *chips);
}

TEST_F(LibseedDevice, ListIsOrderedAndConsistent) {
    for (std::size_t i = 0; i < devices_.size(); ++i) {
        const auto& d = devices_[i];
        SCOPED_TRACE(d.node);
        EXPECT_EQ(d.index, i);
        EXPECT_EQ(d.node, "/dev/accel/accel" + std::to_string(d.minor));
        EXPECT_TRUE(std::filesystem::exists(d.node));
        if (i > 0) {
            EXPECT_GT(d.minor, devices_[i - 1].minor);
        }
        EXPECT_EQ(d.pci_address, seed::format_pci_address(d.pci));
        EXPECT_EQ(d.driver.name, "seed");
        EXPECT_GT(d.hbm_size, 0u);
        EXPECT_GE(d.num_queues, 1u);
        EXPECT_GE(d.num_engines, 1u);
        EXPECT_FALSE(d.serial.empty());
        EXPECT_NE(d.uuid, seed::Uuid{});
    }
}

TEST_F(LibseedDevice, IdentitiesAreUnique) {
    std::set<std::string> serials, uuids, pcis;
    for (const auto& d : devices_) {
        serials.insert(d.serial);
        uuids.insert(seed::format_uuid(d.uuid));
        pcis.insert(d.pci_address);
    }
    EXPECT_EQ(serials.size(), devices_.size());
    EXPECT_EQ(uuids.size(), devices_.size());
    EXPECT_EQ(pcis.size(), devices_.size());
}

TEST_F(LibseedDevice, SerialsAndUuidsMatchVmChips) {
    const auto chips = seed::vm::chips();
    if (!chips)
        GTEST_SKIP() << "SEED_VM_CHIPS not set (not under seed-vm)";
    std::set<std::string> want, got;
    for (unsigned k = 0; k < *chips; ++k)
        want.insert(seed::vm::serial(k));
    for (const auto& d : devices_) {
        got.insert(d.serial);
        // The UUID belongs with the serial: chip k has both.
        const unsigned k = static_cast<unsigned>(std::strtoul(d.serial.c_str() + 7, nullptr, 10));
        EXPECT_EQ(seed::format_uuid(d.uuid), seed::vm::uuid(k)) << d.serial;
    }
    EXPECT_EQ(got, want);
}

TEST_F(LibseedDevice, HbmSizeMatchesVm) {
    const auto hbm = seed::vm::hbm_bytes();
    if (!hbm)
        GTEST_SKIP() << "SEED_VM_HBM not set";
    for (const auto& d : devices_)
        EXPECT_EQ(d.hbm_size, *hbm) << d.node;
}

TEST_F(LibseedDevice, OpenByIndexPciUuidOrNodeGivesTheSameDevice) {
    for (const auto& d : devices_) {
        SCOPED_TRACE(d.node);
        const std::vector<std::string> specs = {std::to_string(d.index), d.pci_address,
                                                seed::format_uuid(d.uuid), d.node};
        const seed::Device by_index = seed::Device::open(d.index);
        EXPECT_EQ(by_index.info().uuid, d.uuid);
        EXPECT_EQ(by_index.info().index, d.index);
        for (const auto& spec : specs) {
            const seed::Device dev = seed::Device::open(spec);
            EXPECT_EQ(dev.info().uuid, d.uuid) << spec;
            EXPECT_EQ(dev.info().serial, d.serial) << spec;
            EXPECT_EQ(dev.info().node, d.node) << spec;
            EXPECT_EQ(dev.info().pci, d.pci) << spec;
            EXPECT_EQ(dev.info().index, d.index) << spec;
        }
    }
}

TEST_F(LibseedDevice, OpenIdentityMatchesList) {
    const seed::Device dev = seed::Device::open(0u);
    auto opened = dev.info();
    auto listed = devices_.front();
    // Interrupts may arrive between the two queries; nothing else changes.
    EXPECT_GE(opened.irq_count, listed.irq_count);
    opened.irq_count = listed.irq_count = 0;
    EXPECT_EQ(opened, listed);
}

TEST_F(LibseedDevice, DeviceIsMovable) {
    seed::Device a = seed::Device::open(0u);
    const seed::Uuid uuid = a.info().uuid;
    seed::Device b = std::move(a);
    EXPECT_EQ(b.info().uuid, uuid);
    if (devices_.size() > 1) {
        seed::Device c = seed::Device::open(1u);
        c = std::move(b);
        EXPECT_EQ(c.info().uuid, uuid);
    }
}

TEST_F(LibseedDevice, OpeningTwiceWorks) {
    const seed::Device a = seed::Device::open(0u);
    const seed::Device b = seed::Device::open(0u);
    EXPECT_EQ(a.info().uuid, b.info().uuid);
}

TEST_F(LibseedDevice, BadSpecsThrow) {
    for (const char* spec : {"", "not-a-device", "-1", "0x0", "00:20.0", "accel0"}) {
        expect_seed_error([&] { (void)seed::Device::open(spec); }, seed::Errc::invalid_device_spec,
                          spec);
    }
    const unsigned past_end = static_cast<unsigned>(devices_.size());
    expect_seed_error([&] { (void)seed::Device::open(past_end); }, seed::Errc::device_not_found,
                      "index past the end");
    for (const std::string& spec : {std::to_string(past_end), std::string("ffff:ff:1f.7"),
                                    std::string("00000000-0000-0000-0000-000000000000"),
                                    std::string("/dev/null"), std::string("/dev/accel/accel999")}) {
        expect_seed_error([&] { (void)seed::Device::open(spec); }, seed::Errc::device_not_found,
                          spec);
    }
}

TEST_F(LibseedDevice, VisibleDevicesEmptyHidesEverything) {
    ScopedEnv env("SEED_VISIBLE_DEVICES", "");
    EXPECT_TRUE(seed::Device::list().empty());
    expect_seed_error([] { (void)seed::Device::open(0u); }, seed::Errc::device_not_found,
                      "open(0) with nothing visible");
}

TEST_F(LibseedDevice, VisibleDevicesByIndex) {
    const unsigned last = static_cast<unsigned>(devices_.size() - 1);
    ScopedEnv env("SEED_VISIBLE_DEVICES", std::to_string(last));
    const auto visible = seed::Device::list();
    ASSERT_EQ(visible.size(), 1u);
    EXPECT_EQ(visible[0].uuid, devices_[last].uuid);
    EXPECT_EQ(visible[0].index, 0u);
    EXPECT_EQ(seed::Device::open(0u).info().uuid, devices_[last].uuid);
    EXPECT_EQ(seed::Device::open("0").info().uuid, devices_[last].uuid);
    if (last > 0) {
        expect_seed_error([&] { (void)seed::Device::open(devices_[0].pci_address); },
                          seed::Errc::device_not_found, "hidden device by PCI address");
    }
}

TEST_F(LibseedDevice, VisibleDevicesByUuidAndReordered) {
    std::string value;
    for (auto it = devices_.rbegin(); it != devices_.rend(); ++it) {
        if (!value.empty())
            value += ',';
        value += seed::format_uuid(it->uuid);
    }
    ScopedEnv env("SEED_VISIBLE_DEVICES", value);
    const auto visible = seed::Device::list();
    ASSERT_EQ(visible.size(), devices_.size());
    for (std::size_t i = 0; i < visible.size(); ++i) {
        EXPECT_EQ(visible[i].index, i);
        EXPECT_EQ(visible[i].uuid, devices_[devices_.size() - 1 - i].uuid);
    }
}

TEST_F(LibseedDevice, VisibleDevicesIgnoresMissingEntries) {
    ScopedEnv env("SEED_VISIBLE_DEVICES", "999,0,00000000-0000-0000-0000-000000000000");
    const auto visible = seed::Device::list();
    ASSERT_EQ(visible.size(), 1u);
    EXPECT_EQ(visible[0].uuid, devices_[0].uuid);
}

TEST_F(LibseedDevice, MalformedVisibleDevicesThrows) {
    for (const char* bad : {"zero", "0,,1", "0,0"}) {
        ScopedEnv env("SEED_VISIBLE_DEVICES", bad);
        expect_seed_error([] { (void)seed::Device::list(); }, seed::Errc::invalid_visible_devices,
                          bad);
        expect_seed_error([] { (void)seed::Device::open(0u); }, seed::Errc::invalid_visible_devices,
                          bad);
    }
}

} // namespace
