#pragma once
#include <Eigen/Core>
#include <xsimd/xsimd.hpp>

#include "infoplane/version.hpp"

#if __cplusplus < 202002L
#error "infoplane needs C++20"
#endif
static_assert(EIGEN_VERSION_AT_LEAST(3, 4, 0), "infoplane needs Eigen >= 3.4");
static_assert(XSIMD_VERSION_MAJOR >= 8, "infoplane needs xsimd >= 8");
