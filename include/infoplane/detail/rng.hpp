#pragma once
// Counter-style random streams: stream (seed, id) is the same whatever thread draws it, so a
// seed fixes every result for any thread count. Own generators, so results do not depend on
// the standard library's distribution implementations.
#include <cmath>
#include <cstdint>

namespace infoplane::detail {

__extension__ using uint128 = unsigned __int128;  // GCC/Clang extension, for 64x64->128 products

constexpr std::uint64_t splitmix64(std::uint64_t& x) noexcept {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// xoshiro256** seeded from (seed, stream) through splitmix64.
class rng_stream {
 public:
  rng_stream(std::uint64_t seed, std::uint64_t stream) noexcept {
    std::uint64_t x = seed ^ (0xD1B54A32D192ED03ull * (stream + 1));
    for (auto& w : s_) w = splitmix64(x);
  }

  std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  /// Uniform on the open interval (0, 1).
  double uniform() noexcept { return (static_cast<double>(next() >> 11) + 0.5) * 0x1.0p-53; }

  /// Standard normal by Box-Muller; the second value of each pair is kept for the next call.
  double normal() noexcept {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double r = std::sqrt(-2.0 * std::log(uniform()));
    const double a = 6.283185307179586477 * uniform();
    spare_ = r * std::sin(a);
    has_spare_ = true;
    return r * std::cos(a);
  }

  /// Uniform integer in [0, n), n > 0 (Lemire's multiply-shift; bias < n / 2^64).
  std::uint64_t below(std::uint64_t n) noexcept {
    return static_cast<std::uint64_t>((static_cast<uint128>(next()) * n) >> 64);
  }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4]{};
  double spare_ = 0.0;
  bool has_spare_ = false;
};

/// Stream ids used by the library, so that different uses of one seed never share draws.
enum class rng_purpose : std::uint64_t { noise = 0, subsample = 1ull << 62, data = 2ull << 62 };

inline rng_stream make_stream(std::uint64_t seed, rng_purpose purpose, std::uint64_t id) noexcept {
  return rng_stream(seed, static_cast<std::uint64_t>(purpose) + id);
}

}  // namespace infoplane::detail
