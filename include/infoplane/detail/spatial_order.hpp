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

#include "infoplane/detail/parallel.hpp"

namespace infoplane::detail {

/// Positions 0..n-1 of the row-major n x d coordinates `g`, reordered by recursive halving at
/// the median along the principal axis (20 power iterations on the covariance of at most 256
/// evenly spaced rows; below 64 rows the axis of largest variance, which is cheaper), down to
/// runs of 16. Non-finite projections count as 0. Each split depends on its own range alone, so
/// `threads` (0: all cores) share the ranges below the first few splits: the same order for any
/// count.
inline std::vector<std::size_t> spatial_order(const double* g, std::size_t n, std::size_t d, unsigned threads = 1) {
  constexpr std::size_t leaf = 16, small = 64, sampled = 256;
  std::vector<std::size_t> idx(n);
  for (std::size_t i = 0; i < n; ++i) idx[i] = i;
  if (n <= leaf || d == 0) return idx;
  using range = std::pair<std::size_t, std::size_t>;
  struct scratch {
    std::vector<double> mean, cov, axis, next, var;
    std::vector<std::pair<double, std::size_t>> key;
    explicit scratch(std::size_t d) : mean(d), cov(d * d), axis(d), next(d), var(d) {}
  };
  // Orders idx[b, e) about its median along its principal axis; returns the median's position.
  const auto split = [&](std::size_t b, std::size_t e, scratch& s) {
    auto& [mean, cov, axis, next, var, key] = s;
    const std::size_t m = e - b;
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
          double t = 0.0;
          for (std::size_t l = 0; l < d; ++l) t += cov[k * d + l] * axis[l];
          next[k] = t;
          norm += t * t;
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
    return b + half;
  };
  // Every split below `top`.
  const auto finish = [&](range top, scratch& s) {
    std::vector<range> todo{top};
    while (!todo.empty()) {
      const auto [b, e] = todo.back();
      todo.pop_back();
      if (e - b <= leaf) continue;
      const std::size_t h = split(b, e, s);
      todo.push_back({h, e});
      todo.push_back({b, h});
    }
  };
  scratch first(d);
  const unsigned workers = resolve_threads(threads);
  std::vector<range> ranges{{0, n}};
  if (workers > 1 && n >= 4096)  // the first splits in turn, until every thread has ranges to take
    while (ranges.size() < 2 * std::size_t(workers) && ranges.front().second - ranges.front().first > 64 * leaf) {
      std::vector<range> below;
      for (const auto& [b, e] : ranges) {
        const std::size_t h = split(b, e, first);
        below.push_back({b, h});
        below.push_back({h, e});
      }
      ranges.swap(below);
    }
  if (ranges.size() == 1) {
    finish(ranges[0], first);
    return idx;
  }
  parallel_for(ranges.size(), workers, 1, [&](std::size_t r0, std::size_t r1) {
    scratch s(d);
    for (std::size_t r = r0; r < r1; ++r) finish(ranges[r], s);
  });
  return idx;
}

}  // namespace infoplane::detail
