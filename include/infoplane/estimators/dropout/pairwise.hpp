#pragma once
// Pairwise-distance bounds on I(X;Z) for the dropout mixture (Kolchinsky & Tracey 2017), with
// X uniform over the data:  I_D = -(1/N) sum_i log( (1/N) sum_j exp(-D(p_i || p_j)) ).
// D = KL gives an upper bound, D = Bhattacharyya a lower bound; 0 <= I_BD <= I <= I_KL <= log N.
// Components are heteroscedastic and diagonal: v_jk = s^2 f_jk^2. Components with different
// zero patterns have disjoint supports (D = inf), so only a point's own pattern group counts.
// Deterministic; O(N^2 d) time, threaded over i, and no N x N matrix is stored. KL runs on the
// mixture kernel (tiled, pruned against the own term); Bhattacharyya, which needs a log per
// d-term, on its own kernel (kernels/bhattacharyya.hpp: each pair once, in tiles).
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

#include "infoplane/estimators/dropout/detail/common.hpp"
#include "infoplane/estimators/dropout/detail/scale_out.hpp"
#include "infoplane/detail/memory.hpp"
#include "infoplane/detail/parallel.hpp"
#include "infoplane/detail/math.hpp"
#include "infoplane/estimators/concepts.hpp"
#include "infoplane/inputs/samples.hpp"
#include "infoplane/kernels/bhattacharyya.hpp"
#include "infoplane/kernels/mixture_logsumexp.hpp"
#include "infoplane/results/estimate_result.hpp"
#include "infoplane/results/warnings.hpp"

namespace infoplane {

enum class pairwise_distance { kullback_leibler, bhattacharyya };

struct dropout_pairwise_options {
  std::optional<std::size_t> components{};  ///< K: consistent random subset; ceiling becomes log K
  std::uint64_t seed = 0;                   ///< fixes the subset only
  unsigned threads = 0;                     ///< 0: all cores
};

template <pairwise_distance D>
class dropout_pairwise_bound {
 public:
  static constexpr std::string_view name = D == pairwise_distance::kullback_leibler ? "pairwise-kl" : "pairwise-bd";
  static constexpr bound_kind kind =
      D == pairwise_distance::kullback_leibler ? bound_kind::upper_bound : bound_kind::lower_bound;

  explicit dropout_pairwise_bound(dropout_pairwise_options options = {}) : opt_(options) {}

  /// Gaussian dropout, or information dropout (the components of log Z).
  template <class MF, class Noise>
  [[nodiscard]] estimate_result estimate(const noisy_representation<MF, Noise>& in) const {
    validate(in, std::string(name));
    const auto& f = in.means;
    const auto rows = detail::choose_components(static_cast<std::size_t>(f.rows()), opt_.components, opt_.seed,
                                                name.data());
    const std::size_t n = rows.size();
    const double log_n = std::log(static_cast<double>(n));
    std::vector<double> lse(n);  // log sum_j exp(-D_ij), in group order
    const auto groups = detail::group_by_zero_pattern(f, rows);
    // One group at a time: its packed means, 1/(2v) and v, 24 K d bytes, and 36 K of log-norms,
    // own indices, seeds and outputs; beside the N log-sums. Refused up front for the largest.
    long double most = 0;
    for (const auto& g : groups) most = std::max(most, (24.0L * g.dims.size() + 36) * g.members.size());
    detail::require_bytes(most + 8.0L * n, std::string(name) + ": the packed components of a zero-pattern group (N = " +
                                               std::to_string(n) + ", d = " + std::to_string(f.cols()) + ")");
    // Across processes (detail/scale_out.hpp), only this process's share of the points i; the
    // work items are the mixture kernel's sample tiles, so their rounding never depends on it.
    detail::scale_out* const so = detail::active_scale_out();
    std::vector<std::size_t> sizes;
    for (const auto& g : groups) sizes.push_back(g.members.size());
    const auto share = detail::share_members(
        sizes, detail::simd_mixture<double>::sample_tile,
        [&](std::size_t gi) { return double(sizes[gi]) * double(groups[gi].dims.size() + 1); }, so);
    std::size_t first = 0;
    for (std::size_t gi = 0; gi < groups.size(); ++gi) {
      const auto packed = detail::pack_components<double>(detail::components_of(f, in.noise), groups[gi]);  // mean, 1/(2v)
      std::vector<double> v(packed.half_prec.size());
      for (std::size_t t = 0; t < v.size(); ++t) v[t] = 0.5 / packed.half_prec[t];
      if constexpr (D == pairwise_distance::kullback_leibler) {
        kl_log_sum_exp(packed, v, share.range[gi].first, share.range[gi].second, lse.data() + first);
      } else {
        // Every process computes its share of the tiles, and all of them finish every point.
        const bhattacharyya_evaluator bd({packed.mean.data(), v.data(), packed.k, packed.d});
        const std::size_t ranks = so ? so->ranks() : 1, me = so ? so->rank() : 0, item = 2 * bd.block();
        std::vector<std::size_t> split(ranks + 1);
        for (std::size_t r = 0; r <= ranks; ++r) split[r] = r * bd.tiles() / ranks;
        detail::require_memory({bd.tiles(), item}, sizeof(double), std::string(name) + ": the " +
                                   std::to_string(bd.tiles()) + " tiles' partial sums (K = " + std::to_string(packed.k) + ")");
        std::vector<double> part(bd.tiles() * item);
        bd.tile_sums(split[me], split[me + 1], part.data() + split[me] * item, opt_.threads);
        if (so) so->all_gather(part.data(), item * sizeof(double), split);
        bd.finish(part.data(), lse.data() + first);
      }
      first += sizes[gi];
    }
    if (so && D == pairwise_distance::kullback_leibler) so->all_gather(lse.data(), sizeof(double), share.offsets);
    double mean_lse = 0.0;
    for (double x : lse) mean_lse += x;
    mean_lse /= static_cast<double>(n);

    auto r = detail::result_of<dropout_pairwise_bound>();
    r.value = std::clamp(log_n - mean_lse, 0.0, log_n);  // each term lies in [0, log N] up to rounding
    r.ceiling = log_n;
    if constexpr (kind == bound_kind::upper_bound) r.upper = r.value;
    else r.lower = r.value;
    r.n_samples = n;
    r.status = detail::saturation_status(r.value, log_n);
    detail::representation_warnings(r, f, "means");
    return r;
  }

 private:
  // KL through the mixture kernel: -KL(p_i || p_j) = [L_j - sum_k h_jk ((mu_ik - mu_jk)^2 + v_ik)]
  // - L_i + d/2, i.e. the log-density of component j at mu_i with v_i as the point's extra
  // variance. The own term (KL = 0) seeds the running maximum, so the kernel prunes every
  // component negligible next to it.
  // Points [lo, hi) of the group (lo a multiple of the kernel's sample tile); lse[i] for those i.
  void kl_log_sum_exp(const detail::packed_group<double>& p, const std::vector<double>& v, std::size_t lo,
                      std::size_t hi, double* lse) const {
    std::vector<std::uint32_t> own(p.k);
    std::vector<double> seed(p.k), out(p.k);
    const double half_d = 0.5 * static_cast<double>(p.d);
    for (std::size_t i = 0; i < p.k; ++i) {
      own[i] = static_cast<std::uint32_t>(i);
      seed[i] = p.log_norm[i] - half_d;
    }
    const mixture_evaluator<double> evaluate(p.view(), mixture_kernel::simd_pruned);
    evaluate.parallel(sample_view<double>{p.mean.data(), own.data(), p.k, p.d, v.data()}.slice(lo, hi), out.data() + lo,
                      seed.data() + lo, opt_.threads);
    for (std::size_t i = lo; i < hi; ++i) lse[i] = logaddexp(out[i], seed[i]) - seed[i];
  }

  dropout_pairwise_options opt_;
};

using dropout_pairwise_kl = dropout_pairwise_bound<pairwise_distance::kullback_leibler>;
using dropout_pairwise_bd = dropout_pairwise_bound<pairwise_distance::bhattacharyya>;

}  // namespace infoplane
