#pragma once
// Numerics shared by several estimator families: log-sum-exp in its two forms (streaming, for
// loops that see one term at a time; two-pass, over an Eigen expression), logaddexp, and the
// one saturation rule every estimator with a ceiling applies.
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "infoplane/results/estimate_result.hpp"

namespace infoplane {

/// log(e^a + e^b) without overflow; -inf when both are -inf. Seeded kernel evaluations are
/// exact only through this: logaddexp(out[s], seed[s]).
inline double logaddexp(double a, double b) noexcept {
  const double hi = std::max(a, b), lo = std::min(a, b);
  if (lo == -std::numeric_limits<double>::infinity()) return hi;
  return hi + std::log1p(std::exp(lo - hi));
}

namespace detail {

/// Streaming log-sum-exp: the sum is rescaled whenever a larger term arrives.
struct running_logsumexp {
  double max = -std::numeric_limits<double>::infinity();
  double sum = 0.0;

  void add(double w) noexcept {
    if (w == -std::numeric_limits<double>::infinity()) return;  // e^-inf adds nothing (and -inf - -inf is NaN)
    if (w > max) {
      sum = sum * std::exp(max - w) + 1.0;
      max = w;
    } else {
      sum += std::exp(w - max);
    }
  }
  /// -inf when no term was added (or all were -inf).
  [[nodiscard]] double value() const noexcept {
    return max == -std::numeric_limits<double>::infinity() ? max : max + std::log(sum);
  }
};

/// Two-pass log-sum-exp over the coefficients of an Eigen expression.
template <class V>
double log_sum_exp(const Eigen::DenseBase<V>& v) {
  const double m = v.maxCoeff();
  if (m == -std::numeric_limits<double>::infinity()) return m;
  return m + std::log((v.derived().array() - m).exp().sum());
}

/// The saturation rule: `saturated` once the value reaches `fraction` of its ceiling (a value
/// there says more about N than about the data), `ok` otherwise, and `ok` without a ceiling.
inline estimate_status saturation_status(double value, std::optional<double> ceiling,
                                         double fraction = 0.99) noexcept {
  return ceiling && value >= fraction * *ceiling ? estimate_status::saturated : estimate_status::ok;
}

/// A result already marked with the estimator's kind, so that no estimator copies it by hand.
template <class E>
estimate_result result_of() {
  estimate_result r;
  r.kind = E::kind;
  return r;
}

}  // namespace detail
}  // namespace infoplane
