#pragma once
// The dropout estimators across MPI processes (link infoplane::mpi; this is the only header
// that needs <mpi.h>). While an infoplane::mpi::session lives, dropout_mixture (plug-in and
// leave-one-out, with or without labels), dropout_pairwise_kl and dropout_pairwise_bd, called
// with the same arguments on every process of its communicator, split the kernel work by data
// row and return, on every process, the result one process would: bit for bit, for any number
// of processes and threads (estimators/dropout/detail/scale_out.hpp says how).
// dropout_gaussian_bound needs no split: its O(N d^2 + d^3) is computed on every process.
//
//   infoplane::mpi::environment env(argc, argv);   // MPI_Init_thread / MPI_Finalize
//   infoplane::mpi::session s;                      // MPI_COMM_WORLD
//   auto rep = infoplane::dropout_mixture(opt).report(in);
//
// Every process reads (or is given) the whole representation. With components::replicated
// every process also packs every component (about 40 N d bytes in all per process); with
// components::ring, dropout_mixture packs only this process's share of the component blocks
// (dropout_mixture_options::component_block) and the shares travel around the ring, so the
// packed components take O(N d / R) per process. The representation itself is N d on every
// process unless, in ring mode, each passes only its own rows (set_local_input): then
// dropout_mixture holds O((N / R) d) per process.
//
// Failures: agree() (and agreed()) settle, on a communicator of their own, whether any process
// failed, and throw on all of them with the lowest failing rank's message. A process that fails
// where the others do not come to agree (one node refuses memory that the others have, and they
// wait in the next collective) waits for them at most `agree_seconds` (30 s, or the environment
// variable INFOPLANE_MPI_AGREE_SECONDS), then prints its rank and message to stderr and calls
// MPI_Abort: the job ends, with the message, instead of hanging.
// The C API only: OpenMPI's and MPICH's C++ bindings (removed in MPI-3) warn under -Wextra.
#ifndef OMPI_SKIP_MPICXX
#define OMPI_SKIP_MPICXX 1
#endif
#ifndef MPICH_SKIP_MPICXX
#define MPICH_SKIP_MPICXX 1
#endif
#include <mpi.h>

#include <Eigen/Core>

#include <chrono>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <climits>
#include <cmath>
#include <cstdint>
#include <exception>
#include <optional>
#include <span>
#include <stdexcept>
#include <type_traits>
#include <string>
#include <utility>
#include <vector>

#include "infoplane/errors.hpp"
#include "infoplane/estimators/dropout/detail/scale_out.hpp"

namespace infoplane::mpi {

/// An MPI call failed (the communicator's error handler is set to return codes).
struct mpi_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Another process refused its input: the message is that process's own, prefixed by its rank.
struct remote_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline void check(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(code, text, &len);
  throw mpi_error(std::string(what) + ": " + std::string(text, static_cast<std::size_t>(len)));
}

/// MPI_Init_thread (threads funnelled: only the calling thread talks to MPI) and MPI_Finalize.
class environment {
 public:
  environment(int& argc, char**& argv) {
    int provided = 0;
    check(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  }
  environment(const environment&) = delete;
  environment& operator=(const environment&) = delete;
  ~environment() { MPI_Finalize(); }
};

/// Time in collectives and bytes moved by this process, since the session began. The totals
/// include the ring's steps, which the ring_ fields also count on their own.
struct traffic {
  double seconds = 0;
  std::uint64_t bytes_sent = 0, bytes_received = 0;
  std::uint64_t collectives = 0;
  double ring_seconds = 0;  ///< starting each ring step and waiting for it to complete
  std::uint64_t ring_bytes_sent = 0, ring_bytes_received = 0, ring_steps = 0;
};

/// Where the dropout mixture's components live (the other estimators always replicate them).
enum class components { replicated, ring };

/// Installs itself as the estimators' scale-out for its lifetime (one at a time per process).
class session final : public detail::scale_out {
 public:
  explicit session(MPI_Comm comm = MPI_COMM_WORLD, components mode = components::replicated)
      : comm_(comm), mode_(mode), previous_(detail::active_scale_out()) {
    int r = 0, n = 0;
    check(MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
    check(MPI_Comm_rank(comm_, &r), "MPI_Comm_rank");
    check(MPI_Comm_size(comm_, &n), "MPI_Comm_size");
    rank_ = static_cast<std::size_t>(r);
    ranks_ = static_cast<std::size_t>(n);
    check(MPI_Comm_dup(comm_, &ctl_), "MPI_Comm_dup");
    check(MPI_Comm_set_errhandler(ctl_, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
    // Parsed on every process, and refused on all of them (with the lowest failing rank's
    // message) if any process's value is malformed.
    const std::string bad = agree_seconds_from_environment();
    try {
      agree(bad.empty() ? nullptr : std::make_exception_ptr(infoplane::invalid_argument(bad)));
    } catch (...) {
      MPI_Comm_free(&ctl_);
      throw;
    }
    detail::active_scale_out() = this;
  }
  session(const session&) = delete;
  session& operator=(const session&) = delete;
  ~session() override {
    detail::active_scale_out() = previous_;
    MPI_Comm_free(&ctl_);
  }

  [[nodiscard]] std::size_t ranks() const noexcept override { return ranks_; }
  [[nodiscard]] std::size_t rank() const noexcept override { return rank_; }
  [[nodiscard]] MPI_Comm communicator() const noexcept { return comm_; }
  [[nodiscard]] const traffic& stats() const noexcept { return stats_; }
  [[nodiscard]] bool ring() const noexcept override { return mode_ == components::ring; }
  /// Takes effect from the next estimate; every process must set the same.
  void set_mode(components mode) noexcept { mode_ = mode; }

  void ring_begin(const void* send, std::size_t send_bytes, void* recv, std::size_t recv_bytes) override {
    const auto t0 = std::chrono::steady_clock::now();
    INFOPLANE_CHECK(ranks_ > 1 && !in_flight_, "mpi::session: ring_begin needs two processes and no step in flight");
    INFOPLANE_CHECK(send_bytes % 8 == 0 && recv_bytes % 8 == 0 && send_bytes / 8 <= INT_MAX && recv_bytes / 8 <= INT_MAX,
                    "mpi::session: a ring step of " + std::to_string(std::max(send_bytes, recv_bytes)) +
                        " bytes (needs a multiple of 8, at most 8 * INT_MAX); use more processes");
    const int next = static_cast<int>((rank_ + 1) % ranks_), prev = static_cast<int>((rank_ + ranks_ - 1) % ranks_);
    // Doubles, not bytes, so that one message can carry up to 16 GiB.
    check(MPI_Irecv(recv, static_cast<int>(recv_bytes / 8), MPI_DOUBLE, prev, ring_tag, comm_, &requests_[0]),
          "MPI_Irecv");
    check(MPI_Isend(send, static_cast<int>(send_bytes / 8), MPI_DOUBLE, next, ring_tag, comm_, &requests_[1]),
          "MPI_Isend");
    in_flight_ = true;
    stats_.ring_bytes_sent += send_bytes;
    stats_.ring_bytes_received += recv_bytes;
    ++stats_.ring_steps;
    ring_count(t0, send_bytes, recv_bytes);
  }

  void ring_end() override {
    const auto t0 = std::chrono::steady_clock::now();
    INFOPLANE_CHECK(in_flight_, "mpi::session: ring_end without ring_begin");
    in_flight_ = false;
    check(MPI_Waitall(2, requests_, MPI_STATUSES_IGNORE), "MPI_Waitall");
    ring_count(t0, 0, 0);
  }

  void all_gather(void* data, std::size_t item_bytes, std::span<const std::size_t> offsets) override {
    const auto t0 = std::chrono::steady_clock::now();
    INFOPLANE_CHECK(offsets.size() == ranks_ + 1, "mpi::session: all_gather needs one offset per process and one more");
    std::vector<int> counts(ranks_), displs(ranks_);
    for (std::size_t r = 0; r < ranks_; ++r) {
      INFOPLANE_CHECK(offsets[r + 1] <= static_cast<std::size_t>(INT_MAX),
                      "mpi::session: more than INT_MAX items to gather");
      counts[r] = static_cast<int>(offsets[r + 1] - offsets[r]);
      displs[r] = static_cast<int>(offsets[r]);
    }
    MPI_Datatype item;
    check(MPI_Type_contiguous(static_cast<int>(item_bytes), MPI_BYTE, &item), "MPI_Type_contiguous");
    check(MPI_Type_commit(&item), "MPI_Type_commit");
    const int code = MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, data, counts.data(), displs.data(), item, comm_);
    MPI_Type_free(&item);
    check(code, "MPI_Allgatherv");
    const std::uint64_t mine = (offsets[rank_ + 1] - offsets[rank_]) * item_bytes;
    const std::uint64_t all = offsets.back() * item_bytes;
    count(t0, mine * (ranks_ - 1), all - mine);
  }

  void all_reduce(double* data, std::size_t n, bool max) override {
    const auto t0 = std::chrono::steady_clock::now();
    INFOPLANE_CHECK(n <= static_cast<std::size_t>(INT_MAX), "mpi::session: more than INT_MAX values to reduce");
    check(MPI_Allreduce(MPI_IN_PLACE, data, static_cast<int>(n), MPI_DOUBLE, max ? MPI_MAX : MPI_MIN, comm_),
          "MPI_Allreduce");
    count(t0, 8 * n, 8 * n);
  }

  void all_or(std::uint64_t* data, std::size_t n) override {
    const auto t0 = std::chrono::steady_clock::now();
    constexpr std::size_t most = std::size_t{1} << 27;  // words per call: counts are int
    for (std::size_t at = 0; at < n; at += most)
      check(MPI_Allreduce(MPI_IN_PLACE, data + at, static_cast<int>(std::min(most, n - at)), MPI_UINT64_T, MPI_BOR, comm_),
            "MPI_Allreduce");
    count(t0, 8 * n, 8 * n);
  }

  void broadcast(void* data, std::size_t bytes, std::size_t root) override {
    const auto t0 = std::chrono::steady_clock::now();
    constexpr std::size_t most = std::size_t{1} << 30;  // per call: counts are int
    for (std::size_t at = 0; at < bytes; at += most)
      check(MPI_Bcast(static_cast<char*>(data) + at, static_cast<int>(std::min(most, bytes - at)), MPI_BYTE,
                      static_cast<int>(root), comm_),
            "MPI_Bcast");
    count(t0, root == rank_ ? bytes * (ranks_ - 1) : 0, root == rank_ ? 0 : bytes);
  }

  /// Rank-local input (ring mode): `rows` are this process's rows [o[r], o[r + 1]) of a
  /// total_rows x d representation, o = detail::local_row_offsets(total_rows, ranks()).
  /// dropout_mixture, given exactly this matrix, treats it so; no other estimator knows it,
  /// so pass it to dropout_mixture only. `name` (its file) goes into error messages.
  void set_local_input(const Eigen::MatrixXd& rows, std::size_t total_rows, std::string name) {
    const auto o = detail::local_row_offsets(total_rows, ranks_);
    INFOPLANE_CHECK(static_cast<std::size_t>(rows.rows()) == o[rank_ + 1] - o[rank_],
                    "mpi::session::set_local_input: process " + std::to_string(rank_) + " holds rows [" +
                        std::to_string(o[rank_]) + ", " + std::to_string(o[rank_ + 1]) + ") of " +
                        std::to_string(total_rows) + ", got " + std::to_string(rows.rows()));
    local_data_ = rows.data();
    local_shape_ = {static_cast<std::size_t>(rows.rows()), static_cast<std::size_t>(rows.cols())};
    local_ = {total_rows, std::move(name), false, {}};
  }
  void clear_local_input() noexcept { local_data_ = nullptr; }
  /// Whether an estimator consumed the registered rank-local input.
  [[nodiscard]] bool local_input_used() const noexcept { return local_data_ && local_.used; }
  /// The whole representation's representation_warnings, found by the estimator that used it.
  [[nodiscard]] const std::vector<std::string>& local_input_warnings() const noexcept { return local_.warnings; }
  [[nodiscard]] local_rows* local_input(const void* data, std::size_t rows, std::size_t cols) override {
    return local_data_ && data == local_data_ && rows == local_shape_.first && cols == local_shape_.second ? &local_
                                                                                                            : nullptr;
  }

  /// Collective: returns on every process when `failure` is empty on all of them; otherwise
  /// throws on every process: its own exception where it failed, elsewhere remote_error with
  /// the message of the lowest failing rank. Call it after a rank-local step that may fail
  /// (reading a file), before the next collective, so that no process waits for one that gave up.
  /// A failed process whose peers do not arrive within agree_seconds() aborts the job (above).
  void agree(std::exception_ptr failure) override {
    const auto t0 = std::chrono::steady_clock::now();
    int failed = failure ? static_cast<int>(rank_) : INT_MAX, lowest = INT_MAX;
    // Non-blocking on every process: a non-blocking collective never matches a blocking one.
    MPI_Request request = MPI_REQUEST_NULL;
    check(MPI_Iallreduce(&failed, &lowest, 1, MPI_INT, MPI_MIN, ctl_, &request), "MPI_Iallreduce");
    if (!failure) {
      check(MPI_Wait(&request, MPI_STATUS_IGNORE), "MPI_Wait");
    } else {
      // The others may be waiting in a collective this process will never join: wait for
      // them a while, then end the job rather than hang.
      const auto deadline = t0 + std::chrono::duration<double>(agree_seconds_);
      for (int done = 0;;) {
        check(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test");
        if (done) break;
        if (std::chrono::steady_clock::now() > deadline) abort_job(what(failure));
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
    if (lowest == INT_MAX) {
      count(t0, sizeof(int), sizeof(int));
      return;
    }
    std::string text;
    if (static_cast<std::size_t>(lowest) == rank_) text = what(failure);
    long long len = static_cast<long long>(text.size());
    check(MPI_Bcast(&len, 1, MPI_LONG_LONG, lowest, ctl_), "MPI_Bcast");
    text.resize(static_cast<std::size_t>(len));
    check(MPI_Bcast(text.data(), static_cast<int>(len), MPI_CHAR, lowest, ctl_), "MPI_Bcast");
    count(t0, sizeof(int), sizeof(int) + sizeof(len) + text.size());
    if (failure) std::rethrow_exception(failure);
    throw remote_error("rank " + std::to_string(lowest) + ": " + text);
  }

  /// Seconds a failed process waits in agree() for the others before it aborts the job.
  [[nodiscard]] double agree_seconds() const noexcept { return agree_seconds_; }
  void set_agree_seconds(double seconds) {
    INFOPLANE_CHECK(seconds > 0 && std::isfinite(seconds), "mpi::session: agree seconds must be finite and > 0");
    agree_seconds_ = seconds;
  }

  /// Collective: throws file_error(`what`) on every process unless `value` is the same on all
  /// of them (a fingerprint of what each process read, which the next steps assume shared).
  void require_same(std::uint64_t value, const std::string& what) {
    const auto t0 = std::chrono::steady_clock::now();
    std::uint64_t lo = 0, hi = 0;
    check(MPI_Allreduce(&value, &lo, 1, MPI_UINT64_T, MPI_MIN, comm_), "MPI_Allreduce");
    check(MPI_Allreduce(&value, &hi, 1, MPI_UINT64_T, MPI_MAX, comm_), "MPI_Allreduce");
    count(t0, 2 * sizeof value, 2 * sizeof value);
    if (lo != hi) throw infoplane::file_error(what);
  }

  /// fn() on every process (it may throw), then agree() on whether it threw anywhere.
  template <class Fn>
  auto agreed(Fn&& fn) -> decltype(fn()) {
    using R = decltype(fn());
    std::exception_ptr failure;
    if constexpr (std::is_void_v<R>) {
      try {
        fn();
      } catch (...) {
        failure = std::current_exception();
      }
      agree(failure);
    } else {
      std::optional<R> out;
      try {
        out.emplace(fn());
      } catch (...) {
        failure = std::current_exception();
      }
      agree(failure);
      return std::move(*out);
    }
  }

 private:
  static std::string what(const std::exception_ptr& e) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      return x.what();
    } catch (...) {
      return "unknown error";
    }
  }

  void count(std::chrono::steady_clock::time_point t0, std::uint64_t sent, std::uint64_t received) {
    stats_.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    stats_.bytes_sent += sent;
    stats_.bytes_received += received;
    ++stats_.collectives;
  }

  void ring_count(std::chrono::steady_clock::time_point t0, std::uint64_t sent, std::uint64_t received) {
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    stats_.seconds += dt;
    stats_.ring_seconds += dt;
    stats_.bytes_sent += sent;
    stats_.bytes_received += received;
  }

  // Sets agree_seconds_ from INFOPLANE_MPI_AGREE_SECONDS if it is there; the message if malformed.
  std::string agree_seconds_from_environment() {
    const char* env = std::getenv("INFOPLANE_MPI_AGREE_SECONDS");
    if (!env) return {};
    char* end = nullptr;
    const double v = std::strtod(env, &end);
    if (end == env || *end != '\0' || !(v > 0) || !std::isfinite(v))
      return std::string("INFOPLANE_MPI_AGREE_SECONDS: not a positive number of seconds: '") + env + "'";
    agree_seconds_ = v;
    return {};
  }

  [[noreturn]] void abort_job(const std::string& message) const {
    std::fprintf(stderr,
                 "infoplane-mpi: rank %zu: %s\ninfoplane-mpi: rank %zu: the other processes did not come to agree on "
                 "this failure within %g s (they wait in a collective this process cannot join): aborting the job\n",
                 rank_, message.c_str(), rank_, agree_seconds_);
    std::fflush(stderr);
    MPI_Abort(comm_, 1);
    std::abort();  // MPI_Abort does not return
  }

  static constexpr int ring_tag = 17;
  MPI_Comm comm_, ctl_ = MPI_COMM_NULL;  // ctl_: agree()'s own, so it never matches the estimators' collectives
  double agree_seconds_ = 30.0;
  components mode_;
  MPI_Request requests_[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
  bool in_flight_ = false;
  detail::scale_out* previous_;
  std::size_t rank_ = 0, ranks_ = 1;
  traffic stats_;
  const void* local_data_ = nullptr;
  std::pair<std::size_t, std::size_t> local_shape_{};
  local_rows local_;
};

}  // namespace infoplane::mpi
