// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// vfio-user VERSION negotiation: reply shape and size, malformed requests.
#include "fake_client.h"

#include <nlohmann/json.hpp>

#include <string>

namespace seed::device::test {
namespace {

using namespace vfio_user;

std::vector<uint8_t> version_payload(uint16_t major, uint16_t minor, std::string_view json,
                                     bool nul = true) {
    const VersionPayload version{major, minor};
    std::vector<uint8_t> payload(sizeof(version) + json.size() + (nul ? 1 : 0), 0);
    std::memcpy(payload.data(), &version, sizeof(version));
    std::memcpy(payload.data() + sizeof(version), json.data(), json.size());
    return payload;
}

class Handshake : public ServerTest {};

TEST_F(Handshake, QemuShapedVersion) {
    FakeClient client = connect();
    std::vector<uint8_t> request = version_payload(0, 0, kQemuVersionJson);
    Received reply = client.call(kCmdVersion, request);
    ASSERT_FALSE(reply.is_error());
    EXPECT_EQ(reply.header.flags, kFlagTypeReply);
    EXPECT_LE(reply.header.size, sizeof(Header) + request.size()) << "must fit QEMU's buffer";
    EXPECT_TRUE(reply.fds.empty());
    auto version = struct_at<VersionPayload>(reply.payload);
    EXPECT_EQ(version.major, 0);
    EXPECT_EQ(version.minor, 0);
    ASSERT_GT(reply.payload.size(), sizeof(VersionPayload) + 1);
    EXPECT_EQ(reply.payload.back(), 0) << "JSON must be NUL terminated";
    std::string text(reinterpret_cast<const char*>(reply.payload.data()) + 4,
                     reply.payload.size() - 5);
    auto json = nlohmann::json::parse(text, nullptr, false);
    ASSERT_FALSE(json.is_discarded()) << text;
    ASSERT_TRUE(json.is_object());
    const auto& caps = json.at("capabilities");
    EXPECT_EQ(caps.at("max_msg_fds").get<uint32_t>(), 16u);
    EXPECT_EQ(caps.at("max_data_xfer_size").get<uint32_t>(), 1u << 20);
    EXPECT_EQ(caps.at("pgsizes").get<uint64_t>(), 4096u);
    EXPECT_LE(caps.at("max_dma_maps").get<uint32_t>(), 65535u);
    EXPECT_FALSE(caps.contains("write_multiple"));
}

TEST_F(Handshake, BareVersionGetsBareReply) {
    FakeClient client = connect();
    Received reply = client.call(kCmdVersion, bytes_of(VersionPayload{0, 0}));
    ASSERT_FALSE(reply.is_error());
    EXPECT_EQ(reply.header.size, sizeof(Header) + sizeof(VersionPayload));
    // Negotiated: other commands work now.
    EXPECT_FALSE(
        client.call(kCmdDeviceGetInfo, bytes_of(DeviceInfoPayload{16, 0, 0, 0})).is_error());
}

TEST_F(Handshake, MalformedRequestsAreRejected) {
    FakeClient client = connect();
    const std::vector<std::vector<uint8_t>> bad = {
        version_payload(0, 0, "{not json"),
        version_payload(0, 0, "[1,2,3]"),
        version_payload(0, 0, R"({"capabilities":7})"),
        version_payload(0, 0, R"({"capabilities":{"max_msg_fds":"many"}})"),
        version_payload(0, 0, R"({"capabilities":{"write_multiple":1}})"),
        version_payload(0, 0, R"({"capabilities":{}})", /*nul=*/false),
        version_payload(1, 0, kQemuVersionJson),
        {0, 0}, // too short
    };
    for (const auto& payload : bad) {
        Received reply = client.call(kCmdVersion, payload);
        EXPECT_TRUE(reply.is_error());
        EXPECT_EQ(reply.header.flags, kFlagTypeReply | kFlagError);
        EXPECT_EQ(reply.header.size, sizeof(Header));
    }
    // None of that negotiated anything, and the stream is still in sync.
    EXPECT_TRUE(
        client.call(kCmdDeviceGetInfo, bytes_of(DeviceInfoPayload{16, 0, 0, 0})).is_error());
    client.handshake();
}

TEST_F(Handshake, CommandsBeforeVersionFail) {
    FakeClient client = connect();
    Received reply = client.region_read(kPciConfigRegionIndex, 0, 4);
    EXPECT_TRUE(reply.is_error());
    EXPECT_EQ(reply.header.error, static_cast<uint32_t>(EINVAL));
    client.handshake();
    EXPECT_EQ(client.read32(kPciConfigRegionIndex, 0), 0x00015eedu);
}

TEST_F(Handshake, SecondVersionFails) {
    FakeClient client = connect_negotiated();
    EXPECT_TRUE(client.call(kCmdVersion, version_payload(0, 0, kQemuVersionJson)).is_error());
    EXPECT_EQ(client.read32(kPciConfigRegionIndex, 0), 0x00015eedu);
}

TEST_F(Handshake, MinorVersionAboveZeroIsAnsweredWithZero) {
    FakeClient client = connect();
    Received reply = client.call(kCmdVersion, version_payload(0, 7, kQemuVersionJson));
    ASSERT_FALSE(reply.is_error());
    EXPECT_EQ(struct_at<VersionPayload>(reply.payload).minor, 0);
}

} // namespace
} // namespace seed::device::test
