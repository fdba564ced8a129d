// infoplane-mpi: `infoplane dropout` and `infoplane ip` across MPI processes, with the same
// flags and the same JSON, plus --ring and --stats. Every process parses the same command line, reads the
// inputs and runs the same code; the dropout estimators split their kernel work by data row
// (include/infoplane/mpi/session.hpp), so every process holds the result one process would
// get, bit for bit. With --ring, dropout-mc keeps only each process's share of the component
// blocks and passes them around the ring (the bits of one process with the same
// --component-block); `dropout --ring` with dropout-mc or dropout-gauss-bound and no --labels,
// and `ip --ring` with the mixture as its only label estimator and no pairwise bounds or binning
// plane, also read only each process's own rows of each representation (rank-local input).
// Only rank 0 prints and writes files.
#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <sys/resource.h>

#include "cli.hpp"
#include "keep_heap.hpp"
#include "infoplane/mpi/session.hpp"

namespace {

using namespace infoplane;
using namespace infoplane::cli;

// Per process: seconds since start, CPU seconds (all its threads: the work it did, whatever
// else shares the machine), seconds in collectives, bytes sent and received (the logical
// volume of each collective, whatever algorithm MPI picks), gathered on rank 0; in ring mode
// also the ring's share of them (its steps overlap the evaluation: ring_seconds is the time
// spent starting them and waiting for them). Also each process's peak resident memory so far
// (getrusage: MPI's own buffers included).
json stats_json(const mpi::session& s, std::chrono::steady_clock::time_point t0) {
  const auto& t = s.stats();
  constexpr int k = 10;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double mine[k] = {std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                          static_cast<double>(std::clock()) / CLOCKS_PER_SEC, t.seconds,
                          static_cast<double>(t.bytes_sent), static_cast<double>(t.bytes_received),
                          t.ring_seconds, static_cast<double>(t.ring_bytes_sent),
                          static_cast<double>(t.ring_bytes_received), static_cast<double>(t.ring_steps),
                          1024.0 * static_cast<double>(usage.ru_maxrss)};  // kilobytes on Linux
  std::vector<double> all(k * s.ranks());
  mpi::check(MPI_Gather(mine, k, MPI_DOUBLE, all.data(), k, MPI_DOUBLE, 0, s.communicator()), "MPI_Gather");
  json per = json::array();
  for (std::size_t r = 0; r < s.ranks(); ++r) {
    const double* a = all.data() + k * r;
    per.push_back({{"rank", r},
                   {"seconds", a[0]},
                   {"cpu_seconds", a[1]},
                   {"comm_seconds", a[2]},
                   {"bytes_sent", static_cast<std::uint64_t>(a[3])},
                   {"bytes_received", static_cast<std::uint64_t>(a[4])},
                   {"peak_rss_bytes", static_cast<std::uint64_t>(a[9])}});
    if (s.ring())
      per.back().update({{"ring_seconds", a[5]},
                         {"ring_bytes_sent", static_cast<std::uint64_t>(a[6])},
                         {"ring_bytes_received", static_cast<std::uint64_t>(a[7])},
                         {"ring_steps", static_cast<std::uint64_t>(a[8])}});
  }
  return {{"ranks", s.ranks()}, {"mode", s.ring() ? "ring" : "replicated"}, {"per_rank", per}};
}

// FNV-1a-like, a word at a time.
struct fnv {
  std::uint64_t h = 0xcbf29ce484222325ull;
  void add(std::uint64_t w) { h = (h ^ w) * 0x100000001b3ull; }
};

// Over the shape and the values' bit patterns.
std::uint64_t fingerprint(const Eigen::MatrixXd& f) {
  fnv h;
  h.add(static_cast<std::uint64_t>(f.rows()));
  h.add(static_cast<std::uint64_t>(f.cols()));
  for (Eigen::Index i = 0; i < f.size(); ++i) h.add(std::bit_cast<std::uint64_t>(f.data()[i]));
  return h.h;
}

// Over a file's bytes, read a megabyte at a time (nothing of it kept).
std::uint64_t file_fingerprint(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw file_error(path + ": cannot open file");
  fnv h;
  std::vector<char> buf(std::size_t{1} << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    const auto got = static_cast<std::size_t>(in.gcount());
    h.add(got);
    for (std::size_t i = 0; i < got; i += 8) {
      std::uint64_t w = 0;
      std::memcpy(&w, buf.data() + i, std::min<std::size_t>(8, got - i));
      h.add(w);
    }
  }
  return h.h;
}

// Rank-local input: only this process's rows of a .npy file, registered with the session.
// Every process reads the header and fingerprints the whole file's bytes (streamed), so a
// file that differs between processes stops all of them, as in the other modes.
Eigen::MatrixXd read_local_rows(const std::string& path, mpi::session& s) {
  std::size_t n = 0;
  Eigen::MatrixXd rows = s.agreed([&] {
    n = io::read_npy_header(path).rows;
    const auto o = detail::local_row_offsets(n, s.ranks());
    return io::read_npy_rows(path, o[s.rank()], o[s.rank() + 1]);
  });
  const std::uint64_t mine = s.agreed([&] { return file_fingerprint(path); });
  s.require_same(mine ^ (n * 0x9E3779B97F4A7C15ull), path + ": the processes read different contents (shape or values)");
  s.set_local_input(rows, n, path);
  return rows;
}

int run(int argc, char** argv, mpi::session& s) {
  const auto t0 = std::chrono::steady_clock::now();
  const bool root = s.rank() == 0;
  CLI::App app{"infoplane-mpi: infoplane's dropout and ip subcommands across MPI processes (nats); run it under "
               "mpirun"};
  app.require_subcommand(1, 1);
  std::vector<std::unique_ptr<command_flags>> subs;
  auto add = [&](const subcommand_text& t, void (*declare)(command_flags&)) {
    subs.push_back(std::make_unique<command_flags>(app, t.name, t.description, t.usage + " [--ring] [--stats]"));
    declare(*subs.back());
    subs.back()->own("stats", "", "also per-process seconds, bytes communicated and peak memory (JSON key \"mpi\")");
    subs.back()->own("ring", "",
                     "dropout-mc's components in blocks (--component-block, default 4096) that travel around the "
                     "ring: each process holds its share only; the bits of one process with the same block size. "
                     "Each process also reads only its own rows of a .npy representation where nothing needs every "
                     "row: dropout-mc or dropout-gauss-bound without --labels; ip with the mixture as its only "
                     "label estimator, no pairwise bounds, no binning plane, Gaussian dropout");
    return subs.back().get();
  };
  const command_flags* dropout = add(dropout_subcommand("mpirun -np R infoplane-mpi"), dropout_flags);
  const command_flags* ip = add(ip_subcommand("mpirun -np R infoplane-mpi"), ip_flags);
  const command_flags* parsed = nullptr;
  auto usage = [&] { return parsed ? parsed->usage() : dropout->usage() + "\n  " + ip->usage(); };
  try {
    app.parse(argc, argv);
    parsed = dropout->app()->parsed() ? dropout : ip;
    // A file one process cannot read fails on every process, each before its next collective;
    // so does one whose contents differ between processes (a stale copy on one node), before
    // the estimators' collectives could be sized differently and wait for ever.
    // --ring with dropout-mc or dropout-gauss-bound alone (no --labels: their I(Z;Y) estimator
    // needs every draw) and a .npy file: each process reads only its own rows of --means.
    const std::string estimator = parsed == dropout ? parsed->str("estimator", "") : "";
    const bool local = parsed == dropout && parsed->has("ring") &&
                       (estimator == "dropout-mc" || estimator == "dropout-gauss-bound") && !parsed->has("labels") &&
                       parsed->str("means").ends_with(".npy");
    // ip --ring: every representation file rank-local where the points need nothing that reads
    // every row on one process (information_plane_point refuses it otherwise): the mixture as
    // the only label estimator, no pairwise bounds, no binning plane, no information dropout.
    bool ip_local = false;
    if (parsed == ip && parsed->has("ring")) {
      const ip::ip_options o = ip_options_from(*parsed);
      ip_local = std::all_of(o.label_estimators.begin(), o.label_estimators.end(), [](const std::string& e) { return e == "mixture"; }) &&
                 std::find(o.bounds.begin(), o.bounds.end(), "pairwise") == o.bounds.end() && o.bins.empty() &&
                 o.bin_sizes.empty();
    }
    const matrix_reader read = [&](const std::string& path) {
      if ((local && path == parsed->str("means")) || ip_local) return read_local_rows(path, s);
      Eigen::MatrixXd f = s.agreed([&] { return io::read_matrix(path); });
      s.require_same(fingerprint(f), path + ": the processes read different contents (shape or values)");
      return f;
    };
    const bool stats = parsed->has("stats");
    if (parsed->has("ring")) s.set_mode(mpi::components::ring);
    std::ostream quiet(nullptr);  // other ranks print nothing
    std::ostream& out = root ? std::cout : quiet;
    int code = 0;
    s.agreed([&] {  // every process ends each command in agreement: failures are reported once, by rank 0
      if (parsed == dropout) {
        code = dropout_command(*parsed, out, read, [&](json& j) {
          // The rows alone taken for the whole representation would be a wrong estimate.
          if (local && !s.local_input_used())
            throw std::logic_error("infoplane-mpi: the rank-local rows of --means were not used as such");
          // The registry also checks the matrix it was given, here the rows alone: of the
          // warnings about "means", keep the estimator's, found on the whole representation.
          if (local && j.contains("warnings")) {
            json kept = json::array();
            const auto& whole = s.local_input_warnings();
            for (const auto& w : j["warnings"])
              if (!w.get<std::string>().starts_with("means: ") ||
                  std::find(whole.begin(), whole.end(), w.get<std::string>()) != whole.end())
                kept.push_back(w);
            j["warnings"] = kept;
          }
          if (stats) {
            j["mpi"] = stats_json(s, t0);
            j["mpi"]["input"] = local ? "rank_local" : "whole";
          }
        });
        s.clear_local_input();
      } else {
        ip::ip_options o = ip_options_from(*parsed);
        // run_ip reads the folder's listing and labels before its first collective: here they are
        // read on every process first, so that one process's failure stops all of them.
        std::string listing;  // what run_ip will loop over: the same on every process, or they part ways
        s.agreed([&] {
          const ip::ip_inputs in = ip::scan_directory(o.dir);
          for (const auto& [epoch, files] : in.epochs) {
            listing += std::to_string(epoch) + (files.train ? "t" : "") + (files.test ? "v" : "") +
                       (files.alpha_train ? "a" : "") + (files.alpha_test ? "b" : "") + ",";
            ip_local = ip_local && !files.alpha_train && !files.alpha_test;  // lognormal noise reads every row
          }
          for (const auto& labels : {in.train_labels, in.test_labels}) {
            listing += labels ? "L" : "-";
            if (labels) ip::read_labels(*labels);
          }
          if (in.cross_entropy) ip::read_cross_entropy(*in.cross_entropy);
        });
        s.require_same(std::hash<std::string>{}(listing),
                       o.dir + ": the processes see different representation or label files");
        o.read_matrix = read;
        o.write_files = root;
        o.quiet = o.quiet || !root;
        code = ip::run_ip(o, root ? std::cerr : out, out);
        s.clear_local_input();
        if (stats) {
          json j = stats_json(s, t0);
          j["input"] = ip_local ? "rank_local" : "whole";
          out << one_line(json{{"mpi", j}}) << "\n";
        }
      }
    });
    return code;
  } catch (const CLI::CallForHelp&) {
    const CLI::App* sub = &app;
    for (const auto& f : subs)
      if (f->app()->parsed()) sub = f->app();
    if (root) std::cout << sub->help();
    return 0;
  } catch (const CLI::ParseError& e) {
    if (root) std::cerr << "infoplane-mpi: " << e.what() << "\nusage: " << usage() << "\n";
  } catch (const usage_error& e) {
    if (root) std::cerr << "infoplane-mpi " << parsed->name() << ": " << e.what() << "\nusage: " << usage() << "\n";
  } catch (const infoplane::invalid_argument& e) {
    if (root)
      std::cerr << "infoplane-mpi " << parsed->name() << ": invalid value: " << e.what() << "\nusage: " << usage()
                << "\n";
  } catch (const std::exception& e) {
    if (root) std::cerr << "infoplane-mpi" << (parsed ? " " + parsed->name() : "") << ": error: " << e.what() << "\n";
    return 1;
  }
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  infoplane::cli::keep_freed_memory();
  try {
    mpi::environment env(argc, argv);
    int code = 0;
    {
      mpi::session s;
      // Other ranks keep quiet (warnings included): rank 0 speaks for all.
      std::streambuf* err = std::cerr.rdbuf();
      if (s.rank() != 0) std::cerr.rdbuf(nullptr);
      code = run(argc, argv, s);
      std::cerr.rdbuf(err);
    }
    return code;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "infoplane-mpi: error: %s\n", e.what());
    return 1;
  }
}
