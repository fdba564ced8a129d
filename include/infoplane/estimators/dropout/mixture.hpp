#pragma once
// I(X;Z) for Gaussian dropout by Monte Carlo over the Gaussian mixture (paper §4, Algorithm 1),
// with X uniform over the N data points and Z = f(X) * eps, eps ~ N(1, s^2).
#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <limits>
#include <algorithm>
#include <concepts>
#include <optional>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "infoplane/estimators/dropout/detail/common.hpp"
#include "infoplane/estimators/dropout/detail/scale_out.hpp"
#include "infoplane/detail/parallel.hpp"
#include "infoplane/detail/math.hpp"
#include "infoplane/detail/memory.hpp"
#include "infoplane/estimators/concepts.hpp"
#include "infoplane/inputs/samples.hpp"
#include "infoplane/kernels/mixture_logsumexp.hpp"
#include "infoplane/results/estimate_result.hpp"
#include "infoplane/results/warnings.hpp"

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
  /// With labels: I(Z;Y) for X uniform over the (chosen) points and Y = y(X), on the same draws
  /// and components as mi (the dataset target); ceiling H(Y). Empty without labels.
  std::optional<estimate_result> label_mi;
  /// With labels: I(X;Z|Y) = mi - label_mi draw by draw, and its standard error. The exact
  /// values satisfy I(X;Z|Y) >= 0 (data processing); only Monte Carlo error can make it < 0.
  double mi_given_labels = std::numeric_limits<double>::quiet_NaN();
  double mi_given_labels_std_error = std::numeric_limits<double>::quiet_NaN();
  std::size_t classes = 0;            ///< distinct labels among the chosen points (0 without labels)
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

  /// Gaussian dropout (Z), or information dropout (log Z: h_z is then h(log Z), and so on).
  template <class MF, class Noise>
  [[nodiscard]] estimate_result estimate(const noisy_representation<MF, Noise>& in) const {
    return report(in).mi;
  }

  template <class MF, class Noise>
  [[nodiscard]] dropout_mixture_report report(const noisy_representation<MF, Noise>& in) const {
    validate(in, std::string(name));
    return opt_.storage == precision::float32 ? run<float>(in, nullptr, 0) : run<double>(in, nullptr, 0);
  }

  /// Also I(Z;Y), with labels[i] the class of data row i (any integers, one per row): each
  /// zero-pattern group is packed class by class and every draw is evaluated against each
  /// class's sub-mixture, so log p(z | y) and log p(z) come from the same kernel work.
  template <class MF, class Noise, class Labels>
    requires std::ranges::contiguous_range<const Labels&> &&
             std::integral<std::ranges::range_value_t<const Labels&>>
  [[nodiscard]] dropout_mixture_report report(const noisy_representation<MF, Noise>& in, const Labels& labels) const {
    validate(in, std::string(name));
    std::size_t classes = 0;
    const auto cls = detail::class_indices(std::span(std::ranges::data(labels), std::ranges::size(labels)),
                                           static_cast<std::size_t>(in.means.rows()), name.data(), classes);
    return opt_.storage == precision::float32 ? run<float>(in, &cls, classes) : run<double>(in, &cls, classes);
  }

 private:
  // Per data point sums over its M draws, reduced in a fixed order afterwards.
  struct point_sums {
    double plug = 0, plug_sq = 0, loo = 0, loo_sq = 0, h = 0, h_sq = 0;
    double zy = 0, zy_sq = 0, cond = 0, cond_sq = 0;  // with labels only
  };

  // Matches no component: the kernels leave out only a component whose index equals `own`.
  static constexpr std::uint32_t no_own = std::numeric_limits<std::uint32_t>::max();

  // A contiguous run of one class's members in a packed group.
  struct class_range {
    std::uint32_t cls;
    std::size_t begin, end;
  };

  template <class T, class MF, class Noise>
  dropout_mixture_report run(const noisy_representation<MF, Noise>& in, const std::vector<std::uint32_t>* cls,
                             std::size_t classes) const {
    const auto& f = in.means;
    const auto comp = detail::components_of(f, in.noise);
    const auto rows = detail::choose_components(static_cast<std::size_t>(f.rows()), opt_.components, opt_.seed,
                                                name.data());
    const std::size_t n = rows.size(), m_draws = opt_.noise_draws;
    const double log_n = std::log(static_cast<double>(n));
    const double log_n1 = n > 1 ? std::log(static_cast<double>(n - 1)) : 0.0;
    auto groups = detail::group_by_zero_pattern(f, rows);

    // log N_y over the chosen rows, and H(Y).
    std::vector<double> log_ny(classes, 0.0);
    double h_y = 0.0;
    std::size_t present = 0;
    if (cls) {
      std::vector<std::size_t> count(classes, 0);
      for (std::size_t r : rows) ++count[(*cls)[r]];
      for (std::size_t c = 0; c < classes; ++c) {
        if (!count[c]) continue;
        ++present;
        const double p = static_cast<double>(count[c]) / static_cast<double>(n);
        log_ny[c] = std::log(static_cast<double>(count[c]));
        h_y -= p * std::log(p);
      }
    }

    // Data points per work item: 64, fewer where one point's M draws would make a work item's
    // buffers large. The count depends on the sizes only, so results stay the same bits for any
    // thread or process count; a single point's draws that cannot fit are refused up front.
    std::size_t d_max = 1;
    for (const auto& g : groups) d_max = std::max(d_max, g.dims.size());
    const std::uint64_t point_bytes = detail::require_memory(
        {m_draws, d_max * sizeof(T) + 12 + 8 * std::max<std::size_t>(classes, 1)}, 1,
        std::string(name) + ": the M = " + std::to_string(m_draws) + " noisy draws of one point (d = " +
            std::to_string(d_max) + ")");
    const std::size_t chunk = static_cast<std::size_t>(std::clamp<std::uint64_t>((std::uint64_t{64} << 20) / point_bytes, 1, 64));
    // Across processes (detail/scale_out.hpp), only this process's share of the work items.
    detail::scale_out* const so = detail::active_scale_out();
    std::vector<std::size_t> sizes;
    for (const auto& g : groups) sizes.push_back(g.members.size());
    const auto share = detail::share_members(
        sizes, chunk, [&](std::size_t gi) { return double(sizes[gi]) * double(groups[gi].dims.size() + 1); }, so);

    std::vector<point_sums> sums;  // in group order, then member order
    sums.reserve(n);
    double h_cond = 0.0;
    for (std::size_t gi = 0; gi < groups.size(); ++gi) {
      auto& g = groups[gi];
      // With labels, members are packed class by class (ascending within a class).
      std::vector<class_range> ranges;
      if (cls) {
        std::stable_sort(g.members.begin(), g.members.end(),
                         [&](std::size_t a, std::size_t b) { return (*cls)[a] < (*cls)[b]; });
        for (std::size_t j = 0; j < g.members.size(); ++j) {
          const std::uint32_t c = (*cls)[g.members[j]];
          if (ranges.empty() || ranges.back().cls != c) ranges.push_back({c, j, j});
          ranges.back().end = j + 1;
        }
      } else {
        ranges.push_back({0, 0, g.members.size()});
      }
      const auto packed = detail::pack_components<T>(comp, g);
      const std::size_t first = sums.size(), d = packed.d, n_ranges = ranges.size();
      std::vector<mixture_evaluator<T>> evaluators;
      evaluators.reserve(n_ranges);
      for (const auto& cr : ranges)
        evaluators.emplace_back(mixture_view<T>{packed.mean.data() + cr.begin * d, packed.half_prec.data() + cr.begin * d,
                                                packed.log_norm.data() + cr.begin, cr.end - cr.begin, d},
                                choose_mixture_kernel<T>(opt_.kernel, packed.d, comp.uniform_variance()));
      sums.resize(first + g.members.size());
      const std::size_t lo = share.range[gi].first, hi = share.range[gi].second;
      detail::parallel_for(hi - lo, opt_.threads, chunk, [&](std::size_t b0, std::size_t e0) {
        const std::size_t b = lo + b0, e = lo + e0;
        const std::size_t p = (e - b) * m_draws;
        std::vector<T> z(p * d);
        std::vector<double> log_own(p), lse(p * n_ranges);  // lse: [range][sample]
        std::vector<std::uint32_t> own(p);
        std::vector<std::size_t> range_of(e - b);
        for (std::size_t j = b; j < e; ++j) {
          const std::size_t off = (j - b) * m_draws;
          detail::draw_components(comp, g.members[j], g.dims, m_draws, opt_.seed, packed.log_norm[j],
                                  z.data() + off * d, log_own.data() + off, packed.unit_scale.data());
          while (range_of[j - b] + 1 < n_ranges && ranges[range_of[j - b]].end <= j) ++range_of[j - b];
        }
        const double* seed = opt_.leave_one_out ? nullptr : log_own.data();
        for (std::size_t q = 0; q < n_ranges; ++q) {
          // Index within this sub-mixture for its own members, no component for the others.
          for (std::size_t j = b; j < e; ++j) {
            const bool mine = j >= ranges[q].begin && j < ranges[q].end;
            std::fill_n(own.begin() + static_cast<std::ptrdiff_t>((j - b) * m_draws), m_draws,
                        mine ? static_cast<std::uint32_t>(j - ranges[q].begin) : no_own);
          }
          // Seeding every class's pass with the own weight w keeps all of them exact: a term
          // dropped in class c is below e^-40 of max(w, class c's largest), both in the total.
          evaluators[q](sample_view<T>{z.data(), own.data(), p, d}, lse.data() + q * p, seed);
        }
        for (std::size_t j = b; j < e; ++j) {
          point_sums& ps = sums[first + j];
          const std::size_t q_own = range_of[j - b];
          for (std::size_t m = 0; m < m_draws; ++m) {
            const std::size_t s = (j - b) * m_draws + m;
            const double w = log_own[s];
            double ex = lse[s];
            for (std::size_t q = 1; q < n_ranges; ++q) ex = logaddexp(ex, lse[q * p + s]);
            const double all = logaddexp(ex, w);
            const double plug = std::min(w - all, 0.0) + log_n;  // <= log N: `all` holds the own term
            const double loo = w - ex + log_n1;   // +inf when no other component shares the pattern
            const double h = log_n - all - packed.log_scale;  // back to the data's own units
            ps.plug += plug, ps.plug_sq += plug * plug;
            ps.loo += loo, ps.loo_sq += loo * loo;
            ps.h += h, ps.h_sq += h * h;
            if (cls) {
              // log p(z|y) - log p(z) = log S_y - log S + log N - log N_y <= -log p(y).
              const double s_y = logaddexp(lse[q_own * p + s], w);
              const double zy = std::min(s_y - all, 0.0) + log_n - log_ny[ranges[q_own].cls];
              const double cond = plug - zy;
              ps.zy += zy, ps.zy_sq += zy * zy;
              ps.cond += cond, ps.cond_sq += cond * cond;
            }
          }
        }
      });
      for (std::size_t r : g.members) h_cond += detail::conditional_entropy_of(comp, r, g.dims);
    }
    if (so) so->all_gather(sums.data(), sizeof(point_sums), share.offsets);

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
    r.target = estimate_target::dataset;
    r.value = std::min(plug, log_n);  // each term is <= log N; only summation rounding could exceed it
    r.std_error = plug_se;
    r.ceiling = log_n;
    r.lower = r.value;
    if (have_loo) r.upper = loo;
    r.n_samples = n;
    r.n_draws = n * m_draws;
    r.status = detail::saturation_status(plug, log_n, opt_.saturation_fraction);
    detail::representation_warnings(r, f, "means");

    if (cls) {
      const auto [zy, zy_se] = mean_and_se(sums, &point_sums::zy, &point_sums::zy_sq);
      const auto [cond, cond_se] = mean_and_se(sums, &point_sums::cond, &point_sums::cond_sq);
      estimate_result& y = rep.label_mi.emplace(detail::result_of<dropout_mixture>());
      y.target = estimate_target::dataset;
      y.value = std::min(zy, h_y);  // each term is <= -log p(y_i), whose mean is H(Y)
      y.std_error = zy_se;
      y.ceiling = h_y;
      y.n_samples = n;
      y.n_draws = n * m_draws;
      y.status = present > 1 ? detail::saturation_status(zy, h_y, opt_.saturation_fraction) : estimate_status::ok;
      rep.mi_given_labels = cond;
      rep.mi_given_labels_std_error = cond_se;
      rep.classes = present;
    }
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
