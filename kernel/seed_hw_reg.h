/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Register map, BAR layout and interrupt vectors of the chip. They are
 * defined once, in include/hw/, shared byte for byte with the device model;
 * this header is the only place the driver takes them from.
 */
#ifndef __SEED_HW_REG_H__
#define __SEED_HW_REG_H__

#include <hw/seed_hw.h>

#endif /* __SEED_HW_REG_H__ */
