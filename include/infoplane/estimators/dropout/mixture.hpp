#pragma once
// I(X;Z) for Gaussian dropout by Monte Carlo over the Gaussian mixture (paper §4, Algorithm 1),
// with X uniform over the N data points and Z = f(X) * eps, eps ~ N(1, s^2).
#include <Eigen/Core>
#include <climits>
#include <cmath>
#include <cstdint>
#include <limits>
#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstring>
#include <future>
#include <optional>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "infoplane/estimators/dropout/detail/common.hpp"
#include "infoplane/estimators/dropout/detail/scale_out.hpp"
#include "infoplane/estimators/dropout/detail/population.hpp"
#include "infoplane/estimators/dropout/detail/rank_local.hpp"
#include "infoplane/estimators/dropout/detail/spatial_order.hpp"
#include "infoplane/kernels/detail/component_tile.hpp"
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

/// How the population standard errors are computed (dropout_mixture_options::population_std_error).
enum class population_error { influence, per_point };

struct dropout_mixture_options {
  std::size_t noise_draws = 10;              ///< M noisy samples per data point
  std::uint64_t seed = 0;
  std::optional<std::size_t> components{};    ///< K: consistent random subset; ceiling becomes log K
  double saturation_fraction = 0.99;         ///< status is `saturated` when value >= fraction * ceiling
  unsigned threads = 0;                      ///< 0: all cores; results are identical for any count
  /// `automatic` picks per zero-pattern group and component block: a pilot of 512 draws runs the
  /// pruned kernel, and its counts choose screened, pruned or brute force (kernel_choice.hpp;
  /// groups under 2048 draws, component blocks and the MPI ring use the rule by d and noise
  /// variance alone).
  /// report().kernels says which ran. Every kernel gives the same numbers (to 1e-12; tests).
  mixture_kernel kernel = mixture_kernel::automatic;
  /// Also compute the leave-one-out estimate. Without it the pruned kernel may start from the
  /// own component's weight and skip more work (the plug-in value stays exact).
  bool leave_one_out = true;
  precision storage = precision::float64;
  /// B: evaluate each zero-pattern group's components in blocks of B (cut at class boundaries)
  /// and combine the blocks' log-sum-exps in block order. Unset: one block per group (class).
  /// The value agrees with unset to rounding (~1e-15 relative); the bits are those of the MPI
  /// ring with the same B, for any process count. The ring uses default_ring_block if unset.
  std::optional<std::size_t> component_block{};
  /// The population bracket's standard errors (result.population). `influence` (default): the
  /// influence function of each point, its own term minus its responsibility for every other
  /// point's draws, which takes a second pass over all pairs (about the plug-in's own cost).
  /// `per_point`: the spread of the per-point terms alone, no second pass, which misses their
  /// dependence through the shared mixture and reads low (by up to 30% in our calibration runs,
  /// docs/accuracy.md) where the plug-in is far below the truth. Under MPI each process takes
  /// its share of the points as components: the same bits as one process.
  population_error population_std_error = population_error::influence;
  /// Evaluate each group's (class's) points in a spatial order (detail/spatial_order.hpp), and
  /// seed leave-one-out sums with a neighbour's weight, so that the pruned kernel can skip
  /// whole tiles: about 2x faster on real features, the same values to rounding. Only without
  /// component_block: blocks, and with them the MPI ring, keep the data's row order (the ring's
  /// processes hold only their share of the components, rank-local input only its rows).
  bool spatial_order = true;
  /// w: with labels, the population lower end of I(Z;Y) is Barber and Agakov's bound for the
  /// kernel classifier of the *other* points, q(y | z) = (1 - w) S_y(z) / S(z) + w p(y), S and
  /// S_y the others' mixture and its class-y part, p(y) the others' label frequencies. The
  /// prior's share floors each draw's term at log(w p(y)) (a draw far from its class), at a cost
  /// of at most -log(1 - w) where the mixture is sure. Unset: w = 1/sqrt(N), fixed before any
  /// draw, so the bound stays valid. Must lie in (0, 1).
  std::optional<double> label_prior_weight{};
};

/// Everything one pass computes. mi.value is the plug-in estimate; mi.lower/upper the bracket.
struct dropout_mixture_report {
  estimate_result mi;
  double mi_leave_one_out = 0;        ///< own component excluded: biased high for continuous X
  double mi_leave_one_out_std_error = 0;
  /// Its population standard error (mi.population holds it too where it is the tightest upper end).
  double mi_leave_one_out_population_std_error = std::numeric_limits<double>::quiet_NaN();
  double h_z = 0;                     ///< Monte Carlo h(Z) (plug-in mixture)
  double h_z_std_error = 0;
  double h_z_given_x = 0;             ///< analytic h(Z|X)
  std::size_t zero_patterns = 0;      ///< number of zero-pattern groups (1 without exact zeros)
  /// The kernel that evaluated each piece (groups in order, then their component blocks/classes).
  std::vector<mixture_kernel> kernels;
  /// With labels: I(Z;Y) for X uniform over the (chosen) points and Y = y(X), on the same draws
  /// and components as mi (the dataset target); ceiling H(Y). Empty without labels. Its
  /// population bracket (points independent of the network): below, H(Y) plus the held-out
  /// kernel classifier's mean log-likelihood (dropout_mixture_options::label_prior_weight; NaN
  /// without leave-one-out); above, the least of this value plus Miller-Madow's (C - 1)/(2N)
  /// and I(X;Z)'s upper end (data processing). docs/design.md, "I(Z;Y) from the mixture".
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
  /// Components per block in MPI ring mode when component_block is unset.
  static constexpr std::size_t default_ring_block = 4096;
  /// Draws in the pilot of the automatic kernel choice (groups below 4x this keep the rule by d and noise).
  static constexpr std::size_t pilot_samples = 512;

  explicit dropout_mixture(dropout_mixture_options options = {}) : opt_(options) {
    INFOPLANE_CHECK(opt_.noise_draws >= 1, std::string(name) + ": noise_draws (M) must be >= 1, got 0");
    INFOPLANE_CHECK(opt_.saturation_fraction > 0 && opt_.saturation_fraction <= 1,
                    std::string(name) + ": saturation_fraction must lie in (0, 1]");
    INFOPLANE_CHECK(!opt_.component_block || *opt_.component_block >= 1,
                    std::string(name) + ": component_block (--component-block) must be >= 1, got 0");
    INFOPLANE_CHECK(!opt_.label_prior_weight || (*opt_.label_prior_weight > 0 && *opt_.label_prior_weight < 1),
                    std::string(name) + ": label_prior_weight must lie in (0, 1), got " +
                        std::to_string(opt_.label_prior_weight.value_or(0.0)));
  }

  [[nodiscard]] const dropout_mixture_options& options() const noexcept { return opt_; }

  /// Gaussian dropout (Z), or information dropout (log Z: h_z is then h(log Z), and so on).
  template <class MF, class Noise>
  [[nodiscard]] estimate_result estimate(const noisy_representation<MF, Noise>& in) const {
    return report(in).mi;
  }

  /// Under an MPI session in ring mode with rank-local input (mpi::session::set_local_input),
  /// in.means may be this process's rows of a larger representation (docs/scale-out.md).
  template <class MF, class Noise>
  [[nodiscard]] dropout_mixture_report report(const noisy_representation<MF, Noise>& in) const {
    auto* local = detail::local_rows_of(in.means, in.noise);
    if (!local) validate(in, std::string(name));
    return start(in, local, nullptr, 0);
  }

  /// Also I(Z;Y), with labels[i] the class of data row i (any integers, one per row): each
  /// zero-pattern group is packed class by class and every draw is evaluated against each
  /// class's sub-mixture, so log p(z | y) and log p(z) come from the same kernel work.
  template <class MF, class Noise, class Labels>
    requires std::ranges::contiguous_range<const Labels&> &&
             std::integral<std::ranges::range_value_t<const Labels&>>
  [[nodiscard]] dropout_mixture_report report(const noisy_representation<MF, Noise>& in, const Labels& labels) const {
    auto* local = detail::local_rows_of(in.means, in.noise);
    if (!local) validate(in, std::string(name));
    std::size_t classes = 0;
    const auto cls = detail::class_indices(std::span(std::ranges::data(labels), std::ranges::size(labels)),
                                           local ? local->total_rows : static_cast<std::size_t>(in.means.rows()),
                                           name.data(), classes);
    return start(in, local, &cls, classes);
  }

 private:
  // Per data point sums over its M draws, reduced in a fixed order afterwards.
  struct point_sums {
    double plug = 0, plug_sq = 0, loo = 0, loo_sq = 0, h = 0, h_sq = 0;
    double zy = 0, zy_sq = 0, cond = 0, cond_sq = 0;  // with labels only
    double cl = 0, prior_share = 0;  // the held-out classifier's log q(y|z), and 1 - rho (its prior's share)
    double own_zy = 0;  // p(z|x_i) / S_y(z) - p(z|x_i) / S(z) at its own draws: its weight's effect on them
  };

  // Matches no component: the kernels leave out only a component whose index equals `own`.
  static constexpr std::uint32_t no_own = std::numeric_limits<std::uint32_t>::max();

  // A contiguous run of one class's members in a packed group.
  struct class_range {
    std::uint32_t cls;
    std::size_t begin, end;
  };

  // Members [begin, end) of a packed group: one kernel call per sample batch.
  struct piece {
    std::size_t begin, end;
  };

  // One zero-pattern group: its classes, its pieces (class q's are [class_pieces[q],
  // class_pieces[q + 1])), its packed components and its kernel.
  template <class T>
  struct group_work {
    std::vector<class_range> ranges;
    std::vector<piece> pieces;
    std::vector<std::size_t> class_pieces;
    detail::packed_group<T> packed;
    mixture_kernel kernel = mixture_kernel::automatic;
    std::size_t first = 0;  // its first point in the per-point sums
  };

  // Validated already, except rank-local input (validated here, across the processes).
  template <class MF, class Noise>
  dropout_mixture_report start(const noisy_representation<MF, Noise>& in, detail::scale_out::local_rows* local,
                               const std::vector<std::uint32_t>* cls, std::size_t classes) const {
    const bool f32 = opt_.storage == precision::float32;
    if constexpr (detail::takes_local_rows<MF, Noise>) {
      if (local) {
        auto& so = *detail::active_scale_out();
        INFOPLANE_CHECK(so.ring(), std::string(name) + ": rank-local input needs ring mode (mpi::components::ring)");
        detail::rank_local_input lin(in.means, *local, so);
        lin.validate(in.noise, std::string(name));
        return f32 ? run<float>(lin.present(), in.noise, cls, classes, &lin)
                   : run<double>(lin.present(), in.noise, cls, classes, &lin);
      }
    }
    return f32 ? run<float>(in.means, in.noise, cls, classes, nullptr)
               : run<double>(in.means, in.noise, cls, classes, nullptr);
  }

  // F: the representation, or with rank-local input (lin) the rows present on this process.
  template <class T, class F, class Noise>
  dropout_mixture_report run(const F& f, const Noise& noise, const std::vector<std::uint32_t>* cls,
                             std::size_t classes, detail::rank_local_input* lin) const {
    constexpr bool local = std::is_same_v<F, detail::present_rows>;
    const auto comp = detail::components_of(f, noise);
    const auto rows = detail::choose_components(static_cast<std::size_t>(f.rows()), opt_.components, opt_.seed,
                                                name.data());
    const std::size_t n = rows.size(), m_draws = opt_.noise_draws;
    const double log_n = std::log(static_cast<double>(n));
    const double log_n1 = n > 1 ? std::log(static_cast<double>(n - 1)) : 0.0;
    auto groups = [&] {
      if constexpr (local) return lin->group(rows, noise);
      else return detail::group_by_zero_pattern(f, rows);
    }();
    if constexpr (local) lin->template scale<T>(groups, noise);

    // log N_y over the chosen rows, and H(Y).
    std::vector<double> log_ny(classes, 0.0), count_y(classes, 0.0);
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
        count_y[c] = static_cast<double>(count[c]);
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
    const auto cost = [&](std::size_t gi) { return double(sizes[gi]) * double(groups[gi].dims.size() + 1); };
    const auto share = detail::share_members(sizes, chunk, cost, so);

    // Component blocks: fixed size, so that each (sample, block) partial log-sum-exp, and the
    // order they are combined in, are the same whichever process holds the block.
    const bool ring = so && so->ring();
    const std::size_t block = opt_.component_block ? *opt_.component_block : ring ? default_ring_block : 0;  // 0: none

    std::vector<point_sums> sums(n);  // in group order, then member order
    // The influence pass needs every draw's mixture log-density, with and without its own
    // component: per draw (all, others), in point order; with labels also log S_y (own
    // included) and the held-out classifier's two denominators (class, others), each divided
    // by rho: stride `lm`.
    const bool influence = opt_.population_std_error == population_error::influence && n >= 2;
    const std::size_t lm = cls ? 5 : 2;
    std::vector<double> log_mix;
    if (influence) {
      detail::require_memory({n, m_draws, lm}, sizeof(double), std::string(name) + ": the draws' log-densities for the population standard error");
      log_mix.resize(n * m_draws * lm);
    }
    const double prior_w = opt_.label_prior_weight.value_or(1.0 / std::sqrt(static_cast<double>(n)));
    const double log_w = std::log(prior_w), log_1w = std::log1p(-prior_w);
    std::vector<group_work<T>> work(groups.size());
    // The spatial order needs every component of the group in one process: not with component
    // blocks (the ring's layout, and rank-local input, which implies it).
    const bool ordered = !local && opt_.spatial_order && block == 0;
    double h_cond = 0.0;
    for (std::size_t gi = 0, first = 0; gi < groups.size(); ++gi) {
      auto& g = groups[gi];
      auto& w = work[gi];
      w.first = first;
      first += g.members.size();
      // With labels, members are packed class by class (ascending within a class).
      if (cls) {
        std::stable_sort(g.members.begin(), g.members.end(),
                         [&](std::size_t a, std::size_t b) { return (*cls)[a] < (*cls)[b]; });
        for (std::size_t j = 0; j < g.members.size(); ++j) {
          const std::uint32_t c = (*cls)[g.members[j]];
          if (w.ranges.empty() || w.ranges.back().cls != c) w.ranges.push_back({c, j, j});
          w.ranges.back().end = j + 1;
        }
      } else {
        w.ranges.push_back({0, 0, g.members.size()});
      }
      if constexpr (!local)
        if (ordered)
          for (const auto& rg : w.ranges)
            detail::spatial_order(f, std::span<std::size_t>(g.members).subspan(rg.begin, rg.end - rg.begin), g.dims,
                                  opt_.threads);
      // Pieces: the blocks [k B, (k + 1) B) of the packed order, cut at class boundaries.
      for (std::size_t q = 0; q < w.ranges.size(); ++q) {
        w.class_pieces.push_back(w.pieces.size());
        for (std::size_t b = w.ranges[q].begin; b < w.ranges[q].end;) {
          const std::size_t e = block ? std::min(w.ranges[q].end, (b / block + 1) * block) : w.ranges[q].end;
          w.pieces.push_back({b, e});
          b = e;
        }
      }
      w.class_pieces.push_back(w.pieces.size());
      w.kernel = choose_mixture_kernel<T>(opt_.kernel, g.dims.size(), comp.uniform_variance());
      for (std::size_t r : g.members) {
        if constexpr (local) h_cond += lin->h_term(r);
        else h_cond += detail::conditional_entropy_of(comp, r, g.dims);
      }
    }

    // One batch of this process's points of one group: their draws, and per sample one partial
    // log-sum-exp per piece.
    struct batch {
      std::size_t g, b, e;
      std::vector<T> z;
      std::vector<double> log_own, part;
      std::vector<std::uint32_t> own;
      std::vector<double> near;  // leave-one-out seeds: each draw's log-density under a neighbour
    };
    // With leave-one-out the own weight cannot seed the kernel's running maximum (it is not in
    // the leave-one-out sum), but any other member's is: in the spatial order the next member
    // is a near one, so the pruned kernel skips as much as when seeded by the own weight.
    const bool near_seed = opt_.leave_one_out && ordered;
    auto draw = [&](batch& x) {
      const auto& w = work[x.g];
      const std::size_t p = (x.e - x.b) * m_draws, d = w.packed.d;
      x.z.resize(p * d);
      x.log_own.resize(p);
      x.own.resize(p);
      x.part.resize(p * w.pieces.size());
      for (std::size_t j = x.b; j < x.e; ++j) {
        const std::size_t off = (j - x.b) * m_draws;
        detail::draw_components(comp, groups[x.g].members[j], groups[x.g].dims, m_draws, opt_.seed,
                                w.packed.log_norm[j], x.z.data() + off * d, x.log_own.data() + off,
                                w.packed.unit_scale.data());
      }
      if (!near_seed) return;
      const std::size_t k = w.packed.k;
      x.near.assign(p, -std::numeric_limits<double>::infinity());  // a lone member: no seed
      if (k < 2) return;
      const auto view = w.packed.view();  // the whole group: no component blocks here
      for (std::size_t j = x.b; j < x.e; ++j) {
        const std::size_t nb = j + 1 < k ? j + 1 : j - 1;
        for (std::size_t s = (j - x.b) * m_draws; s < (j - x.b + 1) * m_draws; ++s)
          x.near[s] = detail::component_log_density(view, nb, x.z.data() + s * d, static_cast<const T*>(nullptr));
      }
    };
    // The batch's samples against piece pi: the own index within this piece for its own
    // members, no component for the others.
    auto samples_for = [&](batch& x, std::size_t pi) {
      const auto& pc = work[x.g].pieces[pi];
      for (std::size_t j = x.b; j < x.e; ++j)
        std::fill_n(x.own.begin() + static_cast<std::ptrdiff_t>((j - x.b) * m_draws), m_draws,
                    j >= pc.begin && j < pc.end ? static_cast<std::uint32_t>(j - pc.begin) : no_own);
      return sample_view<T>{x.z.data(), x.own.data(), x.log_own.size(), work[x.g].packed.d};
    };
    // Seeding every piece with the own weight w keeps all of them exact: a term dropped in
    // piece c is below e^-40 of max(w, piece c's largest), both in the total.
    // The neighbour's weight, a term of both sums, keeps both exact in the same way.
    auto seed_of = [&](const batch& x) -> const double* {
      if (!opt_.leave_one_out) return x.log_own.data();
      return x.near.empty() ? nullptr : x.near.data();
    };
    auto evaluate = [&](batch& x, std::size_t pi, const mixture_evaluator<T>& ev) {
      ev(samples_for(x, pi), x.part.data() + pi * x.log_own.size(), seed_of(x));
    };
    auto finish = [&](const batch& x) {
      const auto& w = work[x.g];
      const std::size_t p = x.log_own.size(), n_ranges = w.ranges.size();
      std::vector<double> class_lse(n_ranges);
      for (std::size_t j = x.b, q_own = 0; j < x.e; ++j) {
        while (q_own + 1 < n_ranges && w.ranges[q_own].end <= j) ++q_own;
        point_sums& ps = sums[w.first + j];
        for (std::size_t m = 0; m < m_draws; ++m) {
          const std::size_t s = (j - x.b) * m_draws + m;
          // Each class's pieces in block order, then the classes in order.
          for (std::size_t q = 0; q < n_ranges; ++q) {
            double l = x.part[w.class_pieces[q] * p + s];
            for (std::size_t pi = w.class_pieces[q] + 1; pi < w.class_pieces[q + 1]; ++pi)
              l = logaddexp(l, x.part[pi * p + s]);
            class_lse[q] = l;
          }
          const double wo = x.log_own[s];
          double ex = class_lse[0];
          for (std::size_t q = 1; q < n_ranges; ++q) ex = logaddexp(ex, class_lse[q]);
          const double all = logaddexp(ex, wo);
          double* const lmx = influence ? &log_mix[((w.first + j) * m_draws + m) * lm] : nullptr;
          if (lmx) lmx[0] = all, lmx[1] = ex;
          const double plug = std::min(wo - all, 0.0) + log_n;  // <= log N: `all` holds the own term
          const double loo = wo - ex + log_n1;   // +inf when no other component shares the pattern
          const double h = log_n - all - w.packed.log_scale;  // back to the data's own units
          ps.plug += plug, ps.plug_sq += plug * plug;
          ps.loo += loo, ps.loo_sq += loo * loo;
          ps.h += h, ps.h_sq += h * h;
          if (cls) {
            // log p(z|y) - log p(z) = log S_y - log S + log N - log N_y <= -log p(y).
            const double s_y = logaddexp(class_lse[q_own], wo);
            const double zy = std::min(s_y - all, 0.0) + log_n - log_ny[w.ranges[q_own].cls];
            const double cond = plug - zy;
            ps.zy += zy, ps.zy_sq += zy * zy;
            ps.cond += cond, ps.cond_sq += cond * cond;
            if (lmx) ps.own_zy += std::exp(wo - s_y) - std::exp(wo - all);  // the influence pass's only
            // The held-out classifier (label_prior_weight): log q = log((1 - w) S_y / S + w p(y)),
            // both sums without the own component; the prior alone where S = 0. Only with
            // leave-one-out: seeded by the own weight, the kernel's sums without it are exact
            // only next to it. Seeded by a neighbour's (spatial order), S is exact and S_y to
            // e^-40 S per component, far below the prior's floor w p(y) >= w / N of q.
            if (lmx) lmx[2] = s_y, lmx[3] = lmx[4] = INFINITY;
            if (n > 1 && opt_.leave_one_out) {
              const class_range& own_cls = w.ranges[q_own];
              const double log_prior = std::log((count_y[own_cls.cls] - 1.0) / static_cast<double>(n - 1));
              // A class with no other member here: an empty sum (a seeded kernel's value is not -inf).
              const double log_sy = own_cls.end - own_cls.begin > 1 ? class_lse[q_own] : -INFINITY;
              const double mix = ex > -INFINITY ? log_1w + log_sy - ex : -INFINITY;
              const double cl = ex > -INFINITY ? logaddexp(mix, log_w + log_prior) : log_prior;
              const double rho = mix > -INFINITY ? std::exp(mix - cl) : 0.0;
              ps.cl += cl;
              ps.prior_share += 1.0 - rho;
              if (lmx) {
                // rho S^-1 dS_y and rho S^-1 dS as single exponentials: log S_y - log rho, log S - log rho.
                lmx[3] = rho > 0 ? ex + cl - log_1w : INFINITY;
                lmx[4] = rho > 0 ? 2 * ex - log_sy + cl - log_1w : INFINITY;
              }
            }
          }
        }
      }
    };
    auto evaluator = [&](const group_work<T>& w, const T* mean, const T* half_prec, const double* log_norm,
                         std::size_t pi, mixture_kernel kernel) {
      const auto& pc = w.pieces[pi];
      return mixture_evaluator<T>(mixture_view<T>{mean, half_prec, log_norm, pc.end - pc.begin, w.packed.d}, kernel);
    };
    // `automatic`, second step: the pruned kernel runs on a pilot, runs of consecutive members
    // (as the batches hold them) spread evenly over the group, and its counts choose each
    // piece's kernel (screened, pruned or brute force: kernel_choice.hpp). The pilot depends on
    // the data and the seed only, so the choice is the same for any thread or process count.
    // Not with blocks: the ring cannot pilot (it would need every process's blocks), and one
    // process with the ring's block size must run its kernels, for its bits.
    const auto piloted = [&](std::size_t gi) {
      return opt_.kernel == mixture_kernel::automatic && block == 0 &&
             groups[gi].members.size() * m_draws >= 4 * pilot_samples;
    };
    auto tune = [&](std::size_t gi, std::vector<mixture_evaluator<T>>& evaluators, auto&& rebuild) {
      const std::size_t members = groups[gi].members.size();
      if (!piloted(gi)) return;
      const std::size_t want = std::max<std::size_t>(1, pilot_samples / m_draws);
      const std::size_t run = std::min(want, std::max<std::size_t>(1, 64 / m_draws)), runs = want / run;
      // Counts per run, added in run order: integers, so the same for any thread count.
      std::vector<std::vector<mixture_work>> per_run(runs, std::vector<mixture_work>(evaluators.size()));
      detail::parallel_for(runs, opt_.threads, 1, [&](std::size_t r0, std::size_t r1) {
        for (std::size_t r = r0; r < r1; ++r) {
          batch x{gi, r * members / runs, r * members / runs + run, {}, {}, {}, {}, {}};
          draw(x);
          for (std::size_t pi = 0; pi < evaluators.size(); ++pi)
            evaluators[pi].measure(samples_for(x, pi), seed_of(x), per_run[r][pi]);
        }
      });
      std::vector<mixture_work> seen(evaluators.size());
      for (const auto& pr : per_run)
        for (std::size_t pi = 0; pi < seen.size(); ++pi)
          seen[pi].pairs += pr[pi].pairs, seen[pi].units += pr[pi].units, seen[pi].live += pr[pi].live;
      for (std::size_t pi = 0; pi < evaluators.size(); ++pi) {
        const mixture_kernel k = choose_mixture_kernel_from_pilot<T>(work[gi].kernel, seen[pi], work[gi].packed.d);
        if (k != evaluators[pi].kernel()) evaluators[pi] = rebuild(pi, k);
      }
    };

    std::vector<mixture_kernel> kernels_used;
    if (!ring) {
      for (std::size_t gi = 0; gi < groups.size(); ++gi) {
        auto& w = work[gi];
        w.packed = detail::pack_components<T>(comp, groups[gi]);
        const std::size_t d = w.packed.d;
        std::vector<mixture_evaluator<T>> evaluators;
        evaluators.reserve(w.pieces.size());
        auto build = [&](std::size_t pi, mixture_kernel kernel) {
          const std::size_t b = w.pieces[pi].begin;
          return evaluator(w, w.packed.mean.data() + b * d, w.packed.half_prec.data() + b * d,
                           w.packed.log_norm.data() + b, pi, kernel);
        };
        // A piloted group starts on the pruned kernel, which the pilot measures (whatever an
        // evaluator runs) and most real features keep: packing a screen first was wasted there.
        const mixture_kernel start = piloted(gi) ? mixture_kernel::simd_pruned : w.kernel;
        for (std::size_t pi = 0; pi < w.pieces.size(); ++pi) evaluators.push_back(build(pi, start));
        tune(gi, evaluators, build);
        for (const auto& ev : evaluators) kernels_used.push_back(ev.kernel());
        const std::size_t lo = share.range[gi].first, hi = share.range[gi].second;
        detail::parallel_for(hi - lo, opt_.threads, chunk, [&](std::size_t b0, std::size_t e0) {
          batch x{gi, lo + b0, lo + e0, {}, {}, {}, {}, {}};
          draw(x);
          for (std::size_t pi = 0; pi < w.pieces.size(); ++pi) evaluate(x, pi, evaluators[pi]);
          finish(x);
        });
        w.packed = {};  // one group's components at a time
      }
    } else {
      // Ring (detail/scale_out.hpp): this process packs only its share of the blocks (whole
      // blocks of B components, so pieces never straddle two processes), and every process's
      // share passes every process once while its samples, drawn once, wait.
      const std::size_t ranks = so->ranks(), me = so->rank();
      std::vector<detail::member_share> held(ranks);
      for (std::size_t r = 0; r < ranks; ++r)
        held[r] = detail::share_members(
            sizes, block, [&](std::size_t gi) { return double(groups[gi].dims.size() + 1); }, ranks, r);
      // The buffer of process r's share: per group, mean, half_prec, log_norm, each 64-byte aligned.
      struct segment {
        std::size_t g, lo, hi, mean, half_prec, log_norm;  // members [lo, hi); byte offsets
      };
      const auto align = [](std::size_t x) { return (x + 63) / 64 * 64; };
      std::vector<std::vector<segment>> layout(ranks);
      std::vector<std::size_t> bytes(ranks, 0);
      for (std::size_t r = 0; r < ranks; ++r)
        for (std::size_t gi = 0, at = 0; gi < groups.size(); ++gi) {
          const auto [lo, hi] = held[r].range[gi];
          if (lo == hi) continue;
          const std::size_t arr = (hi - lo) * groups[gi].dims.size() * sizeof(T);
          segment sg{gi, lo, hi, at, align(at + arr), 0};
          sg.log_norm = align(sg.half_prec + arr);
          at = bytes[r] = align(sg.log_norm + (hi - lo) * sizeof(double));
          layout[r].push_back(sg);
        }
      const std::size_t most = *std::max_element(bytes.begin(), bytes.end());
      INFOPLANE_CHECK(most / 8 <= INT_MAX, std::string(name) + ": one process's share of the ring is " +
                                               std::to_string(most) + " bytes, more than a message carries (16 GiB); "
                                               "use more processes");
      detail::require_memory({ranks > 1 ? 2u : 1u, most}, 1, std::string(name) + ": the ring's component buffers");
      if constexpr (local) {
        // The rows of this process's samples and blocks that another process owns.
        const auto& o = lin->offsets();
        std::vector<std::size_t> needed;
        for (std::size_t gi = 0; gi < groups.size(); ++gi)
          for (const auto& [lo, hi] : {share.range[gi], held[me].range[gi]})
            for (std::size_t j = lo; j < hi; ++j)
              if (groups[gi].members[j] < o[me] || groups[gi].members[j] >= o[me + 1]) needed.push_back(groups[gi].members[j]);
        std::sort(needed.begin(), needed.end());
        needed.erase(std::unique(needed.begin(), needed.end()), needed.end());
        double most_rows = static_cast<double>(needed.size());  // the same refusal on every process
        so->all_reduce(&most_rows, 1, true);
        detail::require_memory({static_cast<std::size_t>(most_rows) + detail::rows_per_message, static_cast<std::size_t>(f.cols())},
                               sizeof(double), std::string(name) + ": this process's rows of the rank-local input");
        lin->fetch(needed);
      }
      std::vector<std::byte> cur(most), nxt;  // nxt after packing: no third copy at the peak
      for (std::size_t gi = 0, at = 0; gi < groups.size(); ++gi) {
        auto& w = work[gi];
        const auto [lo, hi] = held[me].range[gi];
        if constexpr (local) w.packed = lin->template pack<T>(comp, groups[gi], gi, lo, hi);
        else w.packed = detail::pack_components<T>(comp, groups[gi], lo, hi);
        if (at < layout[me].size() && layout[me][at].g == gi) {
          const segment& sg = layout[me][at++];
          std::memcpy(cur.data() + sg.mean, w.packed.mean.data(), w.packed.mean.size() * sizeof(T));
          std::memcpy(cur.data() + sg.half_prec, w.packed.half_prec.data(), w.packed.half_prec.size() * sizeof(T));
          std::memcpy(cur.data() + sg.log_norm, w.packed.log_norm.data() + sg.lo, (sg.hi - sg.lo) * sizeof(double));
        }
        std::vector<T>().swap(w.packed.mean);  // the buffer holds them now
        std::vector<T>().swap(w.packed.half_prec);
      }
      if (ranks > 1) nxt.resize(most);
      // This process's points of each group in one batch per thread: every draw is kept for the
      // whole ring anyway, and large batches let the kernel reuse each block's panel. Batches
      // start at multiples of `chunk` points, as the threads' and processes' do: the screened
      // kernel decides per 8 consecutive samples, which must be the same 8 (mpi_bits checks it).
      std::vector<batch> items;
      std::vector<std::size_t> group_items(groups.size() + 1);
      const std::size_t workers = detail::resolve_threads(opt_.threads);
      for (std::size_t gi = 0; gi < groups.size(); ++gi) {
        group_items[gi] = items.size();
        const auto [lo, hi] = share.range[gi];
        const std::size_t step = ((hi - lo + workers - 1) / workers + chunk - 1) / chunk * chunk;
        for (std::size_t b = lo; b < hi; b += step) items.push_back({gi, b, std::min(hi, b + step), {}, {}, {}, {}, {}});
      }
      group_items[groups.size()] = items.size();
      std::uint64_t draw_bytes = 0;  // z, log_own, own and the partials, kept for the whole ring
      for (const auto& x : items)
        draw_bytes += (x.e - x.b) * m_draws * (work[x.g].packed.d * sizeof(T) + 12 + 8 * work[x.g].pieces.size());
      // The largest process's, so that every process refuses or none (none waits for another).
      double most_draw_bytes = static_cast<double>(draw_bytes);
      so->all_reduce(&most_draw_bytes, 1, true);
      detail::require_memory({static_cast<std::uint64_t>(most_draw_bytes)}, 1,
                             std::string(name) + ": this process's noisy draws and partial sums in ring mode");
      detail::parallel_for(items.size(), opt_.threads, 1, [&](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) draw(items[i]);
      });
      for (std::size_t t = 0; t < ranks; ++t) {
        const std::size_t from = (me + ranks - t) % ranks, next = (me + 2 * ranks - t - 1) % ranks;
        if (t + 1 < ranks) so->ring_begin(cur.data(), bytes[from], nxt.data(), bytes[next]);
        for (const segment& sg : layout[from]) {
          const auto& w = work[sg.g];
          const std::size_t i0 = group_items[sg.g], i1 = group_items[sg.g + 1], d = w.packed.d;
          if (i0 == i1) continue;  // none of this group's points here
          const T* mean = reinterpret_cast<const T*>(cur.data() + sg.mean);
          const T* half_prec = reinterpret_cast<const T*>(cur.data() + sg.half_prec);
          const double* log_norm = reinterpret_cast<const double*>(cur.data() + sg.log_norm);
          // One piece's kernel panel at a time: O(B d) beside the buffers.
          for (std::size_t pi = 0; pi < w.pieces.size(); ++pi) {
            const auto& pc = w.pieces[pi];
            if (pc.begin < sg.lo || pc.end > sg.hi) continue;
            const std::size_t o = pc.begin - sg.lo;
            const auto ev = evaluator(w, mean + o * d, half_prec + o * d, log_norm + o, pi, w.kernel);
            detail::parallel_for(i1 - i0, opt_.threads, 1, [&](std::size_t b, std::size_t e) {
              for (std::size_t i = i0 + b; i < i0 + e; ++i) evaluate(items[i], pi, ev);
            });
          }
        }
        if (t + 1 < ranks) {
          so->ring_end();
          cur.swap(nxt);
        }
      }
      detail::parallel_for(items.size(), opt_.threads, 1, [&](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) finish(items[i]);
      });
    }
    if (so) so->all_gather(sums.data(), sizeof(point_sums), share.offsets);

    if (ring)  // the rule by d and noise: a pilot would need every process's components
      for (const auto& w : work) kernels_used.insert(kernels_used.end(), w.pieces.size(), w.kernel);
    dropout_mixture_report rep;
    rep.zero_patterns = groups.size();
    rep.kernels = std::move(kernels_used);
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
    if constexpr (local) lin->warnings(r, "means");
    else detail::representation_warnings(r, f, "means");
    // The population bracket: the plug-in below, the tightest valid upper bound above, each with
    // the error of sampling the points (the per-point terms' spread) as well as the noise's.
    const double m = static_cast<double>(m_draws);
    // Per point (R_i, R_i leave-one-out), for this process's share of the points as components,
    // over every draw; then gathered like the sums. Each R_i is one thread's sum over the draws
    // in order: the same bits for any thread and process count.
    std::vector<double> resp(influence ? lm * n : 0);  // per point (R, R leave-one-out[, Ry, Rc, Rb])
    // The Gaussian bound below needs neither pass: it runs beside this one, on a thread of its
    // own (serial, it left a core idle at the end of I(X;Z) on 60000 points). Not on one thread,
    // nor with rank-local input, whose rows it reads collectively.
    std::future<detail::population_upper> gauss_beside;
    if constexpr (!local)
      if (influence && detail::resolve_threads(opt_.threads) > 1)
        gauss_beside = std::async(std::launch::async, [&] { return detail::population_gaussian_bound(comp, groups, n); });
    if (influence) {
      if (so) so->all_gather(log_mix.data(), lm * m_draws * sizeof(double), share.offsets);
      std::vector<detail::member_share> shares(so ? so->ranks() : 1);  // every process's, for rank-local input
      for (std::size_t t = 0; t < shares.size(); ++t)
        shares[t] = t == (so ? so->rank() : 0) ? share
                    : local ? detail::share_members(sizes, chunk, cost, so->ranks(), t)
                            : detail::member_share{};
      for (std::size_t gi = 0; gi < groups.size(); ++gi)
        responsibilities<T>(comp, groups[gi], gi, work[gi].first, shares, log_mix, lm, cls, resp, lin);
      if (so) so->all_gather(resp.data(), lm * sizeof(double), share.offsets);
    }
    const auto influence_se = [&](double point_sums::*term, std::size_t which) {
      return detail::population_std_error(n, [&](std::size_t i) { return sums[i].*term / m - (influence ? resp[lm * i + which] : 0.0); });
    };
    auto& pop = r.population.emplace();
    pop.lower = r.value;
    pop.lower_std_error = influence_se(&point_sums::plug, 0);
    const auto gauss = [&] {
      if constexpr (local) return detail::population_gaussian_bound(detail::components_of(lin->stream(groups), noise), groups, n);
      else return gauss_beside.valid() ? gauss_beside.get() : detail::population_gaussian_bound(comp, groups, n);
    }();
    pop.upper = std::numeric_limits<double>::infinity();
    pop.upper_source = "none";
    if (have_loo) rep.mi_leave_one_out_population_std_error = influence_se(&point_sums::loo, 1);
    if (have_loo && std::isfinite(loo)) {
      pop.upper = loo;
      pop.upper_std_error = rep.mi_leave_one_out_population_std_error;
      pop.upper_source = "leave-one-out";
    }
    if (gauss.value < pop.upper) {
      pop.upper = gauss.value;
      pop.upper_std_error = gauss.std_error;
      pop.upper_source = "gaussian";
    }

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
      if (n > 1) y.population = label_population(sums, groups, work, *cls, count_y, h_y, present, zy, resp, lm, *r.population);
    }
    return rep;
  }

  // For each component i of the group: R_i = (1/M) sum over the other members' draws z of
  // p(z | x_i) / p(z), and the same with p(z) the draw's leave-one-out mixture. Point i's term
  // minus R_i is its influence on the estimate (its effect, as a component, on every other
  // point's term); their spread gives the population standard error. The draws are made again
  // from their seeded streams: all of the group's here, or with rank-local input (lin) each
  // process's share of them, broadcast in process order, so that every R_i still sums the
  // draws in member order. One thread per block of components, each summing the draws in
  // order: the same bits for any thread and process count.
  //
  // With labels (cls; log_mix stride lm = 5) also Ry_i = (1/M) sum over the other draws z of i's
  // class of p(z | x_i) / S_y(z) (the plug-in I(Z;Y)'s), and the held-out classifier's: Rc_i
  // the same with rho / S_y(z) for S_y's leave-one-out sum, Rb_i over all other draws with rho /
  // S(z); resp stride 5.
  template <class T, class C>
  void responsibilities(const C& comp, const detail::pattern_group& g, std::size_t gi, std::size_t first,
                        const std::vector<detail::member_share>& shares, const std::vector<double>& log_mix,
                        std::size_t lm, const std::vector<std::uint32_t>* cls, std::vector<double>& resp,
                        detail::rank_local_input* lin) const {
    detail::scale_out* const so = detail::active_scale_out();
    const auto mine = shares[so ? so->rank() : 0].range[gi];
    const std::size_t k = g.members.size(), m_draws = opt_.noise_draws;
    if (k < 2 || (!lin && mine.first == mine.second)) return;  // rank-local: every process takes part
    const auto packed = lin ? lin->template pack<T>(comp, g, gi, mine.first, mine.second) : detail::pack_components<T>(comp, g);
    const std::size_t d = packed.d;
    // Members [j0, j1)'s draws.
    std::vector<T> z;
    const auto draw = [&](std::size_t j0, std::size_t j1) {
      const std::size_t p = (j1 - j0) * m_draws;
      detail::require_memory({p, d * sizeof(T) + 8 + 11 * detail::box_units(d)}, 1, std::string(name) + ": the draws of the population standard error's pass");
      z.resize(p * d);
      std::vector<double> log_own(p);
      for (std::size_t j = j0; j < j1; ++j)
        detail::draw_components(comp, g.members[j], g.dims, m_draws, opt_.seed, packed.log_norm[j],
                                z.data() + (j - j0) * m_draws * d, log_own.data() + (j - j0) * m_draws,
                                packed.unit_scale.data());
    };
    constexpr std::size_t tile = 64, fine_run = 8;
    constexpr double negligible = -46.0;  // e^-46 ~ 1e-20: below rounding of a sum near 1
    // Padded to whole tiles: a tile's sums are added as one (padding components are -inf).
    const std::size_t padded = (mine.second - mine.first + tile - 1) / tile * tile;
    std::vector<double> r(padded, 0.0), r_loo(padded, 0.0), r_y(cls ? padded : 0, 0.0), r_cls(cls ? padded : 0, 0.0),
        r_all(cls ? padded : 0, 0.0);
    // Each member's class (ascending: the group is packed class by class), and each draw's floor:
    // below it no term counts in any of its sums.
    std::vector<std::uint32_t> member_cls;
    if (cls)
      for (std::size_t r0 : g.members) member_cls.push_back((*cls)[r0]);
    const auto floor_of = [&](std::size_t at) {
      const double* l = &log_mix[lm * at];
      return std::min(std::min(l[0], l[1]), lm > 2 ? std::min(l[2], l[3]) : INFINITY) + negligible;
    };
    // Adds the draws of members [j0, j1) (in z) to this process's components' sums.
    const auto add = [&](std::size_t j0, std::size_t j1) {
      const std::size_t p = (j1 - j0) * m_draws, dp = detail::box_units(d);
      // Runs of `len` consecutive draws (neighbours, in the spatial order): per unit the range of
      // their values, and the least cut among them, so that a component tile far from a whole
      // run skips it with one test of d operations: runs of 64, then of 8 inside those that
      // pass. Also every draw in double, padded.
      struct runs_of {
        std::vector<double> lo, hi, cut;
      };
      std::vector<double> cuts(p);  // each draw's floor, read by every component tile
      for (std::size_t s = 0; s < p; ++s) cuts[s] = floor_of((first + j0) * m_draws + s);
      const auto make_runs = [&](std::size_t len) {
        const std::size_t n_runs = (p + len - 1) / len;
        runs_of ru{std::vector<double>(n_runs * dp, 0.0), std::vector<double>(n_runs * dp, 0.0),
                   std::vector<double>(n_runs, INFINITY)};
        for (std::size_t s = 0; s < p; ++s) {
          const std::size_t q = s / len;
          ru.cut[q] = std::min(ru.cut[q], cuts[s]);
          for (std::size_t u = 0; u < d; ++u) {
            const double zu = static_cast<double>(z[s * d + u]);
            ru.lo[q * dp + u] = s % len ? std::min(ru.lo[q * dp + u], zu) : zu;
            ru.hi[q * dp + u] = s % len ? std::max(ru.hi[q * dp + u], zu) : zu;
          }
        }
        return ru;
      };
      const runs_of coarse = make_runs(tile), fine = make_runs(fine_run);
      std::vector<double> zd(p * dp, 0.0);
      for (std::size_t s = 0; s < p; ++s)
        for (std::size_t u = 0; u < d; ++u) zd[s * dp + u] = static_cast<double>(z[s * d + u]);
      // Each call takes its component tiles through the draws a chunk at a time, so
      // that a chunk's draws and runs are read from cache by every tile (one tile through all
      // the draws streamed them from memory once per tile). Each sum still adds the draws in
      // order: the same bits.
      struct comp_tile {
        std::size_t c0, nc;
        // sqrt(half precision) and mean times it, unit-major, so that the inner loop runs over
        // components; per unit the range of the means and the least half precision, and the
        // largest normaliser: they bound every component's log-density at z from above. In the
        // storage's precision, as the first pass computed the densities.
        std::vector<T> sd_inv, scaled_mu;
        std::vector<double> init, lo, hi, h_min;
        double ln_max = -INFINITY;
      };
      // Up to 8 tiles a call, fewer where that would leave threads without a call of their own.
      constexpr std::size_t chunk_draws = 512;
      static_assert(chunk_draws % tile == 0);
      const std::size_t all_tiles = (mine.second - mine.first + tile - 1) / tile;
      const std::size_t tiles_per_call = std::clamp<std::size_t>(all_tiles / (4 * detail::resolve_threads(opt_.threads)), 1, 8);
      detail::parallel_for(mine.second - mine.first, opt_.threads, tile * tiles_per_call, [&](std::size_t b0, std::size_t e0) {
        const std::size_t b = mine.first + b0, e = mine.first + e0;
        std::vector<comp_tile> tiles;
        for (std::size_t c0 = b; c0 < e; c0 += tile) {
          comp_tile& ct = tiles.emplace_back(comp_tile{c0, std::min(tile, e - c0), std::vector<T>(d * tile, T(0)),
                                                       std::vector<T>(d * tile, T(0)), std::vector<double>(tile, -INFINITY),
                                                       std::vector<double>(dp, 0.0), std::vector<double>(dp, 0.0),
                                                       std::vector<double>(dp, 0.0)});
          for (std::size_t c = 0; c < ct.nc; ++c) {
            ct.init[c] = packed.log_norm[c0 + c];
            ct.ln_max = std::max(ct.ln_max, ct.init[c]);
            for (std::size_t u = 0; u < d; ++u) {
              const double m_u = static_cast<double>(packed.mean[(c0 + c - packed.first) * d + u]);
              const double h_u = static_cast<double>(packed.half_prec[(c0 + c - packed.first) * d + u]);
              ct.sd_inv[u * tile + c] = static_cast<T>(std::sqrt(h_u));
              ct.scaled_mu[u * tile + c] = static_cast<T>(std::sqrt(h_u) * m_u);
              ct.lo[u] = c ? std::min(ct.lo[u], m_u) : m_u;
              ct.hi[u] = c ? std::max(ct.hi[u], m_u) : m_u;
              ct.h_min[u] = c ? std::min(ct.h_min[u], h_u) : h_u;
            }
          }
        }
        std::vector<double> acc(tile), ex(tile);
        for (std::size_t s0 = 0; s0 < p; s0 += chunk_draws)
          for (const comp_tile& ct : tiles) {
            const std::size_t c0 = ct.c0, nc = ct.nc;
            // Every term of run q is below its own draw's cut.
            const auto far = [&](const runs_of& ru, std::size_t q) {
              return ct.ln_max - detail::box_gap(ct.lo.data(), ct.hi.data(), ct.h_min.data(), ru.lo.data() + q * dp,
                                                 ru.hi.data() + q * dp, dp) < ru.cut[q];
            };
            for (std::size_t s = s0; s < std::min(p, s0 + chunk_draws); ++s) {
              if (s % tile == 0 && far(coarse, s / tile)) {
                s += tile - 1;
                continue;
              }
              if (s % fine_run == 0 && far(fine, s / fine_run)) {
                s += fine_run - 1;
                continue;
              }
              const std::size_t owner = j0 + s / m_draws, at = (first + j0) * m_draws + s;
              // Every unit only lowers acc: once the whole tile is below the smaller threshold
              // (log_others <= log_all), no term of it can count.
              const double all = log_mix[lm * at], others = log_mix[lm * at + 1];
              const double cut = cuts[s];
              // The box first: with the points in spatial order most tiles are far from most
              // draws, and d operations prove it where the loop below needs 4 x 64.
              const double* zs = zd.data() + s * dp;
              if (ct.ln_max - detail::box_gap(ct.lo.data(), ct.hi.data(), ct.h_min.data(), zs, zs, dp) < cut) continue;
              if (!detail::tile_log_densities<tile>(ct.sd_inv.data(), ct.scaled_mu.data(), z.data() + s * d, d, cut,
                                                    ct.init.data(), acc.data()))
                continue;
              if (owner >= c0 && owner < c0 + nc) acc[owner - c0] = -INFINITY;
              // One exponential per term, shared by the draw's sums (each a multiple of it).
              detail::tile_exp<tile>(acc.data(), all, ex.data());
              const auto add_to = [&](double log_den, std::vector<double>& out) {
                detail::add_scaled_shares<tile>(acc.data(), ex.data(), all, log_den, negligible, &out[c0 - mine.first]);
              };
              add_to(all, r);
              add_to(others, r_loo);
              if (cls) {
                const double* l = &log_mix[lm * at];
                const bool held_out = l[3] < INFINITY;  // rho > 0
                if (held_out) add_to(l[4], r_all);
                // Only the tile's members of the draw's class (a contiguous run of it).
                const std::uint32_t y = member_cls[owner];
                const auto* mc = member_cls.data() + c0;
                const std::size_t cb = std::size_t(std::lower_bound(mc, mc + nc, y) - mc);
                const std::size_t ce = std::size_t(std::upper_bound(mc, mc + nc, y) - mc);
                if (cb < ce) {
                  std::fill(acc.begin(), acc.begin() + std::ptrdiff_t(cb), -INFINITY);
                  std::fill(acc.begin() + std::ptrdiff_t(ce), acc.end(), -INFINITY);
                  add_to(l[2], r_y);
                  if (held_out) add_to(l[3], r_cls);
                }
              }
            }
          }
      });
    };
    if (!lin) {
      draw(0, k);
      add(0, k);
    } else {
      std::size_t most = 0;  // refused up front on every process, before any broadcast
      for (const auto& sh : shares) most = std::max(most, sh.range[gi].second - sh.range[gi].first);
      detail::require_memory({most * m_draws, d * sizeof(T) + 8 + 11 * detail::box_units(d)}, 1,
                             std::string(name) + ": the draws of the population standard error's pass");
      for (std::size_t t = 0; t < shares.size(); ++t) {
        const auto [j0, j1] = shares[t].range[gi];
        if (j0 == j1) continue;  // the same on every process
        if (t == so->rank()) draw(j0, j1);
        else z.resize((j1 - j0) * m_draws * d);
        so->broadcast(z.data(), z.size() * sizeof(T), t);
        add(j0, j1);
      }
    }
    const double inv_m = 1.0 / static_cast<double>(m_draws);
    for (std::size_t c = 0; c < mine.second - mine.first; ++c) {
      double* const out = &resp[lm * (first + mine.first + c)];
      out[0] = r[c] * inv_m;
      out[1] = r_loo[c] * inv_m;
      if (cls) out[2] = r_y[c] * inv_m, out[3] = r_cls[c] * inv_m, out[4] = r_all[c] * inv_m;
    }
  }

  // The population bracket of I(Z;Y) (docs/design.md, "I(Z;Y) from the mixture"): below, H(Y)
  // plus the held-out classifier's mean log q; above, the least of the plug-in zy with
  // Miller-Madow's (C - 1)/(2N) for H(Y) and I(X;Z)'s upper end (data processing). Each point's
  // influence (the derivative in its weight, times N): on the lower end -log p(y_i) (H(Y)'s),
  // its own mean term, and as a component Rc_i - Rb_i and its effect on the prior; on the
  // plug-in its mean term and Ry_i - R_i, its own draws included. resp is empty for per_point.
  template <class Groups, class Work>
  population_bracket label_population(const std::vector<point_sums>& sums, const Groups& groups, const Work& work,
                                      const std::vector<std::uint32_t>& cls, const std::vector<double>& count_y,
                                      double h_y, std::size_t present, double zy, const std::vector<double>& resp,
                                      std::size_t lm, const population_bracket& xz) const {
    const std::size_t n = sums.size();
    const double m = static_cast<double>(opt_.noise_draws), nd = static_cast<double>(n);
    std::vector<std::uint32_t> y(n);  // in the sums' order
    for (std::size_t gi = 0; gi < groups.size(); ++gi)
      for (std::size_t j = 0; j < groups[gi].members.size(); ++j) y[work[gi].first + j] = cls[groups[gi].members[j]];
    std::vector<double> prior_share(count_y.size(), 0.0);
    double cl = 0.0;
    for (std::size_t i = 0; i < n; ++i) cl += sums[i].cl, prior_share[y[i]] += sums[i].prior_share;
    const auto info = [&](std::size_t i) { return -std::log(count_y[y[i]] / nd); };
    population_bracket b;  // lower: NaN without leave-one-out (see finish)
    if (opt_.leave_one_out) b.lower = h_y + cl / (nd * m);
    if (opt_.leave_one_out) b.lower_std_error = detail::population_std_error(n, [&](std::size_t i) {
      const double own = info(i) + sums[i].cl / m;
      if (resp.empty()) return own;
      // The prior is the other points' frequencies: w_i moves it in every draw but its own,
      // by (1{y = y_i} - p) / (N - 1), and that draw's term by (1 - rho) / p times that.
      const double ny = count_y[y[i]], own_share = sums[i].prior_share;
      const double prior = (ny > 1 ? (prior_share[y[i]] - own_share) / (m * (ny - 1)) : 0.0) + own_share / (m * (nd - 1));
      return own + resp[lm * i + 3] - resp[lm * i + 4] + prior;
    });
    b.upper = zy + static_cast<double>(present - 1) / (2.0 * nd);
    b.upper_std_error = detail::population_std_error(n, [&](std::size_t i) {
      const double own = sums[i].zy / m;
      return resp.empty() ? own : own + resp[lm * i + 2] - resp[lm * i] + sums[i].own_zy / m;
    });
    b.upper_source = "plug-in";
    if (xz.upper < b.upper) {
      b.upper = xz.upper;
      b.upper_std_error = xz.upper_std_error;
      b.upper_source = "i_xz-" + xz.upper_source;
    }
    return b;
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
