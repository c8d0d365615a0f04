// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seed-device-plugin against a kubelet stand-in (docs/kubernetes.md): the
// test serves kubelet's Registration service on kubelet.sock in a scratch
// device plugin directory and calls the plugin's DevicePlugin service, both
// generated from the same proto as the plugin
// (tools/device-plugin/api/deviceplugin_v1beta1.proto). The plugin runs as
// the built binary on the real driver; expectations come from sysfs. Health
// is driven by the device model's fault injection: a FATAL error (the driver
// resets the chip) and a surprise removal, each followed by recovery.

#include "vm_env.hpp"

#include <deviceplugin_v1beta1.grpc.pb.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#ifndef SEED_DEVICE_PLUGIN_PATH
#error "SEED_DEVICE_PLUGIN_PATH must be defined by the build"
#endif

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using seed::vm::Control;

constexpr const char* resource_name = "seedchip.org/accel";

std::string read_text(const fs::path& path) {
    std::ifstream in(path);
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    return s;
}

// A chip as sysfs describes it, independently of the plugin.
struct SysChip {
    std::string uuid;
    std::string node; // /dev/accel/accelN
    std::string serial;
    std::vector<std::string> pci_path; // PCI addresses from the root down
    int numa_node = -1;
};

std::vector<SysChip> sysfs_chips() {
    std::vector<std::pair<unsigned, SysChip>> found;
    for (const auto& entry : fs::directory_iterator("/sys/class/accel")) {
        const std::string name = entry.path().filename().string();
        if (name.rfind("accel", 0) != 0)
            continue;
        const fs::path dev = entry.path() / "device";
        std::error_code ec;
        if (fs::read_symlink(dev / "driver", ec).filename() != "seed" || ec)
            continue;
        SysChip c;
        c.uuid = read_text(dev / "uuid");
        c.serial = read_text(dev / "serial");
        c.node = "/dev/accel/" + name;
        const std::string numa = read_text(dev / "numa_node");
        c.numa_node = numa.empty() ? -1 : std::stoi(numa);
        for (const auto& part : fs::canonical(dev)) {
            const std::string s = part.string();
            if (s.size() == 12 && s[4] == ':' && s[7] == ':' && s[10] == '.')
                c.pci_path.push_back(s);
        }
        found.emplace_back(static_cast<unsigned>(std::stoul(name.substr(5))), c);
    }
    std::sort(found.begin(), found.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<SysChip> out;
    for (auto& f : found)
        out.push_back(f.second);
    return out;
}

// kubelet's side of registration: records every Register call.
class KubeletStandIn final : public v1beta1::Registration::Service {
public:
    grpc::Status Register(grpc::ServerContext* /*context*/, const v1beta1::RegisterRequest* request,
                          v1beta1::Empty* /*reply*/) override {
        const std::lock_guard lock(mutex_);
        requests_.push_back(*request);
        changed_.notify_all();
        return grpc::Status::OK;
    }

    // Waits until at least @p n registrations arrived.
    bool wait_for(std::size_t n, std::chrono::seconds timeout) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
    }

    std::vector<v1beta1::RegisterRequest> requests() {
        const std::lock_guard lock(mutex_);
        return requests_;
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<v1beta1::RegisterRequest> requests_;
};

// The ListAndWatch stream, read on a thread of its own.
class Watch {
public:
    explicit Watch(v1beta1::DevicePlugin::Stub& stub) {
        reader_ = stub.ListAndWatch(&context_, v1beta1::Empty());
        thread_ = std::thread([this] {
            v1beta1::ListAndWatchResponse r;
            while (reader_->Read(&r)) {
                const std::lock_guard lock(mutex_);
                responses_.push_back(r);
                changed_.notify_all();
            }
        });
    }
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;
    ~Watch() {
        context_.TryCancel();
        thread_.join();
    }

    // Waits until the latest list satisfies @p pred; returns whether it did.
    bool wait_until(const std::function<bool(const v1beta1::ListAndWatchResponse&)>& pred,
                    std::chrono::seconds timeout) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, timeout,
                                 [&] { return !responses_.empty() && pred(responses_.back()); });
    }

    std::vector<v1beta1::ListAndWatchResponse> responses() {
        const std::lock_guard lock(mutex_);
        return responses_;
    }

private:
    grpc::ClientContext context_;
    std::unique_ptr<grpc::ClientReader<v1beta1::ListAndWatchResponse>> reader_;
    std::thread thread_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<v1beta1::ListAndWatchResponse> responses_;
};

std::string health_of(const v1beta1::ListAndWatchResponse& r, const std::string& id) {
    for (const auto& d : r.devices()) {
        if (d.id() == id)
            return d.health();
    }
    return "(missing)";
}

std::string describe(const v1beta1::ListAndWatchResponse& r) {
    std::string s;
    for (const auto& d : r.devices())
        s += d.id() + "=" + d.health() + " ";
    return s;
}

class DevicePlugin : public ::testing::Test {
protected:
    void SetUp() override {
        chips_ = sysfs_chips();
        ASSERT_FALSE(chips_.empty()) << "no SeedChip bound to seed.ko";
        char tmpl[] = "/tmp/seeddp.XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        start_kubelet();
        start_plugin();
        ASSERT_TRUE(kubelet_->wait_for(1, 60s)) << "the plugin never registered\n" << log();
        const auto channel = grpc::CreateChannel("unix://" + (dir_ / "seedchip.sock").string(),
                                                 grpc::InsecureChannelCredentials());
        stub_ = v1beta1::DevicePlugin::NewStub(channel);
    }

    void TearDown() override {
        stop_plugin();
        if (server_)
            server_->Shutdown(std::chrono::system_clock::now() + 2s);
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    void start_kubelet() {
        kubelet_ = std::make_unique<KubeletStandIn>();
        grpc::ServerBuilder builder;
        builder.AddListeningPort("unix://" + (dir_ / "kubelet.sock").string(),
                                 grpc::InsecureServerCredentials());
        builder.RegisterService(kubelet_.get());
        server_ = builder.BuildAndStart();
        ASSERT_TRUE(server_);
    }

    void start_plugin() {
        const std::string log_path = (dir_ / "plugin.log").string();
        const std::vector<std::string> args = {SEED_DEVICE_PLUGIN_PATH,
                                               "--plugin-dir",
                                               dir_.string(),
                                               "--health-interval",
                                               "0.5",
                                               "--recovery-holdoff",
                                               "2",
                                               "--cdi-spec-dir",
                                               (dir_ / "cdi").string()};
        pid_ = ::fork();
        ASSERT_GE(pid_, 0);
        if (pid_ == 0) {
            const int fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
            if (fd >= 0) {
                ::dup2(fd, STDERR_FILENO);
                ::dup2(fd, STDOUT_FILENO);
            }
            std::vector<char*> argv;
            for (const auto& a : args)
                argv.push_back(const_cast<char*>(a.c_str()));
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
    }

    // SIGTERM and the exit status (0 is a clean stop).
    int stop_plugin() {
        if (pid_ <= 0)
            return -1;
        ::kill(pid_, SIGTERM);
        int status = 0;
        for (int i = 0; i < 200; ++i) {
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            }
            std::this_thread::sleep_for(50ms);
        }
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return -1;
    }

    std::string log() const { return "plugin log:\n" + read_text(dir_ / "plugin.log"); }

    static bool all_healthy(const v1beta1::ListAndWatchResponse& r) {
        return std::all_of(r.devices().begin(), r.devices().end(),
                           [](const auto& d) { return d.health() == "Healthy"; });
    }

    grpc::Status allocate(const std::vector<std::vector<std::string>>& containers,
                          v1beta1::AllocateResponse& out) {
        v1beta1::AllocateRequest req;
        for (const auto& ids : containers) {
            auto* c = req.add_container_requests();
            for (const auto& id : ids)
                c->add_devices_ids(id);
        }
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + 30s);
        return stub_->Allocate(&ctx, req, &out);
    }

    grpc::Status preferred(const std::vector<std::string>& available,
                           const std::vector<std::string>& must, int size,
                           std::vector<std::string>& out) {
        v1beta1::PreferredAllocationRequest req;
        auto* c = req.add_container_requests();
        for (const auto& id : available)
            c->add_available_deviceids(id);
        for (const auto& id : must)
            c->add_must_include_deviceids(id);
        c->set_allocation_size(size);
        v1beta1::PreferredAllocationResponse resp;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + 30s);
        const grpc::Status s = stub_->GetPreferredAllocation(&ctx, req, &resp);
        out.clear();
        if (s.ok() && resp.container_responses_size() == 1) {
            for (const auto& id : resp.container_responses(0).deviceids())
                out.push_back(id);
        }
        return s;
    }

    const SysChip& chip_with_serial(const std::string& serial) {
        for (const auto& c : chips_) {
            if (c.serial == serial)
                return c;
        }
        throw std::runtime_error("no chip with serial " + serial);
    }

    std::vector<SysChip> chips_;
    fs::path dir_;
    std::unique_ptr<KubeletStandIn> kubelet_;
    std::unique_ptr<grpc::Server> server_;
    std::unique_ptr<v1beta1::DevicePlugin::Stub> stub_;
    pid_t pid_ = -1;
};

TEST_F(DevicePlugin, RegistersAndListsEveryChipHealthy) {
    const auto reqs = kubelet_->requests();
    ASSERT_EQ(reqs.size(), 1u) << log();
    EXPECT_EQ(reqs[0].version(), "v1beta1");
    EXPECT_EQ(reqs[0].resource_name(), resource_name);
    EXPECT_EQ(reqs[0].endpoint(), "seedchip.sock");
    EXPECT_TRUE(reqs[0].options().get_preferred_allocation_available());
    EXPECT_FALSE(reqs[0].options().pre_start_required());

    v1beta1::DevicePluginOptions options;
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->GetDevicePluginOptions(&ctx, v1beta1::Empty(), &options).ok());
    EXPECT_TRUE(options.get_preferred_allocation_available());

    Watch watch(*stub_);
    ASSERT_TRUE(watch.wait_until([](const auto&) { return true; }, 30s)) << log();
    const auto first = watch.responses().front();
    ASSERT_EQ(static_cast<std::size_t>(first.devices_size()), chips_.size()) << describe(first);
    std::set<std::string> listed;
    for (const auto& d : first.devices()) {
        listed.insert(d.id());
        EXPECT_EQ(d.health(), "Healthy") << d.id() << "\n" << log();
        const auto it = std::find_if(chips_.begin(), chips_.end(),
                                     [&](const SysChip& c) { return c.uuid == d.id(); });
        ASSERT_NE(it, chips_.end()) << d.id() << " is no chip's UUID";
        if (it->numa_node >= 0) {
            ASSERT_EQ(d.topology().nodes_size(), 1);
            EXPECT_EQ(d.topology().nodes(0).id(), it->numa_node);
        } else {
            EXPECT_EQ(d.topology().nodes_size(), 0);
        }
    }
    EXPECT_EQ(listed.size(), chips_.size()) << "duplicate device IDs: " << describe(first);
}

TEST_F(DevicePlugin, AllocateGivesNodesCdiNamesAndOneEnvironment) {
    // One container gets the first chip, another every chip.
    std::vector<std::string> all;
    for (const auto& c : chips_)
        all.push_back(c.uuid);
    v1beta1::AllocateResponse resp;
    const grpc::Status s = allocate({{chips_[0].uuid}, all}, resp);
    ASSERT_TRUE(s.ok()) << s.error_message() << "\n" << log();
    ASSERT_EQ(resp.container_responses_size(), 2);
    for (int k = 0; k < 2; ++k) {
        const auto& c = resp.container_responses(k);
        const std::vector<SysChip> want = k == 0 ? std::vector<SysChip>{chips_[0]} : chips_;
        std::string visible;
        ASSERT_EQ(static_cast<std::size_t>(c.devices_size()), want.size());
        ASSERT_EQ(static_cast<std::size_t>(c.cdi_devices_size()), want.size());
        for (std::size_t i = 0; i < want.size(); ++i) {
            EXPECT_EQ(c.devices(static_cast<int>(i)).host_path(), want[i].node);
            EXPECT_EQ(c.devices(static_cast<int>(i)).container_path(), want[i].node);
            EXPECT_EQ(c.devices(static_cast<int>(i)).permissions(), "rw");
            EXPECT_EQ(c.cdi_devices(static_cast<int>(i)).name(),
                      std::string(resource_name) + "=" + want[i].uuid);
            visible += (i ? "," : "") + want[i].uuid;
        }
        ASSERT_EQ(c.envs().count("SEED_VISIBLE_DEVICES"), 1u);
        EXPECT_EQ(c.envs().at("SEED_VISIBLE_DEVICES"), visible);
    }

    // The CDI spec the plugin wrote defines every name it hands out.
    const std::string spec = read_text(dir_ / "cdi" / "seedchip.json");
    ASSERT_FALSE(spec.empty()) << log();
    EXPECT_NE(spec.find("\"kind\": \"seedchip.org/accel\""), std::string::npos) << spec;
    for (const auto& c : chips_) {
        EXPECT_NE(spec.find("\"name\": \"" + c.uuid + "\""), std::string::npos) << spec;
        EXPECT_NE(spec.find("\"path\": \"" + c.node + "\""), std::string::npos) << spec;
    }

    // Unknown and repeated devices are refused.
    v1beta1::AllocateResponse bad;
    EXPECT_EQ(allocate({{"00000000-0000-0000-0000-000000000000"}}, bad).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(allocate({{chips_[0].uuid, chips_[0].uuid}}, bad).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
}

// The documented policy, computed here from sysfs: fewest NUMA nodes, then
// the smallest sum of PCI hops between members, then the lowest indices.
int pci_hops(const SysChip& a, const SysChip& b) {
    std::size_t common = 0;
    while (common < a.pci_path.size() && common < b.pci_path.size() &&
           a.pci_path[common] == b.pci_path[common])
        ++common;
    return static_cast<int>(a.pci_path.size() - common + b.pci_path.size() - common);
}

TEST_F(DevicePlugin, PreferredAllocationFollowsLocality) {
    const std::size_t n = chips_.size();
    std::vector<std::string> all;
    for (const auto& c : chips_)
        all.push_back(c.uuid);
    const int size = n >= 2 ? 2 : 1;
    const SysChip& must = chips_.back();

    // Every pair containing `must`, scored by the rule.
    std::tuple<std::size_t, int, std::vector<std::size_t>> best{SIZE_MAX, 0, {}};
    for (std::size_t i = 0; i < n; ++i) {
        std::vector<std::size_t> set =
            size == 1 ? std::vector<std::size_t>{n - 1} : std::vector<std::size_t>{i, n - 1};
        if (size == 2 && i == n - 1)
            continue;
        std::set<int> numa;
        int hops = 0;
        for (auto a : set)
            numa.insert(chips_[a].numa_node);
        for (std::size_t x = 0; x < set.size(); ++x)
            for (std::size_t y = x + 1; y < set.size(); ++y)
                hops += pci_hops(chips_[set[x]], chips_[set[y]]);
        std::sort(set.begin(), set.end());
        const auto score = std::make_tuple(numa.size(), hops, set);
        if (score < best)
            best = score;
        if (size == 1)
            break;
    }
    std::set<std::string> want;
    for (auto i : std::get<2>(best))
        want.insert(chips_[i].uuid);

    std::vector<std::string> got;
    const grpc::Status s = preferred(all, {must.uuid}, size, got);
    ASSERT_TRUE(s.ok()) << s.error_message() << "\n" << log();
    EXPECT_EQ(std::set<std::string>(got.begin(), got.end()), want);
    EXPECT_EQ(got.size(), static_cast<std::size_t>(size));

    // Only from what is available; impossible sizes are refused.
    got.clear();
    EXPECT_TRUE(preferred({must.uuid}, {}, 1, got).ok());
    EXPECT_EQ(got, std::vector<std::string>{must.uuid});
    EXPECT_EQ(preferred({must.uuid}, {}, 2, got).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(DevicePlugin, FatalErrorMakesTheChipUnhealthyUntilItRecovers) {
    const auto n = seed::vm::chips();
    ASSERT_TRUE(n && Control::available(*n - 1)) << "needs seed-vm's fault-injection channel";
    const unsigned k = *n - 1;
    const SysChip& victim = chip_with_serial(seed::vm::serial(k));
    Watch watch(*stub_);
    ASSERT_TRUE(watch.wait_until(all_healthy, 30s)) << log();

    Control ctl(k);
    ASSERT_EQ(ctl.command("fatal"), "ok");
    const bool unhealthy = watch.wait_until(
        [&](const auto& r) {
            if (health_of(r, victim.uuid) != "Unhealthy")
                return false;
            // The others stay healthy.
            for (const auto& c : chips_) {
                if (c.uuid != victim.uuid && health_of(r, c.uuid) != "Healthy")
                    return false;
            }
            return true;
        },
        60s);
    ctl.command("clear");
    ASSERT_TRUE(unhealthy) << describe(watch.responses().back()) << "\n" << log();
    EXPECT_TRUE(watch.wait_until(all_healthy, 60s)) << describe(watch.responses().back()) << "\n"
                                                    << log();
}

TEST_F(DevicePlugin, RemovedChipIsUnhealthyAndHealthyWhenBack) {
    const auto n = seed::vm::chips();
    ASSERT_TRUE(n && Control::available(*n - 1)) << "needs seed-vm's fault-injection channel";
    const unsigned k = *n - 1;
    const SysChip& victim = chip_with_serial(seed::vm::serial(k));
    const fs::path pci = fs::path("/sys/bus/pci/devices") / victim.pci_path.back();
    Watch watch(*stub_);
    ASSERT_TRUE(watch.wait_until(all_healthy, 30s)) << log();

    Control ctl(k);
    ASSERT_EQ(ctl.command("unplug"), "ok");
    const bool unhealthy = watch.wait_until(
        [&](const auto& r) { return health_of(r, victim.uuid) == "Unhealthy"; }, 60s);

    // Put the chip back: remove, replug, rescan (as the recovery tests do).
    std::ofstream(pci / "remove") << "1";
    EXPECT_EQ(ctl.command("replug"), "ok");
    std::ofstream("/sys/bus/pci/rescan") << "1";
    ASSERT_TRUE(unhealthy) << describe(watch.responses().back()) << "\n" << log();
    EXPECT_TRUE(watch.wait_until(
        [&](const auto& r) {
            return all_healthy(r) && static_cast<std::size_t>(r.devices_size()) == chips_.size();
        },
        90s))
        << describe(watch.responses().back()) << "\n"
        << log();
    EXPECT_EQ(sysfs_chips().size(), chips_.size());
}

TEST_F(DevicePlugin, RegistersAgainWhenKubeletRestarts) {
    // A kubelet restart wipes the plugin sockets and recreates kubelet.sock.
    server_->Shutdown(std::chrono::system_clock::now() + 2s);
    server_.reset();
    std::error_code ec;
    fs::remove(dir_ / "kubelet.sock", ec);
    fs::remove(dir_ / "seedchip.sock", ec);
    start_kubelet();
    ASSERT_TRUE(kubelet_->wait_for(1, 60s)) << "no registration with the new kubelet\n" << log();
    EXPECT_EQ(kubelet_->requests()[0].resource_name(), resource_name);
    // The new socket serves.
    const auto channel = grpc::CreateChannel("unix://" + (dir_ / "seedchip.sock").string(),
                                             grpc::InsecureChannelCredentials());
    auto stub = v1beta1::DevicePlugin::NewStub(channel);
    v1beta1::DevicePluginOptions options;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 30s);
    ctx.set_wait_for_ready(true);
    EXPECT_TRUE(stub->GetDevicePluginOptions(&ctx, v1beta1::Empty(), &options).ok()) << log();
    EXPECT_EQ(stop_plugin(), 0) << log();
}

} // namespace
