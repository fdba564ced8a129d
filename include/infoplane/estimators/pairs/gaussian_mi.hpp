#pragma once
// Gaussian (linear) MI: I(X;Y) = 1/2 [log det S_x + log det S_y - log det S], with S the sample
// covariance of (x, y). Exact for jointly Gaussian data, the classic baseline beside KSG on
// the multinormal tasks; for other data it measures only linear dependence (a copula or a
// nonlinearity it cannot see), so it is a point estimate, not a bound.
#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <cmath>
#include <optional>
#include <string_view>

#include "infoplane/detail/math.hpp"
#include "infoplane/estimators/concepts.hpp"
#include "infoplane/inputs/samples.hpp"
#include "infoplane/results/estimate_result.hpp"

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
    Eigen::MatrixXd joint(n, dx + dy);
    joint << in.x.template cast<double>(), in.y.template cast<double>();
    const Eigen::MatrixXd centred = joint.rowwise() - joint.colwise().mean();
    Eigen::MatrixXd s = centred.transpose() * centred / static_cast<double>(n - 1);
    s.diagonal().array() += opt_.ridge;
    auto r = detail::result_of<gaussian_mi>();
    r.n_samples = static_cast<std::size_t>(n);
    const auto lx = log_det(s.topLeftCorner(dx, dx)), ly = log_det(s.bottomRightCorner(dy, dy)), l = log_det(s);
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
