#pragma once
#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace infoplane {

/// What the value means relative to the true mutual information.
enum class bound_kind { point_estimate, upper_bound, lower_bound };

/// The distribution the value refers to. `dataset`: X uniform over the N given points (the
/// mixture estimators compute this exactly up to Monte Carlo error); `population`: the data
/// distribution the points were drawn from.
enum class estimate_target { unspecified, dataset, population };

/// Numerical outcome of an estimate. Contract violations throw instead.
enum class estimate_status {
  ok,
  saturated,             ///< value is within the saturation margin of the ceiling (log N)
  not_converged,         ///< training or iteration stopped before convergence
  numerical_issue,       ///< e.g. a singular covariance; value may be NaN or infinite
  insufficient_samples,  ///< valid input, but too few samples for a meaningful value
  bound_violated,        ///< exceeds a bound the true value obeys (e.g. data processing) beyond its error
};

constexpr std::string_view to_string(bound_kind k) noexcept {
  switch (k) {
    case bound_kind::point_estimate: return "point_estimate";
    case bound_kind::upper_bound: return "upper_bound";
    case bound_kind::lower_bound: return "lower_bound";
  }
  return "unknown";
}

constexpr std::string_view to_string(estimate_target t) noexcept {
  switch (t) {
    case estimate_target::unspecified: return "unspecified";
    case estimate_target::dataset: return "dataset";
    case estimate_target::population: return "population";
  }
  return "unknown";
}

constexpr std::string_view to_string(estimate_status s) noexcept {
  switch (s) {
    case estimate_status::ok: return "ok";
    case estimate_status::saturated: return "saturated";
    case estimate_status::not_converged: return "not_converged";
    case estimate_status::numerical_issue: return "numerical_issue";
    case estimate_status::insufficient_samples: return "insufficient_samples";
    case estimate_status::bound_violated: return "bound_violated";
  }
  return "unknown";
}

/// The population target's bracket (X continuous, the N points a sample from it; docs/design.md,
/// "Two targets"): E[lower] <= I <= E[upper], each end with a standard error that covers the
/// sampling of the points as well as the noise draws. An infinite upper end means that these data
/// cannot bound I from above (upper_source "none").
struct population_bracket {
  double lower = std::nan("");
  double upper = std::nan("");
  double lower_std_error = std::nan("");
  double upper_std_error = std::nan("");
  /// Which valid upper bound is the tightest here: for I(X;Z) "leave-one-out", "gaussian" or
  /// "none"; for the mixture's I(Z;Y) "plug-in" or, by data processing, I(X;Z)'s ("i_xz-...").
  std::string upper_source;
};

/// The one result type of every estimator. All information quantities are in nats.
struct estimate_result {
  double value = std::nan("");          ///< the estimate (nats)
  std::optional<double> std_error;      ///< Monte Carlo / statistical standard error, where known
  bound_kind kind = bound_kind::point_estimate;
  estimate_target target = estimate_target::unspecified;
  std::optional<double> ceiling;        ///< hard maximum, e.g. log N for X uniform over N points
  std::optional<double> lower;          ///< lower end of a bracket, where the estimator gives one
  std::optional<double> upper;          ///< upper end of a bracket, where the estimator gives one
  std::size_t n_samples = 0;            ///< data points (components) the estimate uses
  std::size_t n_draws = 0;              ///< stochastic draws (e.g. N*M noisy samples); 0 if none
  estimate_status status = estimate_status::ok;
  /// Suspicious inputs (N < d, labels passed as a representation, KSG on few distinct y
  /// values) and values clamped into MI's range beyond rounding; each a sentence naming it.
  std::vector<std::string> warnings;
  /// The population bracket, where the estimator gives one (the dropout family). `value`,
  /// `std_error`, `lower` and `upper` above keep their meaning: the dataset view.
  std::optional<population_bracket> population;

  [[nodiscard]] bool ok() const noexcept { return status == estimate_status::ok; }
};

/// Convert nats to bits.
constexpr double to_bits(double nats) noexcept { return nats / 0.69314718055994530942; }

}  // namespace infoplane
