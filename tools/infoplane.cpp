// The infoplane command-line program. Each subcommand is one entry in `commands()`.
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "cli_args.hpp"
#include "dropout_registry.hpp"
#include "infoplane/infoplane.hpp"
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

std::set<std::string> with(std::set<std::string> base, std::initializer_list<std::string> more) {
  base.insert(more);
  return base;
}

int toy(const std::vector<std::string>& argv) {
  const args a(argv, with(noise_model_flags, {"--estimator", "--n", "--d"}), noise_model_switches);
  const auto noise = parse_noise(a);
  const auto settings = parse_settings(a);
  const auto n = a.number<std::size_t>("--n"), d = a.number<std::size_t>("--d");
  const std::string name = a.str("--estimator");
  const Eigen::MatrixXd f = make_toy_representation(n, d, settings.seed);
  const auto [r, seconds] = run_noise_model(name, f, noise, settings);
  auto j = result_json(name, r, seconds);
  j.add("truth", static_cast<double>(d) * validation::toy_truth(noise).mi)
      .add("d", d)
      .add("noise_variance", noise.variance())
      .add("m", settings.m);
  std::cout << j.str() << "\n";
  return 0;
}

// The README's main job: every noise-model estimator on the toy problem, next to the truth.
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
       {"infoplane toy --estimator " + estimator_names() +
            " --n N --m M --d D (--noise-var V | --noise-std S) [--seed S] [--threads T] [--components K]"
            " [--kernel auto|pruned|brute|scalar] [--float] [--no-loo]",
        toy}},
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
