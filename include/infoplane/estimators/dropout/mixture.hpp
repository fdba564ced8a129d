#pragma once
// I(X;Z) for Gaussian dropout by Monte Carlo over the Gaussian mixture (paper §4, Algorithm 1),
// with X uniform over the N data points and Z = f(X) * eps, eps ~ N(1, s^2).
#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>
#include <vector>

#include "infoplane/estimators/dropout/detail/common.hpp"
#include "infoplane/detail/parallel.hpp"
#include "infoplane/detail/math.hpp"
#include "infoplane/estimators/concepts.hpp"
#include "infoplane/inputs/samples.hpp"
#include "infoplane/kernels/mixture_logsumexp.hpp"
#include "infoplane/results/estimate_result.hpp"

namespace infoplane {

/// Storage precision of samples and components; the log-sum-exp always accumulates in double.
enum class precision { float64, float32 };

struct dropout_mixture_options {
  std::size_t noise_draws = 10;              ///< M noisy samples per data point
  std::uint64_t seed = 0;
  std::optional<std::size_t> components{};    ///< K: consistent random subset; ceiling becomes log K
  double saturation_fraction = 0.99;         ///< status is `saturated` when value >= fraction * ceiling
  unsigned threads = 0;                      ///< 0: all cores; results are identical for any count
  /// `automatic` picks per zero-pattern group: for float64 storage the screened kernel where it
  /// measured faster (at least 16 units, and noise variance <= 0.25 or at least 64 units), the
  /// pruned kernel otherwise. Every kernel gives the same numbers (to 1e-12; tests).
  mixture_kernel kernel = mixture_kernel::automatic;
  /// Also compute the leave-one-out estimate. Without it the pruned kernel may start from the
  /// own component's weight and skip more work (the plug-in value stays exact).
  bool leave_one_out = true;
  precision storage = precision::float64;
};

/// Everything one pass computes. mi.value is the plug-in estimate; mi.lower/upper the bracket.
struct dropout_mixture_report {
  estimate_result mi;
  double mi_leave_one_out = 0;        ///< own component excluded: biased high for continuous X
  double mi_leave_one_out_std_error = 0;
  double h_z = 0;                     ///< Monte Carlo h(Z) (plug-in mixture)
  double h_z_std_error = 0;
  double h_z_given_x = 0;             ///< analytic h(Z|X)
  std::size_t zero_patterns = 0;      ///< number of zero-pattern groups (1 without exact zeros)
};

/// Monte Carlo mixture estimator. Plug-in (own component included): bounded by log N, biased
/// low for continuous X. Leave-one-out (own excluded): biased high. Together a bracket.
class dropout_mixture {
 public:
  static constexpr std::string_view name = "dropout-mc";
  static constexpr bound_kind kind = bound_kind::point_estimate;

  explicit dropout_mixture(dropout_mixture_options options = {}) : opt_(options) {
    INFOPLANE_CHECK(opt_.noise_draws >= 1, std::string(name) + ": noise_draws (M) must be >= 1, got 0");
    INFOPLANE_CHECK(opt_.saturation_fraction > 0 && opt_.saturation_fraction <= 1,
                    std::string(name) + ": saturation_fraction must lie in (0, 1]");
  }

  [[nodiscard]] const dropout_mixture_options& options() const noexcept { return opt_; }

  template <class MF>
  [[nodiscard]] estimate_result estimate(const noisy_representation<MF>& in) const {
    return report(in).mi;
  }

  template <class MF>
  [[nodiscard]] dropout_mixture_report report(const noisy_representation<MF>& in) const {
    validate(in, std::string(name));
    return opt_.storage == precision::float32 ? run<float>(in) : run<double>(in);
  }

 private:
  // Per data point sums over its M draws, reduced in a fixed order afterwards.
  struct point_sums {
    double plug = 0, plug_sq = 0, loo = 0, loo_sq = 0, h = 0, h_sq = 0;
  };

  template <class T, class MF>
  dropout_mixture_report run(const noisy_representation<MF>& in) const {
    const auto& f = in.means;
    const auto rows = detail::choose_components(static_cast<std::size_t>(f.rows()), opt_.components, opt_.seed,
                                                name.data());
    const std::size_t n = rows.size(), m_draws = opt_.noise_draws;
    const double var = in.noise.variance(), sd = in.noise.std();
    const double log_n = std::log(static_cast<double>(n));
    const double log_n1 = n > 1 ? std::log(static_cast<double>(n - 1)) : 0.0;
    const auto groups = detail::group_by_zero_pattern(f, rows);

    std::vector<point_sums> sums;  // in group order, then member order
    sums.reserve(n);
    double h_cond = 0.0;
    for (const auto& g : groups) {
      const auto packed = detail::pack_group<T>(f, g, var);
      const mixture_evaluator<T> evaluate(packed.view(), choose_mixture_kernel<T>(opt_.kernel, packed.d, var));
      const std::size_t first = sums.size(), d = packed.d;
      sums.resize(first + g.members.size());
      constexpr std::size_t chunk = 64;  // data points per work item
      detail::parallel_for(g.members.size(), opt_.threads, chunk, [&](std::size_t b, std::size_t e) {
        std::vector<T> z((e - b) * m_draws * d);
        std::vector<double> log_own((e - b) * m_draws), lse((e - b) * m_draws);
        std::vector<std::uint32_t> own((e - b) * m_draws);
        for (std::size_t j = b; j < e; ++j) {
          const std::size_t off = (j - b) * m_draws;
          detail::draw_noisy(f, g.members[j], g.dims, sd, m_draws, opt_.seed, packed.log_norm[j], z.data() + off * d,
                             log_own.data() + off, packed.unit_scale.data());
          std::fill_n(own.begin() + static_cast<std::ptrdiff_t>(off), m_draws, static_cast<std::uint32_t>(j));
        }
        const sample_view<T> sv{z.data(), own.data(), own.size(), d};
        evaluate(sv, lse.data(), opt_.leave_one_out ? nullptr : log_own.data());
        for (std::size_t j = b; j < e; ++j) {
          point_sums& ps = sums[first + j];
          for (std::size_t m = 0; m < m_draws; ++m) {
            const std::size_t s = (j - b) * m_draws + m;
            const double w = log_own[s], ex = lse[s];
            const double all = logaddexp(ex, w);
            const double plug = std::min(w - all, 0.0) + log_n;  // <= log N: `all` holds the own term
            const double loo = w - ex + log_n1;   // +inf when no other component shares the pattern
            const double h = log_n - all - packed.log_scale;  // back to the data's own units
            ps.plug += plug, ps.plug_sq += plug * plug;
            ps.loo += loo, ps.loo_sq += loo * loo;
            ps.h += h, ps.h_sq += h * h;
          }
        }
      });
      for (std::size_t r : g.members) h_cond += detail::conditional_entropy_row(f, r, g.dims, var);
    }

    dropout_mixture_report rep;
    rep.zero_patterns = groups.size();
    rep.h_z_given_x = h_cond / static_cast<double>(n);
    const auto [plug, plug_se] = mean_and_se(sums, &point_sums::plug, &point_sums::plug_sq);
    const auto [loo, loo_se] = mean_and_se(sums, &point_sums::loo, &point_sums::loo_sq);
    const auto [h, h_se] = mean_and_se(sums, &point_sums::h, &point_sums::h_sq);
    rep.h_z = h;
    rep.h_z_std_error = h_se;
    const bool have_loo = n > 1 && opt_.leave_one_out;
    rep.mi_leave_one_out = have_loo ? loo : std::numeric_limits<double>::quiet_NaN();
    rep.mi_leave_one_out_std_error = have_loo ? loo_se : std::numeric_limits<double>::quiet_NaN();

    estimate_result& r = rep.mi;
    r = detail::result_of<dropout_mixture>();
    r.value = std::min(plug, log_n);  // each term is <= log N; only summation rounding could exceed it
    r.std_error = plug_se;
    r.ceiling = log_n;
    r.lower = r.value;
    if (have_loo) r.upper = loo;
    r.n_samples = n;
    r.n_draws = n * m_draws;
    r.status = detail::saturation_status(plug, log_n, opt_.saturation_fraction);
    return rep;
  }

  // Mean over all N*M draws, and its standard error. With M >= 2 the error is stratified by
  // data point (the points are fixed, only the noise is random); with M = 1 it is the plain one.
  std::pair<double, double> mean_and_se(const std::vector<point_sums>& sums, double point_sums::*s,
                                        double point_sums::*sq) const {
    const double n = static_cast<double>(sums.size()), m = static_cast<double>(opt_.noise_draws);
    double total = 0.0, total_sq = 0.0, within = 0.0;
    for (const auto& p : sums) {
      total += p.*s;
      total_sq += p.*sq;
      if (opt_.noise_draws > 1) within += (p.*sq - (p.*s) * (p.*s) / m) / (m - 1.0);
    }
    const double mean = total / (n * m);
    if (!std::isfinite(mean)) return {mean, std::numeric_limits<double>::quiet_NaN()};
    double var_of_mean;
    if (opt_.noise_draws > 1) {
      var_of_mean = within / (m * n * n);
    } else {
      const double cnt = n * m;
      var_of_mean = cnt > 1 ? (total_sq - total * total / cnt) / (cnt - 1.0) / cnt : 0.0;
    }
    return {mean, std::sqrt(std::max(var_of_mean, 0.0))};
  }

  dropout_mixture_options opt_;
};

}  // namespace infoplane
