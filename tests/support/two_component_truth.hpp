#pragma once
// Test-side ground truth: I(X;Z) for X uniform over two 1-D Gaussian components, by Boost.Math
// quadrature of the mixture entropy. Independent of the library's estimators.
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <cmath>

namespace infoplane::test {

inline double two_component_mi(double mu1, double sd1, double mu2, double sd2) {
  constexpr double pi = 3.14159265358979323846, e = 2.71828182845904523536;
  auto pdf = [](double z, double mu, double sd) {
    const double u = (z - mu) / sd;
    return std::exp(-0.5 * u * u) / (sd * std::sqrt(2.0 * pi));
  };
  auto integrand = [&](double z) {
    const double p = 0.5 * pdf(z, mu1, sd1) + 0.5 * pdf(z, mu2, sd2);
    return p > 0 ? -p * std::log(p) : 0.0;
  };
  const double lo = std::min(mu1 - 40 * sd1, mu2 - 40 * sd2), hi = std::max(mu1 + 40 * sd1, mu2 + 40 * sd2);
  const double h_mix = boost::math::quadrature::gauss_kronrod<double, 61>::integrate(integrand, lo, hi, 25, 1e-13);
  const double h_cond = 0.25 * (std::log(2 * pi * e * sd1 * sd1) + std::log(2 * pi * e * sd2 * sd2));
  return h_mix - h_cond;
}

}  // namespace infoplane::test
