// Bit-identity of the dropout estimators across MPI processes. Every rank runs them under an
// infoplane::mpi::session; rank 0 also runs them alone (no session: the single-process
// library) and compares every reported double bit for bit. Representations with and without
// exact zeros (ReLU-like patterns: a few large groups and some small ones), with and without
// labels, 1 and 2 threads, float64 and float32 storage, all components and a subset; then
// dropout_mixture in ring mode (mpi::components::ring) against the single-process library with
// the same component_block, with the whole representation on every rank and with rank-local
// input (each rank passes only its own rows), every reported double including the population
// bracket and the warnings; and blocked against the unblocked default (to 1e-12 relative).
// Run under mpirun -np R; exit 0 when everything matches on every rank, 1 otherwise.
#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <utility>
#include <algorithm>
#include <string>
#include <vector>

#include "infoplane/estimators/dropout.hpp"
#include "infoplane/plane/information_plane.hpp"
#include "infoplane/mpi/session.hpp"

namespace {

using namespace infoplane;

std::uint64_t mix(std::uint64_t x) {  // splitmix64
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
double uniform(std::uint64_t key) { return static_cast<double>(mix(key) >> 11) * 0x1.0p-53; }

// N x d positive activations; with zeros, units 0 and 1 are off for about half the rows each
// (four large pattern groups) and unit 2 for every 37th row (small groups).
Eigen::MatrixXd representation(Eigen::Index n, Eigen::Index d, bool zeros) {
  Eigen::MatrixXd f(n, d);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index k = 0; k < d; ++k) {
      const std::uint64_t key = static_cast<std::uint64_t>(i * d + k);
      f(i, k) = 0.2 + 2.0 * uniform(key) + 0.5 * std::sin(static_cast<double>(i) * 0.01 * static_cast<double>(k + 1));
      if (zeros && ((k < 2 && uniform(key ^ 0xABCDull) < 0.5) || (k == 2 && i % 37 == 0))) f(i, k) = 0.0;
    }
  return f;
}

struct checker {
  std::size_t compared = 0, failed = 0;
  void operator()(const std::string& what, double mpi, double single) {
    ++compared;
    std::uint64_t a, b;
    std::memcpy(&a, &mpi, 8);
    std::memcpy(&b, &single, 8);
    if (a == b) return;
    ++failed;
    std::printf("MISMATCH %s: mpi %.17g (%016llx), single process %.17g (%016llx)\n", what.c_str(), mpi,
                static_cast<unsigned long long>(a), single, static_cast<unsigned long long>(b));
  }
  void result(const std::string& what, const estimate_result& m, const estimate_result& s) {
    (*this)(what + " value", m.value, s.value);
    (*this)(what + " std_error", m.std_error.value_or(-1), s.std_error.value_or(-1));
    (*this)(what + " lower", m.lower.value_or(-1), s.lower.value_or(-1));
    (*this)(what + " upper", m.upper.value_or(-1), s.upper.value_or(-1));
    (*this)(what + " status", static_cast<double>(m.status), static_cast<double>(s.status));
    (*this)(what + " has population", m.population.has_value(), s.population.has_value());
    if (m.population && s.population) {
      const auto &a = *m.population, &b = *s.population;
      (*this)(what + " population lower", a.lower, b.lower);
      (*this)(what + " population lower se", a.lower_std_error, b.lower_std_error);
      (*this)(what + " population upper", a.upper, b.upper);
      (*this)(what + " population upper se", a.upper_std_error, b.upper_std_error);
      same(what + " population upper source", a.upper_source, b.upper_source);
    }
    std::string wm, ws;
    for (const auto& w : m.warnings) wm += w + "; ";
    for (const auto& w : s.warnings) ws += w + "; ";
    same(what + " warnings", wm, ws);
  }
  void same(const std::string& what, const std::string& mpi, const std::string& single) {
    ++compared;
    if (mpi == single) return;
    ++failed;
    std::printf("MISMATCH %s: mpi '%s', single process '%s'\n", what.c_str(), mpi.c_str(), single.c_str());
  }
  // The dropout-mc report's doubles beyond mi and label_mi.
  void report(const std::string& what, const dropout_mixture_report& m, const dropout_mixture_report& r) {
    result("dropout-mc " + what, m.mi, r.mi);
    (*this)("dropout-mc loo " + what, m.mi_leave_one_out, r.mi_leave_one_out);
    (*this)("dropout-mc loo se " + what, m.mi_leave_one_out_std_error, r.mi_leave_one_out_std_error);
    (*this)("dropout-mc loo population se " + what, m.mi_leave_one_out_population_std_error,
            r.mi_leave_one_out_population_std_error);
    (*this)("dropout-mc h_z " + what, m.h_z, r.h_z);
    (*this)("dropout-mc h_z se " + what, m.h_z_std_error, r.h_z_std_error);
    (*this)("dropout-mc h_z_given_x " + what, m.h_z_given_x, r.h_z_given_x);
    (*this)("dropout-mc zero patterns " + what, static_cast<double>(m.zero_patterns), static_cast<double>(r.zero_patterns));
    // The same kernels ran (the automatic choice), so the same rounding.
    std::string km, kr;
    for (auto k : m.kernels) km += std::to_string(static_cast<int>(k)) + " ";
    for (auto k : r.kernels) kr += std::to_string(static_cast<int>(k)) + " ";
    same("dropout-mc kernels " + what, km, kr);
    (*this)("dropout-mc has I(Z;Y) " + what, m.label_mi.has_value(), r.label_mi.has_value());
    if (m.label_mi && r.label_mi) {
      result("dropout-mc I(Z;Y) " + what, *m.label_mi, *r.label_mi);
      (*this)("dropout-mc I(X;Z|Y) " + what, m.mi_given_labels, r.mi_given_labels);
      (*this)("dropout-mc I(X;Z|Y) se " + what, m.mi_given_labels_std_error, r.mi_given_labels_std_error);
    }
  }
};

// fn() under the session on every rank, and on rank 0 also alone; compare(mpi, single).
template <class Fn, class Compare>
void both(mpi::session& s, Fn&& fn, Compare&& compare) {
  if (s.rank() == 0) {
    auto& active = detail::active_scale_out();
    active = nullptr;  // the single-process library
    const auto single = fn();
    active = &s;
    compare(fn(), single);
  } else {
    fn();
  }
}

// fn_mpi() under the session on every rank, and on rank 0 fn_single() alone; compare(mpi, single).
template <class FnMpi, class FnSingle, class Compare>
void both(mpi::session& s, FnMpi&& fn_mpi, FnSingle&& fn_single, Compare&& compare) {
  if (s.rank() == 0) {
    auto& active = detail::active_scale_out();
    active = nullptr;
    const auto single = fn_single();
    active = &s;
    compare(fn_mpi(), single);
  } else {
    fn_mpi();
  }
}

// This process's rows of f for rank-local input.
Eigen::MatrixXd local_part(const Eigen::MatrixXd& f, const mpi::session& s) {
  const auto o = detail::local_row_offsets(static_cast<std::size_t>(f.rows()), s.ranks());
  return f.middleRows(static_cast<Eigen::Index>(o[s.rank()]), static_cast<Eigen::Index>(o[s.rank() + 1] - o[s.rank()]));
}

}  // namespace

int main(int argc, char** argv) {
  mpi::environment env(argc, argv);
  mpi::session s;
  checker check;
  const gaussian_dropout noise(noise_variance{0.3});
  for (bool zeros : {false, true}) {
    const Eigen::MatrixXd f = representation(701, 7, zeros);
    const noisy_representation in{f, noise};
    std::vector<int> labels(static_cast<std::size_t>(f.rows()));
    for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<int>((i * 7) % 3);
    const std::string tag = zeros ? "zeros" : "dense";
    for (unsigned threads : {1u, 2u})
      for (precision storage : {precision::float64, precision::float32})
        for (bool subset : {false, true}) {
          dropout_mixture_options o{.noise_draws = 3, .seed = 11, .threads = threads, .storage = storage};
          if (subset) o.components = 650;
          const std::string what = tag + " threads " + std::to_string(threads) +
                                   (storage == precision::float32 ? " float32" : " float64") +
                                   (subset ? " K=650" : "");
          both(s, [&] { return dropout_mixture(o).report(in); },
               [&](const dropout_mixture_report& m, const dropout_mixture_report& r) {
                 check.result("dropout-mc " + what, m.mi, r.mi);
                 check("dropout-mc loo " + what, m.mi_leave_one_out, r.mi_leave_one_out);
                 check("dropout-mc loo se " + what, m.mi_leave_one_out_std_error, r.mi_leave_one_out_std_error);
                 check("dropout-mc h_z " + what, m.h_z, r.h_z);
                 check("dropout-mc h_z se " + what, m.h_z_std_error, r.h_z_std_error);
                 check("dropout-mc h_z_given_x " + what, m.h_z_given_x, r.h_z_given_x);
               });
          both(s, [&] { return dropout_mixture(o).report(in, labels); },
               [&](const dropout_mixture_report& m, const dropout_mixture_report& r) {
                 check.result("dropout-mc labelled " + what, m.mi, r.mi);
                 check.result("dropout-mc I(Z;Y) " + what, *m.label_mi, *r.label_mi);
                 check("dropout-mc I(X;Z|Y) " + what, m.mi_given_labels, r.mi_given_labels);
                 check("dropout-mc I(X;Z|Y) se " + what, m.mi_given_labels_std_error, r.mi_given_labels_std_error);
               });
          if (storage == precision::float32) continue;
          dropout_pairwise_options po{.seed = 11, .threads = threads};
          if (subset) po.components = 650;
          both(s, [&] { return dropout_pairwise_kl(po).estimate(in); },
               [&](const estimate_result& m, const estimate_result& r) { check.result("pairwise-kl " + what, m, r); });
          both(s, [&] { return dropout_pairwise_bd(po).estimate(in); },
               [&](const estimate_result& m, const estimate_result& r) { check.result("pairwise-bd " + what, m, r); });
        }
    both(s, [&] { return dropout_gaussian_bound({.seed = 11}).estimate(in); },
         [&](const estimate_result& m, const estimate_result& r) { check.result("gauss-bound " + tag, m, r); });
  }
  // Ring mode: components in blocks of B around the ring, against the single-process library
  // with the same B (and that against the unblocked default, to rounding). d = 20 takes the
  // automatic kernel's screened path for float64, d = 7 the pruned one.
  std::size_t ring_compared = 0, ring_far = 0;
  s.set_mode(mpi::components::ring);
  for (bool zeros : {false, true})
    for (Eigen::Index d : {Eigen::Index{7}, Eigen::Index{20}}) {
      const Eigen::MatrixXd f = representation(701, d, zeros);
      const noisy_representation in{f, noise};
      const Eigen::MatrixXd part = local_part(f, s);
      const noisy_representation local_in{part, noise};
      std::vector<int> labels(static_cast<std::size_t>(f.rows()));
      for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<int>((i * 7) % 3);
      // The Gaussian bound from rank-local input: analytic and sample covariance, all points and a subset.
      s.set_local_input(part, static_cast<std::size_t>(f.rows()), "part");
      for (auto source : {covariance_source::analytic, covariance_source::sample})
        for (bool subset : {false, true}) {
          dropout_gaussian_bound_options go{.source = source, .noise_draws = 3, .seed = 11};
          if (subset) go.components = 650;
          const std::string what = std::string("rank-local gauss-bound ") + (zeros ? "zeros" : "dense") + " d " +
                                   std::to_string(d) + (source == covariance_source::sample ? " sample" : " analytic") +
                                   (subset ? " K=650" : "");
          both(s, [&] { return dropout_gaussian_bound(go).estimate(local_in); },
               [&] { return dropout_gaussian_bound(go).estimate(in); },
               [&](const estimate_result& m, const estimate_result& r) { check.result(what, m, r); });
        }
      if (!s.local_input_used()) {
        ++check.failed;
        std::printf("rank-local input was not used by the Gaussian bound\n");
      }
      // An IP point that would read every row (EDGE over all draws) refuses the rows, on every rank.
      try {
        (void)information_plane_point(part, labels, noise, {.label_estimators = {"mixture", "edge"}});
        ++check.failed;
        std::printf("information_plane_point took rank-local input with EDGE\n");
      } catch (const invalid_argument& e) {
        if (std::string(e.what()).find("label estimator 'edge'") == std::string::npos) {
          ++check.failed;
          std::printf("information_plane_point's refusal does not name EDGE: %s\n", e.what());
        }
      }
      s.clear_local_input();
      for (std::size_t block : {std::size_t{50}, std::size_t{128}, std::size_t{1000}})
        for (unsigned threads : {1u, 2u})
          for (precision storage : {precision::float64, precision::float32})
            for (int variant : {0, 1, 2}) {  // LOO; no LOO; LOO with the screened kernel (float64)
              const bool loo = variant != 1;
              if (block == 1000 && (storage == precision::float32 || variant == 1)) continue;
              if (variant == 2 && storage == precision::float32) continue;
              dropout_mixture_options o{.noise_draws = 3, .seed = 5, .threads = threads, .leave_one_out = loo,
                                        .storage = storage, .component_block = block};
              if (variant == 2) o.kernel = mixture_kernel::simd_screened;
              const std::string what = std::string("ring ") + (zeros ? "zeros" : "dense") + " d " + std::to_string(d) +
                                       " B " + std::to_string(block) + " threads " + std::to_string(threads) +
                                       (storage == precision::float32 ? " float32" : " float64") +
                                       (loo ? "" : " no-loo") + (variant == 2 ? " screened" : "");
              const auto compare = [&](const std::string& tag) {
                return [&, tag](const dropout_mixture_report& m, const dropout_mixture_report& r) { check.report(tag + what, m, r); };
              };
              both(s, [&] { return dropout_mixture(o).report(in, labels); }, compare(""));
              // Rank-local input: each rank passes only its own rows.
              s.set_local_input(part, static_cast<std::size_t>(f.rows()), "part");
              both(s, [&] { return dropout_mixture(o).report(local_in, labels); },
                   [&] { return dropout_mixture(o).report(in, labels); }, compare("rank-local "));
              both(s, [&] { return dropout_mixture(o).report(local_in); }, [&] { return dropout_mixture(o).report(in); },
                   compare("rank-local unlabelled "));
              if (block == 128) {  // a subset of the components, and the per-point population errors
                dropout_mixture_options sub = o;
                sub.components = 650;
                sub.population_std_error = threads == 1 ? population_error::influence : population_error::per_point;
                both(s, [&] { return dropout_mixture(sub).report(local_in, labels); },
                     [&] { return dropout_mixture(sub).report(in, labels); }, compare("rank-local K=650 "));
              }
              if (!s.local_input_used()) {
                ++check.failed;
                std::printf("rank-local input was not used: %s\n", what.c_str());
              }
              s.clear_local_input();
              if (s.rank() != 0 || storage == precision::float32) continue;
              // Blocked against unblocked, both in one process: equal to rounding.
              auto& active = detail::active_scale_out();
              active = nullptr;
              dropout_mixture_options u = o;
              u.component_block.reset();
              const auto a = dropout_mixture(o).report(in, labels), b = dropout_mixture(u).report(in, labels);
              active = &s;
              for (auto [x, y] : {std::pair{a.mi.value, b.mi.value}, std::pair{a.mi_leave_one_out, b.mi_leave_one_out},
                                  std::pair{a.h_z, b.h_z}, std::pair{a.label_mi->value, b.label_mi->value}}) {
                ++ring_compared;
                if (std::isnan(x) && std::isnan(y)) continue;  // no leave-one-out
                if (!(std::abs(x - y) <= 1e-12 * std::max(1.0, std::abs(y)))) {
                  ++ring_far;
                  std::printf("BLOCKED %s: %.17g, unblocked %.17g\n", what.c_str(), x, y);
                }
              }
            }
    }
  s.set_mode(mpi::components::replicated);
  // The ring must have moved blocks between every pair of neighbours.
  int no_ring = s.ranks() > 1 && (s.stats().ring_bytes_sent == 0 || s.stats().ring_bytes_received == 0) ? 1 : 0;
  int any_no_ring = 0;
  MPI_Allreduce(&no_ring, &any_no_ring, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (any_no_ring && s.rank() == 0) std::printf("a rank sent or received no ring block\n");
  if (s.rank() == 0)
    std::printf("mpi_bits: blocked vs unblocked: %zu values compared, %zu beyond 1e-12 relative\n", ring_compared,
                ring_far);

  // Every rank must have evaluated a share (sent something), or the comparison proves nothing.
  int bad = check.failed > 0 ? 1 : 0, idle = s.ranks() > 1 && s.stats().bytes_sent == 0 ? 1 : 0, any_idle = 0;
  MPI_Allreduce(&idle, &any_idle, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (any_idle && s.rank() == 0) std::printf("a rank evaluated no work item\n");
  bad = bad || any_idle || any_no_ring || ring_far > 0;
  MPI_Bcast(&bad, 1, MPI_INT, 0, MPI_COMM_WORLD);
  if (s.rank() == 0)
    std::printf("mpi_bits: %zu ranks, %zu values compared, %zu differ\n", s.ranks(), check.compared, check.failed);
  return bad;
}
