// The infoplane command-line program. Each subcommand is one entry in `commands()`.
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "cli_args.hpp"
#include "dropout_registry.hpp"
#include "pairs_registry.hpp"
#include "infoplane/validation/toy.hpp"
#include "infoplane/infoplane.hpp"
#include "infoplane/io/read_matrix.hpp"
#include "infoplane/validation/toy_truth.hpp"
#include "json_output.hpp"

namespace {

using namespace infoplane;
using namespace infoplane::cli;

struct command {
  std::string usage;
  std::function<int(const std::vector<std::string>&)> run;
};

const std::set<std::string> noise_model_flags = {"--m",         "--seed",      "--threads", "--components",
                                                 "--noise-var", "--noise-std", "--kernel"};
const std::set<std::string> noise_model_switches = {"--float", "--no-loo"};

std::set<std::string> with(std::set<std::string> base, const std::set<std::string>& more) {
  base.insert(more.begin(), more.end());
  return base;
}

std::string all_estimator_names() { return estimator_names() + "|" + pair_estimator_names(); }

int toy(const std::vector<std::string>& argv) {
  const args a(argv, with(with(noise_model_flags, pair_flags), {"--estimator", "--n", "--d"}),
               with(noise_model_switches, pair_switches));
  const auto noise = parse_noise(a);
  const auto settings = parse_settings(a);
  const auto n = a.number<std::size_t>("--n"), d = a.number<std::size_t>("--d");
  const std::string name = a.str("--estimator");
  const Eigen::MatrixXd f = make_toy_representation(n, d, settings.seed);
  timed_result tr;
  if (is_pair_estimator(name)) {
    if (settings.m == 0) throw usage_error("flag --m must be >= 1");
    const auto p = make_toy_pairs(f, noise, settings.m, settings.seed);
    tr = run_pairs(name, p.x, p.z, a);
  } else {
    tr = run_noise_model(name, f, noise, settings);
  }
  const auto& [r, seconds] = tr;
  auto j = result_json(name, r, seconds);
  j.add("truth", static_cast<double>(d) * validation::toy_truth(noise).mi)
      .add("d", d)
      .add("noise_variance", noise.variance())
      .add("m", settings.m);
  std::cout << j.str() << "\n";
  return 0;
}

// The README's main job: every noise-model estimator on the toy problem, next to the truth.
// I(X;Y) from two files by a sample-pair estimator.
int estimate(const std::vector<std::string>& argv) {
  const args a(argv, with(pair_flags, {"--estimator", "--x", "--y", "--seed", "--threads"}), pair_switches);
  const std::string name = a.str("--estimator");
  if (!is_pair_estimator(name)) throw usage_error("unknown estimator '" + name + "' (choose " + pair_estimator_names() + ")");
  const Eigen::MatrixXd x = io::read_matrix(a.str("--x")), y = io::read_matrix(a.str("--y"));
  const auto [r, seconds] = run_pairs(name, x, y, a);
  std::cout << result_json(name, r, seconds).add("x", a.str("--x")).add("y", a.str("--y")).str() << "\n";
  return 0;
}

// I(X;Z) from noise-free representations; with --labels also I(Z;Y) from noisy draws.
int dropout(const std::vector<std::string>& argv) {
  const args a(argv,
               with(with(noise_model_flags, pair_flags), {"--estimator", "--means", "--labels", "--label-estimator"}),
               with(noise_model_switches, pair_switches));
  const auto noise = parse_noise(a);
  const auto settings = parse_settings(a);
  const std::string name = a.str("--estimator");
  const Eigen::MatrixXd f = io::read_matrix(a.str("--means"));
  const auto [r, seconds] = run_noise_model(name, f, noise, settings);
  auto j = result_json(name, r, seconds);
  j.add("noise_variance", noise.variance()).add("m", settings.m);
  if (a.has("--labels")) {
    const Eigen::MatrixXd labels = io::read_matrix(a.str("--labels"));
    if (labels.rows() != f.rows() || labels.cols() != 1)
      throw usage_error("--labels must hold one label per row of --means (" + std::to_string(f.rows()) + " x 1)");
    const std::string label_name = a.str("--label-estimator", "edge");
    // Noisy draws Z (M per point, the same streams as toy pairs) with the labels repeated.
    const Eigen::MatrixXd z = make_toy_pairs(f, noise, settings.m, settings.seed).z;
    Eigen::MatrixXd y(z.rows(), 1);
    for (Eigen::Index i = 0; i < z.rows(); ++i) y(i, 0) = labels(i / Eigen::Index(settings.m), 0);
    const auto [rzy, szy] = run_pairs(label_name, z, y, a);
    j.add("i_zy_estimator", label_name).add("i_zy", rzy.value).add("i_zy_seconds", szy);
  }
  std::cout << j.str() << "\n";
  return 0;
}

int toy_sweep(const std::vector<std::string>& argv) {
  const args a(argv, {"--n", "--m", "--seed", "--threads"});
  noise_model_settings s = parse_settings(a);
  const auto n = a.number<std::size_t>("--n", 2000);
  std::printf("%-20s %3s %5s %10s %10s %21s %10s %9s %8s\n", "estimator", "d", "var", "estimate", "std_err",
              "bracket", "truth", "error", "seconds");
  for (double var : {0.1, 0.4}) {
    const gaussian_dropout noise(noise_variance{var});
    const double truth_1d = validation::toy_truth(noise).mi;
    for (std::size_t d : {1u, 2u, 5u}) {
      const Eigen::MatrixXd f = make_toy_representation(n, d, s.seed);
      for (const auto& [name, _] : noise_model_estimators()) {
        const auto [r, seconds] = run_noise_model(name, f, noise, s);
        const double truth = static_cast<double>(d) * truth_1d;
        char bracket[64] = "-", se[32] = "-";
        if (r.lower && r.upper) std::snprintf(bracket, sizeof bracket, "[%.4f, %.4f]", *r.lower, *r.upper);
        if (r.std_error) std::snprintf(se, sizeof se, "%.4f", *r.std_error);
        std::printf("%-20s %3zu %5.2f %10.4f %10s %21s %10.4f %+9.4f %8.3f\n", name.c_str(), d, var, r.value, se,
                    bracket, truth, r.value - truth, seconds);
        std::fflush(stdout);
      }
    }
  }
  return 0;
}

const std::map<std::string, command>& commands() {
  static const std::map<std::string, command> table = {
      {"toy",
       {"infoplane toy --estimator " + all_estimator_names() +
            " --n N --m M --d D (--noise-var V | --noise-std S) [--seed S] [--threads T] [--components K]"
            " [--kernel auto|screened|pruned|brute|scalar] [--float] [--no-loo] [estimator options as for estimate]",
        toy}},
      {"estimate",
       {"infoplane estimate --estimator " + pair_estimator_names() +
            " --x X.npy --y Y.npy\n      binning: [--bins B | --bin-size W] [--per-unit] [--miller-madow] [--discrete-y]"
            "\n      ksg: [--k K] [--discrete-y] [--jitter J]   edge: [--edge-U U] [--edge-L L] [--gamma G] [--gamma-y G]"
            " [--epsilon E] [--edge-hashing p-stable|floor]\n      neural: [--hidden H] [--layers L] [--steps S]"
            " [--batch B] [--lr R] [--clip C] [--init I] [--holdout F] [--embedding E] [--mine-carry A] [--nwj-js]"
            "\n      [--seed S] [--threads T]",
        estimate}},
      {"dropout",
       {"infoplane dropout --estimator " + estimator_names() +
            " --means F.npy (--noise-var V | --noise-std S) [--m M] [--labels Y.npy [--label-estimator "
            "E]] [--seed S] [--threads T]",
        dropout}},
      {"toy-sweep", {"infoplane toy-sweep [--n N] [--m M] [--seed S] [--threads T]", toy_sweep}},
  };
  return table;
}

void print_usage(std::ostream& os) {
  os << "usage:\n";
  for (const auto& [name, c] : commands()) os << "  " << c.usage << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    print_usage(std::cerr);
    return 2;
  }
  const std::string sub = argv[1];
  if (sub == "--version") {
    std::cout << "infoplane " << INFOPLANE_VERSION_STRING << " (kernels built for " << infoplane::kernel_instruction_set() << ")\n";
    return 0;
  }
  if (sub == "--help" || sub == "-h" || sub == "help") {
    print_usage(std::cout);
    return 0;
  }
  const auto it = commands().find(sub);
  if (it == commands().end()) {
    std::cerr << "infoplane: unknown subcommand '" << sub << "'\n";
    print_usage(std::cerr);
    return 2;
  }
  try {
    return it->second.run(std::vector<std::string>(argv + 2, argv + argc));
  } catch (const usage_error& e) {
    std::cerr << "infoplane " << sub << ": " << e.what() << "\nusage: " << it->second.usage << "\n";
  } catch (const infoplane::invalid_argument& e) {
    std::cerr << "infoplane " << sub << ": invalid value: " << e.what() << "\nusage: " << it->second.usage << "\n";
  } catch (const std::exception& e) {
    std::cerr << "infoplane " << sub << ": error: " << e.what() << "\n";
    return 1;
  }
  return 2;
}
