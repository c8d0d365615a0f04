// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
#include "plugin_service.hpp"

#include "allocation.hpp"

#include <iostream>

namespace seed::plugin {

v1beta1::ListAndWatchResponse device_list(const std::vector<Chip>& chips) {
    v1beta1::ListAndWatchResponse out;
    for (const auto& chip : chips) {
        auto* d = out.add_devices();
        d->set_id(chip.uuid);
        d->set_health(chip.healthy ? "Healthy" : "Unhealthy");
        // Without a NUMA node kubelet's topology manager treats the device
        // as usable from anywhere.
        if (chip.numa_node >= 0)
            d->mutable_topology()->add_nodes()->set_id(chip.numa_node);
    }
    return out;
}

grpc::Status DevicePluginService::GetDevicePluginOptions(grpc::ServerContext* /*context*/,
                                                         const v1beta1::Empty* /*request*/,
                                                         v1beta1::DevicePluginOptions* response) {
    response->set_pre_start_required(false);
    response->set_get_preferred_allocation_available(true);
    return grpc::Status::OK;
}

grpc::Status
DevicePluginService::ListAndWatch(grpc::ServerContext* context, const v1beta1::Empty* /*request*/,
                                  grpc::ServerWriter<v1beta1::ListAndWatchResponse>* writer) {
    std::uint64_t seen = inventory_.generation();
    if (!writer->Write(device_list(inventory_.chips())))
        return grpc::Status::OK;
    while (!context->IsCancelled() && !stopping_.load()) {
        const std::uint64_t now = inventory_.wait_change(seen, std::chrono::seconds(1));
        if (now == seen)
            continue;
        seen = now;
        if (!writer->Write(device_list(inventory_.chips())))
            break; // kubelet went away
    }
    return grpc::Status::OK;
}

grpc::Status
DevicePluginService::GetPreferredAllocation(grpc::ServerContext* /*context*/,
                                            const v1beta1::PreferredAllocationRequest* request,
                                            v1beta1::PreferredAllocationResponse* response) {
    const auto chips = inventory_.chips();
    try {
        for (const auto& req : request->container_requests()) {
            const std::vector<std::string> available(req.available_deviceids().begin(),
                                                     req.available_deviceids().end());
            const std::vector<std::string> must(req.must_include_deviceids().begin(),
                                                req.must_include_deviceids().end());
            auto* out = response->add_container_responses();
            for (const auto& uuid :
                 preferred_allocation(chips, available, must, req.allocation_size()))
                out->add_deviceids(uuid);
        }
    } catch (const AllocationError& e) {
        return {grpc::StatusCode::INVALID_ARGUMENT, e.what()};
    }
    return grpc::Status::OK;
}

grpc::Status DevicePluginService::Allocate(grpc::ServerContext* /*context*/,
                                           const v1beta1::AllocateRequest* request,
                                           v1beta1::AllocateResponse* response) {
    const auto chips = inventory_.chips();
    try {
        for (const auto& req : request->container_requests()) {
            const std::vector<std::string> uuids(req.devices_ids().begin(),
                                                 req.devices_ids().end());
            const ContainerEdits edits = container_edits(chips, uuids);
            auto* out = response->add_container_responses();
            for (const auto& [key, value] : edits.env)
                (*out->mutable_envs())[key] = value;
            for (const auto& node : edits.nodes) {
                auto* spec = out->add_devices();
                spec->set_container_path(node);
                spec->set_host_path(node);
                spec->set_permissions("rw");
            }
            if (options_.cdi_devices) {
                for (const auto& name : edits.cdi_devices)
                    out->add_cdi_devices()->set_name(name);
            }
            std::cerr << "seed-device-plugin: allocated " << edits.env.at("SEED_VISIBLE_DEVICES")
                      << std::endl;
        }
    } catch (const AllocationError& e) {
        return {grpc::StatusCode::INVALID_ARGUMENT, e.what()};
    }
    return grpc::Status::OK;
}

grpc::Status DevicePluginService::PreStartContainer(grpc::ServerContext* /*context*/,
                                                    const v1beta1::PreStartContainerRequest*,
                                                    v1beta1::PreStartContainerResponse*) {
    return grpc::Status::OK; // not requested: pre_start_required is false
}

} // namespace seed::plugin
