#pragma once
// The sample-pair family: classic estimators of I(X;Y) from paired samples.
#include "infoplane/estimators/pairs/binning.hpp"
#include "infoplane/estimators/pairs/edge.hpp"
#include "infoplane/estimators/pairs/gaussian_mi.hpp"
#include "infoplane/estimators/pairs/ksg.hpp"
