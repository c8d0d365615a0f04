/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (c) 2026 The SeedChip Authors
 *
 * Tracepoints of seed.ko (events/seed/ in tracefs), documented in
 * docs/driver.md. Every event names the chip by its PCI address (dev).
 * Jobs are named by client (the DRM client id, as in fdinfo), queue (the
 * user queue id of that client) and seq (the job's timeline point); ring is
 * the hardware queue the user queue's jobs run on, hw_seqno the job's
 * hardware fence number on that ring.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM seed

#if !defined(__SEED_TRACE_H__) || defined(TRACE_HEADER_MULTI_READ)
#define __SEED_TRACE_H__

#include <linux/device.h>
#include <linux/tracepoint.h>
#include <linux/types.h>

DECLARE_EVENT_CLASS(seed_job,
		    TP_PROTO(struct device *dev, u64 client, u32 queue, u32 ring, u64 seq),
		    TP_ARGS(dev, client, queue, ring, seq),
		    TP_STRUCT__entry(__string(dev, dev_name(dev))
				     __field(u64, client)
				     __field(u32, queue)
				     __field(u32, ring)
				     __field(u64, seq)),
		    TP_fast_assign(__assign_str(dev);
				   __entry->client = client;
				   __entry->queue = queue;
				   __entry->ring = ring;
				   __entry->seq = seq;),
		    TP_printk("dev=%s client=%llu queue=%u ring=%u seq=%llu", __get_str(dev),
			      __entry->client, __entry->queue, __entry->ring, __entry->seq)
);

/* SUBMIT accepted the job; it waits for its dependencies. */
DEFINE_EVENT(seed_job, seed_job_submit,
	     TP_PROTO(struct device *dev, u64 client, u32 queue, u32 ring, u64 seq),
	     TP_ARGS(dev, client, queue, ring, seq)
);

/* The job's packet was pushed to its ring, as hardware fence hw_seqno. */
TRACE_EVENT(seed_job_run,
	    TP_PROTO(struct device *dev, u64 client, u32 queue, u32 ring, u64 seq, u64 hw_seqno,
		     u32 hw_ctx),
	    TP_ARGS(dev, client, queue, ring, seq, hw_seqno, hw_ctx),
	    TP_STRUCT__entry(__string(dev, dev_name(dev))
			     __field(u64, client)
			     __field(u32, queue)
			     __field(u32, ring)
			     __field(u64, seq)
			     __field(u64, hw_seqno)
			     __field(u32, hw_ctx)),
	    TP_fast_assign(__assign_str(dev);
			   __entry->client = client;
			   __entry->queue = queue;
			   __entry->ring = ring;
			   __entry->seq = seq;
			   __entry->hw_seqno = hw_seqno;
			   __entry->hw_ctx = hw_ctx;),
	    TP_printk("dev=%s client=%llu queue=%u ring=%u seq=%llu hw_seqno=%llu hw_ctx=%u",
		      __get_str(dev), __entry->client, __entry->queue, __entry->ring,
		      __entry->seq, __entry->hw_seqno, __entry->hw_ctx)
);

/*
 * The job finished: status is its DRM_SEED_JOB_* outcome (0 = ran to
 * completion), error the errno of its fence. dev_ns is the device clock
 * (completion record timestamp) when the job retired, or 0 if unknown (it
 * failed or never ran, or a later job's record was read first).
 */
TRACE_EVENT(seed_job_done,
	    TP_PROTO(struct device *dev, u64 client, u32 queue, u32 ring, u64 seq, u32 status,
		     int error, u64 dev_ns),
	    TP_ARGS(dev, client, queue, ring, seq, status, error, dev_ns),
	    TP_STRUCT__entry(__string(dev, dev_name(dev))
			     __field(u64, client)
			     __field(u32, queue)
			     __field(u32, ring)
			     __field(u64, seq)
			     __field(u32, status)
			     __field(int, error)
			     __field(u64, dev_ns)),
	    TP_fast_assign(__assign_str(dev);
			   __entry->client = client;
			   __entry->queue = queue;
			   __entry->ring = ring;
			   __entry->seq = seq;
			   __entry->status = status;
			   __entry->error = error;
			   __entry->dev_ns = dev_ns;),
	    TP_printk("dev=%s client=%llu queue=%u ring=%u seq=%llu status=%u error=%d dev_ns=%llu",
		      __get_str(dev), __entry->client, __entry->queue, __entry->ring,
		      __entry->seq, __entry->status, __entry->error, __entry->dev_ns)
);

/*
 * The packet at the head of a ring ran longer than job_timeout_ms and is
 * being stopped. tag is the low 32 bits of the job's seq; the job's
 * seed_job_done follows with status TIMEOUT.
 */
TRACE_EVENT(seed_job_timeout,
	    TP_PROTO(struct device *dev, u32 ring, u64 hw_seqno, u32 tag),
	    TP_ARGS(dev, ring, hw_seqno, tag),
	    TP_STRUCT__entry(__string(dev, dev_name(dev))
			     __field(u32, ring)
			     __field(u64, hw_seqno)
			     __field(u32, tag)),
	    TP_fast_assign(__assign_str(dev);
			   __entry->ring = ring;
			   __entry->hw_seqno = hw_seqno;
			   __entry->tag = tag;),
	    TP_printk("dev=%s ring=%u hw_seqno=%llu tag=%u", __get_str(dev), __entry->ring,
		      __entry->hw_seqno, __entry->tag)
);

/* BO_CREATE made BO id (unique while the module is loaded), handle of client. */
TRACE_EVENT(seed_bo_create,
	    TP_PROTO(struct device *dev, u64 client, u64 id, u32 handle, u64 size, u32 placement),
	    TP_ARGS(dev, client, id, handle, size, placement),
	    TP_STRUCT__entry(__string(dev, dev_name(dev))
			     __field(u64, client)
			     __field(u64, id)
			     __field(u32, handle)
			     __field(u64, size)
			     __field(u32, placement)),
	    TP_fast_assign(__assign_str(dev);
			   __entry->client = client;
			   __entry->id = id;
			   __entry->handle = handle;
			   __entry->size = size;
			   __entry->placement = placement;),
	    TP_printk("dev=%s client=%llu id=%llu handle=%u size=%llu placement=%s",
		      __get_str(dev), __entry->client, __entry->id, __entry->handle, __entry->size,
		      __entry->placement ? "host" : "hbm")
);

/* The last reference on BO id is gone; its memory is freed. */
TRACE_EVENT(seed_bo_free,
	    TP_PROTO(struct device *dev, u64 id, u64 size, u32 placement),
	    TP_ARGS(dev, id, size, placement),
	    TP_STRUCT__entry(__string(dev, dev_name(dev))
			     __field(u64, id)
			     __field(u64, size)
			     __field(u32, placement)),
	    TP_fast_assign(__assign_str(dev);
			   __entry->id = id;
			   __entry->size = size;
			   __entry->placement = placement;),
	    TP_printk("dev=%s id=%llu size=%llu placement=%s", __get_str(dev), __entry->id,
		      __entry->size, __entry->placement ? "host" : "hbm")
);

/*
 * A hardware queue (ring) reset finished: ret 0, -EAGAIN (a conditional
 * reset of hw_seqno declined: it had retired) or -ETIMEDOUT (escalates to
 * a device reset). hw_seqno is 0 for an unconditional reset.
 */
TRACE_EVENT(seed_queue_reset,
	    TP_PROTO(struct device *dev, u32 ring, u64 hw_seqno, int ret),
	    TP_ARGS(dev, ring, hw_seqno, ret),
	    TP_STRUCT__entry(__string(dev, dev_name(dev))
			     __field(u32, ring)
			     __field(u64, hw_seqno)
			     __field(int, ret)),
	    TP_fast_assign(__assign_str(dev);
			   __entry->ring = ring;
			   __entry->hw_seqno = hw_seqno;
			   __entry->ret = ret;),
	    TP_printk("dev=%s ring=%u hw_seqno=%llu ret=%d", __get_str(dev), __entry->ring,
		      __entry->hw_seqno, __entry->ret)
);

/* A device reset finished: ret 0, -EAGAIN (postponed) or -ENODEV (lost). */
TRACE_EVENT(seed_device_reset,
	    TP_PROTO(struct device *dev, const char *reason, int ret),
	    TP_ARGS(dev, reason, ret),
	    TP_STRUCT__entry(__string(dev, dev_name(dev))
			     __string(reason, reason)
			     __field(int, ret)),
	    TP_fast_assign(__assign_str(dev);
			   __assign_str(reason);
			   __entry->ret = ret;),
	    TP_printk("dev=%s ret=%d reason=%s", __get_str(dev), __entry->ret, __get_str(reason))
);

#endif /* __SEED_TRACE_H__ */

/* Out of tree: define_trace.h finds this file through Kbuild's -I$(src). */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE seed_trace
#include <trace/define_trace.h>
