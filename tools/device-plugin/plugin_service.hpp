// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// The DevicePlugin gRPC service (kubelet's device plugin API v1beta1) over
// the inventory: device IDs are chip UUIDs, health comes from the health
// monitor, Allocate gives accel nodes, SEED_VISIBLE_DEVICES and CDI names.
#pragma once

#include "inventory.hpp"

#include "deviceplugin_v1beta1.grpc.pb.h"

#include <atomic>

namespace seed::plugin {

struct ServiceOptions {
    bool cdi_devices = true; ///< name the chips' CDI devices in Allocate answers
};

class DevicePluginService final : public v1beta1::DevicePlugin::Service {
public:
    DevicePluginService(Inventory& inventory, ServiceOptions options,
                        const std::atomic<bool>& stopping)
        : inventory_(inventory), options_(options), stopping_(stopping) {}

    grpc::Status GetDevicePluginOptions(grpc::ServerContext* context, const v1beta1::Empty* request,
                                        v1beta1::DevicePluginOptions* response) override;
    grpc::Status ListAndWatch(grpc::ServerContext* context, const v1beta1::Empty* request,
                              grpc::ServerWriter<v1beta1::ListAndWatchResponse>* writer) override;
    grpc::Status GetPreferredAllocation(grpc::ServerContext* context,
                                        const v1beta1::PreferredAllocationRequest* request,
                                        v1beta1::PreferredAllocationResponse* response) override;
    grpc::Status Allocate(grpc::ServerContext* context, const v1beta1::AllocateRequest* request,
                          v1beta1::AllocateResponse* response) override;
    grpc::Status PreStartContainer(grpc::ServerContext* context,
                                   const v1beta1::PreStartContainerRequest* request,
                                   v1beta1::PreStartContainerResponse* response) override;

private:
    Inventory& inventory_;
    ServiceOptions options_;
    const std::atomic<bool>& stopping_;
};

/// The ListAndWatch message for @p chips.
[[nodiscard]] v1beta1::ListAndWatchResponse device_list(const std::vector<Chip>& chips);

} // namespace seed::plugin
