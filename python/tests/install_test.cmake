# cmake --install BUILD --component python --prefix PREFIX, then `import infoplane` from
# PREFIX/DIR with PYTHON, as the README says; prints the version.
file(REMOVE_RECURSE ${PREFIX})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD} --component python --prefix ${PREFIX} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "install failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E env PYTHONPATH=${PREFIX}/${DIR} PYTHONNOUSERSITE=1
    ${PYTHON} -c "import infoplane, sys; assert infoplane.__file__.startswith('${PREFIX}'), infoplane.__file__; print(infoplane.__version__)"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err WORKING_DIRECTORY ${PREFIX})
if(NOT rc EQUAL 0 OR NOT out MATCHES "^${VERSION}")
  message(FATAL_ERROR "import from ${PREFIX}/${DIR} failed: ${out}${err}")
endif()
message(STATUS "installed module imports: ${out}")
