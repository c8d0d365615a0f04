# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The SeedChip Authors
#
# Host test of the installed package: cmake --install into a scratch prefix,
# then import seedchip and seedchip.torch from there (no chip needed).
#   cmake -DBUILD=<build dir> -DPYTHON=<python> -DOUT=<scratch dir> -P install_test.cmake
file(REMOVE_RECURSE ${OUT})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD} --prefix ${OUT}
  RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${rc})")
endif()
set(check [=[
import os, sys, seedchip
where = os.path.dirname(seedchip.__file__)
assert where.startswith(sys.argv[1]), where
assert os.path.exists(os.path.join(where, "_core.pyi"))
assert isinstance(seedchip.devices(), list)
try:
    import torch
except ImportError:
    print("no torch: seedchip.torch not checked")
else:
    import seedchip.torch as st
    assert st.device_count() == seedchip.device_count()
    assert os.path.dirname(st.__file__).startswith(sys.argv[1])
print("installed package imports from", where)
]=])
# From the scratch prefix, so that the build tree's package (in ctest's
# working directory) cannot be the one imported.
execute_process(COMMAND ${CMAKE_COMMAND} -E env PYTHONPATH=${OUT}/lib/python3/dist-packages
  SEED_VISIBLE_DEVICES= ${PYTHON} -c "${check}" ${OUT}
  WORKING_DIRECTORY ${OUT}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "importing the installed package failed (${rc})")
endif()
