#pragma once
// Building blocks of the bmi benchmark tasks (Czyz et al. 2023, github.com/cbg-ethz/bmi): the
// base samplers (multinormal, multivariate Student-t, additive uniform noise) and the
// coordinate-wise bijections bmi applies to them. Every row of a sample comes from its own
// seeded stream, so a sample depends only on (seed, n) and never on the thread count.
#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <functional>

#include "infoplane/detail/rng.hpp"
#include "infoplane/errors.hpp"

namespace infoplane::validation {

/// One sample of a task: N x dim_x and N x dim_y.
struct xy_sample {
  Eigen::MatrixXd x, y;
};

namespace detail {

using infoplane::detail::rng_stream;

/// Gamma(shape, 1) by Marsaglia & Tsang (2000); shape < 1 through Gamma(shape + 1) U^(1/shape).
inline double gamma_draw(rng_stream& rng, double shape) {
  INFOPLANE_CHECK(std::isfinite(shape) && shape > 0, "gamma_draw: shape must be finite and > 0");
  if (shape < 1.0) {
    const double u = rng.uniform();
    return gamma_draw(rng, shape + 1.0) * std::pow(u, 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double z, v;
    do {
      z = rng.normal();
      v = 1.0 + c * z;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = rng.uniform();
    if (u < 1.0 - 0.0331 * z * z * z * z) return d * v;  // the cheap squeeze
    if (std::log(u) < 0.5 * z * z + d * (1.0 - v + std::log(v))) return d * v;
  }
}

/// Chi-square with `df` degrees of freedom: 2 Gamma(df / 2, 1).
inline double chi_square_draw(rng_stream& rng, double df) { return 2.0 * gamma_draw(rng, 0.5 * df); }

/// Standard normal CDF.
inline double normal_cdf(double x) noexcept { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

/// bmi's half-cube x |x|^(1/2), a bijection of R onto R.
inline double half_cube(double x) noexcept { return x * std::sqrt(std::abs(x)); }

/// bmi's wiggly maps (tasks/wiggly.py); strictly increasing, so bijections of R.
inline double wiggly_x(double x) noexcept {
  return x + 0.4 * std::sin(1.0 * x) + 0.2 * std::sin(1.7 * x + 1) + 0.03 * std::sin(3.3 * x - 2.5);
}
inline double wiggly_y(double x) noexcept {
  return x - 0.4 * std::sin(0.4 * x) + 0.17 * std::sin(1.3 * x + 3.5) + 0.02 * std::sin(4.3 * x - 2.5);
}

/// bmi's bimodal marginals (tasks/bimodal_gaussians.py): CDFs of two-component mixtures.
inline double bimodal_cdf_x(double t) noexcept { return 0.3 * normal_cdf(t) + 0.7 * normal_cdf(t - 5.0); }
inline double bimodal_cdf_y(double t) noexcept { return 0.5 * normal_cdf(t + 1.0) + 0.5 * normal_cdf(t - 3.0); }

/// Inverse of an increasing CDF by bisection on [-10, 10] to width 1e-12, as bmi's invert_cdf.
template <class F>
double invert_cdf(F&& cdf, double u) {
  double lo = -10.0, hi = 10.0;
  for (;;) {
    const double mid = 0.5 * (lo + hi);
    if (!(hi - lo > 1e-12 && hi > mid && mid > lo)) return mid;
    (cdf(mid) < u ? lo : hi) = mid;
  }
}

/// bmi's Swiss roll embedding of [0, 1] into R^2 (transforms/simple.py): t = 1.5 pi (1 + 2x),
/// x -> (t cos t, t sin t) / 21. Injective, so MI is kept (X becomes 2-dimensional).
inline Eigen::RowVector2d swiss_roll(double x) noexcept {
  const double t = 1.5 * 3.14159265358979323846 * (1.0 + 2.0 * x);
  return Eigen::RowVector2d(t * std::cos(t), t * std::sin(t)) / 21.0;
}

/// bmi's spiral (transforms/_rotate.py) for the generator of so(n) at (i, j), scaled by
/// `speed`: x -> exp(speed ||x||^2 A) x, a rotation by the angle speed ||x||^2 in the (i, j)
/// plane. The norm is kept, so the inverse rotates back by the same angle.
inline void spiral(Eigen::Ref<Eigen::RowVectorXd> x, Eigen::Index i, Eigen::Index j, double speed, bool inverse = false) {
  const double angle = (inverse ? -1.0 : 1.0) * speed * x.squaredNorm();
  const double c = std::cos(angle), s = std::sin(angle), xi = x[i], xj = x[j];
  // exp(theta A) with A[i, j] = -1, A[j, i] = 1.
  x[i] = c * xi - s * xj;
  x[j] = s * xi + c * xj;
}

/// Rows of [X Y] ~ N(0, covariance), split after dim_x columns.
inline xy_sample multinormal_sample(const Eigen::MatrixXd& covariance, Eigen::Index dim_x, std::size_t n,
                                    std::uint64_t seed, double student_df = 0.0) {
  const Eigen::LLT<Eigen::MatrixXd> llt(covariance);
  INFOPLANE_CHECK(llt.info() == Eigen::Success, "multinormal_sample: covariance is not positive definite");
  const Eigen::MatrixXd l = llt.matrixL();
  const Eigen::Index dim = covariance.rows(), rows = static_cast<Eigen::Index>(n);
  Eigen::MatrixXd xy(rows, dim);
  Eigen::VectorXd z(dim);
  for (Eigen::Index r = 0; r < rows; ++r) {
    auto rng = infoplane::detail::make_stream(seed, infoplane::detail::rng_purpose::data, static_cast<std::uint64_t>(r));
    for (Eigen::Index k = 0; k < dim; ++k) z[k] = rng.normal();
    // Multivariate Student-t: the Gaussian draw divided by sqrt(chi^2_df / df).
    const double scale = student_df > 0 ? 1.0 / std::sqrt(chi_square_draw(rng, student_df) / student_df) : 1.0;
    xy.row(r) = (scale * (l * z)).transpose();
  }
  return {xy.leftCols(dim_x), xy.rightCols(dim - dim_x)};
}

/// X ~ U(0, 1), Y = X + N with N ~ U(-epsilon, epsilon).
inline xy_sample additive_uniform_sample(double epsilon, std::size_t n, std::uint64_t seed) {
  const auto rows = static_cast<Eigen::Index>(n);
  xy_sample s{Eigen::MatrixXd(rows, 1), Eigen::MatrixXd(rows, 1)};
  for (Eigen::Index r = 0; r < rows; ++r) {
    auto rng = infoplane::detail::make_stream(seed, infoplane::detail::rng_purpose::data, static_cast<std::uint64_t>(r));
    s.x(r, 0) = rng.uniform();
    s.y(r, 0) = s.x(r, 0) + epsilon * (2.0 * rng.uniform() - 1.0);
  }
  return s;
}

/// 1/2 (log det S_xx + log det S_yy - log det S): I(X;Y) of a Gaussian with covariance S.
inline double gaussian_mi(const Eigen::MatrixXd& s, Eigen::Index dim_x) {
  auto logdet = [](const Eigen::MatrixXd& m) {
    const Eigen::LLT<Eigen::MatrixXd> llt(m);
    INFOPLANE_CHECK(llt.info() == Eigen::Success, "gaussian_mi: covariance is not positive definite");
    return 2.0 * Eigen::MatrixXd(llt.matrixL()).diagonal().array().log().sum();
  };
  const Eigen::Index dim_y = s.rows() - dim_x;
  return 0.5 * (logdet(s.topLeftCorner(dim_x, dim_x)) + logdet(s.bottomRightCorner(dim_y, dim_y)) - logdet(s));
}

/// Applies f to every entry of the matrix.
template <class F>
Eigen::MatrixXd map_entries(const Eigen::MatrixXd& m, F&& f) {
  return m.unaryExpr(std::function<double(double)>(f));
}

}  // namespace detail
}  // namespace infoplane::validation
