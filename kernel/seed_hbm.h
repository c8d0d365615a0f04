/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * HBM allocator (docs/hardware.md §6), private to the memory subsystem.
 */
#ifndef __SEED_HBM_H__
#define __SEED_HBM_H__

#include <linux/list.h>
#include <linux/types.h>

struct seed_device;

int seed_hbm_init(struct seed_device *sdev);
int seed_hbm_alloc(struct seed_device *sdev, u64 size, struct list_head *blocks);
void seed_hbm_free(struct seed_device *sdev, u64 size, struct list_head *blocks);

#endif /* __SEED_HBM_H__ */
