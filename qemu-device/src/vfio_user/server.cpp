// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Server: vfio-user command validation and dispatch.
#include "vfio_user/server.h"

#include "dma.h"
#include "log.h"
#include "vfio_user/listener.h"

#include <poll.h>

#include <nlohmann/json.hpp>

#include <bit>
#include <cerrno>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

namespace seed::device::vfio_user {
namespace {

/// The VERSION reply JSON; kept short because the reply must not be larger
/// than QEMU's request.
const std::string& version_json() {
    static const std::string json = fmt::format(
        R"({{"capabilities":{{"max_msg_fds":{},"max_data_xfer_size":{},"pgsizes":{},"max_dma_maps":{}}}}})",
        kMaxMsgFds, kMaxDataXferSize, kDmaPageSizes, kMaxDmaMaps);
    return json;
}

/// Copies the fixed-size start of @p payload into @p out.
template <typename T>
bool read_struct(std::span<const uint8_t> payload, T& out) {
    if (payload.size() < sizeof(T))
        return false;
    std::memcpy(&out, payload.data(), sizeof(T));
    return true;
}

template <typename T>
void append(std::vector<uint8_t>& out, const T& value) {
    const auto* p = reinterpret_cast<const uint8_t*>(&value);
    out.insert(out.end(), p, p + sizeof(T));
}

std::string_view command_name(uint16_t command) {
    switch (command) {
    case kCmdVersion:
        return "VERSION";
    case kCmdDmaMap:
        return "DMA_MAP";
    case kCmdDmaUnmap:
        return "DMA_UNMAP";
    case kCmdDeviceGetInfo:
        return "DEVICE_GET_INFO";
    case kCmdDeviceGetRegionInfo:
        return "DEVICE_GET_REGION_INFO";
    case kCmdDeviceGetRegionIoFds:
        return "DEVICE_GET_REGION_IO_FDS";
    case kCmdDeviceGetIrqInfo:
        return "DEVICE_GET_IRQ_INFO";
    case kCmdDeviceSetIrqs:
        return "DEVICE_SET_IRQS";
    case kCmdRegionRead:
        return "REGION_READ";
    case kCmdRegionWrite:
        return "REGION_WRITE";
    case kCmdDmaRead:
        return "DMA_READ";
    case kCmdDmaWrite:
        return "DMA_WRITE";
    case kCmdDeviceReset:
        return "DEVICE_RESET";
    case kCmdDirtyPages:
        return "DIRTY_PAGES";
    case kCmdRegionWriteMulti:
        return "REGION_WRITE_MULTI";
    case kCmdDeviceFeature:
        return "DEVICE_FEATURE";
    case kCmdMigDataRead:
        return "MIG_DATA_READ";
    case kCmdMigDataWrite:
        return "MIG_DATA_WRITE";
    default:
        return "unknown";
    }
}

/// Checks the client's VERSION capabilities; true if well formed.
bool valid_capabilities(std::string_view text) {
    if (text.empty())
        return true;
    auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded() || !json.is_object())
        return false;
    auto caps = json.find("capabilities");
    if (caps == json.end())
        return true;
    if (!caps->is_object())
        return false;
    for (const char* key : {"max_msg_fds", "max_data_xfer_size", "pgsizes", "max_dma_maps"}) {
        auto it = caps->find(key);
        if (it != caps->end() && !it->is_number_unsigned())
            return false;
    }
    for (const char* key : {"migration", "twin_socket"}) {
        auto it = caps->find(key);
        if (it != caps->end() && !it->is_object())
            return false;
    }
    auto wm = caps->find("write_multiple");
    return wm == caps->end() || wm->is_boolean();
}

} // namespace

int Server::run(Listener& listener, int stop_fd) {
    std::vector<pollfd> fds;
    for (;;) {
        fds.assign({{listener.fd(), POLLIN, 0}, {stop_fd, POLLIN, 0}});
        if (extra_ != nullptr)
            extra_->add_fds(fds);
        int n = ::poll(fds.data(), fds.size(), -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int err = errno;
            log::error("poll on listening socket: {}", std::strerror(err));
            return -err;
        }
        if (fds[1].revents != 0)
            return 0;
        if (fds.size() > 2)
            extra_->handle(std::span<const pollfd>(fds).subspan(2));
        if ((fds[0].revents & (POLLERR | POLLNVAL)) != 0) {
            log::error("listening socket failed");
            return -EIO;
        }
        if ((fds[0].revents & POLLIN) == 0)
            continue;
        UniqueFd client = listener.accept();
        if (!client.valid())
            continue;
        log::info("client connected");
        ServeResult result = serve(std::move(client), stop_fd);
        if (result == ServeResult::kStopped)
            return 0;
        log::info("client {}; waiting for the next one",
                  result == ServeResult::kDisconnected ? "disconnected" : "dropped");
    }
}

ServeResult Server::serve(UniqueFd client, int stop_fd) {
    Channel channel(std::move(client), stop_fd, extra_);
    negotiated_ = false;
    ServeResult result = ServeResult::kDisconnected;
    for (;;) {
        Message msg;
        RecvStatus status = channel.receive(msg);
        if (status == RecvStatus::kOk) {
            if (handle(channel, msg))
                continue;
            result = ServeResult::kProtocolError;
        } else if (status == RecvStatus::kCancelled) {
            result = ServeResult::kStopped;
        } else if (status == RecvStatus::kEof) {
            result = ServeResult::kDisconnected;
        } else {
            result = ServeResult::kProtocolError;
        }
        break;
    }
    // The client's memory and eventfds mean nothing without it; the device
    // itself keeps its state for the next client.
    backend_.dma().unmap_all();
    backend_.client_disconnected();
    negotiated_ = false;
    return result;
}

bool Server::handle(Channel& channel, Message& msg) {
    const Header& hdr = msg.header;
    if ((hdr.flags & kFlagTypeMask) != kFlagTypeCommand) {
        // This server never sends requests, so there is nothing to match.
        log::warn("vfio-user: unexpected message type {:#x} (id {}, command {}); ignored",
                  hdr.flags & kFlagTypeMask, hdr.msg_id, hdr.command);
        return true;
    }
    log::debug("vfio-user: {} id {} size {} fds {}{}", command_name(hdr.command), hdr.msg_id,
               hdr.size, msg.fds.size(), (hdr.flags & kFlagNoReply) ? " (no reply)" : "");

    Reply reply;
    if (!negotiated_ && hdr.command != kCmdVersion) {
        log::warn("vfio-user: {} before VERSION", command_name(hdr.command));
        reply.error = EINVAL;
    } else {
        reply = dispatch(msg);
    }
    if (!msg.fds.empty())
        log::debug("vfio-user: closing {} unexpected fds on {}", msg.fds.size(),
                   command_name(hdr.command));

    if ((hdr.flags & kFlagNoReply) != 0) {
        // Never answer, not even with an error: QEMU would desync.
        if (reply.error != 0)
            log::debug("vfio-user: posted {} failed: {}", command_name(hdr.command),
                       std::strerror(reply.error));
        return true;
    }

    Header out{};
    out.msg_id = hdr.msg_id;
    out.command = hdr.command;
    int ret;
    if (reply.error != 0) {
        out.flags = kFlagTypeReply | kFlagError;
        out.error = static_cast<uint32_t>(reply.error);
        ret = channel.send(out, {});
    } else {
        out.flags = kFlagTypeReply;
        ret = channel.send(out, reply.payload);
    }
    if (ret != 0) {
        log::warn("vfio-user: sending reply to {} failed: {}", command_name(hdr.command),
                  std::strerror(-ret));
        return false;
    }
    return true;
}

Server::Reply Server::dispatch(Message& msg) {
    switch (msg.header.command) {
    case kCmdVersion:
        return handle_version(msg);
    case kCmdDmaMap:
        return handle_dma_map(msg);
    case kCmdDmaUnmap:
        return handle_dma_unmap(msg);
    case kCmdDeviceGetInfo:
        return handle_device_get_info(msg);
    case kCmdDeviceGetRegionInfo:
        return handle_get_region_info(msg);
    case kCmdDeviceGetIrqInfo:
        return handle_get_irq_info(msg);
    case kCmdDeviceSetIrqs:
        return handle_set_irqs(msg);
    case kCmdRegionRead:
        return handle_region_read(msg);
    case kCmdRegionWrite:
        return handle_region_write(msg);
    case kCmdDeviceReset:
        return handle_device_reset(msg);
    case kCmdDeviceFeature:
        return {ENOTSUP, {}};
    default:
        log::debug("vfio-user: {} ({}) not implemented", command_name(msg.header.command),
                   msg.header.command);
        return {ENOSYS, {}};
    }
}

Server::Reply Server::handle_version(const Message& msg) {
    VersionPayload version{};
    if (negotiated_) {
        log::warn("vfio-user: VERSION sent twice");
        return {EINVAL, {}};
    }
    if (!read_struct(msg.payload, version)) {
        log::warn("vfio-user: VERSION payload too short ({} bytes)", msg.payload.size());
        return {EINVAL, {}};
    }
    if (version.major != 0) {
        log::warn("vfio-user: client protocol version {}.{} not supported", version.major,
                  version.minor);
        return {ENOTSUP, {}};
    }
    std::span<const uint8_t> json = std::span(msg.payload).subspan(sizeof(VersionPayload));
    if (!json.empty()) {
        if (json.back() != 0) {
            log::warn("vfio-user: VERSION capabilities not NUL terminated");
            return {EINVAL, {}};
        }
        std::string_view text(reinterpret_cast<const char*>(json.data()), json.size() - 1);
        if (text.find('\0') != std::string_view::npos || !valid_capabilities(text)) {
            log::warn("vfio-user: malformed VERSION capabilities");
            return {EINVAL, {}};
        }
    }

    Reply reply;
    append(reply.payload, VersionPayload{0, 0});
    const std::string& caps = version_json();
    // The reply must fit the client's receive buffer, which is sized like its
    // request; a bare version means "defaults".
    if (sizeof(Header) + sizeof(VersionPayload) + caps.size() + 1 <= msg.header.size) {
        reply.payload.insert(reply.payload.end(), caps.begin(), caps.end());
        reply.payload.push_back(0);
    }
    negotiated_ = true;
    return reply;
}

Server::Reply Server::handle_dma_map(Message& msg) {
    DmaMapPayload req{};
    if (!read_struct(msg.payload, req) || req.argsz < sizeof(req) ||
        req.argsz > msg.payload.size()) {
        log::warn("vfio-user: DMA_MAP: bad size");
        return {EINVAL, {}};
    }
    if ((req.flags & ~(kDmaMapFlagRead | kDmaMapFlagWrite)) != 0 || msg.fds.size() > 1 ||
        msg.fds_truncated) {
        log::warn("vfio-user: DMA_MAP: bad flags {:#x} or {} fds", req.flags, msg.fds.size());
        return {EINVAL, {}};
    }
    UniqueFd fd;
    if (!msg.fds.empty()) {
        fd = std::move(msg.fds[0]);
        msg.fds.clear();
    }
    uint32_t prot = ((req.flags & kDmaMapFlagRead) ? kDmaProtRead : 0) |
                    ((req.flags & kDmaMapFlagWrite) ? kDmaProtWrite : 0);
    log::debug("vfio-user: DMA_MAP iova {:#x} size {:#x} prot {} fd offset {:#x}{}", req.iova,
               req.size, prot, req.offset, fd.valid() ? "" : " (no fd)");
    int ret = backend_.dma().map(req.iova, req.size, prot, std::move(fd), req.offset);
    if (ret != 0) {
        log::warn("vfio-user: DMA_MAP iova {:#x} size {:#x} failed: {}", req.iova, req.size,
                  std::strerror(-ret));
        return {-ret, {}};
    }
    return {};
}

Server::Reply Server::handle_dma_unmap(const Message& msg) {
    DmaUnmapPayload req{};
    if (!read_struct(msg.payload, req) || req.argsz < sizeof(req) ||
        req.argsz > msg.payload.size()) {
        log::warn("vfio-user: DMA_UNMAP: bad size");
        return {EINVAL, {}};
    }
    if ((req.flags & kDmaUnmapFlagGetDirtyBitmap) != 0)
        return {ENOTSUP, {}};
    if ((req.flags & ~kDmaUnmapFlagAll) != 0) {
        log::warn("vfio-user: DMA_UNMAP: bad flags {:#x}", req.flags);
        return {EINVAL, {}};
    }
    if ((req.flags & kDmaUnmapFlagAll) != 0) {
        if (req.iova != 0 || req.size != 0)
            return {EINVAL, {}};
        backend_.dma().unmap_all();
    } else {
        if (req.size == 0 || req.iova + (req.size - 1) < req.iova)
            return {EINVAL, {}};
        size_t n = backend_.dma().unmap(req.iova, req.size);
        log::debug("vfio-user: DMA_UNMAP iova {:#x} size {:#x}: {} maps removed", req.iova,
                   req.size, n);
    }
    Reply reply;
    req.argsz = sizeof(req);
    append(reply.payload, req);
    return reply;
}

Server::Reply Server::handle_device_get_info(const Message& msg) {
    DeviceInfoPayload req{};
    if (!read_struct(msg.payload, req) || req.argsz < sizeof(req))
        return {EINVAL, {}};
    DeviceInfoPayload info{};
    info.argsz = sizeof(info);
    info.flags = kDeviceFlagPci | kDeviceFlagReset;
    info.num_regions = backend_.region_count();
    info.num_irqs = backend_.irq_count();
    Reply reply;
    append(reply.payload, info);
    return reply;
}

Server::Reply Server::handle_get_region_info(const Message& msg) {
    RegionInfoPayload req{};
    if (!read_struct(msg.payload, req) || req.argsz < sizeof(req))
        return {EINVAL, {}};
    if (req.index >= backend_.region_count())
        return {EINVAL, {}};
    RegionInfo region = backend_.region_info(req.index);
    RegionInfoPayload info{};
    info.argsz = sizeof(info); // no capabilities (sparse mmap) yet
    info.flags = region.flags;
    info.index = req.index;
    info.size = region.size;
    Reply reply;
    append(reply.payload, info);
    return reply;
}

Server::Reply Server::handle_get_irq_info(const Message& msg) {
    IrqInfoPayload req{};
    if (!read_struct(msg.payload, req) || req.argsz < sizeof(req))
        return {EINVAL, {}};
    if (req.index >= backend_.irq_count())
        return {EINVAL, {}};
    IrqInfo irq = backend_.irq_info(req.index);
    IrqInfoPayload info{};
    info.argsz = sizeof(info);
    info.flags = irq.flags;
    info.index = req.index;
    info.count = irq.count;
    Reply reply;
    append(reply.payload, info);
    return reply;
}

Server::Reply Server::handle_set_irqs(Message& msg) {
    SetIrqsPayload req{};
    if (!read_struct(msg.payload, req) || req.argsz < sizeof(req)) {
        log::warn("vfio-user: SET_IRQS: bad size");
        return {EINVAL, {}};
    }
    const uint32_t data = req.flags & kIrqSetDataTypeMask;
    const uint32_t action = req.flags & kIrqSetActionTypeMask;
    if (std::popcount(data) != 1 || std::popcount(action) != 1 ||
        (req.flags & ~(kIrqSetDataTypeMask | kIrqSetActionTypeMask)) != 0 ||
        req.index >= backend_.irq_count()) {
        log::warn("vfio-user: SET_IRQS: bad flags {:#x} or index {}", req.flags, req.index);
        return {EINVAL, {}};
    }
    IrqInfo info = backend_.irq_info(req.index);
    if (req.count == 0) {
        if (data != kIrqSetDataNone)
            return {EINVAL, {}};
    } else if (req.start > info.count || req.count > info.count - req.start) {
        log::warn("vfio-user: SET_IRQS: index {} range [{}+{}) beyond {} vectors", req.index,
                  req.start, req.count, info.count);
        return {EINVAL, {}};
    }

    IrqSet set;
    set.flags = req.flags;
    set.index = req.index;
    set.start = req.start;
    set.count = req.count;
    if (data == kIrqSetDataBool) {
        if (msg.payload.size() < sizeof(req) + req.count)
            return {EINVAL, {}};
        set.bools = std::span(msg.payload).subspan(sizeof(req), req.count);
    }
    if (data == kIrqSetDataEventfd) {
        if (action != kIrqSetActionTrigger || (info.flags & kIrqInfoEventfd) == 0 ||
            msg.fds_truncated || (!msg.fds.empty() && msg.fds.size() != req.count)) {
            log::warn("vfio-user: SET_IRQS: {} fds for {} vectors (flags {:#x})", msg.fds.size(),
                      req.count, req.flags);
            return {EINVAL, {}};
        }
        set.fds = std::move(msg.fds);
        msg.fds.clear();
    } else if (!msg.fds.empty()) {
        log::warn("vfio-user: SET_IRQS: fds without DATA_EVENTFD");
        return {EINVAL, {}};
    }
    int ret = backend_.set_irqs(set);
    if (ret != 0)
        return {-ret, {}};
    return {};
}

Server::Reply Server::handle_region_read(const Message& msg) {
    RegionAccessPayload req{};
    if (!read_struct(msg.payload, req))
        return {EINVAL, {}};
    if (req.region >= backend_.region_count() || req.count == 0 || req.count > kMaxDataXferSize) {
        log::warn("vfio-user: REGION_READ: bad region {} or count {}", req.region, req.count);
        return {EINVAL, {}};
    }
    RegionInfo region = backend_.region_info(req.region);
    if ((region.flags & kRegionFlagRead) == 0 || req.offset > region.size ||
        req.count > region.size - req.offset) {
        log::warn("vfio-user: REGION_READ: [{:#x}+{}) outside region {} (size {:#x})", req.offset,
                  req.count, req.region, region.size);
        return {EINVAL, {}};
    }
    Reply reply;
    append(reply.payload, req);
    reply.payload.resize(sizeof(req) + req.count);
    int ret =
        backend_.region_read(req.region, req.offset, std::span(reply.payload).subspan(sizeof(req)));
    if (ret != 0)
        return {-ret, {}};
    return reply;
}

Server::Reply Server::handle_region_write(const Message& msg) {
    RegionAccessPayload req{};
    if (!read_struct(msg.payload, req) || msg.payload.size() - sizeof(req) != req.count) {
        log::warn("vfio-user: REGION_WRITE: payload does not match count");
        return {EINVAL, {}};
    }
    if (req.region >= backend_.region_count() || req.count == 0 || req.count > kMaxDataXferSize) {
        log::warn("vfio-user: REGION_WRITE: bad region {} or count {}", req.region, req.count);
        return {EINVAL, {}};
    }
    RegionInfo region = backend_.region_info(req.region);
    if ((region.flags & kRegionFlagWrite) == 0 || req.offset > region.size ||
        req.count > region.size - req.offset) {
        log::warn("vfio-user: REGION_WRITE: [{:#x}+{}) outside region {} (size {:#x})", req.offset,
                  req.count, req.region, region.size);
        return {EINVAL, {}};
    }
    int ret =
        backend_.region_write(req.region, req.offset, std::span(msg.payload).subspan(sizeof(req)));
    if (ret != 0)
        return {-ret, {}};
    Reply reply;
    append(reply.payload, req);
    return reply;
}

Server::Reply Server::handle_device_reset(const Message& msg) {
    (void)msg;
    log::info("device reset by the client");
    backend_.reset();
    return {};
}

} // namespace seed::device::vfio_user
