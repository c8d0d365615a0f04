// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * hwmon interface (Documentation/hwmon/sysfs-interface.rst): temp1_input
 * and temp1_crit in millidegrees Celsius, power1_input and power1_cap in
 * microwatts. Values come from a telemetry snapshot (seed_telemetry.c).
 */

#include <linux/err.h>
#include <linux/hwmon.h>

#include "seed_drv.h"
#include "seed_hwmon.h"

static umode_t seed_hwmon_is_visible(const void *data, enum hwmon_sensor_types type,
				     u32 attr, int channel)
{
	switch (type) {
	case hwmon_temp:
		return (attr == hwmon_temp_input || attr == hwmon_temp_crit) ? 0444 : 0;
	case hwmon_power:
		return (attr == hwmon_power_input || attr == hwmon_power_cap) ? 0444 : 0;
	default:
		return 0;
	}
}

static int seed_hwmon_read(struct device *dev, enum hwmon_sensor_types type, u32 attr,
			   int channel, long *val)
{
	struct seed_device *sdev = dev_get_drvdata(dev);
	struct seed_telemetry snap;
	int ret;

	if (type == hwmon_temp && attr == hwmon_temp_crit) {
		*val = SEED_TELEM_T_CRIT_MC;
		return 0;
	}
	if (type == hwmon_power && attr == hwmon_power_cap) {
		*val = (long)SEED_TELEM_P_MAX_MW * 1000;
		return 0;
	}

	ret = seed_telemetry_read(sdev, &snap);
	if (ret)
		return ret;

	if (type == hwmon_temp && attr == hwmon_temp_input) {
		*val = (s32)snap.temp_mc;
		return 0;
	}
	if (type == hwmon_power && attr == hwmon_power_input) {
		*val = (long)snap.power_mw * 1000;
		return 0;
	}
	return -EOPNOTSUPP;
}

static const struct hwmon_ops seed_hwmon_ops = {
	.is_visible = seed_hwmon_is_visible,
	.read = seed_hwmon_read,
};

static const struct hwmon_channel_info *const seed_hwmon_info[] = {
	HWMON_CHANNEL_INFO(temp, HWMON_T_INPUT | HWMON_T_CRIT),
	HWMON_CHANNEL_INFO(power, HWMON_P_INPUT | HWMON_P_CAP),
	NULL
};

static const struct hwmon_chip_info seed_hwmon_chip_info = {
	.ops = &seed_hwmon_ops,
	.info = seed_hwmon_info,
};

/**
 * seed_hwmon_init() - register the hwmon device
 * @sdev: device; telemetry initialised
 *
 * The hwmon device is device managed: it goes away with the PCI device.
 * Readers racing with removal get -ENODEV from the telemetry snapshot.
 *
 * Return: 0 or a negative error code.
 */
int seed_hwmon_init(struct seed_device *sdev)
{
	struct device *hwmon;

	hwmon = devm_hwmon_device_register_with_info(sdev->drm.dev, "seedchip", sdev,
						     &seed_hwmon_chip_info, NULL);
	if (IS_ERR(hwmon))
		return PTR_ERR(hwmon);
	sdev->hwmon = hwmon;
	return 0;
}
