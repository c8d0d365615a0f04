# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The SeedChip Authors
"""Shared fixtures of the Python suites. They run where SeedChips are
visible: in the VM (tools/seed-test --python) through seed.ko and the device
model. Without a chip, tests that need one are skipped, and say so."""
import os
import sys
import time

import pytest

# Normally PYTHONPATH=build/python; also work from a plain checkout.
_build = os.environ.get("SEED_BUILD_DIR",
                        os.path.join(os.path.dirname(__file__), "..", "..", "build"))
_pkg = os.path.abspath(os.path.join(_build, "python"))
if _pkg not in sys.path:
    sys.path.insert(0, _pkg)

import seedchip  # noqa: E402

# Importing torch is the dearest step under emulation: time it once, here.
_t0 = time.perf_counter()
try:
    import torch  # noqa: E402,F401
    _torch_import_s = time.perf_counter() - _t0
except ImportError:
    _torch_import_s = None


def pytest_terminal_summary(terminalreporter):
    if _torch_import_s is not None:
        terminalreporter.write_line(f"import torch took {_torch_import_s:.1f} s")


@pytest.fixture
def chip_count():
    return seedchip.device_count()


@pytest.fixture
def chip(chip_count):
    if chip_count < 1:
        pytest.skip("no SeedChip visible (these tests run in the VM: tools/seed-test --python)")
    return 0


@pytest.fixture
def two_chips(chip_count):
    if chip_count < 2:
        pytest.skip(f"needs 2 SeedChips, {chip_count} visible")
    return (0, 1)


@pytest.fixture
def report(capsys):
    """Prints past pytest's capture, for the figures the suites show."""
    def emit(*lines):
        with capsys.disabled():
            for line in lines:
                print(line)
    return emit
