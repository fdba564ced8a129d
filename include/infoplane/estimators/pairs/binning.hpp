#pragma once
// Binning (histogram) estimator, as in the paper's Fig. 4 and A.8: each unit is discretised,
// the bin vectors are hashed, and I is the plug-in MI of the discrete codes.
//   * bins by number (equal width over a range) or by size (floor(v / size));
//   * one global range over the whole layer (the paper), or a range per unit;
//   * plug-in, or Miller-Madow corrected entropies (H + (K - 1) / 2N each);
//   * y may hold labels, used as categories without binning (I(T;Y)).
// For deterministic T of unique inputs, I(X;T) = H(T_bin): see binned_entropy().
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "infoplane/estimators/pairs/detail/discrete.hpp"
#include "infoplane/detail/math.hpp"
#include "infoplane/detail/memory.hpp"
#include "infoplane/estimators/concepts.hpp"
#include "infoplane/inputs/samples.hpp"
#include "infoplane/results/estimate_result.hpp"
#include "infoplane/results/warnings.hpp"

namespace infoplane {

enum class bin_range { global, per_unit };

struct binning_options {
  std::optional<std::size_t> bins{};    ///< number of equal-width bins per unit over the range
  std::optional<double> bin_size{};     ///< or: bin width, bin = floor(v / size); exactly one of the two
  bin_range range = bin_range::global;  ///< range for `bins`: whole layer (paper) or per unit
  bool miller_madow = false;            ///< add (K - 1) / (2N) to each plug-in entropy
  bool discrete_y = false;              ///< y holds labels: categories, not binned
};

class binning {
 public:
  static constexpr std::string_view name = "binning";
  static constexpr bound_kind kind = bound_kind::point_estimate;

  explicit binning(binning_options options = {.bins = 10}) : opt_(options) {
    INFOPLANE_CHECK(opt_.bins.has_value() != opt_.bin_size.has_value(),
                    "binning: give exactly one of bins (a count) and bin_size (a width)");
    INFOPLANE_CHECK(!opt_.bins || *opt_.bins >= 1, "binning: bins must be >= 1");
    INFOPLANE_CHECK(!opt_.bin_size || (std::isfinite(*opt_.bin_size) && *opt_.bin_size > 0),
                    "binning: bin_size must be finite and > 0");
  }

  template <class MX, class MY>
  [[nodiscard]] estimate_result estimate(const paired_samples<MX, MY>& in) const {
    validate(in, "binning");
    const std::size_t n = static_cast<std::size_t>(in.x.rows());
    // Refused up front: a code book per side, up to one entry of d 64-bit codes and about 64
    // bytes of hash node per row, the joint ids' book (64 N), and the 4-byte ids, 12 N.
    const auto dx = static_cast<std::size_t>(in.x.cols()), dy = static_cast<std::size_t>(in.y.cols());
    detail::require_bytes(static_cast<long double>(n) * (8.0L * (dx + dy) + 3 * 64 + 12),
                          "binning: the code books of N = " + std::to_string(n) + " rows, dx = " + std::to_string(dx) +
                              ", dy = " + std::to_string(dy));
    std::size_t kx = 0, ky = 0, kxy = 0;
    const auto ix = codes(in.x, kx, false);
    const auto iy = codes(in.y, ky, opt_.discrete_y);
    const auto ixy = detail::joint_ids(ix, iy, kxy);
    const double i = entropy(ix, kx) + entropy(iy, ky) - entropy(ixy, kxy);
    auto r = detail::result_of<binning>();
    r.value = i;
    r.n_samples = n;
    const double ceiling = std::log(static_cast<double>(n));
    r.ceiling = ceiling;
    r.status = detail::saturation_status(i, ceiling);
    detail::representation_warnings(r, in.x, "x");
    return r;
  }

  /// H(T_bin) in nats: I(X;T) for deterministic T and X uniform over unique inputs.
  template <class MT>
  [[nodiscard]] estimate_result binned_entropy(const MT& t) const {
    detail::require_valid_matrix(t, "binning");
    std::size_t k = 0;
    const auto ids = codes(t, k, false);
    auto r = detail::result_of<binning>();
    r.value = entropy(ids, k);
    r.n_samples = static_cast<std::size_t>(t.rows());
    r.ceiling = std::log(static_cast<double>(t.rows()));
    r.status = detail::saturation_status(r.value, r.ceiling);
    return r;
  }

 private:
  double entropy(const std::vector<std::uint32_t>& ids, std::size_t k) const {
    const auto [h, occupied] = detail::plugin_entropy(ids, k);
    return opt_.miller_madow ? h + (static_cast<double>(occupied) - 1.0) / (2.0 * static_cast<double>(ids.size())) : h;
  }

  template <class M>
  std::vector<std::uint32_t> codes(const M& m, std::size_t& k, bool categorical) const {
    const auto rows = m.rows(), cols = m.cols();
    std::vector<double> lo(static_cast<std::size_t>(cols)), width(static_cast<std::size_t>(cols), 1.0);
    if (!categorical && opt_.bins) {
      for (Eigen::Index c = 0; c < cols; ++c) {
        double a = static_cast<double>(m(0, c)), b = a;
        for (Eigen::Index r = 0; r < rows; ++r) {
          a = std::min(a, static_cast<double>(m(r, c)));
          b = std::max(b, static_cast<double>(m(r, c)));
        }
        lo[static_cast<std::size_t>(c)] = a;
        width[static_cast<std::size_t>(c)] = b;  // max for now
      }
      if (opt_.range == bin_range::global) {
        const double a = *std::min_element(lo.begin(), lo.end()), b = *std::max_element(width.begin(), width.end());
        std::fill(lo.begin(), lo.end(), a);
        std::fill(width.begin(), width.end(), b);
      }
      for (std::size_t c = 0; c < lo.size(); ++c) width[c] = (width[c] - lo[c]) / static_cast<double>(*opt_.bins);
    }
    detail::code_book book;
    std::vector<std::uint32_t> ids(static_cast<std::size_t>(rows));
    std::vector<std::int64_t> code(static_cast<std::size_t>(cols));
    for (Eigen::Index r = 0; r < rows; ++r) {
      for (Eigen::Index c = 0; c < cols; ++c) {
        const double v = static_cast<double>(m(r, c));
        const auto cc = static_cast<std::size_t>(c);
        if (categorical) {
          code[cc] = static_cast<std::int64_t>(std::llround(v));
          INFOPLANE_CHECK(static_cast<double>(code[cc]) == v, "binning: discrete_y needs integer labels, got " +
                                                                  std::to_string(v) + " at row " + std::to_string(r));
        } else if (opt_.bins) {
          const auto b = width[cc] > 0 ? static_cast<std::int64_t>(std::floor((v - lo[cc]) / width[cc])) : 0;
          code[cc] = std::min<std::int64_t>(b, static_cast<std::int64_t>(*opt_.bins) - 1);  // max falls in the last bin
        } else {
          code[cc] = static_cast<std::int64_t>(std::floor(v / *opt_.bin_size));
        }
      }
      ids[static_cast<std::size_t>(r)] = book.id(code);
    }
    k = book.size();
    return ids;
  }

  binning_options opt_;
};

}  // namespace infoplane
