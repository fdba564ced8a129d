#pragma once
// Umbrella header: inputs -> estimators -> kernels -> results.
#include "infoplane/config.hpp"
#include "infoplane/errors.hpp"
#include "infoplane/estimators/concepts.hpp"
#include "infoplane/estimators/dropout_gaussian_bound.hpp"
#include "infoplane/estimators/dropout_mixture.hpp"
#include "infoplane/estimators/dropout_pairwise.hpp"
#include "infoplane/inputs/noise.hpp"
#include "infoplane/inputs/samples.hpp"
#include "infoplane/inputs/toy.hpp"
#include "infoplane/kernels/mixture_logsumexp.hpp"
#include "infoplane/results/estimate_result.hpp"
#include "infoplane/version.hpp"
