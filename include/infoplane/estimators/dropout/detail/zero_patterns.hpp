#pragma once
// Exact zeros in f (ReLU) make a mixture component degenerate in those units. A noisy sample
// keeps its source's zero pattern almost surely, so (as in the proof of Theorem 3.3) the
// mixture splits into groups of components sharing one zero pattern; each group is a proper
// density on its nonzero units and no epsilon is ever added to activations.
#include <Eigen/Core>
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

namespace infoplane::detail {

struct pattern_group {
  std::vector<std::size_t> members;  // row indices into the data, ascending
  std::vector<Eigen::Index> dims;    // units that are nonzero for every member
};

struct words_hash {
  std::size_t operator()(const std::vector<std::uint64_t>& w) const noexcept {
    std::uint64_t h = 0x9E3779B97F4A7C15ull;
    for (auto x : w) h = (h ^ x) * 0x100000001B3ull + (h >> 29);
    return static_cast<std::size_t>(h);
  }
};

/// Writes row r's zero pattern (bit k of word k / 64 set where f(r, k) != 0) to key.
template <class M>
void zero_pattern_key(const M& f, std::size_t r, Eigen::Index d, std::uint64_t* key) {
  std::fill(key, key + static_cast<std::size_t>(d + 63) / 64, 0);
  for (Eigen::Index k = 0; k < d; ++k)
    if (f(static_cast<Eigen::Index>(r), k) != 0) key[static_cast<std::size_t>(k) / 64] |= 1ull << (k % 64);
}

/// Groups `rows` by zero pattern, key(r, out) writing row r's (d units); groups appear in the
/// order of their first member.
template <class Key>
std::vector<pattern_group> group_by_pattern_keys(std::span<const std::size_t> rows, Eigen::Index d, Key&& key_of) {
  const std::size_t words = static_cast<std::size_t>(d + 63) / 64;
  std::unordered_map<std::vector<std::uint64_t>, std::size_t, words_hash> index;
  std::vector<pattern_group> groups;
  std::vector<std::uint64_t> key(words);
  for (std::size_t r : rows) {
    key_of(r, key.data());
    auto [it, inserted] = index.try_emplace(key, groups.size());
    if (inserted) {
      pattern_group g;
      for (Eigen::Index k = 0; k < d; ++k)
        if (key[static_cast<std::size_t>(k) / 64] >> (k % 64) & 1u) g.dims.push_back(k);
      groups.push_back(std::move(g));
    }
    groups[it->second].members.push_back(r);
  }
  return groups;
}

/// Groups `rows` of f by zero pattern; groups appear in the order of their first member.
template <class M>
std::vector<pattern_group> group_by_zero_pattern(const Eigen::DenseBase<M>& f, std::span<const std::size_t> rows) {
  return group_by_pattern_keys(rows, f.cols(), [&](std::size_t r, std::uint64_t* key) {
    zero_pattern_key(f.derived(), r, f.cols(), key);
  });
}

}  // namespace infoplane::detail
