// Every estimator on the benchmark tasks with known MI (bmi's 40 and the paper's dropout
// tasks), through the benchmark engine of tools/benchmark_command.hpp, until the CLI wires it.
// usage: bmi_benchmark OUTDIR [--tasks all|bmi|dropout|quick|ID,ID..] [--n N] [--seeds 0,1,2]
//        [--estimators ksg-3,ksg-10,doe,...] [--threads T] [--time-limit S]
#include <cstdlib>
#include <iostream>
#include <map>
#include <sstream>

#include "../tools/benchmark_command.hpp"
#include "infoplane/estimators/neural.hpp"
#include "infoplane/infoplane.hpp"

namespace {

using namespace infoplane;
using mat = Eigen::MatrixXd;

// A trainable estimator made from its training options, stopped at the wall-clock limit.
template <class Make>
cli::benchmark_estimator::pair_fn trained(Make make) {
  return [make](const mat& x, const mat& y, std::uint64_t seed, double limit) {
    neural::time_limit stop(limit);
    auto estimator = make(neural::training_options{.seed = seed});
    auto r = estimator.fit_estimate(paired_samples{x, y}, stop);
    return stop.apply(r);
  };
}

std::map<std::string, cli::benchmark_estimator> available() {
  std::map<std::string, cli::benchmark_estimator> m;
  for (std::size_t k : {3u, 10u})
    m["ksg-" + std::to_string(k)] = {"ksg-" + std::to_string(k), [k](const mat& x, const mat& y, std::uint64_t seed, double) {
                                       return ksg({.k = k, .seed = seed, .threads = 1}).estimate(paired_samples{x, y});
                                     }};
  m["doe"] = {"doe", trained([](auto o) { return doe(o); })};
  m["doe-factorised"] = {"doe-factorised",
                         trained([](auto o) { return doe(o, {doe_covariance::factorised, doe_covariance::factorised}); })};
  m["doe-logistic"] = {"doe-logistic", trained([](auto o) { return doe_logistic(o); })};
  m["infonce"] = {"infonce", trained([](auto o) { return infonce_bound({.train = o}); })};
  m["nwj"] = {"nwj", trained([](auto o) { return nwj_bound({.train = o}); })};
  m["mine"] = {"mine", trained([](auto o) { return mine_bound({.train = o}); })};
  // Noise-model only: the dropout tasks' representation, M = 10 draws per point.
  m["dropout-mc"] = {"dropout-mc", {}, [](const mat& f, const gaussian_dropout& noise, std::uint64_t seed, double) {
                       return dropout_mixture({.noise_draws = 10, .seed = seed}).estimate(noisy_representation{f, noise});
                     }};
  return m;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string t; std::getline(in, t, ',');) out.push_back(t);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: bmi_benchmark OUTDIR [--tasks SPEC] [--n N] [--seeds 0,1,2] [--estimators A,B] [--threads T] "
                 "[--time-limit S]\n";
    return 2;
  }
  cli::benchmark_settings s;
  s.out_dir = argv[1];
  std::string names = "ksg-3,ksg-10,doe,doe-factorised,infonce,dropout-mc";
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], v = argv[i + 1];
    if (flag == "--tasks") s.tasks = v;
    else if (flag == "--n") s.n = std::stoul(v);
    else if (flag == "--threads") s.threads = unsigned(std::stoul(v));
    else if (flag == "--time-limit") s.time_limit_s = std::stod(v);
    else if (flag == "--estimators") names = v;
    else if (flag == "--seeds") {
      s.seeds.clear();
      for (const auto& t : split(v)) s.seeds.push_back(std::stoull(t));
    } else {
      std::cerr << "bmi_benchmark: unknown flag " << flag << "\n";
      return 2;
    }
  }
  const auto all = available();
  std::vector<cli::benchmark_estimator> chosen;
  for (const auto& n : split(names)) {
    const auto it = all.find(n);
    if (it == all.end()) {
      std::cerr << "bmi_benchmark: unknown estimator " << n << "\n";
      return 2;
    }
    chosen.push_back(it->second);
  }
  const auto report = cli::run_benchmark(chosen, s);
  for (const auto& r : report.summary)
    std::printf("%-50s %-15s truth %8.4f  mean %9.4f  sd %7.4f  rel.err %6.3f  not ok %zu/%zu\n", r.task.c_str(),
                r.estimator.c_str(), r.truth, r.mean, r.sd, r.mean_relative_error, r.not_ok, r.runs);
  return 0;
}
