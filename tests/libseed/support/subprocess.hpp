// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// run_process(): run a program, capture its exit status, stdout and stderr.
// Header-only test support shared by the host and VM test suites.
#pragma once

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <grp.h>
#include <map>
#include <optional>
#include <poll.h>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace seed::test {

struct ProcessResult {
    int exit_code = -1; ///< exit status, or 128 + signal number
    std::string out;
    std::string err;
};

/// Environment changes for the child: a value sets the variable,
/// std::nullopt unsets it.
using EnvChanges = std::map<std::string, std::optional<std::string>>;

/// Runs @p argv; with @p as_user, the child takes that uid and gid (the
/// caller must be root) before exec, and exits 126 if it cannot.
inline ProcessResult run_process(const std::vector<std::string>& argv,
                                 const EnvChanges& env_changes = {},
                                 std::optional<uid_t> as_user = std::nullopt) {
    if (argv.empty())
        throw std::invalid_argument("run_process: empty argv");

    // Build argv and envp before fork(): the child only calls exec.
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string entry(*e);
        const std::string name = entry.substr(0, entry.find('='));
        if (env_changes.count(name) == 0)
            env_strings.push_back(entry);
    }
    for (const auto& [name, value] : env_changes) {
        if (value)
            env_strings.push_back(name + '=' + *value);
    }
    std::vector<char*> envp;
    for (auto& s : env_strings)
        envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> args = argv;
    std::vector<char*> argp;
    for (auto& s : args)
        argp.push_back(s.data());
    argp.push_back(nullptr);

    int out_pipe[2];
    int err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0)
        throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
        ::close(out_pipe[0]);
        ::close(out_pipe[1]);
        throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
    }

    const pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(out_pipe[1], STDOUT_FILENO);
        ::dup2(err_pipe[1], STDERR_FILENO);
        if (as_user &&
            (::setgroups(0, nullptr) != 0 || ::setgid(*as_user) != 0 || ::setuid(*as_user) != 0))
            ::_exit(126);
        ::execve(argp[0], argp.data(), envp.data());
        ::_exit(127);
    }
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    if (pid < 0) {
        ::close(out_pipe[0]);
        ::close(err_pipe[0]);
        throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
    }

    ProcessResult result;
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    std::string* sinks[2] = {&result.out, &result.err};
    int open_fds = 2;
    while (open_fds > 0) {
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0)
                continue;
            char buf[4096];
            const ssize_t n = ::read(fds[i].fd, buf, sizeof(buf));
            if (n > 0) {
                sinks[i]->append(buf, static_cast<std::size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open_fds;
            }
        }
    }
    for (const auto& p : fds) {
        if (p.fd >= 0)
            ::close(p.fd);
    }

    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status))
        result.exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        result.exit_code = 128 + WTERMSIG(status);
    return result;
}

} // namespace seed::test
