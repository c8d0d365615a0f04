// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors

/*
 * seedchip-device: the SeedChip PCIe accelerator model, served to QEMU's
 * vfio-user-pci device over a UNIX socket.
 *
 * Usage:
 *
 *   seedchip-device --socket /tmp/sc0.sock [options] &
 *   qemu-system-x86_64 -machine q35,memory-backend=mem \
 *     -object memory-backend-memfd,id=mem,size=2G,share=on -m 2G \
 *     -device pcie-root-port,id=rp0,bus=pcie.0,chassis=1 \
 *     -device '{"driver":"vfio-user-pci","bus":"rp0",
 *               "socket":{"type":"unix","path":"/tmp/sc0.sock"}}'
 *
 * Guest RAM must be shared fd-backed memory (memory-backend-memfd or
 * memory-backend-file with share=on) for the device to reach it by DMA.
 *
 * Options (see --help):
 *
 * - `--socket PATH`
 *   UNIX socket to listen on. Required. A stale socket file at PATH (one no
 *   server is listening on) is removed first; a live socket or any other kind
 *   of file is an error. The socket is removed again on exit.
 *
 * - `--hbm SIZE`, default 1G
 *   Size of the on-card HBM in bytes, with an optional binary suffix K, M, G
 *   or T. From 64M to 1T, a multiple of 2M. Backed by sparse anonymous
 *   memory, so host memory is only used for pages the device touches.
 *   Reported in SEED_REG_HBM_SIZE_LO/HI.
 *
 * - `--queues N`, default 64
 *   Number of hardware queues, 1 to 64 (SEED_MAX_QUEUES). Reported in
 *   SEED_REG_QUEUE_INFO. The MSI-X table always has SEED_MSIX_VECTORS entries.
 *
 * - `--engines N`, default 4
 *   Number of compute engines, 1 to 16. Reported in SEED_REG_QUEUE_INFO.
 *
 * - `--uuid UUID`, default random (version 4)
 *   Device UUID in canonical 8-4-4-4-12 hex form. Reported in
 *   SEED_REG_UUID(0..3) in RFC 4122 byte order.
 *
 * - `--serial STR`, default "SC" + 10 upper-case hex digits of the UUID
 *   Serial number, 1 to 31 printable ASCII characters. Reported NUL-padded in
 *   SEED_REG_SERIAL(0..7) and used in the log prefix.
 *
 * - `--ready-fd FD`, default none
 *   Once the socket is listening, "ready\n" is written to FD and FD is
 *   closed, so that a launcher can start QEMU without racing the server.
 *
 * - `--log-level LEVEL`, default warn
 *   error, warn, info or debug. Log lines go to stderr, prefixed
 *   "seedchip-device[<serial>]:". Guest mistakes are logged at warn level,
 *   rate limited.
 *
 * - `--control PATH`, default none
 *   Fault injection control socket (docs/hardware.md §16.2): a UNIX stream
 *   socket taking one text command per line ("help", "status", "queue 3",
 *   "hang-queue 3 [sticky]", "ecc uncorrected 0x1000", "slow all 4",
 *   "fatal", "stop-responding", "resume", "clear", ...) and answering each
 *   with one "ok ..." or "error ..." line. Several clients may connect; it is
 *   served from the main thread's poll loop next to the vfio-user socket. A
 *   stale socket file is replaced; the socket is removed on exit. Nothing the
 *   guest can do reaches it.
 *
 * - `--fault CMD`, repeatable
 *   Runs control command CMD once the device exists and before the vfio-user
 *   socket accepts a connection, in order. A failing command is a usage
 *   error (exit status 2).
 *
 * - `--replay DUMP`
 *   Instead of serving QEMU: builds the device in this process, runs the
 *   failing job of a seed.ko coredump on it (replay.cpp) and exits 0 if the
 *   failure reproduces, 1 if it does not, 2 if DUMP is not a usable dump.
 *
 * - `--help`, `--version`
 *
 * Threads: the main thread serves the vfio-user socket and never waits for
 * device work; each hardware queue has an engine thread that runs its
 * packets (engine packets also take one of the --engines compute engines);
 * one timer thread runs the engine watchdog, held-off interrupts and FATAL
 * entry; a DEV_CTRL reset completes on a thread of its own.
 *
 * Exit status: 0 after SIGINT or SIGTERM, 1 on a runtime error, 2 on a usage
 * error. When the client disconnects, its DMA maps and interrupt fds are
 * dropped, the device state is kept, and the next client is accepted.
 */
#include "control_socket.h"
#include "fault_injector.h"
#include "log.h"
#include "options.h"
#include "replay.h"
#include "seedchip.h"
#include "unique_fd.h"
#include "vfio_user/listener.h"
#include "vfio_user/server.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>

using namespace seed::device;

namespace {

constexpr std::string_view kProgram = "seedchip-device";

// The main thread, which blocks the stop signals and reads them from a signalfd.
pid_t g_main_tid = 0;

/// Runs in a thread that did not block the stop signals: one created before
/// main() (a library's worker pool). Forwards the signal to the main thread,
/// where it stays pending and shows up on the signalfd. tgkill is a plain
/// system call, so this is async-signal-safe.
void forward_stop_signal(int sig) {
    const int saved = errno;
    ::syscall(SYS_tgkill, ::getpid(), g_main_tid, sig);
    errno = saved;
}

/// Writes "ready\n" to @p fd and closes it. Returns false on failure.
bool signal_ready(int fd) {
    UniqueFd owned(fd);
    static constexpr char kReady[] = "ready\n";
    size_t done = 0;
    while (done < sizeof(kReady) - 1) {
        ssize_t n = ::write(owned.get(), kReady + done, sizeof(kReady) - 1 - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            log::error("--ready-fd {}: write failed: {}", fd,
                       n < 0 ? std::strerror(errno) : "short write");
            return false;
        }
        done += static_cast<size_t>(n);
    }
    return true;
}

int run(const Options& opt) {
    log::set_level(opt.log_level);
    log::set_prefix(fmt::format("{}[{}]", kProgram, opt.serial));

    if (opt.ready_fd >= 0 && ::fcntl(opt.ready_fd, F_GETFD) < 0) {
        log::error("--ready-fd {}: not an open file descriptor", opt.ready_fd);
        return 2;
    }

    // Signals become events on the server's stop fd. Block them before any
    // thread is created so that every thread inherits the mask. Threads that
    // exist already (a library's worker pool started before main) forward
    // them to this thread instead of taking the default action.
    g_main_tid = static_cast<pid_t>(::syscall(SYS_gettid));
    struct sigaction forward {};
    forward.sa_handler = forward_stop_signal;
    sigemptyset(&forward.sa_mask);
    ::sigaction(SIGINT, &forward, nullptr);
    ::sigaction(SIGTERM, &forward, nullptr);
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    if (::sigprocmask(SIG_BLOCK, &stop_signals, nullptr) != 0) {
        log::error("sigprocmask: {}", std::strerror(errno));
        return 1;
    }
    ::signal(SIGPIPE, SIG_IGN);
    UniqueFd stop_fd(::signalfd(-1, &stop_signals, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!stop_fd.valid()) {
        log::error("signalfd: {}", std::strerror(errno));
        return 1;
    }

    SeedChipConfig config;
    config.hbm_size = opt.hbm_size;
    config.queues = opt.queues;
    config.engines = opt.engines;
    config.contexts = opt.contexts;
    config.uuid = opt.uuid;
    config.serial = opt.serial;
    auto chip = SeedChip::create(config);
    if (!chip)
        return 1;

    FaultInjector injector(*chip);
    for (const std::string& command : opt.faults) {
        auto reply = injector.execute(command);
        if (reply && reply->starts_with("error")) {
            log::error("--fault '{}': {}", command, *reply);
            return 2;
        }
    }
    std::unique_ptr<ControlSocket> control;
    if (!opt.control_path.empty()) {
        control = ControlSocket::create(opt.control_path, injector);
        if (!control)
            return 1;
    }

    auto listener = vfio_user::Listener::create(opt.socket_path);
    if (!listener)
        return 1;
    log::info("listening on {} (uuid {}, HBM {} MiB, {} queues, {} engines)", opt.socket_path,
              opt.uuid.to_string(), opt.hbm_size >> 20, opt.queues, opt.engines);
    if (opt.ready_fd >= 0 && !signal_ready(opt.ready_fd))
        return 1;

    vfio_user::Server server(*chip);
    server.set_poll_source(control.get());
    int ret = server.run(*listener, stop_fd.get());
    if (ret == 0)
        log::info("stopping");
    return ret == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    ParseResult parsed = parse_options(argc, argv);
    switch (parsed.action) {
    case ParseAction::kHelp:
        fmt::print("{}", usage_text(kProgram));
        return 0;
    case ParseAction::kVersion:
        fmt::print("{}", version_text());
        return 0;
    case ParseAction::kError:
        fmt::print(stderr, "{}: {}\nTry '{} --help' for more information.\n", kProgram,
                   parsed.error, kProgram);
        return 2;
    case ParseAction::kRun:
        break;
    }
    if (!parsed.options.replay_path.empty()) {
        log::set_level(parsed.options.log_level);
        log::set_prefix(std::string(kProgram));
        return replay_dump(parsed.options.replay_path, std::cout, std::cerr);
    }
    return run(parsed.options);
}
