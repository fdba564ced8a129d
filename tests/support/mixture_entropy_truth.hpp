#pragma once
// Test-side ground truth: differential entropy of a weighted 1-D Gaussian mixture by Boost.Math
// quadrature, and from it I(X;Z) and I(Z;Y) for X uniform over 1-D points under Gaussian dropout
// (component i: N(f_i, s^2 f_i^2)) with labels y_i. Independent of the library's estimators.
#include <algorithm>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <cmath>
#include <map>
#include <vector>

namespace infoplane::test {

inline double mixture_entropy_1d(const std::vector<double>& mu, const std::vector<double>& sd,
                                 const std::vector<double>& weight) {
  constexpr double pi = 3.14159265358979323846;
  auto density = [&](double z) {
    double p = 0;
    for (std::size_t j = 0; j < mu.size(); ++j) {
      const double u = (z - mu[j]) / sd[j];
      p += weight[j] * std::exp(-0.5 * u * u) / (sd[j] * std::sqrt(2.0 * pi));
    }
    return p;
  };
  auto integrand = [&](double z) {
    const double p = density(z);
    return p > 0 ? -p * std::log(p) : 0.0;
  };
  // Integrate piecewise between the component centres so no narrow peak is missed.
  std::vector<double> cuts;
  for (std::size_t j = 0; j < mu.size(); ++j) {
    cuts.push_back(mu[j] - 40 * sd[j]);
    cuts.push_back(mu[j]);
    cuts.push_back(mu[j] + 40 * sd[j]);
  }
  std::sort(cuts.begin(), cuts.end());
  double h = 0;
  for (std::size_t c = 0; c + 1 < cuts.size(); ++c)
    if (cuts[c + 1] > cuts[c])
      h += boost::math::quadrature::gauss_kronrod<double, 61>::integrate(integrand, cuts[c], cuts[c + 1], 20, 1e-13);
  return h;
}

struct dropout_truth_1d {
  double i_xz, i_zy;
};

/// X uniform over the points f, Z = f(X) (1 + s eps), Y = labels(X).
inline dropout_truth_1d dropout_truth(const std::vector<double>& f, const std::vector<int>& labels, double s) {
  constexpr double pi = 3.14159265358979323846, e = 2.71828182845904523536;
  const std::size_t n = f.size();
  std::vector<double> sd(n), w(n, 1.0 / static_cast<double>(n));
  double h_cond = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sd[i] = s * std::abs(f[i]);
    h_cond += 0.5 * std::log(2 * pi * e * sd[i] * sd[i]) / static_cast<double>(n);
  }
  const double h_z = mixture_entropy_1d(f, sd, w);
  std::map<int, std::vector<std::size_t>> classes;
  for (std::size_t i = 0; i < n; ++i) classes[labels[i]].push_back(i);
  double h_z_given_y = 0;
  for (const auto& [label, members] : classes) {
    std::vector<double> mu, s_c, w_c;
    for (auto i : members) mu.push_back(f[i]), s_c.push_back(sd[i]), w_c.push_back(1.0 / double(members.size()));
    h_z_given_y += double(members.size()) / double(n) * mixture_entropy_1d(mu, s_c, w_c);
  }
  return {h_z - h_cond, h_z - h_z_given_y};
}

}  // namespace infoplane::test
