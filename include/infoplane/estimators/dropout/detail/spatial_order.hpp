#pragma once
// A spatial order of a group's members. The mixture kernel stops a register tile (8 samples x
// one or more component blocks) early only when every one of its sample-component pairs is
// provably negligible. In the data's row order almost no tile qualifies, because each tile
// mixes samples and components from all over the space. Sorted so that neighbours sit together,
// a tile whose samples lie in one region and whose components lie in another is negligible
// as a whole: on the seed's FC features (d = 32) 13% of tiles are still live after 8 units,
// against 98% in row order (benchmarks/README.md, "Spatial order").
//
// The order changes which terms share a tile and the order of the sums, so it changes rounding
// only. It depends on the data alone: the same on every thread and process.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "infoplane/detail/memory.hpp"

namespace infoplane::detail {

/// Reorders `members` (rows of f) by recursive halving at the median along the principal axis
/// of log|f| over `dims` (negative values offset by 64, so that signs separate). The principal
/// axis comes from 20 power iterations on the covariance of at most 256 evenly spaced rows;
/// below 64 rows the axis of largest variance is used instead, which is cheaper.
template <class F, class Index>
void spatial_order(const F& f, std::span<std::size_t> members, const std::vector<Index>& dims) {
  const std::size_t n = members.size(), d = dims.size();
  constexpr std::size_t leaf = 16, small = 64, sampled = 256;
  if (n <= leaf || d == 0) return;
  // Coordinates, one row per member, moved along with the members.
  require_memory({n, d}, sizeof(double), "dropout-mc: the spatial order of a group's " + std::to_string(n) + " points");
  std::vector<double> g(n * d);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < d; ++k) {
      const double v = static_cast<double>(f(static_cast<Eigen::Index>(members[i]), static_cast<Eigen::Index>(dims[k])));
      g[i * d + k] = std::log(std::abs(v)) + (v < 0 ? 64.0 : 0.0);
    }
  std::vector<std::size_t> idx(n);
  for (std::size_t i = 0; i < n; ++i) idx[i] = i;
  std::vector<double> mean(d), cov(d * d), axis(d), next(d);
  std::vector<std::pair<double, std::size_t>> key;
  std::vector<std::pair<std::size_t, std::size_t>> todo{{0, n}};
  while (!todo.empty()) {
    const auto [b, e] = todo.back();
    todo.pop_back();
    const std::size_t m = e - b;
    if (m <= leaf) continue;
    const std::size_t step = std::max<std::size_t>(1, m / sampled), rows = (m + step - 1) / step;
    std::fill(mean.begin(), mean.end(), 0.0);
    for (std::size_t i = b; i < e; i += step)
      for (std::size_t k = 0; k < d; ++k) mean[k] += g[idx[i] * d + k];
    for (double& x : mean) x /= static_cast<double>(rows);
    if (m <= small) {
      std::vector<double> var(d, 0.0);
      for (std::size_t i = b; i < e; ++i)
        for (std::size_t k = 0; k < d; ++k) var[k] += (g[idx[i] * d + k] - mean[k]) * (g[idx[i] * d + k] - mean[k]);
      const std::size_t best = static_cast<std::size_t>(std::max_element(var.begin(), var.end()) - var.begin());
      std::fill(axis.begin(), axis.end(), 0.0);
      axis[best] = 1.0;
    } else {
      std::fill(cov.begin(), cov.end(), 0.0);
      for (std::size_t i = b; i < e; i += step) {
        const double* r = g.data() + idx[i] * d;
        for (std::size_t k = 0; k < d; ++k)
          for (std::size_t l = 0; l <= k; ++l) cov[k * d + l] += (r[k] - mean[k]) * (r[l] - mean[l]);
      }
      for (std::size_t k = 0; k < d; ++k)
        for (std::size_t l = 0; l < k; ++l) cov[l * d + k] = cov[k * d + l];
      std::size_t best = 0;
      for (std::size_t k = 1; k < d; ++k) best = cov[k * d + k] > cov[best * d + best] ? k : best;
      std::fill(axis.begin(), axis.end(), 0.0);
      axis[best] = 1.0;
      for (int it = 0; it < 20; ++it) {
        double norm = 0.0;
        for (std::size_t k = 0; k < d; ++k) {
          double s = 0.0;
          for (std::size_t l = 0; l < d; ++l) s += cov[k * d + l] * axis[l];
          next[k] = s;
          norm += s * s;
        }
        if (!(norm > 0.0) || !std::isfinite(norm)) break;  // no spread (or overflow): keep the axis
        norm = std::sqrt(norm);
        for (std::size_t k = 0; k < d; ++k) axis[k] = next[k] / norm;
      }
    }
    key.resize(m);
    for (std::size_t i = 0; i < m; ++i) {
      const double* r = g.data() + idx[b + i] * d;
      double p = 0.0;
      for (std::size_t k = 0; k < d; ++k) p += (r[k] - mean[k]) * axis[k];
      key[i] = {std::isfinite(p) ? p : 0.0, idx[b + i]};  // ties and non-finite: by position
    }
    const std::size_t half = m / 2;
    std::nth_element(key.begin(), key.begin() + static_cast<std::ptrdiff_t>(half), key.end());
    for (std::size_t i = 0; i < m; ++i) idx[b + i] = key[i].second;
    todo.push_back({b + half, e});
    todo.push_back({b, b + half});
  }
  std::vector<std::size_t> old(members.begin(), members.end());
  for (std::size_t i = 0; i < n; ++i) members[i] = old[idx[i]];
}

}  // namespace infoplane::detail
