#pragma once
// Discrete plug-in entropy and MI over integer code vectors, hashed so that d = 1000 units
// cost O(N d). Shared by binning and EDGE.
#include <cmath>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace infoplane::detail {

struct code_hash {
  std::size_t operator()(const std::vector<std::int64_t>& v) const noexcept {
    std::uint64_t h = 0xCBF29CE484222325ull;
    for (auto x : v) h = (h ^ static_cast<std::uint64_t>(x)) * 0x100000001B3ull, h ^= h >> 29;
    return static_cast<std::size_t>(h);
  }
};

/// Maps each row's code vector to a dense id 0..K-1 (exact: equal vectors, equal ids).
class code_book {
 public:
  std::uint32_t id(const std::vector<std::int64_t>& code) {
    return map_.try_emplace(code, static_cast<std::uint32_t>(map_.size())).first->second;
  }
  [[nodiscard]] std::size_t size() const noexcept { return map_.size(); }

 private:
  std::unordered_map<std::vector<std::int64_t>, std::uint32_t, code_hash> map_;
};

/// Plug-in entropy of ids (nats), and the number of occupied cells.
inline std::pair<double, std::size_t> plugin_entropy(const std::vector<std::uint32_t>& ids, std::size_t k) {
  std::vector<std::size_t> counts(k, 0);
  for (auto i : ids) ++counts[i];
  const double n = static_cast<double>(ids.size());
  double h = 0.0;
  std::size_t occupied = 0;
  for (auto c : counts)
    if (c) {
      const double p = static_cast<double>(c) / n;
      h -= p * std::log(p);
      ++occupied;
    }
  return {h, occupied};
}

/// Joint ids of two id vectors.
inline std::vector<std::uint32_t> joint_ids(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b,
                                            std::size_t& k) {
  std::unordered_map<std::uint64_t, std::uint32_t> map;
  std::vector<std::uint32_t> out(a.size());
  for (std::size_t i = 0; i < a.size(); ++i)
    out[i] = map.try_emplace((std::uint64_t(a[i]) << 32) | b[i], static_cast<std::uint32_t>(map.size())).first->second;
  k = map.size();
  return out;
}

}  // namespace infoplane::detail
