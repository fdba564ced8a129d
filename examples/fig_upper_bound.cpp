// Paper Fig. 3 (noise variance 0.1) and Fig. 8 (0.4): the Gaussian upper bound on h(Z) against
// the Monte Carlo mixture estimate, as d grows, with the exact h(Z) from quadrature.
// usage: fig_upper_bound [OUTDIR]
#include "infoplane/validation/toy.hpp"
#include "figure_common.hpp"

int main(int argc, char** argv) {
  using namespace infoplane;
  const std::string dir = figures::out_dir(argc, argv);
  const std::vector<std::size_t> dims{1, 2, 5, 10, 20, 50, 100};
  const std::size_t n = 5000, m = 5;
  for (auto [var, fig] : {std::pair{0.1, "fig3"}, {0.4, "fig8"}}) {
    const figures::progress say(fig);
    const auto t = figures::truth(var);
    const gaussian_dropout noise{noise_variance{var}};
    figures::csv out{{"d", "noise_var", "h_mc", "h_mc_se", "h_loo", "h_gauss_analytic", "h_gauss_sample_lw", "h_truth"}, {}};
    for (std::size_t d : dims) {
      say("d=" + std::to_string(d));
      const Eigen::MatrixXd f = make_toy_representation(n, d, 1);
      const auto mc = dropout_mixture({.noise_draws = m, .seed = 2}).report(noisy_representation{f, noise});
      const auto ga = dropout_gaussian_bound().report(noisy_representation{f, noise});
      const auto gs = dropout_gaussian_bound({.source = covariance_source::sample, .ledoit_wolf = true, .noise_draws = m, .seed = 2})
                          .report(noisy_representation{f, noise});
      out.add({std::to_string(d), figures::num(var), figures::num(mc.h_z), figures::num(mc.h_z_std_error),
               figures::num(mc.h_z_given_x + mc.mi_leave_one_out), figures::num(ga.h_z_bound), figures::num(gs.h_z_bound),
               figures::num(double(d) * t.h_z)});
    }
    const std::string base = dir + "/" + fig;
    out.write(base + ".csv");
    figures::plot(base + ".gp",
                  "set datafile separator ','\nset terminal pngcairo size 900,600 font ',11'\nset output '" + base +
                      ".png'\nset title 'h(Z) per unit: Gaussian upper bound vs mixture estimate, noise variance " + figures::num(var) +
                      ", N = 5000, M = 5'\nset xlabel 'd'\nset ylabel 'h(Z) / d [nats]'\nset logscale x\nset key bottom left\nplot '" + base +
                      ".csv' every ::1 using 1:($3/$1):($4/$1) with yerrorlines title 'Monte Carlo (plug-in)', '' every ::1 using 1:($6/$1) with "
                      "linespoints title 'Gaussian bound (analytic covariance)', '' every ::1 using 1:($7/$1) with points pt 6 ps 1.5 title "
                      "'Gaussian bound (sample covariance, Ledoit-Wolf)', '' every ::1 using 1:($8/$1) with lines lw 2 dt 2 lc rgb 'black' "
                      "title 'exact (quadrature)'\n");
  }
}
