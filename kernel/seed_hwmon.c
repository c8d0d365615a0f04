// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * hwmon interface (Documentation/hwmon/sysfs-interface.rst): temp1_input
 * and temp1_crit in millidegrees Celsius, power1_input, power1_cap,
 * power1_cap_min and power1_cap_max in microwatts. Temperature and power
 * come from a telemetry snapshot (seed_telemetry.c).
 *
 * power1_cap is the board power limit: on a chip with SEED_CAP_POWER_LIMIT
 * it reads and writes SEED_REG_POWER_LIMIT (docs/hardware.md 15.5; root
 * only, by the file's mode) between power1_cap_min and power1_cap_max;
 * without it, it is read-only and reports the rated board power.
 */

#include <linux/err.h>
#include <linux/hwmon.h>
#include <linux/limits.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include "seed_drv.h"
#include "seed_hw_reg_io.h"
#include "seed_hwmon.h"
#include "seed_pm.h"

static bool seed_hwmon_has_limit(const struct seed_device *sdev)
{
	return sdev->hw.caps & SEED_CAP_POWER_LIMIT;
}

static umode_t seed_hwmon_is_visible(const void *data, enum hwmon_sensor_types type,
				     u32 attr, int channel)
{
	const struct seed_device *sdev = data;

	switch (type) {
	case hwmon_temp:
		return (attr == hwmon_temp_input || attr == hwmon_temp_crit) ? 0444 : 0;
	case hwmon_power:
		if (attr == hwmon_power_input)
			return 0444;
		if (attr == hwmon_power_cap)
			return seed_hwmon_has_limit(sdev) ? 0644 : 0444;
		if (attr == hwmon_power_cap_min || attr == hwmon_power_cap_max)
			return seed_hwmon_has_limit(sdev) ? 0444 : 0;
		return 0;
	default:
		return 0;
	}
}

/* SEED_REG_POWER_LIMIT in mW, or a negative error code. */
static long seed_hwmon_limit_mw(struct seed_device *sdev)
{
	long mw;
	int idx, ret;
	bool woken;

	if (!drm_dev_enter(&sdev->drm, &idx))
		return -ENODEV;
	ret = seed_pm_get_brief(sdev, &woken);
	if (ret) {
		drm_dev_exit(idx);
		return ret;
	}
	mw = seed_rd32(sdev, SEED_REG_POWER_LIMIT);
	seed_pm_put_brief(sdev, woken);
	drm_dev_exit(idx);
	/* All ones: the device does not answer (e.g. during a link reset). */
	return mw == U32_MAX ? -EIO : mw;
}

static int seed_hwmon_write(struct device *dev, enum hwmon_sensor_types type, u32 attr,
			    int channel, long val)
{
	struct seed_device *sdev = dev_get_drvdata(dev);
	int idx, ret;
	bool woken;

	if (type != hwmon_power || attr != hwmon_power_cap || !seed_hwmon_has_limit(sdev))
		return -EOPNOTSUPP;
	/* Microwatts; the device takes milliwatts and clamps, the driver refuses. */
	if (val < (long)SEED_TELEM_P_LIMIT_MIN_MW * 1000 ||
	    val > (long)SEED_TELEM_P_MAX_MW * 1000)
		return -EINVAL;
	if (!drm_dev_enter(&sdev->drm, &idx))
		return -ENODEV;
	ret = seed_pm_get_brief(sdev, &woken);
	if (ret) {
		drm_dev_exit(idx);
		return ret;
	}
	seed_wr32(sdev, SEED_REG_POWER_LIMIT, (u32)(val / 1000));
	seed_pm_put_brief(sdev, woken);
	drm_dev_exit(idx);
	drm_info(&sdev->drm, "board power limit set to %ld mW\n", val / 1000);
	return 0;
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
	if (type == hwmon_power && attr == hwmon_power_cap_min) {
		*val = (long)SEED_TELEM_P_LIMIT_MIN_MW * 1000;
		return 0;
	}
	if (type == hwmon_power && attr == hwmon_power_cap_max) {
		*val = (long)SEED_TELEM_P_MAX_MW * 1000;
		return 0;
	}
	if (type == hwmon_power && attr == hwmon_power_cap) {
		long mw = SEED_TELEM_P_MAX_MW;

		if (seed_hwmon_has_limit(sdev)) {
			mw = seed_hwmon_limit_mw(sdev);
			if (mw < 0)
				return (int)mw;
		}
		*val = mw * 1000;
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
	.write = seed_hwmon_write,
};

static const struct hwmon_channel_info *const seed_hwmon_info[] = {
	HWMON_CHANNEL_INFO(temp, HWMON_T_INPUT | HWMON_T_CRIT),
	HWMON_CHANNEL_INFO(power, HWMON_P_INPUT | HWMON_P_CAP | HWMON_P_CAP_MIN | HWMON_P_CAP_MAX),
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
