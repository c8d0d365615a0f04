// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * seed.ko core: module, PCI probe/remove, DRM accel driver and ioctl table.
 */

#include <linux/build_bug.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/sched/mm.h>
#include <linux/string.h>

#include <drm/drm_accel.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>

#include <uapi/drm/seed_accel.h>

#include "seed_debugfs.h"
#include "seed_drv.h"
#include "seed_hw.h"
#include "seed_hw_reg.h"
#include "seed_hwmon.h"
#include "seed_irq.h"
#include "seed_pm.h"
#include "seed_query.h"
#include "seed_reset.h"
#include "seed_sysfs.h"

unsigned int seed_dbg_mask;
module_param_named(dbg_mask, seed_dbg_mask, uint, 0644);
MODULE_PARM_DESC(dbg_mask,
		 "Debug categories (needs dyndbg=+p): 0x1 init, 0x2 reg, 0x4 irq, 0x8 ioctl");

static int seed_get_info_ioctl(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct seed_device *sdev = to_seed_device(drm);
	struct drm_seed_get_info *args = data;
	const struct seed_hw_info *hw = &sdev->hw;
	struct pci_dev *pdev = sdev->pdev;
	int idx;

	BUILD_BUG_ON(sizeof(args->uuid) != sizeof(hw->uuid));
	BUILD_BUG_ON(sizeof(args->serial) != sizeof(hw->serial));

	/* drm_ioctl() copies args back even on error: reject before writing. */
	if (args->flags || args->pad || args->pad2) {
		seed_dbg(sdev, IOCTL, "GET_INFO: flags 0x%x pad 0x%x pad2 0x%x must be zero\n",
			 args->flags, args->pad, args->pad2);
		return -EINVAL;
	}

	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	args->hbm_size = hw->hbm_size;
	args->hw_revision = hw->hw_revision;
	args->fw_version = hw->fw_version;
	args->num_queues = hw->num_queues;
	args->num_engines = hw->num_engines;
	args->caps = hw->caps;
	args->dtypes = hw->dtypes;
	args->page_sizes = hw->page_sizes;
	args->pci_domain = pci_domain_nr(pdev->bus);
	args->pci_bus = pdev->bus->number;
	args->pci_device = PCI_SLOT(pdev->devfn);
	args->pci_function = PCI_FUNC(pdev->devfn);
	args->irq_count = atomic64_read(&sdev->irq.count);
	memcpy(args->uuid, hw->uuid, sizeof(args->uuid));
	memcpy(args->serial, hw->serial, sizeof(args->serial));
	memset(args->reserved, 0, sizeof(args->reserved));

	drm_dev_exit(idx);
	return 0;
}

static const struct drm_ioctl_desc seed_drm_ioctls[] = {
	DRM_IOCTL_DEF_DRV(SEED_GET_INFO, seed_get_info_ioctl, 0),
	DRM_IOCTL_DEF_DRV(SEED_QUERY, seed_query_ioctl, 0),
	DRM_IOCTL_DEF_DRV(SEED_BO_CREATE, seed_bo_create_ioctl, 0),
	DRM_IOCTL_DEF_DRV(SEED_BO_INFO, seed_bo_info_ioctl, 0),
	DRM_IOCTL_DEF_DRV(SEED_QUEUE_CREATE, seed_queue_create_ioctl, 0),
	DRM_IOCTL_DEF_DRV(SEED_QUEUE_DESTROY, seed_queue_destroy_ioctl, 0),
	DRM_IOCTL_DEF_DRV(SEED_SUBMIT, seed_submit_ioctl, 0),
	DRM_IOCTL_DEF_DRV(SEED_JOB_STATUS, seed_job_status_ioctl, 0),
	DRM_IOCTL_DEF_DRV(SEED_RESET, seed_reset_ioctl, 0),
	DRM_IOCTL_DEF_DRV(SEED_BO_USERPTR, seed_bo_userptr_ioctl, 0),
};

static int seed_open(struct drm_device *drm, struct drm_file *file)
{
	struct seed_device *sdev = to_seed_device(drm);
	struct seed_file *sf;
	int ret, idx;

	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	sf = kzalloc(sizeof(*sf), GFP_KERNEL);
	if (!sf) {
		ret = -ENOMEM;
		goto out_exit;
	}
	sf->sdev = sdev;
	sf->file = file;
	file->driver_priv = sf;

	ret = seed_mem_file_open(sf);
	if (ret)
		goto err_free;

	ret = seed_exec_file_open(sf);
	if (ret)
		goto err_mem;

	drm_dev_exit(idx);
	return 0;

err_mem:
	seed_mem_file_close(sf);
err_free:
	file->driver_priv = NULL;
	kfree(sf);
out_exit:
	drm_dev_exit(idx);
	return ret;
}

/*
 * The last close of the file, before the DRM core releases its GEM handles:
 * the queues go first, so that no job of the client still runs when its
 * buffers are unmapped (a killed process with jobs in flight would
 * otherwise see each of them fault). With other references to the file
 * (dup, fork, mmap, io_uring) the queues stay; postclose stops them.
 */
static int seed_flush(struct file *f, fl_owner_t id)
{
	struct drm_file *file = f->private_data;

	if (file_count(f) == 1 && file->driver_priv)
		seed_exec_file_close(to_seed_file(file));
	return 0;
}

/*
 * Called after the DRM core released the file's GEM handles and syncobjs.
 * Queues go first (they stop every job of the client), then the address
 * space the jobs ran in.
 */
static void seed_postclose(struct drm_device *drm, struct drm_file *file)
{
	struct seed_file *sf = to_seed_file(file);

	seed_exec_file_close(sf);
	seed_mem_file_close(sf);
	kfree(sf);
}

static const struct file_operations seed_accel_fops = {
	.owner = THIS_MODULE,
	DRM_ACCEL_FOPS,
	.flush = seed_flush,
	.show_fdinfo = drm_show_fdinfo,
	.uring_cmd = seed_uring_cmd,
};

static const struct drm_driver seed_drm_driver = {
	.driver_features = DRIVER_GEM | DRIVER_COMPUTE_ACCEL | DRIVER_SYNCOBJ |
			   DRIVER_SYNCOBJ_TIMELINE,
	.open = seed_open,
	.postclose = seed_postclose,
	.show_fdinfo = seed_show_fdinfo,
	.gem_create_object = seed_gem_create_object,
	.gem_prime_import = seed_gem_prime_import,
	.ioctls = seed_drm_ioctls,
	.num_ioctls = ARRAY_SIZE(seed_drm_ioctls),
	.fops = &seed_accel_fops,
	.name = DRIVER_NAME,
	.desc = DRIVER_DESC,
	.major = DRIVER_MAJOR,
	.minor = DRIVER_MINOR,
	.patchlevel = DRIVER_PATCHLEVEL,
};

/*
 * Writes PowerState D0 into PMCSR even if it reads D0 already. A chip
 * removed while runtime suspended (D3hot) and found again in the same slot
 * is in D0, but the platform may still treat it as in D3hot: QEMU keeps the
 * BARs of a function unmapped until a PMCSR write selects D0, and the PCI
 * core writes none for a function it believes in D0.
 */
static void seed_pci_force_d0(struct pci_dev *pdev)
{
	u16 pmcsr;

	if (!pdev->pm_cap)
		return;
	pci_read_config_word(pdev, pdev->pm_cap + PCI_PM_CTRL, &pmcsr);
	if (PCI_POSSIBLE_ERROR(pmcsr))
		return;
	pci_write_config_word(pdev, pdev->pm_cap + PCI_PM_CTRL,
			      pmcsr & ~(PCI_PM_CTRL_STATE_MASK | PCI_PM_CTRL_PME_STATUS));
	/* D3hot to D0 needs 10 ms (PCI PM 1.2 §5.6.1); from D0 nothing. */
	if (pmcsr & PCI_PM_CTRL_STATE_MASK)
		usleep_range(10000, 20000);
}

static int seed_pci_init(struct seed_device *sdev)
{
	struct pci_dev *pdev = sdev->pdev;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret) {
		seed_err(sdev, "cannot enable PCI device: %d\n", ret);
		return ret;
	}
	seed_pci_force_d0(pdev);

	if (!(pci_resource_flags(pdev, SEED_BAR_REGS) & IORESOURCE_MEM) ||
	    pci_resource_len(pdev, SEED_BAR_REGS) < SEED_BAR_REGS_SIZE) {
		seed_err(sdev, "BAR%d is not a memory BAR of at least %#x bytes\n",
			 SEED_BAR_REGS, SEED_BAR_REGS_SIZE);
		return -ENODEV;
	}

	sdev->regs = pcim_iomap_region(pdev, SEED_BAR_REGS, DRIVER_NAME);
	if (IS_ERR(sdev->regs)) {
		ret = PTR_ERR(sdev->regs);
		seed_err(sdev, "cannot map BAR%d: %d\n", SEED_BAR_REGS, ret);
		return ret;
	}

	/* Page-table entries and queue registers hold 52-bit addresses (§17.1). */
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(SEED_PA_BITS));
	if (ret) {
		seed_err(sdev, "cannot set %d-bit DMA mask: %d\n", SEED_PA_BITS, ret);
		return ret;
	}
	/*
	 * The device MMU maps a DMA segment of any length page by page: host
	 * BOs need not be split at the PCI default of 64 KiB.
	 */
	dma_set_max_seg_size(&pdev->dev, UINT_MAX);
	return 0;
}

static void seed_dev_log_identity(struct seed_device *sdev)
{
	const struct seed_hw_info *hw = &sdev->hw;

	seed_info(sdev, "rev %u.%u, fw %u.%u.%u, HBM %llu MiB, %u queues, %u engines\n",
		  SEED_HW_REV_MAJOR(hw->hw_revision), SEED_HW_REV_MINOR(hw->hw_revision),
		  SEED_FW_MAJOR(hw->fw_version), SEED_FW_MINOR(hw->fw_version),
		  SEED_FW_PATCH(hw->fw_version), hw->hbm_size >> 20,
		  hw->num_queues, hw->num_engines);
	seed_info(sdev, "serial %s, uuid %pUb, caps 0x%x, dtypes 0x%x, page sizes 0x%x\n",
		  hw->serial, hw->uuid, hw->caps, hw->dtypes, hw->page_sizes);
}

/*
 * Prime lockdep with what the fence signalling path may take: recovery,
 * context binding and the queues' locks must never be held while memory is
 * allocated (which may wait for fences through reclaim). Taking them under
 * fs_reclaim once teaches lockdep to report any allocation made under them.
 */
static void seed_dev_lockdep_prime(struct seed_device *sdev)
{
	if (!IS_ENABLED(CONFIG_LOCKDEP))
		return;

	fs_reclaim_acquire(GFP_KERNEL);
	might_lock(&sdev->exec.reset_lock);
	might_lock(&sdev->mem.bind_lock);
	fs_reclaim_release(GFP_KERNEL);
}

/*
 * Stops the device and frees what it could reach (docs/hardware.md §17.9),
 * at remove and when probe fails after the event log was enabled. Clients'
 * files may stay open: they keep only software state.
 */
static void seed_dev_teardown(struct seed_device *sdev)
{
	seed_exec_fini(sdev);
	seed_coredump_fini(sdev);
	seed_exec_release_hw(sdev);
	seed_mem_fini(sdev);
}

/*
 * PCI resources are device managed; hardware state set up here is undone by
 * seed_dev_fini() in reverse order.
 */
static int seed_dev_init(struct seed_device *sdev)
{
	int ret;

	ret = seed_pci_init(sdev);
	if (ret)
		return ret;

	ret = seed_hw_init(sdev);
	if (ret)
		return ret;

	ret = seed_coredump_init(sdev);
	if (ret)
		return ret;

	/* Before the event log: a FATAL event schedules a device reset. */
	ret = seed_exec_early_init(sdev);
	if (ret)
		return ret;

	/* The device is reset before it may master the bus (§2.4, §17.1). */
	ret = seed_events_reset_at_probe(sdev);
	if (ret)
		return ret;
	pci_set_master(sdev->pdev);

	seed_events_early_init(sdev);
	ret = seed_irq_init(sdev);
	if (ret)
		goto err_master;

	ret = seed_events_init(sdev);
	if (ret)
		goto err_irq;

	ret = seed_telemetry_init(sdev);
	if (ret)
		goto err_events;

	ret = seed_mem_init(sdev);
	if (ret)
		goto err_events;

	ret = seed_exec_init(sdev);
	if (ret)
		goto err_teardown;

	seed_dev_lockdep_prime(sdev);
	return 0;

err_teardown:
	seed_dev_teardown(sdev);
	goto err_irq;
err_events:
	seed_events_fini(sdev);
err_irq:
	seed_irq_fini(sdev);
err_master:
	pci_clear_master(sdev->pdev);
	complete_all(&sdev->quiesced);
	return ret;
}

static void seed_dev_fini(struct seed_device *sdev)
{
	seed_dev_teardown(sdev);
	seed_irq_fini(sdev);
}

static int seed_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct seed_device *sdev;
	int ret;

	sdev = devm_drm_dev_alloc(&pdev->dev, &seed_drm_driver, struct seed_device, drm);
	if (IS_ERR(sdev))
		return PTR_ERR(sdev);

	sdev->pdev = pdev;
	init_completion(&sdev->quiesced);
	pci_set_drvdata(pdev, sdev);

	ret = seed_dev_init(sdev);
	if (ret)
		return ret;

	ret = drm_dev_register(&sdev->drm, 0);
	if (ret) {
		seed_err(sdev, "cannot register DRM device: %d\n", ret);
		goto err_dev_fini;
	}

	seed_debugfs_init(sdev);

	/* Monitoring is not essential: the chip works without it. */
	ret = seed_hwmon_init(sdev);
	if (ret)
		seed_warn(sdev, "no hwmon device: %d\n", ret);

	seed_exec_start(sdev);
	seed_dev_log_identity(sdev);
	/* What PCI error recovery restores after a link reset. */
	pci_save_state(pdev);
	/* Last: from here on an idle chip autosuspends. */
	seed_pm_init(sdev);
	return 0;

err_dev_fini:
	/* Nobody could open the device: no drm_dev_enter() section to wait for. */
	WRITE_ONCE(sdev->exec.unplugged, true);
	seed_dev_fini(sdev);
	return ret;
}

/*
 * The device goes away, or the driver is unbound: new ioctls fail with
 * -ENODEV, running ones finish, then the device is stopped and every
 * resource it could reach, its clients' included, is freed before remove
 * returns. Open files keep working on software state until they are
 * closed.
 */
static void seed_remove(struct pci_dev *pdev)
{
	struct seed_device *sdev = pci_get_drvdata(pdev);

	/* The PCI core resumed the chip; it stays in D0 until unbound. */
	seed_pm_fini(sdev);
	drm_dev_unplug(&sdev->drm);
	seed_dev_fini(sdev);
}

/*
 * A function reset the driver did not start (the PCI core's "reset"
 * attribute): jobs in flight fail, then the device is set up again. The
 * restored configuration is saved again for the next one.
 */
static void seed_reset_prepare(struct pci_dev *pdev)
{
	seed_exec_pci_reset_prepare(pci_get_drvdata(pdev));
}

static void seed_reset_done(struct pci_dev *pdev)
{
	seed_exec_pci_reset_done(pci_get_drvdata(pdev));
	pci_save_state(pdev);
}

/*
 * PCI error recovery (AER): a non-fatal error leaves the jobs alone unless
 * the device is no longer well; a fatal one is recovered like a PCI reset
 * once the port reset the link; a permanent failure loses the device.
 */
static pci_ers_result_t seed_error_detected(struct pci_dev *pdev, pci_channel_state_t state)
{
	return seed_exec_pci_error_detected(pci_get_drvdata(pdev), state);
}

static pci_ers_result_t seed_mmio_enabled(struct pci_dev *pdev)
{
	return seed_exec_pci_mmio_enabled(pci_get_drvdata(pdev));
}

static pci_ers_result_t seed_slot_reset(struct pci_dev *pdev)
{
	/* The link reset lost the configuration: BARs, MSI-X, bus mastering. */
	pci_restore_state(pdev);
	pci_save_state(pdev);
	return seed_exec_pci_slot_reset(pci_get_drvdata(pdev));
}

static void seed_resume(struct pci_dev *pdev)
{
	struct seed_device *sdev = pci_get_drvdata(pdev);

	seed_info(sdev, "PCI error recovery done\n");
}

static const struct pci_error_handlers seed_err_handlers = {
	.error_detected = seed_error_detected,
	.mmio_enabled = seed_mmio_enabled,
	.slot_reset = seed_slot_reset,
	.resume = seed_resume,
	.reset_prepare = seed_reset_prepare,
	.reset_done = seed_reset_done,
};

static void seed_shutdown(struct pci_dev *pdev)
{
	seed_exec_shutdown(pci_get_drvdata(pdev));
}

static const struct pci_device_id seed_pci_ids[] = {
	{ PCI_DEVICE(SEED_PCI_VENDOR_ID, SEED_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, seed_pci_ids);

static struct pci_driver seed_pci_driver = {
	.name = DRIVER_NAME,
	.id_table = seed_pci_ids,
	.probe = seed_probe,
	.remove = seed_remove,
	.shutdown = seed_shutdown,
	.err_handler = &seed_err_handlers,
	.dev_groups = seed_sysfs_groups,
	.driver.pm = pm_ptr(&seed_pm_ops),
};

module_pci_driver(seed_pci_driver);

MODULE_AUTHOR("The SeedChip Authors");
MODULE_DESCRIPTION(DRIVER_DESC);
MODULE_LICENSE("GPL");
MODULE_VERSION(DRIVER_VERSION);
