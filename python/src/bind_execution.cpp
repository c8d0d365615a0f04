// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// Execution: command lists (with the compute parameter structs), queues,
// fences and events. Blocking calls release the GIL.
#include "bindings.hpp"

#include <seed/command_list.hpp>
#include <seed/event.hpp>
#include <seed/queue.hpp>

#include <pybind11/stl.h>

#include <chrono>
#include <cmath>
#include <optional>
#include <vector>

namespace seed::python {

namespace {

/// Seconds (None: no limit) to a libseed timeout.
std::chrono::nanoseconds to_timeout(const std::optional<double>& seconds) {
    if (!seconds)
        return infinite_timeout;
    if (!std::isfinite(*seconds) || *seconds < 0)
        throw py::value_error("timeout must be a finite number of seconds >= 0, or None");
    if (*seconds > 1e9)
        return infinite_timeout;
    return std::chrono::nanoseconds(static_cast<std::int64_t>(*seconds * 1e9));
}

template <typename T>
void set_opt(std::optional<std::uint32_t>& field, const py::object& value) {
    field = value.is_none() ? std::nullopt : std::optional<std::uint32_t>(value.cast<T>());
}

} // namespace

void bind_execution(py::module_& m) {
    py::enum_<ElementwiseOp>(m, "ElementwiseOp", "ELEMENTWISE operations; unary below add.")
        .value("copy", ElementwiseOp::copy)
        .value("relu", ElementwiseOp::relu)
        .value("gelu", ElementwiseOp::gelu)
        .value("exp", ElementwiseOp::exp)
        .value("neg", ElementwiseOp::neg)
        .value("abs", ElementwiseOp::abs)
        .value("sqrt", ElementwiseOp::sqrt)
        .value("add", ElementwiseOp::add)
        .value("sub", ElementwiseOp::sub)
        .value("mul", ElementwiseOp::mul)
        .value("div", ElementwiseOp::div)
        .value("max", ElementwiseOp::max)
        .value("min", ElementwiseOp::min);
    py::enum_<ReduceOp>(m, "ReduceOp", "Row-wise REDUCE operations.")
        .value("sum", ReduceOp::sum)
        .value("max", ReduceOp::max)
        .value("min", ReduceOp::min)
        .value("softmax", ReduceOp::softmax);
    py::enum_<Activation>(m, "Activation", "GEMM epilogue activation.")
        .value("none", Activation::none)
        .value("relu", Activation::relu)
        .value("gelu", Activation::gelu);
    py::enum_<Priority>(m, "Priority", "Queue priority; realtime needs CAP_SYS_NICE.")
        .value("low", Priority::low)
        .value("normal", Priority::normal)
        .value("high", Priority::high)
        .value("realtime", Priority::realtime);

    m.def("element_size", &element_size, py::arg("dtype"), "Bytes per element of dtype.");

    py::class_<GemmParams>(m, "GemmParams",
                           "C = act(alpha * op(A) @ op(B) + beta * C + bias), row-major. "
                           "Leading dimensions in elements; 0 means dense.")
        .def(py::init([](std::uint32_t mm, std::uint32_t n, std::uint32_t k, DType dtype,
                         bool trans_a, bool trans_b, std::uint32_t lda, std::uint32_t ldb,
                         std::uint32_t ldc, float alpha, float beta, Activation activation) {
                 GemmParams p;
                 p.m = mm, p.n = n, p.k = k, p.dtype = dtype, p.trans_a = trans_a;
                 p.trans_b = trans_b, p.lda = lda, p.ldb = ldb, p.ldc = ldc;
                 p.alpha = alpha, p.beta = beta, p.activation = activation;
                 return p;
             }),
             py::kw_only(), py::arg("m"), py::arg("n"), py::arg("k"), py::arg("dtype") = DType::f32,
             py::arg("trans_a") = false, py::arg("trans_b") = false, py::arg("lda") = 0,
             py::arg("ldb") = 0, py::arg("ldc") = 0, py::arg("alpha") = 1.0f,
             py::arg("beta") = 0.0f, py::arg("activation") = Activation::none)
        .def_readwrite("m", &GemmParams::m)
        .def_readwrite("n", &GemmParams::n)
        .def_readwrite("k", &GemmParams::k)
        .def_readwrite("dtype", &GemmParams::dtype)
        .def_readwrite("trans_a", &GemmParams::trans_a)
        .def_readwrite("trans_b", &GemmParams::trans_b)
        .def_readwrite("lda", &GemmParams::lda)
        .def_readwrite("ldb", &GemmParams::ldb)
        .def_readwrite("ldc", &GemmParams::ldc)
        .def_readwrite("alpha", &GemmParams::alpha)
        .def_readwrite("beta", &GemmParams::beta)
        .def_readwrite("alpha_i", &GemmParams::alpha_i)
        .def_readwrite("beta_i", &GemmParams::beta_i)
        .def_readwrite("activation", &GemmParams::activation);

    py::class_<ElementwiseParams>(m, "ElementwiseParams",
                                  "dst[i][j] = op(src0[i][j], src1[i][j]); strides in elements, "
                                  "None for the dense default, 0 to broadcast.")
        .def(py::init([](ElementwiseOp op, std::uint32_t rows, std::uint32_t cols, DType src_dtype,
                         DType dst_dtype, const py::object& s0r, const py::object& s0c,
                         const py::object& s1r, const py::object& s1c, const py::object& dr) {
                 ElementwiseParams p;
                 p.op = op, p.rows = rows, p.cols = cols, p.src_dtype = src_dtype;
                 p.dst_dtype = dst_dtype;
                 set_opt<std::uint32_t>(p.src0_row_stride, s0r);
                 set_opt<std::uint32_t>(p.src0_col_stride, s0c);
                 set_opt<std::uint32_t>(p.src1_row_stride, s1r);
                 set_opt<std::uint32_t>(p.src1_col_stride, s1c);
                 set_opt<std::uint32_t>(p.dst_row_stride, dr);
                 return p;
             }),
             py::kw_only(), py::arg("op"), py::arg("rows") = 1, py::arg("cols"),
             py::arg("src_dtype") = DType::f32, py::arg("dst_dtype") = DType::f32,
             py::arg("src0_row_stride") = py::none(), py::arg("src0_col_stride") = py::none(),
             py::arg("src1_row_stride") = py::none(), py::arg("src1_col_stride") = py::none(),
             py::arg("dst_row_stride") = py::none())
        .def_readwrite("op", &ElementwiseParams::op)
        .def_readwrite("rows", &ElementwiseParams::rows)
        .def_readwrite("cols", &ElementwiseParams::cols)
        .def_readwrite("src_dtype", &ElementwiseParams::src_dtype)
        .def_readwrite("dst_dtype", &ElementwiseParams::dst_dtype)
        .def_readwrite("src0_row_stride", &ElementwiseParams::src0_row_stride)
        .def_readwrite("src0_col_stride", &ElementwiseParams::src0_col_stride)
        .def_readwrite("src1_row_stride", &ElementwiseParams::src1_row_stride)
        .def_readwrite("src1_col_stride", &ElementwiseParams::src1_col_stride)
        .def_readwrite("dst_row_stride", &ElementwiseParams::dst_row_stride);

    py::class_<ReduceParams>(m, "ReduceParams",
                             "Row-wise sum/max/min (one result per row) or softmax.")
        .def(py::init([](ReduceOp op, std::uint32_t rows, std::uint32_t cols, DType src_dtype,
                         DType dst_dtype, const py::object& sr, const py::object& dr) {
                 ReduceParams p;
                 p.op = op, p.rows = rows, p.cols = cols, p.src_dtype = src_dtype;
                 p.dst_dtype = dst_dtype;
                 set_opt<std::uint32_t>(p.src_row_stride, sr);
                 set_opt<std::uint32_t>(p.dst_row_stride, dr);
                 return p;
             }),
             py::kw_only(), py::arg("op"), py::arg("rows") = 1, py::arg("cols"),
             py::arg("src_dtype") = DType::f32, py::arg("dst_dtype") = DType::f32,
             py::arg("src_row_stride") = py::none(), py::arg("dst_row_stride") = py::none())
        .def_readwrite("op", &ReduceParams::op)
        .def_readwrite("rows", &ReduceParams::rows)
        .def_readwrite("cols", &ReduceParams::cols)
        .def_readwrite("src_dtype", &ReduceParams::src_dtype)
        .def_readwrite("dst_dtype", &ReduceParams::dst_dtype)
        .def_readwrite("src_row_stride", &ReduceParams::src_row_stride)
        .def_readwrite("dst_row_stride", &ReduceParams::dst_row_stride);

    py::class_<CommandList>(m, "CommandList",
                            "Packets recorded once and submitted any number of times. Every "
                            "argument is checked as the device would, at the call that records "
                            "it (seedchip.Error on a bad one). Recording methods return the "
                            "list, so calls chain.")
        .def(py::init<const Device&>(), py::arg("device"))
        .def("nop", &CommandList::nop, py::return_value_policy::reference_internal)
        .def("copy", &CommandList::copy, py::arg("dst"), py::arg("src"), py::arg("size"),
             py::return_value_policy::reference_internal, "1-D COPY of size bytes.")
        .def("copy_2d", &CommandList::copy_2d, py::arg("dst"), py::arg("dst_pitch"), py::arg("src"),
             py::arg("src_pitch"), py::arg("width"), py::arg("height"),
             py::return_value_policy::reference_internal,
             "2-D COPY: height rows of width bytes, rows pitch bytes apart.")
        .def("fill", &CommandList::fill, py::arg("dst"), py::arg("size"), py::arg("pattern"),
             py::arg("pattern_bytes") = 4, py::return_value_policy::reference_internal)
        .def("signal", &CommandList::signal, py::arg("addr"), py::arg("value"),
             py::return_value_policy::reference_internal)
        .def(
            "wait",
            [](CommandList& l, const BufferView& addr, std::uint64_t value,
               double timeout_us) -> CommandList& {
                if (!(timeout_us >= 0) || timeout_us > 4294967295.0)
                    throw py::value_error("timeout_us must be in [0, 2^32)");
                return l.wait(addr, value,
                              std::chrono::microseconds(static_cast<std::int64_t>(timeout_us)));
            },
            py::arg("addr"), py::arg("value"), py::arg("timeout_us") = 0.0,
            py::return_value_policy::reference_internal,
            "WAIT until the 64-bit value at addr is >= value (timeout_us 0: no limit).")
        .def("timestamp", &CommandList::timestamp, py::arg("addr"),
             py::return_value_policy::reference_internal)
        .def("gemm", &CommandList::gemm, py::arg("params"), py::arg("a"), py::arg("b"),
             py::arg("c"), py::arg("bias") = std::nullopt,
             py::return_value_policy::reference_internal)
        .def("elementwise", &CommandList::elementwise, py::arg("params"), py::arg("dst"),
             py::arg("src0"), py::arg("src1") = std::nullopt,
             py::return_value_policy::reference_internal)
        .def("reduce", &CommandList::reduce, py::arg("params"), py::arg("dst"), py::arg("src"),
             py::return_value_policy::reference_internal)
        .def_property_readonly("packet_count", &CommandList::packet_count)
        .def_property_readonly("finished", &CommandList::finished)
        .def("finish", py::overload_cast<>(&CommandList::finish),
             "Writes the packets into a new host buffer; the list is immutable afterwards.")
        .def("finish", py::overload_cast<const Buffer&>(&CommandList::finish), py::arg("storage"),
             "Writes the packets into storage, a host buffer of at least image_size bytes "
             "that no job still running uses.")
        .def_property_readonly("image_size", &CommandList::image_size,
                               "Bytes finish(storage) needs.")
        .def("__len__", &CommandList::packet_count);

    py::class_<Fence>(m, "Fence",
                      "The completion of one job. Waiting on a failed job raises JobError "
                      "with the driver's report.")
        .def(py::init<>(), "An already-signalled fence.")
        .def("ready", &Fence::ready, "True once the job has finished (JobError if it failed).")
        .def(
            "wait",
            [](const Fence& f, std::optional<double> timeout) {
                const auto t = to_timeout(timeout);
                py::gil_scoped_release nogil;
                if (t == infinite_timeout) {
                    f.wait();
                    return true;
                }
                return f.wait_for(t);
            },
            py::arg("timeout") = std::nullopt,
            "Blocks until the job has finished or timeout seconds have passed (returns False "
            "then).")
        .def("status", &Fence::status,
             "None while pending, else the driver's JobStatus (reason none on success).")
        .def_property_readonly("point", &Fence::point)
        .def_property_readonly("valid", &Fence::valid)
        .def("export_sync_file", &Fence::export_sync_file,
             "A new sync_file descriptor (the caller closes it).")
        .def_static("import_sync_file", &Fence::import_sync_file, py::arg("device"), py::arg("fd"));

    m.def(
        "wait_all",
        [](const std::vector<Fence>& fences, std::optional<double> timeout) {
            const auto t = to_timeout(timeout);
            py::gil_scoped_release nogil;
            return wait_all(fences, t);
        },
        py::arg("fences"), py::arg("timeout") = std::nullopt,
        "Waits for every fence; False on timeout. JobError for the first failed job.");
    m.def(
        "wait_any",
        [](const std::vector<Fence>& fences, std::optional<double> timeout) {
            const auto t = to_timeout(timeout);
            py::gil_scoped_release nogil;
            return wait_any(fences, t);
        },
        py::arg("fences"), py::arg("timeout") = std::nullopt,
        "Index of a signalled fence, or None on timeout.");

    py::class_<Queue>(m, "Queue",
                      "A device queue: runs command lists in submission order on one "
                      "hardware queue.")
        .def(py::init<const Device&, Priority>(), py::arg("device"),
             py::arg("priority") = Priority::normal)
        .def_property_readonly("priority", &Queue::priority)
        .def_property_readonly("id", &Queue::id)
        .def(
            "submit",
            [](Queue& q, CommandList& list, const std::vector<Fence>& deps) {
                return q.submit(list, deps);
            },
            py::arg("list"), py::arg("deps") = std::vector<Fence>{},
            "Runs list after every fence of deps; returns its Fence.")
        .def(
            "submit_batch",
            [](Queue& q, const std::vector<CommandList*>& lists) {
                std::vector<const CommandList*> c(lists.begin(), lists.end());
                return q.submit_batch(c);
            },
            py::arg("lists"))
        .def("last_fence", &Queue::last_fence)
        .def(
            "finish",
            [](Queue& q) {
                py::gil_scoped_release nogil;
                q.finish();
            },
            "Waits for every job submitted so far.")
        .def(
            "copy",
            [](Queue& q, const BufferView& dst, const BufferView& src, std::uint64_t size,
               const std::vector<Fence>& deps) { return q.copy(dst, src, size, deps); },
            py::arg("dst"), py::arg("src"), py::arg("size"), py::arg("deps") = std::vector<Fence>{})
        .def(
            "fill",
            [](Queue& q, const BufferView& dst, std::uint64_t size, std::uint32_t pattern,
               const std::vector<Fence>& deps) { return q.fill(dst, size, pattern, deps); },
            py::arg("dst"), py::arg("size"), py::arg("pattern"),
            py::arg("deps") = std::vector<Fence>{})
        .def(
            "upload",
            [](Queue& q, const BufferView& dst, const py::object& data,
               const std::vector<Fence>& deps) {
                const ContiguousBuffer src(data, false);
                return q.upload(dst, src.bytes(), deps);
            },
            py::arg("dst"), py::arg("data"), py::arg("deps") = std::vector<Fence>{},
            "Copies the bytes of data (any C-contiguous buffer: bytes, a NumPy array...) to "
            "dst. data is copied before the call returns.")
        .def(
            "download",
            [](Queue& q, const py::object& out, const BufferView& src,
               const std::vector<Fence>& deps) {
                const ContiguousBuffer dst(out, true);
                py::gil_scoped_release nogil;
                q.download(dst.bytes(), src, deps);
            },
            py::arg("out"), py::arg("src"), py::arg("deps") = std::vector<Fence>{},
            "Fills the writable C-contiguous buffer out (e.g. a NumPy array) from src; blocks "
            "until done.")
        .def(
            "gemm",
            [](Queue& q, const GemmParams& p, const BufferView& a, const BufferView& b,
               const BufferView& c, const std::optional<BufferView>& bias,
               const std::vector<Fence>& deps) { return q.gemm(p, a, b, c, bias, deps); },
            py::arg("params"), py::arg("a"), py::arg("b"), py::arg("c"),
            py::arg("bias") = std::nullopt, py::arg("deps") = std::vector<Fence>{})
        .def(
            "elementwise",
            [](Queue& q, const ElementwiseParams& p, const BufferView& dst, const BufferView& s0,
               const std::optional<BufferView>& s1,
               const std::vector<Fence>& deps) { return q.elementwise(p, dst, s0, s1, deps); },
            py::arg("params"), py::arg("dst"), py::arg("src0"), py::arg("src1") = std::nullopt,
            py::arg("deps") = std::vector<Fence>{})
        .def(
            "reduce",
            [](Queue& q, const ReduceParams& p, const BufferView& dst, const BufferView& src,
               const std::vector<Fence>& deps) { return q.reduce(p, dst, src, deps); },
            py::arg("params"), py::arg("dst"), py::arg("src"),
            py::arg("deps") = std::vector<Fence>{});

    py::class_<Event>(m, "Event",
                      "A device timestamp for profiling (a TIMESTAMP packet writes the device "
                      "clock when the queue reaches it).")
        .def(py::init<const Device&>(), py::arg("device"))
        .def(
            "record", [](Event& e, CommandList& l) { e.record(l); }, py::arg("list"),
            "Appends the TIMESTAMP packet to a command list.")
        .def(
            "record", [](Event& e, Queue& q) { return e.record(q); }, py::arg("queue"),
            "Records the event on a queue as its own job; returns its Fence.")
        .def_property_readonly("device_time_ns", &Event::device_time_ns,
                               "Device time in ns, or None if not written yet.");
    m.def(
        "elapsed",
        [](const Event& start, const Event& end) {
            return static_cast<double>(elapsed(start, end).count()) * 1e-9;
        },
        py::arg("start"), py::arg("end"), "end - start in device time, in seconds.");
}

} // namespace seed::python
