#pragma once
// Test-side mean and sample standard deviation (divisor n - 1) of a vector.
#include <cmath>
#include <numeric>
#include <vector>

namespace infoplane::test {

inline double mean_of(const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / double(v.size()); }

inline double sd_of(const std::vector<double>& v) {
  const double m = mean_of(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / double(v.size() - 1));
}

}  // namespace infoplane::test
