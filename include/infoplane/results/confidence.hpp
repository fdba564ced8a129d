#pragma once
// Confidence intervals from a result's standard errors (normal approximation), for either target.
#include <cmath>
#include <numbers>
#include <string>

#include "infoplane/errors.hpp"
#include "infoplane/results/estimate_result.hpp"

namespace infoplane {

/// The standard normal quantile: Phi(z) = p, for p in (0, 1). Acklam's rational approximation
/// (relative error 1.2e-9), then one Halley step on erfc, which brings it to rounding.
inline double normal_quantile(double p) {
  INFOPLANE_CHECK(p > 0 && p < 1, "normal_quantile: p must lie in (0, 1), got " + std::to_string(p));
  constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                          1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                          6.680131188771972e+01,  -1.328068155288572e+01};
  constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                          -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                          3.754408661907416e+00};
  const double lo = 0.02425;
  double x;
  if (p < lo || p > 1 - lo) {
    const double q = std::sqrt(-2 * std::log(p < lo ? p : 1 - p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    if (p > 1 - lo) x = -x;
  } else {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  const double e = 0.5 * std::erfc(-x / std::numbers::sqrt2) - p;
  const double u = e * std::sqrt(2 * std::numbers::pi) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

/// A two-sided interval [lower, upper] in nats.
struct confidence_interval {
  double lower = std::nan("");
  double upper = std::nan("");
};

/// The interval at `confidence` (e.g. 0.95) for `target`, with z = Phi^-1((1 + confidence) / 2):
/// - dataset: value -/+ z std_error (the Monte Carlo error of the dataset value);
/// - population: [lower - z lower_std_error, upper + z upper_std_error] of r.population, so
///   that it covers I whenever each end's bias is on its side (E[lower] <= I <= E[upper]).
/// An infinite upper end stays infinite. Throws when the result has no such interval.
inline confidence_interval interval_of(const estimate_result& r, estimate_target target, double confidence) {
  INFOPLANE_CHECK(confidence > 0 && confidence < 1,
                  "confidence must lie in (0, 1), e.g. 0.95, got " + std::to_string(confidence));
  const double z = normal_quantile(0.5 + confidence / 2);
  if (target == estimate_target::dataset) {
    INFOPLANE_CHECK(r.target == estimate_target::dataset && r.std_error,
                    "this result has no dataset interval (it is not a dataset-target estimate with a standard error)");
    return {r.value - z * *r.std_error, r.value + z * *r.std_error};
  }
  INFOPLANE_CHECK(target == estimate_target::population, "confidence interval: name the dataset or population target");
  INFOPLANE_CHECK(r.population.has_value(), "this result has no population bracket");
  const auto& p = *r.population;
  return {p.lower - z * p.lower_std_error, std::isinf(p.upper) ? p.upper : p.upper + z * p.upper_std_error};
}

}  // namespace infoplane
