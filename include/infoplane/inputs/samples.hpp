#pragma once
// Role-named input aggregates. Every matrix is samples x dims, row- or column-major; the
// aggregates hold references, so nothing is copied on the way in.
#include <Eigen/Core>
#include <cmath>
#include <cstdio>
#include <string>
#include <type_traits>

#include "infoplane/errors.hpp"
#include "infoplane/inputs/noise.hpp"

namespace infoplane {

/// Any dense Eigen expression with a floating-point scalar.
template <class M>
concept SampleMatrix = std::is_base_of_v<Eigen::DenseBase<M>, M> &&
                       std::is_floating_point_v<typename M::Scalar>;

/// Noise-free representations f(x_i) (N x d) under a dropout noise model: gaussian_dropout,
/// or lognormal_dropout (information dropout) with its N x d matrix of alpha.
template <SampleMatrix MF, class Noise = gaussian_dropout>
struct noisy_representation {
  const MF& means;
  Noise noise;
};
template <class MF>
noisy_representation(const MF&, gaussian_dropout) -> noisy_representation<MF>;
template <class MF, class MA>
noisy_representation(const MF&, lognormal_dropout<MA>) -> noisy_representation<MF, lognormal_dropout<MA>>;

/// Paired samples (x_i, y_i): X is N x dx, Y is N x dy.
template <SampleMatrix MX, SampleMatrix MY>
struct paired_samples {
  const MX& x;
  const MY& y;
};
template <class MX, class MY>
paired_samples(const MX&, const MY&) -> paired_samples<MX, MY>;

namespace detail {

template <class M>
void require_nonempty(const Eigen::DenseBase<M>& m, const std::string& what) {
  INFOPLANE_CHECK(m.rows() > 0, what + ": empty data (0 samples)");
  INFOPLANE_CHECK(m.cols() > 0, what + ": empty data (0 dimensions)");
}

template <class M>
void require_finite(const Eigen::DenseBase<M>& m, const std::string& what) {
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (Eigen::Index k = 0; k < m.cols(); ++k)
      if (!std::isfinite(static_cast<double>(m(i, k))))
        raise<invalid_argument>(what + ": non-finite value (NaN or Inf) at row " + std::to_string(i) + ", column " +
                                std::to_string(k));
}

template <class M>
void require_valid_matrix(const Eigen::DenseBase<M>& m, const std::string& what) {
  require_nonempty(m, what);
  require_finite(m, what);
}

}  // namespace detail

/// Throws infoplane::invalid_argument unless both matrices are non-empty, finite and have the
/// same number of rows.
template <class MX, class MY>
void validate(const paired_samples<MX, MY>& in, const std::string& who) {
  detail::require_valid_matrix(in.x, who + ": x");
  detail::require_valid_matrix(in.y, who + ": y");
  INFOPLANE_CHECK(in.x.rows() == in.y.rows(), who + ": mismatched shapes: x has " + std::to_string(in.x.rows()) +
                                                  " rows but y has " + std::to_string(in.y.rows()));
}

template <class MF>
void validate(const noisy_representation<MF>& in, const std::string& who) {
  detail::require_valid_matrix(in.means, who + ": means");
  // Each component's variance s^2 f^2 must be a normal double: below, its density's arithmetic
  // underflows (NaN from subnormal f), above, it overflows. Zero is a dropped unit, fine.
  const double s2 = in.noise.variance();
  for (Eigen::Index k = 0; k < in.means.cols(); ++k)
    for (Eigen::Index i = 0; i < in.means.rows(); ++i) {
      const double f = static_cast<double>(in.means(i, k)), v = s2 * f * f;
      if (f != 0 && !std::isnormal(v)) {
        char value[32];
        std::snprintf(value, sizeof value, "%.3g", f);
        detail::raise<invalid_argument>(
            who + ": means: value " + value + " at row " + std::to_string(i) + ", column " +
            std::to_string(k) + ": its noise variance s^2 f^2 " + (v < 1 ? "underflows" : "overflows") +
            " a double; rescale the unit (I(X;Z) does not depend on a unit's scale)");
      }
    }
}

/// Information dropout: f > 0 (softplus), and alpha of the same shape, finite and > 0.
template <class MF, class MA>
void validate(const noisy_representation<MF, lognormal_dropout<MA>>& in, const std::string& who) {
  static_assert(SampleMatrix<MA>, "lognormal_dropout: alpha must be a dense floating-point Eigen matrix");
  const auto& f = in.means;
  const auto& a = in.noise.alpha();
  detail::require_valid_matrix(f, who + ": means");
  INFOPLANE_CHECK(a.rows() == f.rows() && a.cols() == f.cols(),
                  who + ": mismatched shapes: alpha is " + std::to_string(a.rows()) + " x " + std::to_string(a.cols()) +
                      " but means are " + std::to_string(f.rows()) + " x " + std::to_string(f.cols()));
  for (Eigen::Index i = 0; i < f.rows(); ++i)
    for (Eigen::Index k = 0; k < f.cols(); ++k) {
      const double fv = static_cast<double>(f(i, k)), av = static_cast<double>(a(i, k));
      const std::string at = " at row " + std::to_string(i) + ", column " + std::to_string(k);
      // log f must exist: information dropout needs positive (softplus) units.
      if (!(fv > 0.0)) detail::raise<invalid_argument>(who + ": means: information dropout needs f > 0, got " + std::to_string(fv) + at);
      if (!(std::isfinite(av) && av > 0.0))
        detail::raise<invalid_argument>(who + ": alpha must be finite and > 0, got " + std::to_string(av) + at);
    }
}

}  // namespace infoplane
