// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Runtime power management (docs/driver.md, "Runtime power management").
 *
 * The chip is awake (D0) while anything holds a runtime PM reference: every
 * job from its submission until it is freed, and every path that touches
 * registers (resets and recovery, TLB invalidations, context teardown,
 * kernel-queue fills, telemetry, hwmon, debugfs). Once the last reference
 * is dropped and the autosuspend delay has passed, the PCI core puts it in
 * D3hot, where it keeps all of its state (docs/hardware.md §2.4): nothing
 * has to be saved or programmed again, and no MMIO may happen there.
 */

#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/pm_runtime.h>

#include "seed_drv.h"
#include "seed_events.h"
#include "seed_pm.h"
#include "seed_reset.h"

static int seed_autosuspend_ms = 3000;
module_param_named(autosuspend_ms, seed_autosuspend_ms, int, 0644);
MODULE_PARM_DESC(autosuspend_ms,
		 "Default idle time in ms before a chip autosuspends to D3hot, set at probe; per device: power/autosuspend_delay_ms (negative: never)");

/**
 * seed_pm_get() - wake the chip if needed and keep it awake
 * @sdev: device
 *
 * May sleep (a resume takes some 20 ms). Must not be called with
 * &seed_events.lock held (the resume takes it).
 *
 * Return: 0 with a reference held, or a negative error code without one.
 */
int seed_pm_get(struct seed_device *sdev)
{
	int ret = pm_runtime_resume_and_get(sdev->drm.dev);

	if (ret < 0)
		seed_err_ratelimited(sdev, "cannot resume the chip: %d\n", ret);
	return ret;
}

/**
 * seed_pm_put() - drop a reference of seed_pm_get() after work
 * @sdev: device
 *
 * The autosuspend delay starts again. Any context.
 */
void seed_pm_put(struct seed_device *sdev)
{
	pm_runtime_mark_last_busy(sdev->drm.dev);
	__pm_runtime_suspend(sdev->drm.dev, RPM_GET_PUT | RPM_ASYNC | RPM_AUTO);
}

/**
 * seed_pm_get_brief() - as seed_pm_get(), for a management read
 * @sdev: device
 * @woken: set to whether the chip was suspended (and is woken up now)
 *
 * Return: 0 with a reference held, or a negative error code without one.
 */
int seed_pm_get_brief(struct seed_device *sdev, bool *woken)
{
	*woken = pm_runtime_status_suspended(sdev->drm.dev);
	return seed_pm_get(sdev);
}

/**
 * seed_pm_put_brief() - drop a reference of seed_pm_get_brief()
 * @sdev: device
 * @woken: what seed_pm_get_brief() reported
 *
 * Management reads (telemetry, hwmon, debugfs) never keep the chip awake:
 * a chip woken for one suspends again at once, and an awake one is not
 * given more idle time. So periodic monitoring does not keep an idle chip
 * in D0. Any context.
 */
void seed_pm_put_brief(struct seed_device *sdev, bool woken)
{
	if (woken)
		__pm_runtime_suspend(sdev->drm.dev, RPM_GET_PUT | RPM_ASYNC);
	else
		__pm_runtime_suspend(sdev->drm.dev, RPM_GET_PUT | RPM_ASYNC | RPM_AUTO);
}

/*
 * No reference is held, so no job exists and no register path runs: the
 * queues are idle and stay configured through D3hot. Only event processing
 * (from the vector 0 thread) may still run; it stops writing EVLOG_HEAD.
 */
static int seed_pm_runtime_suspend(struct device *dev)
{
	struct seed_device *sdev = pci_get_drvdata(to_pci_dev(dev));

	seed_events_suspend(sdev);
	seed_dbg(sdev, PM, "runtime suspend\n");
	return 0;
}

static int seed_pm_runtime_resume(struct device *dev)
{
	struct pci_dev *pdev = to_pci_dev(dev);
	struct seed_device *sdev = pci_get_drvdata(pdev);

	seed_events_resume(sdev);
	/*
	 * The PCI core restored the saved configuration, which consumes it:
	 * save it again for PCI error recovery (seed_slot_reset()).
	 */
	pci_save_state(pdev);
	seed_dbg(sdev, PM, "runtime resume\n");
	return 0;
}

/*
 * System sleep (hibernation too, untested): the PCI core resumed a
 * runtime-suspended chip before this, and saves its configuration and puts
 * it in D3hot after. The platform may take its power meanwhile (S3).
 */
static int seed_pm_suspend(struct device *dev)
{
	seed_exec_suspend(pci_get_drvdata(to_pci_dev(dev)));
	return 0;
}

static int seed_pm_resume(struct device *dev)
{
	struct pci_dev *pdev = to_pci_dev(dev);
	int ret = seed_exec_resume(pci_get_drvdata(pdev));

	/* As after a runtime resume: saved again for PCI error recovery. */
	pci_save_state(pdev);
	return ret;
}

const struct dev_pm_ops seed_pm_ops = {
	SYSTEM_SLEEP_PM_OPS(seed_pm_suspend, seed_pm_resume)
	RUNTIME_PM_OPS(seed_pm_runtime_suspend, seed_pm_runtime_resume, NULL)
};

/**
 * seed_pm_init() - let the idle chip autosuspend, at the end of probe
 * @sdev: device, fully initialised
 *
 * Drops the reference the PCI core holds during probe and allows runtime
 * PM (power/control "auto").
 */
void seed_pm_init(struct seed_device *sdev)
{
	struct device *dev = sdev->drm.dev;

	/*
	 * System sleep may take the chip's power, D3hot or not: a chip runtime
	 * suspended then goes through seed_pm_suspend() and seed_pm_resume()
	 * as well, never left suspended across it (direct-complete).
	 */
	dev_pm_set_driver_flags(dev, DPM_FLAG_NO_DIRECT_COMPLETE);
	pm_runtime_set_autosuspend_delay(dev, seed_autosuspend_ms);
	pm_runtime_use_autosuspend(dev);
	pm_runtime_mark_last_busy(dev);
	pm_runtime_put_autosuspend(dev);
	pm_runtime_allow(dev);
}

/**
 * seed_pm_fini() - keep the chip awake for good, at the start of remove
 * @sdev: device; the PCI core has resumed it before remove
 *
 * The mirror of seed_pm_init(): the PCI core finds the counts it expects
 * when the driver is unbound. References of jobs still alive are dropped
 * when they are freed.
 */
void seed_pm_fini(struct seed_device *sdev)
{
	struct device *dev = sdev->drm.dev;

	pm_runtime_get_noresume(dev);
	pm_runtime_forbid(dev);
}
