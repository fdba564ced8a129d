# Shared by the build tree and the installed infoplaneConfig.cmake so the two cannot drift.
include(CMakeFindDependencyMacro)
if(NOT TARGET Eigen3::Eigen)
  find_dependency(Eigen3 3.4 NO_MODULE)
endif()
if(NOT TARGET xsimd)
  # Debian's xsimd 8.1 export links a target named "xtl" without finding it.
  if(NOT TARGET xtl)
    find_package(xtl QUIET CONFIG)
    if(NOT TARGET xtl)
      add_library(xtl INTERFACE IMPORTED)
    endif()
  endif()
  find_dependency(xsimd 8)
endif()
# Boost.Math only for infoplane::validation, which exists where Boost is found.
if(NOT TARGET Boost::headers)
  find_package(Boost 1.74 QUIET CONFIG)
endif()
if(NOT TARGET Threads::Threads)
  set(THREADS_PREFER_PTHREAD_FLAG ON)
  find_dependency(Threads)
endif()
# Optional, for gzip-compressed IDX files in io/idx.hpp only (target infoplane::zlib).
if(NOT TARGET ZLIB::ZLIB)
  find_package(ZLIB QUIET)
endif()
# Optional MPI, for include/infoplane/mpi/ only (target infoplane::mpi). The installed package
# looks for it only when it was built with it.
if(NOT TARGET MPI::MPI_CXX AND NOT (DEFINED INFOPLANE_PACKAGE_HAS_MPI AND NOT INFOPLANE_PACKAGE_HAS_MPI)
   AND NOT (DEFINED INFOPLANE_MPI AND NOT INFOPLANE_MPI))
  find_package(MPI QUIET COMPONENTS CXX)
endif()
