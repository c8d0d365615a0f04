// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The SeedChip Authors
//
// seed::Error and seed::JobError as Python exceptions, with the driver's job
// report (seed::JobStatus) attached to JobError.
#include "bindings.hpp"

#include <seed/error.hpp>

#include <string>

namespace seed::python {

namespace {

PyObject* g_error = nullptr;
PyObject* g_job_error = nullptr;

/// Raises @p type with @p err's message and its attributes.
void raise(PyObject* type, const Error& err, const py::object& status) {
    py::object exc =
        py::reinterpret_steal<py::object>(PyObject_CallFunction(type, "s", err.what()));
    if (!exc)
        return; // the call set a Python error already
    const std::error_code code = err.code();
    exc.attr("context") = py::str(err.context());
    exc.attr("category") = py::str(code.category().name());
    exc.attr("value") = py::int_(code.value());
    exc.attr("errno") = code.category() == std::system_category()
                            ? py::object(py::int_(code.value()))
                            : py::object(py::none());
    exc.attr("status") = status;
    PyErr_SetObject(type, exc.ptr());
}

} // namespace

void bind_errors(py::module_& m) {
    py::enum_<JobFailure>(m, "JobFailure", "Why a job failed (the driver's JOB_STATUS reason).")
        .value("none", JobFailure::none)
        .value("mmu_fault", JobFailure::mmu_fault)
        .value("invalid_packet", JobFailure::invalid_packet)
        .value("timeout", JobFailure::timeout)
        .value("reset", JobFailure::reset)
        .value("cancelled", JobFailure::cancelled)
        .value("ecc", JobFailure::ecc)
        .value("device_lost", JobFailure::device_lost)
        .value("hw_error", JobFailure::hw_error)
        .value("unknown", JobFailure::unknown);

    py::class_<JobStatus>(m, "JobStatus", "The driver's report on how a job ended.")
        .def_readonly("queue_id", &JobStatus::queue_id, "Kernel queue id.")
        .def_readonly("seq", &JobStatus::seq, "Job sequence number (timeline point).")
        .def_readonly("reason", &JobStatus::reason, "JobFailure.none on success.")
        .def_readonly("hw_error", &JobStatus::hw_error, "SEED_ERR_* of the device, or 0.")
        .def_property_readonly(
            "hw_error_name", [](const JobStatus& s) { return hw_error_name(s.hw_error); },
            "Name of hw_error: 'bad_size', 'mmu_fault', ...")
        .def_readonly("fault_info", &JobStatus::fault_info)
        .def_readonly("fault_address", &JobStatus::fault_address,
                      "Device VA of the failing access, or 0.")
        .def_property_readonly("fault_was_write", &JobStatus::fault_was_write)
        .def_readonly("packet_offset", &JobStatus::packet_offset,
                      "Index of the failing packet in its buffer.")
        .def_readonly("packet_opcode", &JobStatus::packet_opcode)
        .def_readonly("packet_level", &JobStatus::packet_level)
        .def("__str__", [](const JobStatus& s) { return describe(s); })
        .def("__repr__",
             [](const JobStatus& s) { return "<seedchip.JobStatus " + describe(s) + ">"; });

    g_error = PyErr_NewExceptionWithDoc(
        "seedchip.Error",
        "Every failure of libseed. Attributes: context (what libseed was doing), category "
        "('seed' or 'system'), value (the error code), errno (for system errors, else None), "
        "status (a JobStatus for a JobError, else None).",
        PyExc_RuntimeError, nullptr);
    g_job_error = PyErr_NewExceptionWithDoc(
        "seedchip.JobError",
        "A job ran on the device and failed; status is the driver's report (JobStatus).", g_error,
        nullptr);
    if (!g_error || !g_job_error)
        throw py::error_already_set();
    m.add_object("Error", py::handle(g_error));
    m.add_object("JobError", py::handle(g_job_error));

    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p)
                std::rethrow_exception(p);
        } catch (const JobError& e) {
            raise(g_job_error, e, py::cast(e.status()));
        } catch (const Error& e) {
            raise(g_error, e, py::none());
        }
    });
}

} // namespace seed::python
