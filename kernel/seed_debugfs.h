/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * debugfs: driver state for developers and admins (root only).
 */
#ifndef __SEED_DEBUGFS_H__
#define __SEED_DEBUGFS_H__

struct seed_device;

void seed_debugfs_init(struct seed_device *sdev);

#endif /* __SEED_DEBUGFS_H__ */
