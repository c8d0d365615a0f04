/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * hwmon interface: temperature and power for lm-sensors and monitoring.
 */
#ifndef __SEED_HWMON_H__
#define __SEED_HWMON_H__

struct seed_device;

int seed_hwmon_init(struct seed_device *sdev);

#endif /* __SEED_HWMON_H__ */
