// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The real udev daemon in the guest, applying the project's rule file
// (tools/udev/70-seedchip.rules) the way a system applies it: the file is
// installed into /run/udev/rules.d (the guest's /etc is the host's, read
// only), systemd-udevd runs with the rules it finds, and accel "add" events
// (`udevadm trigger`, or a real bind) reach it from the kernel. The binary
// is Debian's udev, extracted by `make deps` and named by seed-vm in
// SEED_VM_UDEVADM; nothing of it runs on the host.
//
// seed-vm runs the tests chrooted into the host's root; udevadm refuses to
// act in a chroot unless SYSTEMD_IGNORE_CHROOT is set, so it is.
//
// The rule gives the nodes to group "render", which Debian's udev package
// creates when it is installed. A machine without udev (a container) may
// lack it; then the guest gets one through a bind mount over /etc/group,
// for as long as the Udevd object lives.
#pragma once

#include "support/subprocess.hpp"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#ifndef SEED_UDEV_RULES
#error "SEED_UDEV_RULES (the path of tools/udev/70-seedchip.rules) must be defined by the build"
#endif

namespace seed::vm {

class Udevd {
public:
    static constexpr const char* kGroup = "render";

    /// Why udevd cannot run here, or "" if it can.
    static std::string unavailable() {
        if (std::getenv("SEED_VM") == nullptr)
            return "not in a seed-vm guest (its udevd must not be started on a live system)";
        const char* adm = std::getenv("SEED_VM_UDEVADM");
        if (adm == nullptr || *adm == '\0')
            return "SEED_VM_UDEVADM is not set: run `make deps` (it fetches udev)";
        if (::access(adm, X_OK) != 0)
            return std::string(adm) + " is not executable: run `make deps`";
        return {};
    }

    /// Installs the rule, provides the group if needed, starts udevd and
    /// waits until it answers. @throws std::runtime_error.
    Udevd() {
        if (const std::string why = unavailable(); !why.empty())
            throw std::runtime_error(why);
        udevadm_ = std::getenv("SEED_VM_UDEVADM");
        std::filesystem::create_directories(kRulesDir);
        std::filesystem::copy_file(SEED_UDEV_RULES, rule_path(),
                                   std::filesystem::copy_options::overwrite_existing);
        ensure_group();

        // Everything the child needs is made before fork(): it only execs.
        std::vector<std::string> env_strings = {"SYSTEMD_IGNORE_CHROOT=1"};
        for (char** e = environ; *e != nullptr; ++e)
            env_strings.emplace_back(*e);
        std::vector<char*> envp;
        for (auto& e : env_strings)
            envp.push_back(e.data());
        envp.push_back(nullptr);
        std::string argv0 = "systemd-udevd"; // udevadm is the daemon under this name
        char* argv[] = {argv0.data(), nullptr};
        pid_ = ::fork();
        if (pid_ < 0)
            throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            const int log = ::open(kLog, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
            if (log >= 0) {
                ::dup2(log, STDOUT_FILENO);
                ::dup2(log, STDERR_FILENO);
            }
            ::execve(udevadm_.c_str(), argv, envp.data());
            ::_exit(127);
        }
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (adm({"control", "--ping"}).exit_code != 0) {
            if (exited() || std::chrono::steady_clock::now() > deadline) {
                stop();
                throw std::runtime_error("systemd-udevd did not start: " + log());
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }

    Udevd(const Udevd&) = delete;
    Udevd& operator=(const Udevd&) = delete;
    ~Udevd() {
        stop();
        std::error_code ec;
        std::filesystem::remove(rule_path(), ec);
        if (group_mounted_)
            ::umount2("/etc/group", MNT_DETACH);
    }

    /// Replays "add" for every accel device and waits until udevd handled
    /// them; false (see log()) if that failed.
    bool trigger_accel() {
        const auto r = adm({"trigger", "--subsystem-match=accel", "--action=add"});
        return r.exit_code == 0 && settle();
    }

    /// Waits until udevd has handled every event the kernel sent so far.
    bool settle() {
        return adm({"control", "--ping"}).exit_code == 0 &&
               adm({"settle", "--timeout=60"}).exit_code == 0;
    }

    /// What udevd and its tools said so far.
    std::string log() const {
        std::ifstream in(kLog);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str() + tool_output_;
    }

    /// The group the rule names.
    static gid_t group_id() {
        const group* g = ::getgrnam(kGroup);
        return g != nullptr ? g->gr_gid : static_cast<gid_t>(-1);
    }

private:
    static constexpr const char* kRulesDir = "/run/udev/rules.d";
    static constexpr const char* kLog = "/tmp/seed-udevd.log";

    static std::string rule_path() {
        return std::string(kRulesDir) + "/" +
               std::filesystem::path(SEED_UDEV_RULES).filename().string();
    }

    seed::test::ProcessResult adm(std::vector<std::string> args) {
        args.insert(args.begin(), udevadm_);
        auto r = seed::test::run_process(args, {{"SYSTEMD_IGNORE_CHROOT", "1"}});
        if (r.exit_code != 0)
            tool_output_ += "udevadm " + args[1] + ": exit " + std::to_string(r.exit_code) + ": " +
                            r.out + r.err + "\n";
        return r;
    }

    bool exited() {
        int status = 0;
        if (pid_ > 0 && ::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return true;
        }
        return false;
    }

    void stop() {
        if (pid_ <= 0)
            return;
        adm({"control", "--exit"});
        for (int i = 0; i < 200 && !exited(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
            pid_ = -1;
        }
    }

    // The guest's /etc is the host's; without the group, a copy of
    // /etc/group with it is mounted over the original, in the guest only.
    void ensure_group() {
        if (::getgrnam(kGroup) != nullptr)
            return;
        gid_t gid = 999;
        while (gid > 100 && ::getgrgid(gid) != nullptr)
            --gid;
        const std::string copy = "/run/seed-test-group";
        std::filesystem::copy_file("/etc/group", copy,
                                   std::filesystem::copy_options::overwrite_existing);
        std::ofstream(copy, std::ios::app) << kGroup << ":x:" << gid << ":\n";
        if (::mount(copy.c_str(), "/etc/group", nullptr, MS_BIND, nullptr) != 0)
            throw std::runtime_error("cannot provide group " + std::string(kGroup));
        group_mounted_ = true;
    }

    std::string udevadm_;
    pid_t pid_ = -1;
    bool group_mounted_ = false;
    std::string tool_output_;
};

} // namespace seed::vm
