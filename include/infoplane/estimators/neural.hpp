#pragma once
// The neural family: trainable estimators over paired samples, on one training loop. Heavier to
// compile than the rest, so not part of infoplane.hpp.
#include "infoplane/estimators/neural/doe.hpp"
#include "infoplane/estimators/neural/training.hpp"
#include "infoplane/estimators/neural/variational.hpp"
