// Built against the installed infoplane::mpi alone; run under mpirun -np R. Computes dropout-mc
// under an infoplane::mpi::session (replicated, then the ring with a component block) and,
// before the session exists, as one process; prints the values (rank 0) and "consumer ok" when
// every rank got the single-process bits.
#include <infoplane/infoplane.hpp>
#include <infoplane/mpi/session.hpp>
#include <bit>
#include <cstdint>
#include <cstdio>

int main(int argc, char** argv) {
  using namespace infoplane;
  mpi::environment env(argc, argv);
  Eigen::MatrixXd f(300, 3);
  for (Eigen::Index i = 0; i < f.rows(); ++i)
    f.row(i) << 0.1 * double(i % 50) + 0.5, 1.0 + 0.03 * double(i % 7), i % 5 == 0 ? 0.0 : 0.2 + 0.01 * double(i % 11);
  const noisy_representation in{f, gaussian_dropout(noise_variance(0.1))};
  const dropout_mixture plain({.noise_draws = 2}), blocked({.noise_draws = 2, .component_block = 64});
  const auto single = plain.report(in), single_blocked = blocked.report(in);  // no session yet: one process
  mpi::session s;
  const auto replicated = plain.report(in);
  s.set_mode(mpi::components::ring);
  const auto ring = blocked.report(in);
  const auto same = [](double a, double b) { return std::bit_cast<std::uint64_t>(a) == std::bit_cast<std::uint64_t>(b); };
  int ok = same(replicated.mi.value, single.mi.value) && same(replicated.mi_leave_one_out, single.mi_leave_one_out) &&
           same(ring.mi.value, single_blocked.mi.value) && same(ring.mi_leave_one_out, single_blocked.mi_leave_one_out);
  int all = 0;
  mpi::check(MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, s.communicator()), "MPI_Allreduce");
  if (s.rank() == 0) {
    std::printf("ranks %zu\nvalue %.17g loo %.17g\nring %.17g loo %.17g\n", s.ranks(), replicated.mi.value,
                replicated.mi_leave_one_out, ring.mi.value, ring.mi_leave_one_out);
    std::printf("single process %.17g loo %.17g, blocked %.17g loo %.17g\n", single.mi.value, single.mi_leave_one_out,
                single_blocked.mi.value, single_blocked.mi_leave_one_out);
    if (all) std::printf("consumer ok\n");
  }
  return all ? 0 : 1;
}
