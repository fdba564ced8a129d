#pragma once
// Noise parameters are strong types: a bare double whose meaning (std or variance) must be
// guessed is exactly the bug in the paper's published code.
#include <cmath>
#include <string>

#include "infoplane/errors.hpp"

namespace infoplane {

/// Standard deviation s of the multiplicative noise eps ~ N(1, s^2).
struct noise_std {
  double value;
  explicit constexpr noise_std(double s) : value(s) {}
};

/// Variance s^2 of the multiplicative noise eps ~ N(1, s^2).
struct noise_variance {
  double value;
  explicit constexpr noise_variance(double v) : value(v) {}
};

/// Drop probability p of Bernoulli dropout; Gaussian dropout matches its first two moments
/// with variance p / (1 - p) (Srivastava et al. 2014).
struct drop_probability {
  double value;
  explicit constexpr drop_probability(double p) : value(p) {}
};

/// Gaussian dropout: Z = f(X) * eps, eps ~ N(1, s^2) independently per unit.
class gaussian_dropout {
 public:
  explicit gaussian_dropout(noise_std s) : variance_(checked(s.value, "noise standard deviation") * s.value) {}
  explicit gaussian_dropout(noise_variance v) : variance_(checked(v.value, "noise variance")) {}
  explicit gaussian_dropout(drop_probability p) : variance_(from_drop(p.value)) {}

  [[nodiscard]] double variance() const noexcept { return variance_; }
  [[nodiscard]] double std() const noexcept { return std::sqrt(variance_); }

 private:
  static double checked(double x, const char* what) {
    INFOPLANE_CHECK(std::isfinite(x) && x > 0.0,
                    std::string("gaussian_dropout: ") + what + " must be finite and > 0, got " + std::to_string(x));
    return x;
  }
  static double from_drop(double p) {
    INFOPLANE_CHECK(std::isfinite(p) && p > 0.0 && p < 1.0,
                    "gaussian_dropout: drop probability must lie in (0, 1), got " + std::to_string(p));
    return p / (1.0 - p);
  }
  double variance_;
};

/// Information dropout with softplus units (Achille & Soatto 2018): Z = f(X) * exp(alpha(X) * e),
/// e ~ N(0, 1) independently per unit, with alpha(x) > 0 per data row and unit (an N x d matrix
/// like the representations, held by reference, not copied: it must outlive the estimator
/// call, so a temporary is refused). Since f > 0, log Z | x is
/// N(log f(x), diag alpha(x)^2), and I(X;Z) = I(X; log Z) because log is a bijection, so the
/// dropout estimators work in log Z, where the mixture is Gaussian with per-component variances.
template <class MA>
class lognormal_dropout {
 public:
  explicit lognormal_dropout(const MA& alpha) noexcept : alpha_(&alpha) {}
  explicit lognormal_dropout(const MA&&) = delete;
  [[nodiscard]] const MA& alpha() const noexcept { return *alpha_; }

 private:
  const MA* alpha_;
};

}  // namespace infoplane
