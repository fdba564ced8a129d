#pragma once
// Gaussian (linear) MI: I(X;Y) = 1/2 [log det S_x + log det S_y - log det S], with S the sample
// covariance of (x, y). Exact for jointly Gaussian data, the classic baseline beside KSG on
// the multinormal tasks; for other data it measures only linear dependence (a copula or a
// nonlinearity it cannot see), so it is a point estimate, not a bound.
#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "infoplane/detail/math.hpp"
#include "infoplane/detail/memory.hpp"
#include "infoplane/estimators/concepts.hpp"
#include "infoplane/inputs/samples.hpp"
#include "infoplane/results/estimate_result.hpp"
#include "infoplane/results/warnings.hpp"

namespace infoplane {

struct gaussian_mi_options {
  double ridge = 0.0;  ///< added to each variance before the log-determinants (0: none)
};

class gaussian_mi {
 public:
  static constexpr std::string_view name = "gaussian-mi";
  static constexpr bound_kind kind = bound_kind::point_estimate;

  explicit gaussian_mi(gaussian_mi_options options = {}) : opt_(options) {
    INFOPLANE_CHECK(std::isfinite(opt_.ridge) && opt_.ridge >= 0, "gaussian-mi: ridge must be finite and >= 0");
  }

  template <class MX, class MY>
  [[nodiscard]] estimate_result estimate(const paired_samples<MX, MY>& in) const {
    validate(in, std::string(name));
    const auto n = in.x.rows(), dx = in.x.cols(), dy = in.y.cols();
    INFOPLANE_CHECK(n >= 2, "gaussian-mi: too few samples: need at least 2");
    {  // Refused up front: the joint matrix and its centred non-constant columns, 16 N (dx + dy)
       // bytes; the (dx + dy)^2 covariance, its two blocks and their Cholesky factors, 32 (dx + dy)^2,
       // not reached where N <= dx + dy stops before the covariance.
      const long double rows = static_cast<long double>(n), d = static_cast<long double>(dx + dy);
      const bool covariance = opt_.ridge > 0 || n > dx + dy;
      detail::require_bytes(16 * rows * d + (covariance ? 32 * d * d : 0),
                            "gaussian-mi: N = " + std::to_string(n) + " samples of dx + dy = " + std::to_string(dx + dy) +
                                " dimensions" + (covariance ? " and their covariance" : ""));
    }
    Eigen::MatrixXd joint(n, dx + dy);
    joint << in.x.template cast<double>(), in.y.template cast<double>();
    // A constant column is independent of everything and is left out: a dead unit no longer
    // makes the covariance singular, and a constant x or y gives I = 0 exactly. MI does not
    // depend on the units: each other column, centred, is scaled by a power of two (exact), so
    // that variances at 1e-200 or 1e200 neither under- nor overflow (they gave NaN, once with
    // status ok).
    std::vector<Eigen::Index> kept;
    std::vector<int> exponent;
    Eigen::Index kx = 0;
    for (Eigen::Index c = 0; c < dx + dy; ++c) {
      auto col = joint.col(c);
      if (col.maxCoeff() == col.minCoeff()) continue;
      col.array() -= col.mean();
      kept.push_back(c);
      exponent.push_back(*detail::to_unit_binade(col));  // not all 0: the values differ
      kx += c < dx;
    }
    const auto k = static_cast<Eigen::Index>(kept.size()), ky = k - kx;
    auto r = detail::result_of<gaussian_mi>();
    r.n_samples = static_cast<std::size_t>(n);
    detail::representation_warnings(r, in.x, "x");
    if (kx == 0 || ky == 0) {
      r.value = 0.0;
      return r;
    }
    // N points span at most N - 1 dimensions: below that the sample covariance is singular, and
    // rounding could leave it a tiny positive pivot, that is a huge finite "MI".
    if (opt_.ridge == 0 && n <= k) {
      r.status = estimate_status::insufficient_samples;
      detail::add_warning(r, "gaussian-mi: N = " + std::to_string(n) + " samples span at most " +
                                 std::to_string(n - 1) + " of the " + std::to_string(k) +
                                 " dimensions of (x, y): the sample covariance is singular (set a ridge > 0)");
      return r;
    }
    const Eigen::MatrixXd centred = joint(Eigen::all, kept);
    Eigen::MatrixXd s = centred.transpose() * centred / static_cast<double>(n - 1);
    for (Eigen::Index c = 0; c < k; ++c) s(c, c) += std::ldexp(opt_.ridge, -2 * exponent[std::size_t(c)]);
    const auto lx = log_det(s.topLeftCorner(kx, kx)), ly = log_det(s.bottomRightCorner(ky, ky)), l = log_det(s);
    if (!lx || !ly || !l) {
      r.status = estimate_status::numerical_issue;  // a covariance that is not positive definite
      return r;
    }
    r.value = 0.5 * (*lx + *ly - *l);
    return r;
  }

 private:
  static std::optional<double> log_det(const Eigen::MatrixXd& s) {
    const Eigen::LLT<Eigen::MatrixXd> llt(s);
    if (llt.info() != Eigen::Success) return std::nullopt;
    return 2.0 * llt.matrixLLT().diagonal().array().log().sum();
  }
  gaussian_mi_options opt_;
};

}  // namespace infoplane
