#pragma once
// One point of the information plane (paper §5, A.8) for one split at one epoch: I(X;Z) by the
// dropout mixture with its bracket and bounds, I(Z;Y) by the same mixture and by label
// estimators over noisy draws, the cross-entropy lower bound, and the binning plane of the
// noise-free representation (Fig. 14). All in nats; docs/design.md says what bounds what.
#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <optional>
#include <ranges>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "infoplane/detail/rng.hpp"
#include "infoplane/estimators/dropout/gaussian_bound.hpp"
#include "infoplane/estimators/dropout/mixture.hpp"
#include "infoplane/estimators/dropout/noisy_samples.hpp"
#include "infoplane/estimators/dropout/pairwise.hpp"
#include "infoplane/estimators/pairs/binning.hpp"
#include "infoplane/estimators/pairs/edge.hpp"
#include "infoplane/estimators/pairs/ksg.hpp"
#include "infoplane/inputs/samples.hpp"

namespace infoplane {

/// Names of the I(Z;Y) estimators an IP point can run.
inline const std::set<std::string>& label_estimator_names() {
  static const std::set<std::string> names = {"mixture", "edge", "ksg", "binning"};
  return names;
}

struct information_plane_options {
  std::size_t noise_draws = 1;            ///< M draws per point (the paper: 1 for train, 6 for test)
  std::uint64_t seed = 0;                 ///< with epoch and split, fixes every stochastic part
  std::uint64_t epoch = 0;
  std::string split = "train";
  /// The points are independent of the network (a test split): only then are the population
  /// bracket i_zy_lower / i_zy_upper reported.
  bool held_out = false;
  unsigned threads = 0;                   ///< 0: all cores; no result depends on it
  std::optional<std::size_t> components{};  ///< K mixture components (seeded subset); ceiling log K
  std::optional<std::size_t> component_block{};  ///< dropout_mixture_options::component_block
  /// dropout_mixture_options::population_std_error: `per_point` skips the second pass over all
  /// pairs (about 2x the estimate's own time) at the price of a low population SE.
  population_error population_std_error = population_error::influence;
  /// dropout_mixture_options::storage: float32 is ~1.5x faster on I(X;Z) and agrees with float64
  /// to about 1e-9 relative on real features (docs/accuracy.md); float64 is the default.
  precision storage = precision::float64;
  /// dropout_mixture_options::label_prior_weight: the prior's weight in the held-out classifier
  /// behind I(Z;Y)'s population lower end (default 1/sqrt(N)).
  std::optional<double> label_prior_weight{};
  bool gaussian_bound = true;             ///< dropout_gaussian_bound (analytic covariance)
  bool pairwise_bounds = false;           ///< KL and Bhattacharyya bounds: O(N^2 d)
  std::set<std::string> label_estimators = {"mixture"};  ///< any of label_estimator_names()
  std::optional<double> cross_entropy{};    ///< the network's mean CE (nats) on this split, noise on
  std::optional<double> class_entropy{};    ///< population H(Y); default: the split's label entropy
  std::vector<std::size_t> bins{};        ///< binning plane by bin counts ...
  std::vector<double> bin_sizes{};        ///< ... or by bin widths (not both)
  std::optional<std::size_t> pair_samples{};  ///< at most this many (z, y) pairs for edge/ksg/binning
  double violation_sigmas = 3.0;          ///< a data-processing bound counts as violated beyond this many SE
  /// Called after each part with its name and seconds.
  std::function<void(std::string_view part, double seconds)> progress{};
};

/// I(X;T) = H(T) and I(T;Y) for T the binned noise-free representation, at one bin setting.
struct ip_binning_point {
  std::optional<std::size_t> bins;
  std::optional<double> bin_size;
  estimate_result i_xt, i_ty;
};

struct ip_point {
  std::uint64_t epoch = 0;
  std::string split;
  std::size_t n = 0, d = 0, m = 0;
  estimate_result i_xz;  ///< dropout-mc: value (dataset), [lower, upper] bracket, SE, ceiling log N
  std::optional<estimate_result> i_xz_gauss_bound, i_xz_pairwise_kl, i_xz_pairwise_bd;
  double h_y = 0;        ///< label entropy of the split (the I(Z;Y) ceiling)
  std::size_t classes = 0;
  std::optional<estimate_result> i_zy_mixture;  ///< dataset target, Monte Carlo SE
  std::optional<estimate_result> i_zy_edge, i_zy_ksg, i_zy_binning;  ///< over the noisy draws, no SE
  std::optional<estimate_result> i_zy_ce_bound;  ///< H(Y) - CE: lower bound, population target
  double i_xz_given_y = std::nan(""), i_xz_given_y_std_error = std::nan("");  ///< mixture I(X;Z) - I(Z;Y)
  /// Population bracket, held-out split only (each holds in expectation over the split):
  /// lower = the CE bound, upper = H(Y) - H_mixture(Y|Z).
  std::optional<double> i_zy_lower, i_zy_upper;
  std::vector<ip_binning_point> binning;
  std::map<std::string, double> seconds;  ///< per part
  double total_seconds = 0;
};

namespace detail {

/// One seed per (seed, epoch, split), so a point never depends on which others were computed.
inline std::uint64_t point_seed(std::uint64_t seed, std::uint64_t epoch, std::string_view split) noexcept {
  std::uint64_t h = 0xCBF29CE484222325ull;  // FNV-1a of the split name
  for (char c : split) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001B3ull;
  std::uint64_t x = seed;
  std::uint64_t s = splitmix64(x);
  x = s ^ epoch;
  s = splitmix64(x);
  x = s ^ h;
  return splitmix64(x);
}

/// Rounding allowance of a bound check: exact equality (e.g. both 0) must not count as a violation.
inline double check_slack(double bound) noexcept { return 1e-9 * (1.0 + std::abs(bound)); }

/// Marks r as `bound_violated` when it exceeds `bound` by more than `sigmas` combined errors.
inline void check_upper(estimate_result& r, double bound, double bound_se, double sigmas) {
  const double se = std::hypot(r.std_error.value_or(0.0), bound_se);
  if (std::isfinite(r.value) && r.value - sigmas * se > bound + check_slack(bound))
    r.status = estimate_status::bound_violated;
}

}  // namespace detail

/// One IP point. f: N x d noise-free representations (any dense Eigen layout, float or double,
/// not copied); labels: N integers; noise: gaussian_dropout, or lognormal_dropout (information
/// dropout, with its N x d alpha), for which every estimator works in log Z (same I(X;Z), I(Z;Y)).
template <SampleMatrix MF, class Labels, class Noise>
  requires std::ranges::contiguous_range<const Labels&> && std::integral<std::ranges::range_value_t<const Labels&>>
ip_point information_plane_point(const MF& f, const Labels& labels, const Noise& noise,
                                 const information_plane_options& o) {
  using clock = std::chrono::steady_clock;
  const auto t_start = clock::now();
  // Rank-local input (MPI, mpi::session::set_local_input): f is this process's rows only; the
  // estimators that take it validate and read the whole representation collectively.
  const auto* local = detail::local_rows_of(f, noise);
  if (!local) detail::require_valid_matrix(f, "information_plane: representations");
  const std::size_t n = local ? local->total_rows : static_cast<std::size_t>(f.rows());
  std::size_t classes = 0;
  const auto cls = detail::class_indices(std::span(std::ranges::data(labels), std::ranges::size(labels)), n,
                                         "information_plane", classes);
  INFOPLANE_CHECK(o.noise_draws >= 1, "information_plane: noise_draws (M) must be >= 1");
  INFOPLANE_CHECK(o.bins.empty() || o.bin_sizes.empty(), "information_plane: give bins or bin_sizes, not both");
  for (const auto& e : o.label_estimators)
    INFOPLANE_CHECK(label_estimator_names().count(e), "information_plane: unknown label estimator '" + e +
                                                          "' (known: mixture, edge, ksg, binning)");
  INFOPLANE_CHECK(!o.cross_entropy || (std::isfinite(*o.cross_entropy) && *o.cross_entropy >= 0),
                  "information_plane: cross_entropy must be finite and >= 0");
  // The rest reads every row on one process.
  if (local) {
    std::string whole;
    for (const auto& e : o.label_estimators)
      if (e != "mixture") whole += " label estimator '" + e + "',";
    if (o.pairwise_bounds) whole += " pairwise bounds,";
    if (!o.bins.empty() || !o.bin_sizes.empty()) whole += " binning plane,";
    INFOPLANE_CHECK(whole.empty(), "information_plane: rank-local input (" + local->name +
                                       ": this process's rows only) takes the mixture and the Gaussian bound; these "
                                       "need every row on one process:" + whole.substr(0, whole.size() - 1));
  }

  ip_point p;
  p.epoch = o.epoch;
  p.split = o.split;
  p.n = n;
  p.d = static_cast<std::size_t>(f.cols());
  p.m = o.noise_draws;
  p.classes = classes;
  {
    std::vector<double> count(classes, 0.0);
    for (auto c : cls) count[c] += 1.0;
    for (double c : count) p.h_y -= c / double(n) * std::log(c / double(n));
  }
  const std::uint64_t seed = detail::point_seed(o.seed, o.epoch, o.split);
  auto record = [&](const std::string& part, double s) {
    p.seconds[part] = s;
    if (o.progress) o.progress(part, s);
  };
  auto timed = [&](const std::string& part, auto&& fn) {
    const auto t0 = clock::now();
    fn();
    record(part, std::chrono::duration<double>(clock::now() - t0).count());
  };
  // A part that needs nothing of the ones after it runs beside them, on a thread of its own,
  // where `beside` and there are threads to spare (not under MPI, whose calls stay on this
  // thread); else when its result is taken. take() stores the result and records its time
  // and progress, on this thread.
  using timed_result = std::pair<estimate_result, double>;
  const auto start = [&](bool beside, auto fn) {
    beside = beside && detail::resolve_threads(o.threads) > 1 && !detail::active_scale_out();
    return std::async(beside ? std::launch::async : std::launch::deferred, [fn] {
      const auto t0 = clock::now();
      estimate_result r = fn();
      return timed_result{r, std::chrono::duration<double>(clock::now() - t0).count()};
    });
  };
  const auto take = [&](const std::string& part, std::future<timed_result>& job, std::optional<estimate_result>& slot) {
    auto [r, s] = job.get();
    slot = r;
    record(part, s);
  };
  const noisy_representation<MF, Noise> in{f, noise};
  const bool want_mixture = o.label_estimators.count("mixture") > 0;

  // The Gaussian bound (one thread) beside I(X;Z): run after it, it left a core idle.
  std::future<timed_result> gauss_bound = start(o.gaussian_bound, [&] {
    estimate_result r = dropout_gaussian_bound({.seed = seed, .components = o.components}).estimate(in);
    r.target = estimate_target::dataset;  // exact covariance of the dataset mixture
    return r;
  });

  // I(X;Z), and I(Z;Y) on the same draws when the mixture is among the label estimators.
  timed("i_xz", [&] {
    const dropout_mixture mix({.noise_draws = o.noise_draws,
                               .seed = seed,
                               .components = o.components,
                               .threads = o.threads,
                               .storage = o.storage,
                               .component_block = o.component_block,
                               .population_std_error = o.population_std_error,
                               .label_prior_weight = o.label_prior_weight});
    if (want_mixture) {
      auto rep = mix.report(in, cls);
      p.i_xz = rep.mi;
      p.i_zy_mixture = rep.label_mi;
      p.i_xz_given_y = rep.mi_given_labels;
      p.i_xz_given_y_std_error = rep.mi_given_labels_std_error;
    } else {
      p.i_xz = mix.report(in).mi;
    }
  });
  if (o.gaussian_bound) take("gauss_bound", gauss_bound, p.i_xz_gauss_bound);
  if (o.pairwise_bounds)
    timed("pairwise", [&] {
      const dropout_pairwise_options po{.components = o.components, .seed = seed, .threads = o.threads};
      p.i_xz_pairwise_kl = dropout_pairwise_kl(po).estimate(in);
      p.i_xz_pairwise_bd = dropout_pairwise_bd(po).estimate(in);
      p.i_xz_pairwise_kl->target = p.i_xz_pairwise_bd->target = estimate_target::dataset;
    });

  // Label estimators over the noisy draws: the mixture's own noise (same seeded streams), each
  // draw paired with its point's label; optionally a seeded subset of the pairs.
  const bool want_pairs = o.label_estimators.count("edge") || o.label_estimators.count("ksg") ||
                          o.label_estimators.count("binning");
  if (want_pairs) {
    Eigen::MatrixXd z, y;
    timed("noisy_draws", [&] {
      const Eigen::MatrixXd all = draw_noisy_samples(f, noise, o.noise_draws, seed);
      const std::size_t total = static_cast<std::size_t>(all.rows());
      std::vector<std::size_t> rows = detail::choose_components(total, o.pair_samples && *o.pair_samples < total
                                                                           ? o.pair_samples : std::nullopt,
                                                                seed ^ 0x5A17ull, "information_plane: pair_samples");
      z.resize(Eigen::Index(rows.size()), all.cols());
      y.resize(Eigen::Index(rows.size()), 1);
      for (std::size_t i = 0; i < rows.size(); ++i) {
        z.row(Eigen::Index(i)) = all.row(Eigen::Index(rows[i]));
        y(Eigen::Index(i), 0) = double(cls[rows[i] / o.noise_draws]);
      }
    });
    auto finish = [&](estimate_result r) {
      r.target = estimate_target::dataset;
      return r;
    };
    // EDGE beside KSG: EDGE's serial hashing and sorting left a core idle at the end of the
    // train split.
    // (Not wanted, it is never taken, so never run.)
    const bool want_edge = o.label_estimators.count("edge") > 0;
    std::future<timed_result> edge_job = start(want_edge && o.label_estimators.count("ksg"), [&] {
      return finish(edge({.seed = seed + 2, .threads = o.threads}).estimate(paired_samples{z, y}));
    });
    if (o.label_estimators.count("ksg"))
      timed("ksg", [&] {
        p.i_zy_ksg = finish(ksg({.discrete_y = true, .seed = seed + 1, .threads = o.threads}).estimate(paired_samples{z, y}));
      });
    if (want_edge) take("edge", edge_job, p.i_zy_edge);
    if (o.label_estimators.count("binning"))
      timed("binning", [&] {
        // The first bin setting of the binning plane, 30 bins without one.
        binning_options bo{.discrete_y = true};
        if (!o.bin_sizes.empty()) bo.bin_size = o.bin_sizes.front();
        else bo.bins = o.bins.empty() ? std::size_t{30} : o.bins.front();
        p.i_zy_binning = finish(binning(bo).estimate(paired_samples{z, y}));
      });
  }

  // H(Y) - CE: a population lower bound for a classifier held out from these points.
  const double h_prior = o.class_entropy.value_or(p.h_y);
  if (o.cross_entropy) {
    estimate_result r;
    r.kind = bound_kind::lower_bound;
    r.target = estimate_target::population;
    r.value = h_prior - *o.cross_entropy;
    r.ceiling = h_prior;
    r.n_samples = n;
    p.i_zy_ce_bound = r;
  }
  if (o.held_out) {
    if (p.i_zy_ce_bound) p.i_zy_lower = p.i_zy_ce_bound->value;
    if (p.i_zy_mixture) p.i_zy_upper = p.i_zy_mixture->value + (h_prior - p.h_y);
  }

  // Data-processing checks: I(Z;Y) <= min(I(X;Z), H(Y)) beyond the errors.
  const double sig = o.violation_sigmas;
  if (p.i_zy_mixture && p.i_xz_given_y + sig * p.i_xz_given_y_std_error < -detail::check_slack(p.i_xz.value))
    p.i_zy_mixture->status = estimate_status::bound_violated;
  for (auto* r : {&p.i_zy_edge, &p.i_zy_ksg, &p.i_zy_binning})
    if (*r) {
      detail::check_upper(**r, p.h_y, 0.0, sig);
      detail::check_upper(**r, p.i_xz.value, p.i_xz.std_error.value_or(0.0), sig);
    }
  if (p.i_zy_ce_bound) {
    // Population: I(Z;Y) <= I(X;Z), whose bracket's upper end is the leave-one-out value.
    if (p.i_xz.upper) detail::check_upper(*p.i_zy_ce_bound, *p.i_xz.upper, p.i_xz.std_error.value_or(0.0), sig);
    if (p.i_zy_upper)
      detail::check_upper(*p.i_zy_ce_bound, *p.i_zy_upper, p.i_zy_mixture->std_error.value_or(0.0), sig);
  }

  // The binning plane of the noise-free representation.
  if (!o.bins.empty() || !o.bin_sizes.empty())
    timed("binning_plane", [&] {
      Eigen::MatrixXd ycol(Eigen::Index(n), 1);
      for (std::size_t i = 0; i < n; ++i) ycol(Eigen::Index(i), 0) = double(cls[i]);
      auto one = [&](binning_options bo) {
        ip_binning_point b{bo.bins, bo.bin_size, binning(bo).binned_entropy(f), {}};
        bo.discrete_y = true;
        b.i_ty = binning(bo).estimate(paired_samples{f, ycol});
        b.i_xt.target = b.i_ty.target = estimate_target::dataset;
        p.binning.push_back(b);
      };
      for (auto b : o.bins) one({.bins = b});
      for (auto s : o.bin_sizes) one({.bin_size = s});
    });
  p.total_seconds = std::chrono::duration<double>(clock::now() - t_start).count();
  return p;
}

}  // namespace infoplane
