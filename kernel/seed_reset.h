/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Recovery ladder (docs/hardware.md §17.7, §17.8): queue reset, device
 * reset, bus reset, device lost; and the job timeout watchdog. Internal to
 * the execution subsystem.
 */
#ifndef __SEED_RESET_H__
#define __SEED_RESET_H__

#include <linux/pci.h>
#include <linux/types.h>

struct dma_fence;
struct seed_device;
struct seed_hwq;
struct work_struct;

extern unsigned int seed_job_timeout_ms;

int seed_exec_recover_hwq(struct seed_hwq *hwq, struct dma_fence *hint, const char *reason);
int seed_exec_reset_device_locked(struct seed_device *sdev, const char *reason);
void seed_exec_reset_init(struct seed_device *sdev);
void seed_exec_pci_reset_prepare(struct seed_device *sdev);
int seed_exec_pci_reset_done(struct seed_device *sdev);
void seed_exec_suspend(struct seed_device *sdev);
int seed_exec_resume(struct seed_device *sdev);
pci_ers_result_t seed_exec_pci_error_detected(struct seed_device *sdev,
					      pci_channel_state_t state);
pci_ers_result_t seed_exec_pci_mmio_enabled(struct seed_device *sdev);
pci_ers_result_t seed_exec_pci_slot_reset(struct seed_device *sdev);
void seed_exec_shutdown(struct seed_device *sdev);
void seed_exec_run_deferred_reset(struct seed_device *sdev);

void seed_hwq_watch(struct seed_hwq *hwq);
void seed_hwq_watchdog_work(struct work_struct *work);

#endif /* __SEED_RESET_H__ */
