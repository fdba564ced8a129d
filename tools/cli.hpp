#pragma once
// The command line's flags, generated from the estimator registry and parsed by CLI11. Each
// subcommand declares its own flags; every option of the estimators it can run becomes a flag
// too, grouped by estimator in --help with its default. Values are kept as text and parsed by
// the registry's option parsers, so the command line and the library check the same way.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "infoplane/inputs/noise.hpp"
#include "infoplane/registry.hpp"

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
  void warn_unused(const std::vector<const registry::estimator_entry*>& running) const {
    for (const auto& flag : estimator_flags_) {
      if (!has(flag)) continue;
      bool used = false;
      for (const auto* e : running) used = used || e->takes(flag);
      if (!used) {
        std::string who;
        for (const auto* e : running) who += (who.empty() ? "" : ", ") + std::string(e->name);
        std::cerr << "infoplane " << name_ << ": warning: --" << flag << " does not apply to " << who
                  << "; ignored\n";
      }
    }
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

}  // namespace infoplane::cli
