// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include "cdi.hpp"

#include <nlohmann/json.hpp>

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

std::string render_cdi_spec(std::span<const seed_mgmt_identity> chips) {
    using Json = nlohmann::ordered_json;
    Json devices = Json::array();
    Json all_nodes = Json::array();
    for (const auto& chip : chips) {
        const Json node = {{"path", chip.node}, {"type", "c"}, {"permissions", "rw"}};
        all_nodes.push_back(node);
        const Json edits = {{"deviceNodes", Json::array({node})}};
        devices.push_back({{"name", std::to_string(chip.index)}, {"containerEdits", edits}});
        devices.push_back({{"name", std::string(chip.uuid)}, {"containerEdits", edits}});
    }
    if (!chips.empty())
        devices.push_back({{"name", "all"}, {"containerEdits", {{"deviceNodes", all_nodes}}}});
    const Json spec = {{"cdiVersion", cdi_version}, {"kind", cdi_kind}, {"devices", devices}};
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
