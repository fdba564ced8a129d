#pragma once
// Runtime selection of the noise-model estimators by their command-line names. New estimators
// over a noise model are added here once and are then available to every subcommand.
#include <Eigen/Core>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "cli_args.hpp"
#include "infoplane/infoplane.hpp"

namespace infoplane::cli {

struct noise_model_settings {
  std::size_t m = 10;
  std::uint64_t seed = 0;
  unsigned threads = 0;
  std::optional<std::size_t> components;
  precision storage = precision::float64;
  bool leave_one_out = true;
  mixture_kernel kernel = mixture_kernel::automatic;
};

struct timed_result {
  estimate_result result;
  double seconds;
};

using noise_model_runner =
    std::function<estimate_result(const Eigen::MatrixXd&, const gaussian_dropout&, const noise_model_settings&)>;

template <class E>
noise_model_runner make_runner(std::function<E(const noise_model_settings&)> make) {
  return [make](const Eigen::MatrixXd& f, const gaussian_dropout& noise, const noise_model_settings& s) {
    static_assert(Estimator<E, noisy_representation<Eigen::MatrixXd>>);
    return make(s).estimate(noisy_representation{f, noise});
  };
}

inline const std::map<std::string, noise_model_runner>& noise_model_estimators() {
  static const std::map<std::string, noise_model_runner> table = {
      {std::string(dropout_mixture::name), make_runner<dropout_mixture>([](const noise_model_settings& s) {
         return dropout_mixture({.noise_draws = s.m,
                                 .seed = s.seed,
                                 .components = s.components,
                                 .threads = s.threads,
                                 .kernel = s.kernel,
                                 .leave_one_out = s.leave_one_out,
                                 .storage = s.storage});
       })},
      {std::string(dropout_gaussian_bound::name), make_runner<dropout_gaussian_bound>([](const noise_model_settings& s) {
         return dropout_gaussian_bound({.noise_draws = s.m, .seed = s.seed, .components = s.components});
       })},
      {std::string(dropout_pairwise_kl::name), make_runner<dropout_pairwise_kl>([](const noise_model_settings& s) {
         return dropout_pairwise_kl({.components = s.components, .seed = s.seed, .threads = s.threads});
       })},
      {std::string(dropout_pairwise_bd::name), make_runner<dropout_pairwise_bd>([](const noise_model_settings& s) {
         return dropout_pairwise_bd({.components = s.components, .seed = s.seed, .threads = s.threads});
       })},
  };
  return table;
}

inline std::string estimator_names() {
  std::string out;
  for (const auto& [name, _] : noise_model_estimators()) out += (out.empty() ? "" : "|") + name;
  return out;
}

inline timed_result run_noise_model(const std::string& name, const Eigen::MatrixXd& f, const gaussian_dropout& noise,
                                    const noise_model_settings& s) {
  const auto& table = noise_model_estimators();
  const auto it = table.find(name);
  if (it == table.end()) throw usage_error("unknown estimator '" + name + "' (choose " + estimator_names() + ")");
  const auto t0 = std::chrono::steady_clock::now();
  estimate_result r = it->second(f, noise, s);
  return {r, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()};
}

/// --noise-var V or --noise-std S, exactly one.
inline gaussian_dropout parse_noise(const args& a) {
  if (a.has("--noise-var") == a.has("--noise-std")) throw usage_error("give exactly one of --noise-var and --noise-std");
  return a.has("--noise-var") ? gaussian_dropout(noise_variance(a.number<double>("--noise-var")))
                              : gaussian_dropout(noise_std(a.number<double>("--noise-std")));
}

inline noise_model_settings parse_settings(const args& a) {
  noise_model_settings s;
  s.m = a.number<std::size_t>("--m", s.m);
  s.seed = a.number<std::uint64_t>("--seed", s.seed);
  s.threads = a.number<unsigned>("--threads", s.threads);
  s.components = a.optional_number<std::size_t>("--components");
  if (a.has("--float")) s.storage = precision::float32;
  if (a.has("--no-loo")) s.leave_one_out = false;
  const std::string kernel = a.str("--kernel", "auto");
  if (kernel == "scalar") s.kernel = mixture_kernel::scalar_reference;
  else if (kernel == "brute") s.kernel = mixture_kernel::simd_brute_force;
  else if (kernel == "pruned") s.kernel = mixture_kernel::simd_pruned;
  else if (kernel == "screened") s.kernel = mixture_kernel::simd_screened;
  else if (kernel != "auto")
    throw usage_error("flag --kernel: '" + kernel + "' is not one of auto|screened|pruned|brute|scalar");
  return s;
}

}  // namespace infoplane::cli
