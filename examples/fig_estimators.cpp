// Paper Fig. 4 (noise variance 0.1) and Fig. 10 (0.4): I(X;Z) from every estimator on the toy
// problem for d in {1, 5, 10, 50, 100}, binning by number of bins and by bin size, with the
// exact value d * I_1 from quadrature (which the paper did not have). Prints the summary table.
// usage: fig_estimators [OUTDIR] [--quick]
#include <cstring>
#include <functional>
#include <future>

#include "infoplane/registry.hpp"
#include "infoplane/validation/toy.hpp"
#include "figure_common.hpp"

namespace {

using namespace infoplane;

struct row {
  std::string estimator;
  std::size_t d;
  double var;
  estimate_result r;
};

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 2 && std::strcmp(argv[2], "--quick") == 0;
  const std::string dir = figures::out_dir(argc, argv);
  const std::vector<std::size_t> dims = quick ? std::vector<std::size_t>{1, 5} : std::vector<std::size_t>{1, 5, 10, 50, 100};
  const std::size_t n = quick ? 500 : 2000, m = 5;
  const std::vector<std::size_t> bin_counts{2, 3, 5, 10, 30, 100};
  const std::vector<double> bin_sizes{0.05, 0.1, 0.25, 0.5, 1.0, 2.0};
  // Every registered estimator runs; the noise-model ones with M = 5 draws, the trainable ones
  // with these training settings, the others with their defaults.
  const registry::values noise_settings{{"m", std::to_string(m)}, {"seed", "3"}};
  const registry::values train{{"hidden", "64"}, {"steps", quick ? "200" : "1000"}, {"batch", "128"}, {"lr", "2e-3"},
                               {"clip", "5"}, {"seed", "1"}};
  // binning runs at several settings below; the estimator loop shows its default, 10 bins.
  auto label = [](const registry::estimator_entry& e) { return e.name == "binning" ? "binning-10-bins" : std::string(e.name); };
  // The two figures run side by side (the neural estimators train on one thread each, so one
  // figure alone leaves a core idle); each keeps its own rows, joined in a fixed order.
  std::vector<row> rows[2];
  auto one_figure = [&](int which) {
    const double var = which == 0 ? 0.1 : 0.4;
    const char* const fig = which == 0 ? "fig4" : "fig10";
    std::vector<row>& summary = rows[which];
    const figures::progress say(fig);
    const gaussian_dropout noise{noise_variance{var}};
    figures::csv est_csv{{"estimator", "d", "noise_var", "value", "std_error", "lower", "upper", "kind", "truth", "ceiling", "seconds"}, {}};
    figures::csv bin_csv{{"d", "noise_var", "bins", "bin_size", "value", "truth"}, {}};
    for (std::size_t d : dims) {
      const double truth = double(d) * figures::truth(var).mi;
      const Eigen::MatrixXd f = make_toy_representation(n, d, 1);
      const auto pairs = make_toy_pairs(f, noise, m, 3);
      const Eigen::MatrixXd& x = pairs.x;
      const Eigen::MatrixXd& z = pairs.z;
      auto record = [&](const std::string& name, const std::function<estimate_result()>& run) {
        say("d=" + std::to_string(d) + " " + name);
        const auto t0 = std::chrono::steady_clock::now();
        const estimate_result r = run();
        const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        est_csv.add({name, std::to_string(d), figures::num(var), figures::num(r.value), figures::num(r.std_error.value_or(NAN)),
                     figures::num(r.lower.value_or(NAN)), figures::num(r.upper.value_or(NAN)), std::string(to_string(r.kind)),
                     figures::num(truth), figures::num(r.ceiling.value_or(NAN)), figures::num(sec)});
        summary.push_back({name, d, var, r});
      };
      for (const auto& e : registry::estimators()) {
        if (e.shape == registry::input_shape::noise_model)
          record(label(e), [&] { return e.noise(noise_settings)(f, noise); });
        else
          record(label(e), [&] { return e.pairs(e.trainable ? train : registry::values{})(x, z); });
      }
      const paired_samples p{x, z};
      for (std::size_t b : bin_counts)
        bin_csv.add({std::to_string(d), figures::num(var), std::to_string(b), "", figures::num(binning({.bins = b}).estimate(p).value),
                     figures::num(truth)});
      for (double w : bin_sizes)
        bin_csv.add({std::to_string(d), figures::num(var), "", figures::num(w),
                     figures::num(binning({.bin_size = w}).estimate(p).value), figures::num(truth)});
    }
    const std::string base = dir + "/" + fig;
    est_csv.write(base + ".csv");
    bin_csv.write(base + "_binning.csv");
    std::string script = "set datafile separator ','\nset terminal pngcairo size 1700,520 font ',10'\nset output '" + base +
                         ".png'\nset multiplot layout 1,3 title 'I(X;Z) on the toy problem, noise variance " + figures::num(var) +
                         ": N = " + std::to_string(n) + " points, M = 5 draws each'\n";
    script += "set title 'every estimator'\nset logscale xy\nset xlabel 'd'\nset ylabel 'I(X;Z) [nats]'\n"
              "set key outside right top font ',8' samplen 2\n"
              "set xrange [0.8:130]\nplot ";
    std::vector<std::string> names;
    for (const auto& e : registry::estimators()) names.push_back(label(e));
    // One awk-filtered stream per estimator, so that each draws a connected line.
    auto rows_of = [&](const std::string& name) { return "\"< awk -F, '$1==\\\"" + name + "\\\"' " + base + ".csv\""; };
    for (const auto& name : names) script += rows_of(name) + " using 2:4 with linespoints title '" + name + "', ";
    script += rows_of("dropout-mc") + " using 2:9 with lines lw 3 lc rgb 'black' dt 2 title 'exact', " + rows_of("dropout-mc") +
              " using 2:10 with lines lc rgb 'gray' dt 3 title 'log N (mixture ceiling)'\n";
    script += "unset logscale\nset logscale x\nset key inside top left font ',8'\nset xrange [*:*]\nset title 'binning by number of bins'\n"
              "set xlabel 'bins per unit'\nplot ";
    auto binning_rows = [&](std::size_t d, int col) {
      return "\"< awk -F, '$1==" + std::to_string(d) + " && $" + std::to_string(col) + "!=\\\"\\\"' " + base + "_binning.csv\"";
    };
    const std::string log_n = figures::num(std::log(double(n)));
    for (std::size_t d : dims) script += binning_rows(d, 3) + " using 3:5 with linespoints title 'd = " + std::to_string(d) + "', ";
    script += log_n + " with lines lc rgb 'gray' dt 3 title 'log N', " + figures::num(figures::truth(var).mi) +
              " with lines lw 2 lc rgb 'black' dt 2 title 'exact, d = 1'";
    script += "\nset title 'binning by bin size'\nset xlabel 'bin size'\nplot ";
    for (std::size_t d : dims) script += binning_rows(d, 4) + " using 4:5 with linespoints title 'd = " + std::to_string(d) + "', ";
    script += log_n + " with lines lc rgb 'gray' dt 3 title 'log N', " + figures::num(figures::truth(var).mi) +
              " with lines lw 2 lc rgb 'black' dt 2 title 'exact, d = 1'";
    script += "\nunset multiplot\n";
    figures::plot(base + ".gp", script);
  };
  auto other = std::async(std::launch::async, one_figure, 1);  // its exception resurfaces in get()
  one_figure(0);
  other.get();
  std::vector<row> summary = rows[0];
  summary.insert(summary.end(), rows[1].begin(), rows[1].end());
  std::printf("\n%-20s %4s %5s %10s %21s %9s %9s %s\n", "estimator", "d", "var", "estimate", "bracket", "truth", "error", "status");
  for (const auto& s : summary) {
    const double truth = double(s.d) * figures::truth(s.var).mi;
    char bracket[64] = "-";
    if (s.r.lower && s.r.upper && *s.r.lower != *s.r.upper)
      std::snprintf(bracket, sizeof bracket, "[%.3f, %.3f]", *s.r.lower, *s.r.upper);
    std::printf("%-20s %4zu %5.2f %10.3f %21s %9.3f %+9.3f %s\n", s.estimator.c_str(), s.d, s.var, s.r.value, bracket, truth,
                s.r.value - truth, std::string(to_string(s.r.status)).c_str());
  }
}
