#pragma once
// Ground truth for the toy problem by Boost.Math quadrature, independent of every estimator.
// Units are independent, so I(X;Z) in d dimensions is d times the one-dimensional value.
//
// With U = f(X) ~ N(b, a^2) and Z | U=u ~ N(u, s^2 u^2), substituting u = sign * e^t gives
//   p(z) = (1/s) sum_{sign} int phi_U(sign e^t) phi((z e^-t - sign) / s) dt,
// a smooth integrand in t (the component width is proportional to |u|). The outer entropy
// integral uses z = +-e^v, which also removes the integrable log singularity of p at z = 0.
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <cmath>

#include "infoplane/inputs/noise.hpp"
#include "infoplane/validation/toy.hpp"

namespace infoplane::validation {

struct toy_truth_1d {
  double h_z;          ///< h(Z)
  double h_z_given_x;  ///< h(Z|X)
  double mi;           ///< I(X;Z) = h(Z) - h(Z|X), nats per dimension
};

inline toy_truth_1d toy_truth(const gaussian_dropout& noise, toy_problem problem = {}) {
  using boost::math::quadrature::gauss_kronrod;
  constexpr double inv_sqrt_2pi = 0.39894228040143267794;
  const double s = noise.std(), a = std::abs(problem.slope), b = problem.intercept;
  auto phi = [&](double x) { return inv_sqrt_2pi * std::exp(-0.5 * x * x); };
  auto phi_u = [&](double u) { return phi((u - b) / a) / a; };
  auto integrate = [](auto&& g, double lo, double hi) {
    return gauss_kronrod<double, 61>::integrate(g, lo, hi, 20, 1e-12);
  };
  // Range of log|u| that carries the mass of U: 40 standard deviations either side.
  const double t_hi = std::log(std::abs(b) + 40.0 * a);

  auto density = [&](double z) {
    const double lz = std::log(std::abs(z));
    const double lo = lz - 12.0, hi = std::max(t_hi, lz + 3.0);
    double p = 0.0;
    for (double sign : {1.0, -1.0})
      p += integrate([&](double t) { return phi_u(sign * std::exp(t)) * phi((z * std::exp(-t) - sign) / s); }, lo, hi);
    return p / s;
  };
  double h_z = 0.0;
  for (double sign : {1.0, -1.0})
    h_z -= integrate(
        [&](double v) {
          const double z = sign * std::exp(v), p = density(z);
          return p > 0 ? p * std::log(p) * std::exp(v) : 0.0;
        },
        -40.0, t_hi + std::log(1.0 + 12.0 * s));

  double e_log_abs_u = 0.0;  // E log|U|, again with u = sign * e^t
  for (double sign : {1.0, -1.0})
    e_log_abs_u += integrate([&](double t) { return phi_u(sign * std::exp(t)) * t * std::exp(t); }, -60.0, t_hi);
  const double h_cond = 0.5 * std::log(2.0 * 3.14159265358979323846 * 2.71828182845904523536 * s * s) + e_log_abs_u;
  return {h_z, h_cond, h_z - h_cond};
}

}  // namespace infoplane::validation
