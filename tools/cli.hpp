#pragma once
// The command line's flags, generated from the estimator registry and parsed by CLI11. Each
// subcommand declares its own flags; every option of the estimators it can run becomes a flag
// too, grouped by estimator in --help with its default. Values are kept as text and parsed by
// the registry's option parsers, so the command line and the library check the same way.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "infoplane/inputs/noise.hpp"
#include "infoplane/io/read_matrix.hpp"
#include "infoplane/registry.hpp"
#include "ip_command.hpp"
#include "json_output.hpp"

namespace infoplane::cli {

/// A bad command line: printed with the subcommand's usage, exit status 2.
struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// One subcommand's flags and, after parsing, the values given.
class command_flags {
 public:
  command_flags(CLI::App& app, std::string name, std::string description, std::string usage)
      : sub_(app.add_subcommand(name, description)), name_(std::move(name)), usage_(std::move(usage)) {
    sub_->footer("usage: " + usage_);
  }

  /// A flag of the subcommand itself. `metavar` empty: a switch.
  command_flags& own(const std::string& flag, const std::string& metavar, const std::string& help,
                     const std::string& default_text = "", bool required = false) {
    auto* o = metavar.empty() ? sub_->add_flag("--" + flag, switches_[flag], help)
                              : sub_->add_option("--" + flag, text_[flag], help);
    if (!metavar.empty()) o->type_name(metavar);
    if (!default_text.empty()) o->default_str(default_text);
    if (required) o->required();
    o->group("Options");
    own_.insert(flag);
    return *this;
  }

  /// The flags of every estimator in `entries` not already declared, grouped for --help.
  command_flags& estimator_options(const std::vector<const registry::estimator_entry*>& entries) {
    struct use {
      registry::option_info info;
      std::vector<std::string> by, defaults;
    };
    std::map<std::string, use> uses;
    std::vector<std::string> order;
    for (const auto* e : entries)
      for (const auto& o : e->options) {
        if (own_.count(o.name)) continue;
        auto [it, fresh] = uses.try_emplace(o.name, use{o, {}, {}});
        if (fresh) order.push_back(o.name);
        if (it->second.info.kind != o.kind)
          throw std::logic_error("option --" + o.name + " has two kinds among the estimators");
        it->second.by.emplace_back(e->name);
        it->second.defaults.push_back(o.default_text);
      }
    for (const auto& name : order) {
      const use& u = uses[name];
      std::string help = u.info.help;
      if (!u.info.choices.empty()) {
        help += " (";
        for (std::size_t i = 0; i < u.info.choices.size(); ++i) help += (i ? "|" : "") + u.info.choices[i];
        help += ")";
      }
      const bool same_default = std::set<std::string>(u.defaults.begin(), u.defaults.end()).size() == 1;
      if (u.by.size() > 1) {
        help += " [";
        for (std::size_t i = 0; i < u.by.size(); ++i)
          help += (i ? ", " : "") + u.by[i] + (same_default || u.defaults[i].empty() ? "" : " " + u.defaults[i]);
        help += "]";
      }
      CLI::Option* o = u.info.kind == registry::value_kind::flag
                           ? sub_->add_flag("--" + name, switches_[name], help)
                           : sub_->add_option("--" + name, text_[name], help);
      if (u.info.kind != registry::value_kind::flag) {
        o->type_name(u.info.kind == registry::value_kind::integer ? "INT"
                     : u.info.kind == registry::value_kind::real  ? "REAL"
                                                                  : "WORD");
        if (same_default && !u.defaults.front().empty()) o->default_str(u.defaults.front());
      }
      o->group(u.by.size() == 1 ? "Options of " + u.by.front() : "Options of several estimators");
      estimator_flags_.insert(name);
    }
    return *this;
  }

  [[nodiscard]] CLI::App* app() const noexcept { return sub_; }
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] const std::string& usage() const noexcept { return usage_; }

  [[nodiscard]] bool has(const std::string& flag) const {
    const auto* o = sub_->get_option_no_throw("--" + flag);
    return o && o->count() > 0;
  }
  [[nodiscard]] std::string str(const std::string& flag) const {
    if (!has(flag)) throw usage_error("missing required flag --" + flag);
    return text_.at(flag);
  }
  [[nodiscard]] std::string str(const std::string& flag, const std::string& fallback) const {
    return has(flag) ? str(flag) : fallback;
  }
  template <class T>
  [[nodiscard]] T number(const std::string& flag) const {
    return registry::detail::parse_number<T>(flag, str(flag));
  }
  template <class T>
  [[nodiscard]] T number(const std::string& flag, T fallback) const {
    return has(flag) ? number<T>(flag) : fallback;
  }

  /// The values given for the options that `e` takes.
  [[nodiscard]] registry::values values_for(const registry::estimator_entry& e) const {
    registry::values v;
    for (const auto& o : e.options)
      if (has(o.name)) v[o.name] = o.kind == registry::value_kind::flag ? "true" : text_.at(o.name);
    return v;
  }

  /// Warns about estimator flags given that none of `running` takes: they change nothing.
  void warn_unused(const std::vector<const registry::estimator_entry*>& running, std::ostream& err = std::cerr) const {
    for (const auto& flag : estimator_flags_) {
      if (!has(flag)) continue;
      bool used = false;
      for (const auto* e : running) used = used || e->takes(flag);
      if (!used) {
        std::string who;
        for (const auto* e : running) who += (who.empty() ? "" : ", ") + std::string(e->name);
        warn_ignored(flag, "does not apply to " + who, err);
      }
    }
  }

  /// "infoplane SUB: warning: --FLAG WHY; ignored": a flag given that changes nothing.
  void warn_ignored(const std::string& flag, const std::string& why, std::ostream& err = std::cerr) const {
    err << "infoplane " << name_ << ": warning: --" << flag << " " << why << "; ignored\n";
  }

 private:
  CLI::App* sub_;
  std::string name_, usage_;
  std::set<std::string> own_, estimator_flags_;
  std::map<std::string, std::string> text_;
  std::map<std::string, bool> switches_;
};

/// Every registered estimator of the given shape (all without one).
inline std::vector<const registry::estimator_entry*> entries(std::optional<registry::input_shape> shape = {}) {
  std::vector<const registry::estimator_entry*> out;
  for (const auto& e : registry::estimators())
    if (!shape || e.shape == *shape) out.push_back(&e);
  return out;
}

/// The entry called `name` among `choices`, or a usage error listing them.
inline const registry::estimator_entry& pick(const std::string& flag, const std::string& name,
                                             const std::vector<const registry::estimator_entry*>& choices) {
  std::string list;
  for (const auto* e : choices) {
    if (e->name == name) return *e;
    list += (list.empty() ? "" : "|") + std::string(e->name);
  }
  throw usage_error("--" + flag + ": unknown estimator '" + name + "' (choose " + list + ")");
}

/// The noise flags, where a noise model is read.
inline command_flags& noise_flags(command_flags& f) {
  return f.own("noise-var", "V", "variance s^2 of the multiplicative noise eps ~ N(1, s^2)")
      .own("noise-std", "S", "its standard deviation s instead")
      .own("drop-probability", "P", "or a drop probability p: Gaussian dropout's variance p / (1 - p)");
}

/// Exactly one of --noise-var, --noise-std and --drop-probability.
inline gaussian_dropout parse_noise(const command_flags& f) {
  const int given = f.has("noise-var") + f.has("noise-std") + f.has("drop-probability");
  if (given != 1) throw usage_error("give exactly one of --noise-var, --noise-std and --drop-probability");
  if (f.has("noise-var")) return gaussian_dropout(noise_variance(f.number<double>("noise-var")));
  if (f.has("noise-std")) return gaussian_dropout(noise_std(f.number<double>("noise-std")));
  return gaussian_dropout(drop_probability(f.number<double>("drop-probability")));
}

/// Comma-separated values of a flag, each parsed as T.
template <class T>
std::vector<T> list_of(const command_flags& f, const std::string& flag) {
  std::vector<T> out;
  const std::string s = f.str(flag);
  std::size_t b = 0;
  while (b <= s.size()) {
    const std::size_t e = std::min(s.find(',', b), s.size());
    const std::string item = s.substr(b, e - b);
    if (item.empty()) throw usage_error("--" + flag + ": empty item in '" + s + "'");
    if constexpr (std::is_same_v<T, std::string>) out.push_back(item);
    else out.push_back(registry::detail::parse_number<T>(flag, item));
    b = e + 1;
  }
  return out;
}

// Running one registered estimator, timed.
struct timed_result {
  estimate_result result;
  double seconds;
};

inline timed_result timed(const std::function<estimate_result()>& run) {
  const auto t0 = std::chrono::steady_clock::now();
  estimate_result r = run();
  return {r, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()};
}

inline timed_result run_entry(const registry::estimator_entry& e, const command_flags& f, const Eigen::MatrixXd& a,
                              const Eigen::MatrixXd& b) {
  const auto runner = e.pairs(f.values_for(e));
  return timed([&] { return runner(a, b); });
}

inline timed_result run_entry(const registry::estimator_entry& e, const command_flags& f,
                              const Eigen::MatrixXd& means, const gaussian_dropout& noise) {
  const auto runner = e.noise(f.values_for(e));
  return timed([&] { return runner(means, noise); });
}

/// Reads a matrix file (.npy, .csv, ...).
using matrix_reader = std::function<Eigen::MatrixXd(const std::string&)>;

/// `dropout`: I(X;Z) from noise-free representations, with --labels also I(Z;Y) from noisy
/// --confidence C, checked: nullopt when not given.
inline std::optional<double> confidence_of(const command_flags& f) {
  if (!f.has("confidence")) return std::nullopt;
  const double c = f.number<double>("confidence");
  if (!(c > 0 && c < 1)) throw usage_error("option --confidence: '" + f.str("confidence") + "' must lie in (0, 1), e.g. 0.95");
  return c;
}

inline const char* confidence_help =
    "also print the intervals at this level: dataset_interval (value -/+ z SE) and population_interval "
    "([population_lower - z SE, population_upper + z SE])";

/// draws, as one JSON line on `out`. `read` reads --means and --labels (infoplane-mpi: on every
/// process, then all agree); `extend` may add keys to the line.
inline int dropout_command(const command_flags& f, std::ostream& out, const matrix_reader& read = io::read_matrix,
                           const std::function<void(json&)>& extend = {}, std::ostream& err = std::cerr) {
  // Every flag is checked, and the estimators built from their options, before a file is read.
  const auto& e = pick("estimator", f.str("estimator"), entries(registry::input_shape::noise_model));
  const bool labelled = f.has("labels");
  if (!labelled && f.has("label-estimator")) throw usage_error("--label-estimator needs --labels");
  const auto* le = labelled ? &pick("label-estimator", f.str("label-estimator", "edge"),
                                    entries(registry::input_shape::sample_pairs))
                            : nullptr;
  f.warn_unused(le ? std::vector{&e, le} : std::vector{&e}, err);
  const auto noise = parse_noise(f);
  const auto m = f.number<std::size_t>("m", 10);
  if (m == 0) throw usage_error("option --m: '0' must be >= 1");
  const auto seed = f.number<std::uint64_t>("seed", 0);
  // --m and --seed serve the noisy draws paired with --labels, and the estimator where it takes them.
  for (const char* own : {"m", "seed"})
    if (!labelled && f.has(own) && !e.takes(own))
      f.warn_ignored(own, "does nothing here: " + std::string(e.name) + " takes no --" + own + " and there are no --labels",
                     err);
  const auto confidence = confidence_of(f);
  const auto runner = e.noise(f.values_for(e));
  const auto label_runner = le ? le->pairs(f.values_for(*le)) : registry::pairs_runner{};
  const Eigen::MatrixXd means = read(f.str("means"));
  const Eigen::MatrixXd labels = le ? read(f.str("labels")) : Eigen::MatrixXd();
  if (le && (labels.rows() != means.rows() || labels.cols() != 1))
    throw usage_error("--labels must hold one label per row of --means (" + std::to_string(means.rows()) + " x 1), got " +
                      std::to_string(labels.rows()) + " x " + std::to_string(labels.cols()));
  const auto tr = timed([&] { return runner(means, noise); });
  auto j = result_json(e.name, tr.result, tr.seconds);
  if (confidence) confidence_json(j, tr.result, *confidence);
  j["noise_variance"] = noise.variance();
  j["m"] = m;
  if (le) {
    // Noisy draws Z (M per point, the estimators' own streams) with the labels repeated.
    const Eigen::MatrixXd z = draw_noisy_samples(means, noise, m, seed);
    Eigen::MatrixXd y(z.rows(), 1);
    for (Eigen::Index i = 0; i < z.rows(); ++i) y(i, 0) = labels(i / static_cast<Eigen::Index>(m), 0);
    const auto zy = timed([&] { return label_runner(z, y); });
    j["i_zy_estimator"] = le->name;
    j["i_zy"] = json_number(zy.result.value);
    j["i_zy_seconds"] = zy.seconds;
  }
  if (extend) extend(j);
  out << one_line(j) << "\n";
  return 0;
}

// The subcommands `infoplane` and `infoplane-mpi` share: their names, help and flags.
struct subcommand_text {
  std::string name, description, usage;
};
inline const std::string noise_usage = "(--noise-var V | --noise-std S | --drop-probability P)";

inline subcommand_text dropout_subcommand(const std::string& program) {
  return {"dropout", "I(X;Z) of a dropout layer from its noise-free representations; with --labels also I(Z;Y)",
          program + " dropout --estimator " + registry::names(registry::input_shape::noise_model) + " --means F.npy " +
              noise_usage + " [--m M] [--labels Y.npy [--label-estimator E]] [estimator options]"};
}

inline void dropout_flags(command_flags& f) {
  f.own("estimator", "E", "noise-model estimator", "", true)
      .own("means", "FILE", "noise-free representations f(x_i), N x d", "", true)
      .own("m", "M", "noisy draws per point (also the draws paired with --labels)", "10")
      .own("labels", "FILE", "one label per row of --means: also estimate I(Z;Y)")
      .own("label-estimator", "E", "sample-pair estimator of I(Z;Y)", "edge")
      .own("seed", "S", "seed of the noise (also the estimators')", "0")
      .own("confidence", "C", confidence_help);
  noise_flags(f).estimator_options(entries());
}

inline subcommand_text ip_subcommand(const std::string& program) {
  return {"ip",
          "The information plane of a saved training run: I(X;Z) and I(Z;Y) per epoch and split. The seed "
          "repository's GaussianDropout(p) uses p/(1-p) as the noise's standard deviation: reproduce it with "
          "--noise-std p/(1-p)",
          program + " ip --dir DIR " + noise_usage +
              " [--m-train 1] [--m-test 6] [--label-estimators mixture,edge,ksg,binning] [--bins 10,30,100 | "
              "--bin-sizes 0.1,0.5] [--bounds gauss,pairwise] [--plot-zy E] [--epochs 0,2,4 | --every K] [--out OUT] "
              "[--seed S] [--threads T] [--float] [--quiet]"};
}

inline void ip_flags(command_flags& f) {
  f.own("dir", "DIR",
        "folder in the seed layout: no_noise_{train,test}_representations_{epoch}.npy, {train,test}_labels.npy, "
        "optional cross_entropy.csv (epoch,split,cross_entropy), optional alpha_{train,test}_{epoch}.npy "
        "(information dropout: that file's points use log-normal noise, no noise flag needed)",
        "", true);
  noise_flags(f)
      .own("m-train", "M", "noisy draws per training point", "1")
      .own("m-test", "M", "noisy draws per test point", "6")
      .own("label-estimators", "LIST", "I(Z;Y) estimators, of mixture,edge,ksg,binning", "mixture")
      .own("bins", "LIST", "binning IP with these bin counts, e.g. 10,30,100")
      .own("bin-sizes", "LIST", "or with these bin widths, e.g. 0.1,0.5")
      .own("bounds", "LIST", "I(X;Z) bounds beside the estimate, of gauss,pairwise", "gauss")
      .own("plot-zy", "E", "I(Z;Y) on the plot's y axis: ce, mixture, edge, ksg or binning (default: ce if "
                           "given, else ksg if run, else mixture)")
      .own("epochs", "LIST", "only these epochs, e.g. 0,2,4")
      .own("every", "K", "only every K-th saved epoch")
      .own("out", "OUT", "output folder (default DIR/ip)")
      .own("seed", "S", "seed; each point is seeded from (seed, epoch, split)", "0")
      .own("threads", "T", "threads, 0 for all cores (results do not depend on it)", "0")
      .own("component-block", "B", "dropout-mc's components in blocks of B (see infoplane dropout --help)")
      .own("population-se", "WORD", "dropout-mc's population standard errors: influence or per_point (faster, "
                                    "reads low; see infoplane dropout --help)", "influence")
      .own("float", "", "dropout-mc's samples and components in float32: faster, the same I(X;Z) to ~1e-9 "
                        "relative on real features (docs/accuracy.md)")
      .own("label-prior-weight", "W", "weight in (0, 1) of the label prior in the held-out kernel classifier "
                                      "behind I(Z;Y)'s population lower end (default 1/sqrt(N); "
                                      "docs/design.md, \"I(Z;Y) from the mixture\")")
      .own("quiet", "", "no progress line on stderr");
}

inline ip::ip_options ip_options_from(const command_flags& f) {
  ip::ip_options o;
  o.dir = f.str("dir");
  // Exactly one Gaussian noise flag, valid; none where every file has its alpha (run_ip checks).
  if (f.has("noise-var") || f.has("noise-std") || f.has("drop-probability")) parse_noise(f);
  if (f.has("noise-var")) o.noise_var = f.number<double>("noise-var");
  if (f.has("noise-std")) o.noise_std = f.number<double>("noise-std");
  if (f.has("drop-probability")) o.drop_probability = f.number<double>("drop-probability");
  o.m_train = f.number<std::size_t>("m-train", o.m_train);
  o.m_test = f.number<std::size_t>("m-test", o.m_test);
  if (o.m_train == 0 || o.m_test == 0) throw usage_error("--m-train and --m-test must be >= 1");
  if (f.has("label-estimators")) o.label_estimators = list_of<std::string>(f, "label-estimators");
  if (f.has("bins") && f.has("bin-sizes")) throw usage_error("give only one of --bins and --bin-sizes");
  if (f.has("bins")) o.bins = list_of<std::size_t>(f, "bins");
  if (f.has("bin-sizes")) o.bin_sizes = list_of<double>(f, "bin-sizes");
  if (f.has("bounds")) o.bounds = list_of<std::string>(f, "bounds");
  o.plot_zy = f.str("plot-zy", "");
  if (f.has("epochs") && f.has("every")) throw usage_error("give only one of --epochs and --every");
  if (f.has("epochs")) o.epochs = list_of<std::uint64_t>(f, "epochs");
  o.every = f.number<std::size_t>("every", 0);
  o.out = f.str("out", "");
  o.seed = f.number<std::uint64_t>("seed", 0);
  o.threads = f.number<unsigned>("threads", 0);
  if (f.has("component-block")) {
    o.component_block = f.number<std::size_t>("component-block");
    if (*o.component_block == 0) throw usage_error("--component-block must be >= 1, got 0");
  }
  const std::string pse = f.str("population-se", "influence");
  if (pse != "influence" && pse != "per_point")
    throw usage_error("option --population-se: '" + pse + "' is not one of influence, per_point");
  o.population_std_error = pse == "influence" ? population_error::influence : population_error::per_point;
  if (f.has("float")) o.storage = precision::float32;
  if (f.has("label-prior-weight")) {
    o.label_prior_weight = f.number<double>("label-prior-weight");
    if (!(*o.label_prior_weight > 0 && *o.label_prior_weight < 1))
      throw usage_error("option --label-prior-weight: must lie in (0, 1), got " + f.str("label-prior-weight"));
  }
  o.quiet = f.has("quiet");
  return o;
}

}  // namespace infoplane::cli
