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
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "infoplane/detail/memory.hpp"
#include "infoplane/detail/spatial_order.hpp"

namespace infoplane::detail {

/// Reorders `members` (rows of f) in the spatial order (infoplane/detail/spatial_order.hpp) of
/// log|f| over `dims`, negative values offset by 64 so that signs separate.
template <class F, class Index>
void spatial_order(const F& f, std::span<std::size_t> members, const std::vector<Index>& dims, unsigned threads = 1) {
  const std::size_t n = members.size(), d = dims.size();
  if (n <= 16 || d == 0) return;  // the order's own leaf: nothing moves
  require_memory({n, d}, sizeof(double), "dropout-mc: the spatial order of a group's " + std::to_string(n) + " points");
  std::vector<double> g(n * d);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < d; ++k) {
      const double v = static_cast<double>(f(static_cast<Eigen::Index>(members[i]), static_cast<Eigen::Index>(dims[k])));
      g[i * d + k] = std::log(std::abs(v)) + (v < 0 ? 64.0 : 0.0);
    }
  const std::vector<std::size_t> idx = spatial_order(g.data(), n, d, threads);
  std::vector<std::size_t> old(members.begin(), members.end());
  for (std::size_t i = 0; i < n; ++i) members[i] = old[idx[i]];
}

}  // namespace infoplane::detail
