#pragma once
// A spatial order of points: recursive halving at the median along the principal axis, so that
// neighbours sit together. Kernels that prune whole tiles (the mixture kernel, the max-norm
// neighbour search) skip a tile only when all of its pairs are provably negligible or out of
// range; in the data's row order a tile mixes points from all over the space and almost none
// qualifies. The order depends on the coordinates alone: the same on every thread and process.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <utility>
#include <vector>

namespace infoplane::detail {

/// Positions 0..n-1 of the row-major n x d coordinates `g`, reordered by recursive halving at
/// the median along the principal axis (20 power iterations on the covariance of at most 256
/// evenly spaced rows; below 64 rows the axis of largest variance, which is cheaper), down to
/// runs of 16. Non-finite projections count as 0.
inline std::vector<std::size_t> spatial_order(const double* g, std::size_t n, std::size_t d) {
  constexpr std::size_t leaf = 16, small = 64, sampled = 256;
  std::vector<std::size_t> idx(n);
  for (std::size_t i = 0; i < n; ++i) idx[i] = i;
  if (n <= leaf || d == 0) return idx;
  std::vector<double> mean(d), cov(d * d), axis(d), next(d), var(d);
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
    std::fill(axis.begin(), axis.end(), 0.0);
    if (m <= small) {
      std::fill(var.begin(), var.end(), 0.0);
      for (std::size_t i = b; i < e; ++i)
        for (std::size_t k = 0; k < d; ++k) var[k] += (g[idx[i] * d + k] - mean[k]) * (g[idx[i] * d + k] - mean[k]);
      axis[static_cast<std::size_t>(std::max_element(var.begin(), var.end()) - var.begin())] = 1.0;
    } else {
      std::fill(cov.begin(), cov.end(), 0.0);
      for (std::size_t i = b; i < e; i += step) {
        const double* r = g + idx[i] * d;
        for (std::size_t k = 0; k < d; ++k)
          for (std::size_t l = 0; l <= k; ++l) cov[k * d + l] += (r[k] - mean[k]) * (r[l] - mean[l]);
      }
      for (std::size_t k = 0; k < d; ++k)
        for (std::size_t l = 0; l < k; ++l) cov[l * d + k] = cov[k * d + l];
      std::size_t best = 0;
      for (std::size_t k = 1; k < d; ++k) best = cov[k * d + k] > cov[best * d + best] ? k : best;
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
      const double* r = g + idx[b + i] * d;
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
  return idx;
}

}  // namespace infoplane::detail
