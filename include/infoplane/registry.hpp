#pragma once
// The estimator registry: one registration per estimator (name, kind, input shape, options with
// their help, defaults and checks, how to build it, and what the conformance battery expects of
// it). The command line's flags and help, `infoplane --list-estimators`, the tests' conformance
// battery, the figure programs' estimator loop and the Python module are all generated from it.
//
// Adding an estimator: write its header, specialise `registration<E>` below, and add E to
// `all_estimators`. Nothing else lists estimators.
#include <Eigen/Core>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "infoplane/estimators/neural.hpp"
#include "infoplane/infoplane.hpp"
#include "infoplane/registry/options.hpp"
#include "infoplane/results/warnings.hpp"

namespace infoplane::registry {

/// What an estimator reads.
enum class input_shape {
  noise_model,   ///< noise-free representations and a noise model (noisy_representation)
  sample_pairs,  ///< paired samples (x_i, y_i) (paired_samples)
};

constexpr std::string_view to_string(input_shape s) noexcept {
  return s == input_shape::noise_model ? "noise_model" : "sample_pairs";
}

/// Option values by option name (without dashes), as text.
using values = std::map<std::string, std::string>;

/// What the conformance battery expects (tests/test_conformance.cpp), declared with each
/// registration: on independent data the value lies within `independent` of 0; on dependent
/// data it lies within `dependent` of the reference (the ceiling log N for the noise-model
/// estimators, the analytic MI of correlated Gaussians for the sample-pair ones), or for a
/// lower (upper) bound at most `dependent` above (below) it and never beyond it by more than
/// `slack`.
struct conformance_spec {
  double independent = 0.05;
  double dependent = 0.1;
  double slack = 0.05;
  values options{};  ///< options for the battery (fewer training steps, say)
};

/// Specialised once per estimator.
template <class E>
struct registration;

// ---- the dropout family ----------------------------------------------------------------------

template <>
struct registration<dropout_mixture> {
  using options_type = dropout_mixture_options;
  static constexpr input_shape shape = input_shape::noise_model;
  static constexpr std::string_view summary = "Monte Carlo mixture, plug-in and leave-one-out";
  static constexpr std::string_view reports =
      "point estimate (dataset) with bracket, ceiling log N; population bracket with standard errors";
  static constexpr std::string_view validated_against =
      "quadrature truth of the toy problem; closed cases; ReLU case by quadrature";
  static options_type defaults() { return {}; }
  static std::vector<option<options_type>> options() {
    using O = options_type;
    return {number<O>("m", member(&O::noise_draws), "noisy draws per data point (M)", at_least{1}),
            number<O>("seed", member(&O::seed), "seed of the noise and of the component subset"),
            number<O>("components", member(&O::components),
                      "use a seeded random subset of K components; the ceiling becomes log K", at_least{1}),
            number<O>("threads", member(&O::threads), "threads, 0 for all cores (results do not depend on it)"),
            choice<O>("kernel", member(&O::kernel), "mixture kernel",
                      std::vector<std::pair<std::string, mixture_kernel>>{{"auto", mixture_kernel::automatic},
                                                                          {"screened", mixture_kernel::simd_screened},
                                                                          {"pruned", mixture_kernel::simd_pruned},
                                                                          {"brute", mixture_kernel::simd_brute_force},
                                                                          {"scalar", mixture_kernel::scalar_reference}}),
            flag<O>("float", member(&O::storage), "store samples and components in float32", precision::float32,
                    precision::float64),
            flag<O>("no-loo", member(&O::leave_one_out), "skip the leave-one-out upper end (faster)", false, true),
            choice<O>("population-se", member(&O::population_std_error),
                      "population standard errors: influence (a second pass over all pairs) or per_point (none; "
                      "reads low where the plug-in is far below the truth)",
                      std::vector<std::pair<std::string, population_error>>{{"influence", population_error::influence},
                                                                            {"per_point", population_error::per_point}}),
            number<O>("component-block", member(&O::component_block),
                      "evaluate components in blocks of B: the same value to rounding, the bits of infoplane-mpi "
                      "--ring with this B (whose default is 4096)",
                      at_least{1})};
  }
  static dropout_mixture make(const options_type& o) { return dropout_mixture(o); }
  static conformance_spec conformance() { return {.independent = 1e-9, .dependent = 0.02}; }
};

template <>
struct registration<dropout_gaussian_bound> {
  using options_type = dropout_gaussian_bound_options;
  static constexpr input_shape shape = input_shape::noise_model;
  static constexpr std::string_view summary = "Gaussian bound, analytic or sample covariance (Ledoit-Wolf)";
  static constexpr std::string_view reports = "upper bound";
  static constexpr std::string_view validated_against = "hand-computed covariance; >= Monte Carlo h(Z)";
  static options_type defaults() { return {}; }
  static std::vector<option<options_type>> options() {
    using O = options_type;
    return {number<O>("m", member(&O::noise_draws), "noisy draws per data point for the sample covariance",
                      at_least{1}),
            number<O>("seed", member(&O::seed), "seed of the noise and of the component subset"),
            number<O>("components", member(&O::components), "use a seeded random subset of K components",
                      at_least{1}),
            choice<O>("covariance", member(&O::source), "covariance of Z",
                      std::vector<std::pair<std::string, covariance_source>>{{"analytic", covariance_source::analytic},
                                                                             {"sample", covariance_source::sample}}),
            flag<O>("ledoit-wolf", member(&O::ledoit_wolf), "shrink the sample covariance (Ledoit-Wolf)")};
  }
  static dropout_gaussian_bound make(const options_type& o) { return dropout_gaussian_bound(o); }
  // An upper bound: on well-separated data it lies above log N, by how much depends on the data.
  static conformance_spec conformance() { return {.independent = 1e-9, .dependent = 1e9, .slack = 1e-9}; }
};

template <pairwise_distance D>
struct registration<dropout_pairwise_bound<D>> {
  using options_type = dropout_pairwise_options;
  static constexpr input_shape shape = input_shape::noise_model;
  static constexpr std::string_view summary = D == pairwise_distance::kullback_leibler
                                                  ? "pairwise KL (Kolchinsky & Tracey), heteroscedastic diagonal"
                                                  : "pairwise Bhattacharyya (Kolchinsky & Tracey)";
  static constexpr std::string_view reports = D == pairwise_distance::kullback_leibler ? "upper bound" : "lower bound";
  static constexpr std::string_view validated_against =
      "hand-computed two-component values; BD <= MC <= KL on the toy problem";
  static options_type defaults() { return {}; }
  static std::vector<option<options_type>> options() {
    using O = options_type;
    return {number<O>("components", member(&O::components), "use a seeded random subset of K components",
                      at_least{1}),
            number<O>("seed", member(&O::seed), "seed of the component subset"),
            number<O>("threads", member(&O::threads), "threads, 0 for all cores")};
  }
  static dropout_pairwise_bound<D> make(const options_type& o) { return dropout_pairwise_bound<D>(o); }
  static conformance_spec conformance() { return {.independent = 1e-9, .dependent = 0.02, .slack = 1e-9}; }
};

// ---- the sample-pair family ------------------------------------------------------------------

template <>
struct registration<binning> {
  using options_type = binning_options;
  static constexpr input_shape shape = input_shape::sample_pairs;
  static constexpr std::string_view summary = "binning: count or size, global or per-unit range, Miller-Madow, labels";
  static constexpr std::string_view reports = "point estimate";
  static constexpr std::string_view validated_against =
      "discrete cases with exact answers; correlated Gaussians; NumPy peer (identical)";
  static options_type defaults() { return {.bins = 10}; }
  static std::vector<option<options_type>> options() {
    using O = options_type;
    return {number<O>("bins", member(&O::bins), "equal-width bins per unit over the range (default unless --bin-size)",
                      at_least{1}),
            number<O>("bin-size", member(&O::bin_size), "bin width instead: bin = floor(v / width)",
                      at_least{0, false}),
            flag<O>("per-unit", member(&O::range), "one range per unit instead of the layer's", bin_range::per_unit,
                    bin_range::global),
            flag<O>("miller-madow", member(&O::miller_madow), "Miller-Madow corrected entropies"),
            flag<O>("discrete-y", member(&O::discrete_y), "y holds labels: categories, not binned")};
  }
  /// --bin-size replaces the default count; both at once is an error.
  static void finish(options_type& o, const values& given) {
    if (given.count("bin-size")) {
      INFOPLANE_CHECK(!given.count("bins"), "give only one of --bins and --bin-size");
      o.bins.reset();
    }
  }
  static binning make(const options_type& o) { return binning(o); }
  static conformance_spec conformance() { return {.independent = 0.05, .dependent = 0.25}; }
};

template <>
struct registration<ksg> {
  using options_type = ksg_options;
  static constexpr input_shape shape = input_shape::sample_pairs;
  static constexpr std::string_view summary = "KSG (Kraskov 1, max-norm, k-d tree); Ross for labels";
  static constexpr std::string_view reports = "point estimate";
  static constexpr std::string_view validated_against =
      "correlated Gaussians; two-class mixture by quadrature; scikit-learn (to 6e-8)";
  static options_type defaults() { return {}; }
  static std::vector<option<options_type>> options() {
    using O = options_type;
    return {number<O>("k", member(&O::k), "neighbours", at_least{1}),
            flag<O>("no-standardize", member(&O::standardize), "do not scale columns to unit variance", false, true),
            number<O>("jitter", member(&O::jitter), "std of the tie-breaking noise after standardising (0: none)",
                      at_least{0}),
            flag<O>("discrete-y", member(&O::discrete_y), "y holds labels: Ross (2014) estimator"),
            number<O>("seed", member(&O::seed), "seed of the jitter"),
            number<O>("threads", member(&O::threads), "threads, 0 for all cores")};
  }
  static ksg make(const options_type& o) { return ksg(o); }
  // KSG's spread at n = 2000: the battery's independent sample gives 0.051 (an independent
  // KDTree computation agrees).
  static conformance_spec conformance() { return {.independent = 0.06, .dependent = 0.05}; }
};

template <>
struct registration<edge> {
  using options_type = edge_options;
  static constexpr input_shape shape = input_shape::sample_pairs;
  static constexpr std::string_view summary = "EDGE 4.3.1 with its actual defaults, in nats";
  static constexpr std::string_view reports = "point estimate";
  static constexpr std::string_view validated_against = "cases worked by hand from the published algorithm";
  static options_type defaults() { return {}; }
  static std::vector<option<options_type>> options() {
    using O = options_type;
    using hashing = std::vector<std::pair<std::string, edge_hashing>>;
    return {number<O>("edge-U", member(&O::U), "per-cell clip U (nats)", at_least{0, false}),
            number<O>("edge-L", member(&O::L), "ensemble size L", at_least{1}),
            number<O>("gamma", [](auto& o) -> auto& { return o.gamma[0]; }, "bandwidth scale for x", at_least{0, false}),
            number<O>("gamma-y", [](auto& o) -> auto& { return o.gamma[1]; },
                      "bandwidth scale for y (default: the value of --gamma)", at_least{0, false}),
            number<O>("epsilon", [](auto& o) -> auto& { return o.epsilon[0]; }, "fixed bandwidth for x (0: automatic)",
                      at_least{0}),
            number<O>("epsilon-y", [](auto& o) -> auto& { return o.epsilon[1]; },
                      "fixed bandwidth for y (default: the value of --epsilon)", at_least{0}),
            number<O>("eps-range-factor", member(&O::eps_range_factor), "spread of the ensemble's bandwidths",
                      at_least{0}),
            choice<O>("edge-hashing", member(&O::hashing), "hashing of x and y",
                      hashing{{"p-stable", edge_hashing::p_stable}, {"floor", edge_hashing::floor}}),
            flag<O>("edge-fixed", member(&O::epsilon_vector), "one bandwidth for the whole ensemble",
                    edge_epsilon_vector::fixed, edge_epsilon_vector::range),
            flag<O>("edge-no-normalize", member(&O::normalize_epsilon), "skip the bandwidth normalisation pass",
                    false, true),
            flag<O>("edge-average", member(&O::ensemble), "combine the ensemble by its mean, not its median",
                    edge_ensemble::average, edge_ensemble::median),
            flag<O>("edge-stochastic", member(&O::stochastic), "random shifts instead of j / L"),
            number<O>("seed", member(&O::seed), "seed of the projections and query points"),
            number<O>("threads", member(&O::threads), "threads (ensemble members at once), 0 for all cores")};
  }
  /// --gamma-y and --epsilon-y follow --gamma and --epsilon unless given.
  static void finish(options_type& o, const values& given) {
    if (!given.count("gamma-y")) o.gamma[1] = o.gamma[0];
    if (!given.count("epsilon-y")) o.epsilon[1] = o.epsilon[0];
  }
  static edge make(const options_type& o) { return edge(o); }
  // The 0.001 floor per cell keeps independent data above 0; the U clip and the hashing bias
  // it on dependent data.
  static conformance_spec conformance() { return {.independent = 0.06, .dependent = 0.3}; }
};

template <>
struct registration<gaussian_mi> {
  using options_type = gaussian_mi_options;
  static constexpr input_shape shape = input_shape::sample_pairs;
  static constexpr std::string_view summary = "Gaussian (linear) MI from the sample covariance";
  static constexpr std::string_view reports = "point estimate";
  static constexpr std::string_view validated_against = "closed form on correlated Gaussians; NumPy log-determinants";
  static options_type defaults() { return {}; }
  static std::vector<option<options_type>> options() {
    using O = options_type;
    return {number<O>("ridge", member(&O::ridge), "added to each variance before the log-determinants", at_least{0})};
  }
  static gaussian_mi make(const options_type& o) { return gaussian_mi(o); }
  static conformance_spec conformance() { return {.independent = 0.01, .dependent = 0.03}; }
};

// ---- the neural family -----------------------------------------------------------------------

namespace detail {
/// The training options every trainable estimator takes, reached through `train(o)`.
template <class O, class Train>
std::vector<option<O>> training_flags(Train train) {
  auto field = [train](auto m) { return [train, m](auto& o) -> auto& { return train(o).*m; }; };
  using T = neural::training_options;
  return {number<O>("hidden", field(&T::hidden), "hidden width", at_least{1}),
          number<O>("layers", field(&T::layers), "hidden tanh layers"),
          number<O>("steps", field(&T::steps), "optimiser steps", at_least{1}),
          number<O>("batch", field(&T::batch), "minibatch size", at_least{2}),
          number<O>("lr", field(&T::lr), "Adam learning rate", at_least{0, false}),
          number<O>("clip", field(&T::clip), "gradient-norm clip (0: none)", at_least{0}),
          number<O>("init", field(&T::init), "0: PyTorch default init; > 0: U(-init, init)", at_least{0}),
          number<O>("holdout", field(&T::holdout), "fraction held out for the estimate (and for validation)",
                    at_least{0, false}),
          number<O>("seed", field(&T::seed), "seed of the initialisation, minibatches and splits"),
          number<O>("time-limit", field(&T::time_limit),
                    "stop training after this many seconds (0: never); the estimate is then not_converged",
                    at_least{0})};
}
}  // namespace detail

/// DoE's options: the training, and the model of q(Y) and q(Y|X).
struct doe_settings {
  neural::training_options train{};
  doe_options model{};
};

template <doe_family F>
struct registration<doe_estimator<F>> {
  using options_type = doe_settings;
  static constexpr input_shape shape = input_shape::sample_pairs;
  static constexpr std::string_view summary = F == doe_family::gaussian
                                                  ? "difference of entropies, Gaussian (held-out selection)"
                                                  : "difference of entropies, logistic (held-out selection)";
  static constexpr std::string_view reports = "point estimate";
  static constexpr std::string_view validated_against =
      "correlated Gaussians, dim 1-128 (the published dim-128 setting within 10% of 18.41)";
  static options_type defaults() { return {}; }
  static std::vector<option<options_type>> options() {
    using O = options_type;
    using cov = std::vector<std::pair<std::string, doe_covariance>>;
    const cov words{{"full", doe_covariance::full}, {"factorised", doe_covariance::factorised}};
    auto out = detail::training_flags<O>([](auto& o) -> auto& { return o.train; });
    out.push_back(choice<O>("doe-marginal", [](auto& o) -> auto& { return o.model.marginal; },
                            "q(Y): full covariance, or factorised as the reference code", words));
    out.push_back(choice<O>("doe-conditional", [](auto& o) -> auto& { return o.model.conditional; },
                            "q(Y|X): full residual covariance, or factorised as the reference code", words));
    return out;
  }
  static doe_estimator<F> make(const options_type& o) { return doe_estimator<F>(o.train, o.model); }
  static const neural::training_options& training(const options_type& o) { return o.train; }
  static conformance_spec conformance() {
    return {.independent = 0.08, .dependent = 0.15, .options = {{"steps", "400"}, {"batch", "128"}}};
  }
};

template <variational_bound B>
struct registration<critic_estimator<B>> {
  using options_type = critic_options;
  static constexpr input_shape shape = input_shape::sample_pairs;
  static constexpr std::string_view summary = B == variational_bound::dv     ? "Donsker-Varadhan, separable critic"
                                              : B == variational_bound::mine ? "MINE, separable critic"
                                              : B == variational_bound::nwj  ? "NWJ, separable critic"
                                                                             : "InfoNCE, separable critic";
  static constexpr std::string_view reports =
      B == variational_bound::infonce ? "lower bound, ceiling log batch" : "lower bound";
  static constexpr std::string_view validated_against =
      "correlated Gaussians; InfoNCE <= log batch; divergence reported as not_converged";
  static options_type defaults() { return {}; }
  static std::vector<option<options_type>> options() {
    using O = options_type;
    auto out = detail::training_flags<O>([](auto& o) -> auto& { return o.train; });
    out.push_back(number<O>("embedding", member(&O::embedding), "width of the critic's embeddings", at_least{1}));
    if constexpr (B == variational_bound::mine)
      out.push_back(number<O>("mine-carry", member(&O::mine_carry), "weight of the past in MINE's moving average",
                              at_least{0}));
    if constexpr (B == variational_bound::nwj)
      out.push_back(flag<O>("nwj-js", member(&O::nwj_training), "train with the Jensen-Shannon surrogate",
                            nwj_surrogate::jensen_shannon, nwj_surrogate::nwj));
    return out;
  }
  static critic_estimator<B> make(const options_type& o) { return critic_estimator<B>(o); }
  static const neural::training_options& training(const options_type& o) { return o.train; }
  static conformance_spec conformance() {
    return {.independent = 0.08, .dependent = 0.3, .slack = 0.1, .options = {{"steps", "400"}, {"batch", "128"}}};
  }
};

// ---- the list --------------------------------------------------------------------------------

/// Every registered estimator, in the order the help, the tables and the figures show them.
using all_estimators = std::tuple<dropout_mixture, dropout_gaussian_bound, dropout_pairwise_kl, dropout_pairwise_bd,
                                  binning, edge, ksg, gaussian_mi, doe, doe_logistic, dv_bound, mine_bound, nwj_bound,
                                  infonce_bound>;

template <std::size_t I>
using registered_t = std::tuple_element_t<I, all_estimators>;

template <class E>
concept Registered = requires {
  typename registration<E>::options_type;
  { registration<E>::shape } -> std::convertible_to<input_shape>;
  registration<E>::options();
  registration<E>::make(registration<E>::defaults());
};

/// Whether E must be trained (fit) before it estimates.
template <class E>
inline constexpr bool is_trainable = requires(E& e, const paired_samples<Eigen::MatrixXd, Eigen::MatrixXd>& in) {
  e.fit(in);
};

/// E's options from text values: defaults, then each given value, then the registration's own
/// cross-option rules. Values the estimator does not take are left for the caller to report.
template <Registered E>
typename registration<E>::options_type parse_options(const values& given) {
  using R = registration<E>;
  auto o = R::defaults();
  for (const auto& opt : R::options())
    if (const auto it = given.find(opt.info.name); it != given.end()) opt.set(o, it->second);
  if constexpr (requires { R::finish(o, given); }) R::finish(o, given);
  return o;
}

/// Runs E on its input kind; a trainable estimator is fitted on a seeded split of the data and
/// estimates on the held-out part (fit_estimate).
template <Registered E, class Input>
estimate_result run(const typename registration<E>::options_type& o, const Input& in) {
  auto e = registration<E>::make(o);
  estimate_result r;
  if constexpr (is_trainable<E>) {
    neural::time_limit limit(registration<E>::training(o).time_limit);
    r = e.fit_estimate(in, limit);
    limit.apply(r);
  } else {
    r = e.estimate(in);
  }
  // Every estimator by name warns about suspicious shapes (each also does so itself, for x or the
  // means; warnings are not repeated).
  if constexpr (registration<E>::shape == input_shape::noise_model) {
    infoplane::detail::representation_warnings(r, in.means, "means");
  } else {
    infoplane::detail::representation_warnings(r, in.x, "x");
    infoplane::detail::shape_warning(r, static_cast<std::size_t>(in.y.rows()), static_cast<std::size_t>(in.y.cols()),
                                     "y");
  }
  return r;
}

// ---- the run-time table ----------------------------------------------------------------------

using pairs_runner = std::function<estimate_result(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y)>;
using noise_runner = std::function<estimate_result(const Eigen::MatrixXd& means, const gaussian_dropout& noise)>;

/// One registered estimator, type-erased for front ends that choose by name.
struct estimator_entry {
  std::string_view name;
  bound_kind kind;
  input_shape shape;
  bool trainable;
  std::string_view summary, reports, validated_against;
  std::vector<option_info> options;  ///< with their defaults
  /// Builds the estimator from option values (throws invalid_argument naming the option).
  std::function<pairs_runner(const values&)> pairs;  ///< set for sample_pairs
  std::function<noise_runner(const values&)> noise;  ///< set for noise_model

  [[nodiscard]] bool takes(const std::string& option) const {
    for (const auto& o : options)
      if (o.name == option) return true;
    return false;
  }
};

template <Registered E>
estimator_entry make_entry() {
  using R = registration<E>;
  estimator_entry e{E::name, E::kind, R::shape, is_trainable<E>, R::summary, R::reports, R::validated_against,
                    {}, {}, {}};
  for (const auto& o : with_defaults(R::options(), R::defaults())) e.options.push_back(o.info);
  if constexpr (R::shape == input_shape::sample_pairs) {
    e.pairs = [](const values& v) -> pairs_runner {
      const auto o = parse_options<E>(v);
      return [o](const Eigen::MatrixXd& x, const Eigen::MatrixXd& y) { return run<E>(o, paired_samples{x, y}); };
    };
  } else {
    e.noise = [](const values& v) -> noise_runner {
      const auto o = parse_options<E>(v);
      return [o](const Eigen::MatrixXd& f, const gaussian_dropout& n) {
        return run<E>(o, noisy_representation{f, n});
      };
    };
  }
  return e;
}

/// The input an estimator's registry entry runs it on.
template <class E>
using input_of = std::conditional_t<registration<E>::shape == input_shape::noise_model, noisy_representation<Eigen::MatrixXd>,
                                    paired_samples<Eigen::MatrixXd, Eigen::MatrixXd>>;

// The project's own programs and tests build each registered estimator once, in
// tools/registry_entries/ (INFOPLANE_REGISTRY_PREBUILT), not in every translation unit that
// reaches the registry: each instantiates its estimator whole, about a minute of compile time.
#define INFOPLANE_REGISTRY_INSTANCES(PREFIX, I)                                                         \
  PREFIX template estimator_entry make_entry<registered_t<I>>();                                         \
  PREFIX template registration<registered_t<I>>::options_type parse_options<registered_t<I>>(const values&); \
  PREFIX template estimate_result run<registered_t<I>, input_of<registered_t<I>>>(                       \
      const registration<registered_t<I>>::options_type&, const input_of<registered_t<I>>&);
#ifdef INFOPLANE_REGISTRY_PREBUILT
INFOPLANE_REGISTRY_INSTANCES(extern, 0) INFOPLANE_REGISTRY_INSTANCES(extern, 1) INFOPLANE_REGISTRY_INSTANCES(extern, 2)
INFOPLANE_REGISTRY_INSTANCES(extern, 3) INFOPLANE_REGISTRY_INSTANCES(extern, 4) INFOPLANE_REGISTRY_INSTANCES(extern, 5)
INFOPLANE_REGISTRY_INSTANCES(extern, 6) INFOPLANE_REGISTRY_INSTANCES(extern, 7) INFOPLANE_REGISTRY_INSTANCES(extern, 8)
INFOPLANE_REGISTRY_INSTANCES(extern, 9) INFOPLANE_REGISTRY_INSTANCES(extern, 10) INFOPLANE_REGISTRY_INSTANCES(extern, 11)
INFOPLANE_REGISTRY_INSTANCES(extern, 12) INFOPLANE_REGISTRY_INSTANCES(extern, 13)
static_assert(std::tuple_size_v<all_estimators> == 14,
              "a new estimator: add its index above and to tools/registry_entries/");
#endif

/// The registry, in all_estimators' order.
inline const std::vector<estimator_entry>& estimators() {
  static const std::vector<estimator_entry> table = []<class... E>(std::tuple<E...>*) {
    return std::vector<estimator_entry>{make_entry<E>()...};
  }(static_cast<all_estimators*>(nullptr));
  return table;
}

/// "a|b|c" of the registered names with the given shape (all shapes without one).
inline std::string names(std::optional<input_shape> shape = std::nullopt) {
  std::string out;
  for (const auto& e : estimators())
    if (!shape || e.shape == *shape) out += (out.empty() ? "" : "|") + std::string(e.name);
  return out;
}

/// The entry called `name`, or nullptr.
inline const estimator_entry* find(std::string_view name) {
  for (const auto& e : estimators())
    if (e.name == name) return &e;
  return nullptr;
}

}  // namespace infoplane::registry
