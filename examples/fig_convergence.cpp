// Paper Fig. 2 (noise variance 0.1) and Fig. 9 (0.4): convergence of the Monte Carlo h(Z)
// estimate with the number of samples N, for several d, against the exact h(Z) (quadrature).
// Both ends of the bracket are shown: the plug-in h(Z) (own component in the mixture, biased
// low) and the leave-one-out h(Z) (biased high). usage: fig_convergence [OUTDIR]
#include "infoplane/validation/toy.hpp"
#include "figure_common.hpp"

int main(int argc, char** argv) {
  using namespace infoplane;
  const std::string dir = figures::out_dir(argc, argv);
  const std::vector<std::size_t> dims{1, 5, 10, 50, 100}, ns{100, 200, 500, 1000, 2000, 5000, 10000};
  const std::size_t m = 5;
  for (auto [var, fig] : {std::pair{0.1, "fig2"}, {0.4, "fig9"}}) {
    const figures::progress say(fig);
    const auto t = figures::truth(var);
    figures::csv out{{"d", "n", "noise_var", "h_plugin", "h_loo", "h_se", "h_truth", "ceiling"}, {}};
    for (std::size_t d : dims) {
      for (std::size_t n : ns) {
        say("d=" + std::to_string(d) + " N=" + std::to_string(n));
        const Eigen::MatrixXd f = make_toy_representation(n, d, 1);
        const auto r = dropout_mixture({.noise_draws = m, .seed = 2}).report(noisy_representation{f, gaussian_dropout(noise_variance(var))});
        out.add({std::to_string(d), std::to_string(n), figures::num(var), figures::num(r.h_z),
                 figures::num(r.h_z_given_x + r.mi_leave_one_out), figures::num(r.h_z_std_error),
                 figures::num(double(d) * t.h_z), figures::num(r.h_z_given_x + *r.mi.ceiling)});
      }
    }
    const std::string base = dir + "/" + fig;
    out.write(base + ".csv");
    std::string script = "set datafile separator ','\nset terminal pngcairo size 1400,420 font ',10'\nset output '" + base +
                         ".png'\nset multiplot layout 1," + std::to_string(dims.size()) + " title 'Monte Carlo h(Z) vs N, " +
                         "noise variance " + figures::num(var) + " (M = 5 draws per point)'\nset logscale x\nset key bottom right\n";
    for (std::size_t d : dims) {
      const std::string sel = "($1==" + std::to_string(d) + "?";
      const std::string per = std::string("/") + std::to_string(d) + ".0";  // not "/" + string&&: GCC 12 -Wrestrict false positive
      script += "set yrange [" + figures::num(0.4 * t.h_z) + ":" + figures::num(4 * t.h_z) + "]\n";
      script += "set title 'd = " + std::to_string(d) + "'\nset xlabel 'N'\nset ylabel 'h(Z) / d [nats]'\nplot '" + base +
                ".csv' every ::1 using 2:" + sel + "$4" + per + ":1/0) with linespoints title 'plug-in', '' every ::1 using 2:" + sel +
                "$5" + per + ":1/0) with linespoints title 'leave-one-out', '' every ::1 using 2:" + sel + "$8" + per +
                ":1/0) with lines dt 3 title 'plug-in ceiling h(Z|X) + log N', '' every ::1 using 2:" + sel + "$7" + per +
                ":1/0) with lines lw 2 dt 2 lc rgb 'black' title 'exact (quadrature)'\n";
    }
    figures::plot(base + ".gp", script + "unset multiplot\n");
  }
}
