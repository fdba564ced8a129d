#pragma once
// Digamma at positive integers, psi(n) = -gamma + sum_{j < n} 1/j, as a table: KSG and EDGE only
// ever need integer arguments, and a table needs no exception-throwing special function.
#include <cstddef>
#include <vector>

namespace infoplane::detail {

class digamma_table {
 public:
  explicit digamma_table(std::size_t n_max) : v_(n_max + 1) {
    constexpr double euler_gamma = 0.57721566490153286061;
    if (n_max >= 1) v_[1] = -euler_gamma;
    for (std::size_t n = 2; n <= n_max; ++n) v_[n] = v_[n - 1] + 1.0 / static_cast<double>(n - 1);
  }
  double operator()(std::size_t n) const noexcept { return v_[n]; }

 private:
  std::vector<double> v_;
};

}  // namespace infoplane::detail
