#pragma once
// Test-side H(Y) of integer labels, -sum p log p of the counts, written out independently of
// the library's own class counting.
#include <cmath>
#include <map>
#include <vector>

namespace infoplane::test {

template <class L>
double label_entropy(const std::vector<L>& y) {
  std::map<L, double> count;
  for (L v : y) count[v] += 1;
  double h = 0;
  for (const auto& [v, c] : count) h -= c / double(y.size()) * std::log(c / double(y.size()));
  return h;
}

}  // namespace infoplane::test
