#pragma once
// One Estimator concept for every estimator in the library. An estimator supports an input
// kind (paired_samples, noisy_representation, ...) exactly when e.estimate(input) is valid.
#include <concepts>
#include <string_view>

#include "infoplane/results/estimate_result.hpp"

namespace infoplane {

/// Static properties: a name (as used by the command line) and what the value means.
template <class E>
concept EstimatorTraits = requires {
  { E::name } -> std::convertible_to<std::string_view>;
  { E::kind } -> std::convertible_to<bound_kind>;
};

/// Estimates I from an input without changing the estimator (seeded, so repeatable).
template <class E, class Input>
concept Estimator = EstimatorTraits<E> && requires(const E& e, const Input& in) {
  { e.estimate(in) } -> std::same_as<estimate_result>;
};

/// An estimator that must first be trained (DoE, DV, MINE, NWJ, InfoNCE).
template <class E, class Input>
concept TrainableEstimator = Estimator<E, Input> && requires(E& e, const Input& in) {
  e.fit(in);
  { e.is_fitted() } -> std::same_as<bool>;
};

}  // namespace infoplane
