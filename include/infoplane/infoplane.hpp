#pragma once
// Umbrella header: inputs -> estimators -> kernels -> results, for the dropout and sample-pair
// families. Heavier parts are included on demand:
//   infoplane/estimators/neural.hpp   DoE and the variational critics
//   infoplane/io/read_matrix.hpp      .npy and CSV files
//   infoplane/plane/information_plane.hpp  one information-plane point (all estimators at once)
//   infoplane/validation/*.hpp        toy generators and quadrature truths (infoplane::validation)
#include "infoplane/config.hpp"
#include "infoplane/errors.hpp"
#include "infoplane/estimators/concepts.hpp"
#include "infoplane/estimators/dropout.hpp"
#include "infoplane/estimators/pairs.hpp"
#include "infoplane/inputs/noise.hpp"
#include "infoplane/inputs/samples.hpp"
#include "infoplane/kernels/mixture_logsumexp.hpp"
#include "infoplane/results/confidence.hpp"
#include "infoplane/results/estimate_result.hpp"
#include "infoplane/version.hpp"
