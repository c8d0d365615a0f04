// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * kreports.ko: on load, makes the debug guest kernel report one kind of
 * bug, so that tests/runner/seed-vm-selftest can check that tools/seed-vm
 * notices it and fails the run. Each bug is contained: the kernel keeps
 * running (debug objects fixes the freed timer up, DEBUG_LIST refuses the
 * second deletion, lockdep only sees an order it could deadlock on).
 * Test code for the debug kernel only; never load it anywhere else.
 */

#include <linux/compiler.h>
#include <linux/dma-mapping.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timer.h>

static char *kind = "";
module_param(kind, charp, 0444);
MODULE_PARM_DESC(kind, "report to cause: kasan, leak, lockdep, atomic-sleep, odebug, dma, list");

/* KASAN: a read of freed slab memory. */
static noinline int kreports_kasan(void)
{
	char *p = kmalloc(16, GFP_KERNEL);

	if (!p)
		return -ENOMEM;
	kfree(p);
	OPTIMIZER_HIDE_VAR(p);
	pr_info("kreports: read %d\n", READ_ONCE(p[8]));
	return 0;
}

/* kmemleak: objects nothing points to once this returns. */
static noinline int kreports_leak(void)
{
	int i;

	for (i = 0; i < 8; i++) {
		void *p = kmalloc(128, GFP_KERNEL);

		if (!p)
			return -ENOMEM;
		memset(p, 0x5a, 128);
		OPTIMIZER_HIDE_VAR(p);
	}
	return 0;
}

static DEFINE_MUTEX(kreports_a);
static DEFINE_MUTEX(kreports_b);

/* lockdep: A then B, later B then A (never concurrently, so no deadlock). */
static noinline int kreports_lockdep(void)
{
	mutex_lock(&kreports_a);
	mutex_lock(&kreports_b);
	mutex_unlock(&kreports_b);
	mutex_unlock(&kreports_a);

	mutex_lock(&kreports_b);
	mutex_lock(&kreports_a);
	mutex_unlock(&kreports_a);
	mutex_unlock(&kreports_b);
	return 0;
}

static DEFINE_SPINLOCK(kreports_lock);

/* DEBUG_ATOMIC_SLEEP: a might-sleep point under a spinlock. */
static noinline int kreports_atomic_sleep(void)
{
	spin_lock(&kreports_lock);
	might_sleep();
	spin_unlock(&kreports_lock);
	return 0;
}

static void kreports_timer_fn(struct timer_list *t)
{
}

/* Debug objects: a pending timer freed (the fixup deactivates it). */
static noinline int kreports_odebug(void)
{
	struct timer_list *t = kzalloc(sizeof(*t), GFP_KERNEL);

	if (!t)
		return -ENOMEM;
	timer_setup(t, kreports_timer_fn, 0);
	mod_timer(t, jiffies + 60 * HZ);
	kfree(t);
	return 0;
}

/* DMA-API debugging: unmapped with a size other than the mapped one. */
static noinline int kreports_dma(void)
{
	struct platform_device *pdev;
	dma_addr_t addr;
	void *buf;
	int ret;

	pdev = platform_device_register_simple("kreports", -1, NULL, 0);
	if (IS_ERR(pdev))
		return PTR_ERR(pdev);
	ret = dma_coerce_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	buf = kmalloc(64, GFP_KERNEL);
	if (ret || !buf) {
		ret = ret ?: -ENOMEM;
		goto out;
	}
	addr = dma_map_single(&pdev->dev, buf, 64, DMA_TO_DEVICE);
	ret = dma_mapping_error(&pdev->dev, addr);
	if (!ret)
		dma_unmap_single(&pdev->dev, addr, 32, DMA_TO_DEVICE);
out:
	kfree(buf);
	platform_device_unregister(pdev);
	return ret;
}

/* DEBUG_LIST: an entry deleted twice (the second deletion is refused). */
static noinline int kreports_list(void)
{
	LIST_HEAD(head);
	struct list_head entry;

	list_add(&entry, &head);
	list_del(&entry);
	list_del(&entry);
	return 0;
}

static const struct {
	const char *name;
	int (*cause)(void);
} kreports_kinds[] = {
	{ "kasan", kreports_kasan },
	{ "leak", kreports_leak },
	{ "lockdep", kreports_lockdep },
	{ "atomic-sleep", kreports_atomic_sleep },
	{ "odebug", kreports_odebug },
	{ "dma", kreports_dma },
	{ "list", kreports_list },
};

static int __init kreports_init(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(kreports_kinds); i++)
		if (!strcmp(kind, kreports_kinds[i].name))
			return kreports_kinds[i].cause();
	pr_err("kreports: unknown kind '%s'\n", kind);
	return -EINVAL;
}

static void __exit kreports_exit(void)
{
}

module_init(kreports_init);
module_exit(kreports_exit);
MODULE_DESCRIPTION("Causes one debug-kernel report on load (seed-vm self-test)");
MODULE_LICENSE("GPL");
