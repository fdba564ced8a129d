#pragma once
// Runtime selection of the sample-pair estimators (binning, EDGE, KSG) by their command-line
// names; their options use the parameter names of the estimator notes.
#include <Eigen/Core>
#include <chrono>
#include <functional>
#include <map>
#include <string>

#include "cli_args.hpp"
#include "dropout_registry.hpp"
#include "infoplane/estimators/neural.hpp"
#include "infoplane/infoplane.hpp"

namespace infoplane::cli {

inline const std::set<std::string> pair_flags = {"--bins", "--bin-size", "--k", "--edge-U", "--edge-L", "--gamma",
                                                 "--gamma-y", "--epsilon", "--epsilon-y", "--edge-hashing",
                                                 "--eps-range-factor", "--jitter", "--hidden", "--layers",
                                                 "--steps", "--batch", "--lr", "--clip", "--init", "--holdout",
                                                 "--embedding", "--mine-carry"};
inline const std::set<std::string> pair_switches = {"--per-unit", "--miller-madow", "--discrete-y", "--no-standardize",
                                                    "--edge-fixed", "--edge-no-normalize", "--edge-average",
                                                    "--edge-stochastic", "--nwj-js"};

inline neural::training_options parse_training(const args& a) {
  neural::training_options o;
  o.hidden = a.number<std::size_t>("--hidden", o.hidden);
  o.layers = a.number<std::size_t>("--layers", o.layers);
  o.steps = a.number<std::size_t>("--steps", o.steps);
  o.batch = a.number<std::size_t>("--batch", o.batch);
  o.lr = a.number<double>("--lr", o.lr);
  o.clip = a.number<double>("--clip", o.clip);
  o.init = a.number<double>("--init", o.init);
  o.holdout = a.number<double>("--holdout", o.holdout);
  o.seed = a.number<std::uint64_t>("--seed", 0);
  return o;
}

template <class E>
estimate_result run_critic(const Eigen::MatrixXd& x, const Eigen::MatrixXd& y, const args& a) {
  critic_options o;
  o.train = parse_training(a);
  o.embedding = a.number<std::size_t>("--embedding", o.embedding);
  o.mine_carry = a.number<double>("--mine-carry", o.mine_carry);
  if (a.has("--nwj-js")) o.nwj_training = nwj_surrogate::jensen_shannon;
  return E(o).fit_estimate(paired_samples{x, y});
}

using pair_runner = std::function<estimate_result(const Eigen::MatrixXd&, const Eigen::MatrixXd&, const args&)>;

inline const std::map<std::string, pair_runner>& pair_estimators() {
  static const std::map<std::string, pair_runner> table = {
      {"binning",
       [](const Eigen::MatrixXd& x, const Eigen::MatrixXd& y, const args& a) {
         binning_options o;
         if (a.has("--bin-size")) o.bin_size = a.number<double>("--bin-size");
         else o.bins = a.number<std::size_t>("--bins", 10);
         if (a.has("--bins") && a.has("--bin-size")) throw usage_error("give only one of --bins and --bin-size");
         if (a.has("--per-unit")) o.range = bin_range::per_unit;
         o.miller_madow = a.has("--miller-madow");
         o.discrete_y = a.has("--discrete-y");
         return binning(o).estimate(paired_samples{x, y});
       }},
      {"ksg",
       [](const Eigen::MatrixXd& x, const Eigen::MatrixXd& y, const args& a) {
         ksg_options o;
         o.k = a.number<std::size_t>("--k", o.k);
         o.standardize = !a.has("--no-standardize");
         o.jitter = a.number<double>("--jitter", o.jitter);
         o.discrete_y = a.has("--discrete-y");
         o.seed = a.number<std::uint64_t>("--seed", 0);
         o.threads = a.number<unsigned>("--threads", 0);
         return ksg(o).estimate(paired_samples{x, y});
       }},
      {"edge",
       [](const Eigen::MatrixXd& x, const Eigen::MatrixXd& y, const args& a) {
         edge_options o;
         o.U = a.number<double>("--edge-U", o.U);
         o.L = a.number<std::size_t>("--edge-L", o.L);
         o.gamma[0] = a.number<double>("--gamma", o.gamma[0]);
         o.gamma[1] = a.number<double>("--gamma-y", o.gamma[0]);
         o.epsilon[0] = a.number<double>("--epsilon", o.epsilon[0]);
         o.epsilon[1] = a.number<double>("--epsilon-y", o.epsilon[0]);
         o.eps_range_factor = a.number<double>("--eps-range-factor", o.eps_range_factor);
         const std::string h = a.str("--edge-hashing", "p-stable");
         if (h == "floor") o.hashing = edge_hashing::floor;
         else if (h != "p-stable") throw usage_error("flag --edge-hashing: '" + h + "' is not one of p-stable|floor");
         if (a.has("--edge-fixed")) o.epsilon_vector = edge_epsilon_vector::fixed;
         o.normalize_epsilon = !a.has("--edge-no-normalize");
         if (a.has("--edge-average")) o.ensemble = edge_ensemble::average;
         o.stochastic = a.has("--edge-stochastic");
         o.seed = a.number<std::uint64_t>("--seed", 0);
         return edge(o).estimate(paired_samples{x, y});
       }},
      {"doe", [](const Eigen::MatrixXd& x, const Eigen::MatrixXd& y,
                 const args& a) { return doe(parse_training(a)).fit_estimate(paired_samples{x, y}); }},
      {"doe-logistic", [](const Eigen::MatrixXd& x, const Eigen::MatrixXd& y,
                          const args& a) { return doe_logistic(parse_training(a)).fit_estimate(paired_samples{x, y}); }},
      {"dv", run_critic<dv_bound>},
      {"mine", run_critic<mine_bound>},
      {"nwj", run_critic<nwj_bound>},
      {"infonce", run_critic<infonce_bound>},
  };
  return table;
}

inline std::string pair_estimator_names() {
  std::string out;
  for (const auto& [name, _] : pair_estimators()) out += (out.empty() ? "" : "|") + name;
  return out;
}

inline bool is_pair_estimator(const std::string& name) { return pair_estimators().count(name) > 0; }

inline timed_result run_pairs(const std::string& name, const Eigen::MatrixXd& x, const Eigen::MatrixXd& y,
                              const args& a) {
  const auto it = pair_estimators().find(name);
  if (it == pair_estimators().end()) throw usage_error("unknown estimator '" + name + "' (choose " + pair_estimator_names() + ")");
  const auto t0 = std::chrono::steady_clock::now();
  estimate_result r = it->second(x, y, a);
  return {r, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()};
}

}  // namespace infoplane::cli
