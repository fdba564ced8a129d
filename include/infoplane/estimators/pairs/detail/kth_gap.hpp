#pragma once
// The k-th nearest value to one entry of a sorted array, in O(log k): EDGE's bandwidth step
// asks it of 500 query points with k in the thousands.
#include <algorithm>
#include <cstddef>
#include <limits>
#include <vector>

namespace infoplane::detail {

/// For sorted v and 1 <= k <= v.size(): the largest distance among the k entries nearest to
/// v[at], v[at] itself first (0 for k = 1). The same value as widening a window around `at`
/// one nearer neighbour at a time: the (k - 1)-th smallest of the left gaps v[at] - v[at - 1 - t]
/// and the right gaps v[at + 1 + t] - v[at], each ascending, found by bisection on how many
/// come from the left.
inline double kth_nearest_gap(const std::vector<double>& v, std::size_t at, std::size_t k) {
  const std::size_t want = k - 1, left = at, right = v.size() - at - 1;
  if (want == 0) return 0.0;
  const auto gap_left = [&](std::size_t t) { return v[at] - v[at - 1 - t]; };
  const auto gap_right = [&](std::size_t t) { return v[at + 1 + t] - v[at]; };
  // The least i in [lo, hi] with gap_left(i) >= gap_right(want - i - 1): take i from the left.
  std::size_t lo = want > right ? want - right : 0, hi = std::min(want, left);
  while (lo < hi) {
    const std::size_t i = lo + (hi - lo) / 2;
    if (gap_left(i) < gap_right(want - i - 1)) lo = i + 1;
    else hi = i;
  }
  const std::size_t j = want - lo;
  return std::max(lo > 0 ? gap_left(lo - 1) : -std::numeric_limits<double>::infinity(),
                  j > 0 ? gap_right(j - 1) : -std::numeric_limits<double>::infinity());
}

}  // namespace infoplane::detail
