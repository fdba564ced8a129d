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

/// Multiplies `v` (a vector expression that can be written, e.g. a matrix column) by 2^-e, e
/// the binary exponent of its largest |value|, so that this lies in [1, 2): exact, no rounding.
/// Returns e, or nullopt (v untouched) when every value is 0. Scale-free statistics (a standard
/// deviation, a Gaussian MI) then square O(1) numbers: data at 1e-200, 1e200 or subnormal
/// neither under- nor overflow.
template <class V>
std::optional<int> to_unit_binade(V&& v) {
  const double m = v.cwiseAbs().maxCoeff();
  if (!(m > 0)) return std::nullopt;
  const int e = std::ilogb(m);
  v = v.unaryExpr([e](double a) { return std::ldexp(a, -e); });
  return e;
}

/// sqrt(sum of squares / size) of `v` without a square under- or overflowing (through
/// to_unit_binade on a copy); 0 for an all-zero v.
template <class V>
double stable_rms(const Eigen::MatrixBase<V>& v) {
  Eigen::VectorXd c = v;
  const auto e = to_unit_binade(c);
  return e ? std::ldexp(std::sqrt(c.array().square().sum() / static_cast<double>(c.size())), *e) : 0.0;
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
