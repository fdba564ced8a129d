#pragma once
// The paper's two toy-problem noise levels, shared by the estimator tests.
#include "infoplane/inputs/noise.hpp"

namespace infoplane::test {
inline const gaussian_dropout var01(noise_variance(0.1));
inline const gaussian_dropout var04(noise_variance(0.4));
}  // namespace infoplane::test
