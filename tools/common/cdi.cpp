// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include "cdi.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <unistd.h>

namespace seed::fleet {

std::string cdi_device_name(const std::string& name) {
    return std::string(cdi_kind) + '=' + name;
}

std::string cdi_env_name(const std::string& uuid) {
    std::string name = "SEED_VISIBLE_DEVICE_";
    for (const char c : uuid)
        if (c != '-')
            name += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return name;
}

std::string render_cdi_spec(std::span<const seed_mgmt_identity> chips) {
    using Json = nlohmann::ordered_json;
    Json devices = Json::array();
    Json all_nodes = Json::array();
    Json all_env = Json::array();
    for (const auto& chip : chips) {
        const Json node = {{"path", chip.node}, {"type", "c"}, {"permissions", "rw"}};
        const std::string uuid = chip.uuid;
        const std::string env = cdi_env_name(uuid) + '=' + uuid;
        all_nodes.push_back(node);
        all_env.push_back(env);
        const Json edits = {{"deviceNodes", Json::array({node})}, {"env", Json::array({env})}};
        for (const std::string& name : {std::to_string(chip.index), uuid})
            devices.push_back({{"name", name}, {"containerEdits", edits}});
    }
    if (!chips.empty())
        devices.push_back(
            {{"name", "all"}, {"containerEdits", {{"deviceNodes", all_nodes}, {"env", all_env}}}});
    Json spec;
    spec["cdiVersion"] = cdi_version;
    spec["kind"] = cdi_kind;
    spec["devices"] = std::move(devices);
    return spec.dump(2) + '\n';
}

void write_file_atomically(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        throw std::runtime_error("cannot create " + tmp + ": " + std::strerror(errno));
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            const int err = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(err));
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0 || ::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw std::runtime_error("cannot write " + path + ": " + std::strerror(err));
    }
}

} // namespace seed::fleet
