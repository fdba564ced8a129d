#pragma once
// The dropout family: estimators over a noise model (noisy_representation).
#include "infoplane/estimators/dropout/gaussian_bound.hpp"
#include "infoplane/estimators/dropout/mixture.hpp"
#include "infoplane/estimators/dropout/noisy_samples.hpp"
#include "infoplane/estimators/dropout/pairwise.hpp"
