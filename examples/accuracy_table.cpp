// docs/accuracy.md's error table: every registered estimator against the quadrature truth of the
// paper's toy problem, over seeds, with the coverage of the interval it claims and its seconds.
//
//   accuracy_table OUT [--n 2000,10000] [--dims 1,5,10,50,100] [--vars 0.1,0.4] [--seeds 10]
//                      [--estimators all|a,b,...] [--quick]
//
// Writes OUT/accuracy.csv (one row per run) and OUT/accuracy.md (the table). The noise-model
// estimators get the N points with M = 5 draws each; the sample-pair ones 10000 pairs (M =
// 10000 / N draws per point, at least 1); the trainable ones fig_estimators' training settings.
// Coverage: the 95% population interval where the result has a population bracket, else
// value -/+ 1.96 std_error where it has a standard error; the truth is the population's.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "infoplane/registry.hpp"
#include "infoplane/results/confidence.hpp"
#include "infoplane/validation/toy.hpp"
#include "infoplane/validation/toy_truth.hpp"

using namespace infoplane;

namespace {

template <class T>
std::vector<T> list_of(const std::string& text) {
  std::vector<T> out;
  std::stringstream ss(text);
  for (std::string item; std::getline(ss, item, ',');) {
    std::istringstream is(item);
    T v{};
    if (!(is >> v) || !is.eof()) throw std::invalid_argument("accuracy_table: bad list item '" + item + "' in '" + text + "'");
    out.push_back(v);
  }
  return out;
}

struct cell {
  std::vector<double> errors, seconds, upper_errors;  // upper_errors: the population upper end's
  std::size_t covered = 0, claimed = 0, runs = 0, not_finite = 0;
  std::string kind;
};

std::string fixed(double v, int digits) {
  if (!std::isfinite(v)) return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 2 || argv[1][0] == '-') {
    std::cerr << "usage: accuracy_table OUT [--n LIST] [--dims LIST] [--vars LIST] [--seeds K] [--estimators LIST] [--quick]\n";
    return 2;
  }
  const std::string out = argv[1];
  std::vector<std::size_t> ns{2000, 10000}, dims{1, 5, 10, 50, 100};
  std::vector<double> vars{0.1, 0.4};
  std::size_t seeds = 10;
  std::string only = "all";
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument("accuracy_table: " + a + " needs a value");
      return argv[++i];
    };
    if (a == "--n") ns = list_of<std::size_t>(next());
    else if (a == "--dims") dims = list_of<std::size_t>(next());
    else if (a == "--vars") vars = list_of<double>(next());
    else if (a == "--seeds") seeds = list_of<std::size_t>(next()).at(0);
    else if (a == "--estimators") only = next();
    else if (a == "--quick") ns = {500}, dims = {1, 5}, vars = {0.1}, seeds = 2;
    else throw std::invalid_argument("accuracy_table: unknown flag " + a);
  }
  std::vector<const registry::estimator_entry*> chosen;
  const auto wanted = only == "all" ? std::vector<std::string>{} : list_of<std::string>(only);
  for (const auto& e : registry::estimators())
    if (wanted.empty() || std::find(wanted.begin(), wanted.end(), std::string(e.name)) != wanted.end()) chosen.push_back(&e);
  if (chosen.empty()) throw std::invalid_argument("accuracy_table: --estimators names no registered estimator: " + only);
  std::filesystem::create_directories(out);
  std::ofstream csv(out + "/accuracy.csv");
  csv << "estimator,n,d,noise_var,seed,value,truth,error,std_error,interval_lower,interval_upper,covered,seconds,status\n";
  const registry::values train{{"hidden", "64"}, {"steps", "1000"}, {"batch", "128"}, {"lr", "2e-3"}, {"clip", "5"}, {"seed", "1"}};
  std::map<std::tuple<std::string, std::size_t, std::size_t, double>, cell> table;
  for (std::size_t n : ns)
    for (double var : vars) {
      const gaussian_dropout noise{noise_variance{var}};
      const double truth_1d = validation::toy_truth(noise).mi;
      for (std::size_t d : dims) {
        const double truth = double(d) * truth_1d;
        for (std::size_t s = 1; s <= seeds; ++s) {
          const Eigen::MatrixXd f = make_toy_representation(n, d, s);
          const std::size_t m_pairs = std::max<std::size_t>(1, 10000 / n);
          const auto pairs = make_toy_pairs(f, noise, m_pairs, s);
          for (const auto* e : chosen) {
            const registry::values settings =
                e->shape == registry::input_shape::noise_model
                    ? registry::values{{"m", "5"}, {"seed", std::to_string(s)}}
                    : (e->trainable ? train : registry::values{});
            const auto t0 = std::chrono::steady_clock::now();
            const estimate_result r = e->shape == registry::input_shape::noise_model ? e->noise(settings)(f, noise)
                                                                                       : e->pairs(settings)(pairs.x, pairs.z);
            const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            cell& c = table[{std::string(e->name), n, d, var}];
            c.kind = std::string(to_string(r.kind));
            ++c.runs;
            std::optional<confidence_interval> ci;
            if (r.population) ci = interval_of(r, estimate_target::population, 0.95);
            else if (r.std_error && std::isfinite(*r.std_error))
              ci = confidence_interval{r.value - 1.959963984540054 * *r.std_error, r.value + 1.959963984540054 * *r.std_error};
            const bool covered = ci && ci->lower <= truth && truth <= ci->upper;
            if (ci) ++c.claimed, c.covered += covered;
            if (r.population && std::isfinite(r.population->upper)) c.upper_errors.push_back(r.population->upper - truth);
            if (std::isfinite(r.value)) c.errors.push_back(r.value - truth);
            else ++c.not_finite;
            c.seconds.push_back(sec);
            csv << e->name << ',' << n << ',' << d << ',' << var << ',' << s << ',' << r.value << ',' << truth << ','
                << r.value - truth << ',' << (r.std_error ? *r.std_error : NAN) << ',' << (ci ? ci->lower : NAN) << ','
                << (ci ? ci->upper : NAN) << ',' << (ci ? (covered ? "1" : "0") : "") << ',' << sec << ','
                << to_string(r.status) << '\n';
            std::cerr << "\r" << e->name << " N=" << n << " d=" << d << " var=" << var << " seed " << s << "        " << std::flush;
          }
        }
      }
    }
  std::cerr << "\n";
  std::ofstream md(out + "/accuracy.md");
  md << "| estimator | kind | N | d | noise var | mean error | spread | population upper: mean error | coverage | seconds "
        "|\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& [key, c] : table) {
    const auto& [name, n, d, var] = key;
    double mean = 0, sq = 0, sec = 0;
    for (double x : c.errors) mean += x;
    mean = c.errors.empty() ? NAN : mean / double(c.errors.size());
    for (double x : c.errors) sq += (x - mean) * (x - mean);
    const double spread = c.errors.size() > 1 ? std::sqrt(sq / double(c.errors.size() - 1)) : NAN;
    for (double x : c.seconds) sec += x;
    double upper = 0;
    for (double x : c.upper_errors) upper += x;
    md << "| " << name << " | " << c.kind << " | " << n << " | " << d << " | " << var << " | " << fixed(mean, 3)
       << (c.not_finite ? " (" + std::to_string(c.not_finite) + " not finite)" : "") << " | " << fixed(spread, 3) << " | "
       << (c.upper_errors.empty() ? std::string("-") : fixed(upper / double(c.upper_errors.size()), 3)) << " | "
       << (c.claimed ? std::to_string(c.covered) + "/" + std::to_string(c.claimed) : "-") << " | "
       << fixed(sec / double(c.seconds.size()), 3) << " |\n";
  }
  std::cout << "wrote " << out << "/accuracy.csv and " << out << "/accuracy.md\n";
  return 0;
} catch (const std::exception& e) {
  std::cerr << e.what() << "\n";
  return 1;
}
