// The Python module `infoplane`, generated from the estimator registry
// (include/infoplane/registry.hpp): one function per registered estimator, whose keyword
// arguments are the registration's options. Keyword values are turned into the registry's text
// values and parsed by registry::parse_options, so Python, the command line and the library
// validate the same way. Arrays are read in place (float32 or float64, C or Fortran order)
// through Eigen::Map, and the estimation runs without the GIL.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <Eigen/Core>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <chrono>
#include <cmath>
#include <optional>
#include <fstream>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "infoplane/registry.hpp"
#include "infoplane/results/confidence.hpp"
#include "infoplane/version.hpp"
#include "json_output.hpp"  // tools/: the command line's JSON keys, reused by Result.to_dict()
// The information plane (branch `plane`): bound where its headers are present.
#if __has_include("infoplane/plane/information_plane.hpp")
#define INFOPLANE_PYTHON_PLANE 1
#include "infoplane/plane/information_plane.hpp"
#endif
#if defined(INFOPLANE_PYTHON_PLANE) && __has_include("ip_command.hpp")
#define INFOPLANE_PYTHON_PLANE_DIR 1
#include <sstream>

#include "ip_command.hpp"  // tools/: the engine of `infoplane ip`
#endif
#ifdef INFOPLANE_PYTHON_VALIDATION
#include "infoplane/validation/toy.hpp"
#include "infoplane/validation/toy_truth.hpp"
#endif

namespace py = pybind11;

namespace {

using namespace infoplane;
using registry::input_shape;
using registry::value_kind;

// ---- names -----------------------------------------------------------------------------------

std::string python_name(std::string_view registry_name) {
  std::string s(registry_name);
  std::replace(s.begin(), s.end(), '-', '_');
  return s;
}

/// Text written for the command line ("--bin-size") rewritten with the Python names ("bin_size")
/// of the estimator's options, longest names first so "--gamma-y" is not read as "--gamma".
std::string pythonize(std::string text, const registry::estimator_entry& e) {
  std::vector<std::string> names;
  for (const auto& o : e.options) names.push_back(o.name);
  std::sort(names.begin(), names.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  for (const auto& n : names) {
    const std::string flag = "--" + n, py = python_name(n);
    for (std::size_t at = text.find(flag); at != std::string::npos; at = text.find(flag, at)) {
      const std::size_t end = at + flag.size();
      const bool whole = end == text.size() || !(std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '-');
      if (whole) text.replace(at, flag.size(), py);
      at = whole ? at + py.size() : end;
    }
  }
  return text;
}

// ---- results ---------------------------------------------------------------------------------

/// What a Python call returns: the library's estimate_result with its estimator and the seconds
/// the estimation took (as the command line's "seconds").
struct py_result {
  std::string estimator;
  estimate_result r;
  double seconds = 0;
};

/// What the value refers to, where the library's results say (estimate_result::target).
template <class R>
py::object target_of(const R& r) {
  if constexpr (requires { to_string(r.target); }) return py::str(std::string(to_string(r.target)));
  else return py::none();
}

py::object optional_float(const std::optional<double>& v) { return v ? py::object(py::float_(*v)) : py::none(); }

py::object json_to_python(const cli::json& j) {
  if (j.is_null()) return py::none();
  if (j.is_boolean()) return py::bool_(j.get<bool>());
  if (j.is_number_unsigned()) return py::int_(j.get<std::uint64_t>());
  if (j.is_number_integer()) return py::int_(j.get<std::int64_t>());
  if (j.is_number()) return py::float_(j.get<double>());
  if (j.is_string()) {
    // The JSON encoding of non-finite values (cli::json_number): floats again in Python.
    const auto& t = j.get_ref<const std::string&>();
    if (t == "inf" || t == "-inf" || t == "nan") return py::float_(std::stod(t));
    return py::str(t);
  }
  if (j.is_array()) {
    py::list l;
    for (const auto& v : j) l.append(json_to_python(v));
    return l;
  }
  py::dict d;
  for (auto it = j.begin(); it != j.end(); ++it) d[py::str(it.key())] = json_to_python(it.value());
  return d;
}

py::object to_dict(const py_result& p) { return json_to_python(cli::result_json(p.estimator, p.r, p.seconds)); }

// ---- arrays ----------------------------------------------------------------------------------

/// An array argument as the estimators read it: a float32 or float64 buffer, row- or
/// column-major, N x d. `array` keeps the buffer alive: the caller's own array when it could be
/// read in place, else the one copy.
struct matrix_arg {
  py::array array;
  bool is_float32 = false;
  bool row_major = true;
  Eigen::Index rows = 0, cols = 0;
  bool copied = false;

  /// N x 1 and 1 x d buffers read the same in either order.
  [[nodiscard]] bool either_order() const noexcept { return rows == 1 || cols == 1; }
};

[[noreturn]] void type_error(const std::string& msg) { throw py::type_error(msg); }
[[noreturn]] void value_error(const std::string& msg) { throw py::value_error(msg); }

bool truthy(const py::handle& h) {
  const int t = PyObject_IsTrue(h.ptr());
  if (t < 0) throw py::error_already_set();
  return t == 1;
}

/// A CUDA tensor (PyTorch, CuPy-like) is refused with the fix; a tensor that requires grad is
/// detached (only read). Torch itself is never imported.
py::object host_object(py::object obj, const std::string& what) {
  if (py::isinstance<py::array>(obj)) return obj;
  bool cuda = false;
  if (py::hasattr(obj, "is_cuda")) cuda = truthy(obj.attr("is_cuda"));
  if (!cuda && py::hasattr(obj, "device")) {
    const py::object dev = obj.attr("device");
    if (py::hasattr(dev, "type") && py::isinstance<py::str>(dev.attr("type")))
      cuda = dev.attr("type").cast<std::string>() == "cuda";
  }
  if (cuda)
    type_error(what + ": a CUDA tensor; the estimators read host memory: pass tensor.detach().cpu() (or .numpy())");
  if (py::hasattr(obj, "requires_grad") && py::hasattr(obj, "detach") && truthy(obj.attr("requires_grad")))
    obj = obj.attr("detach")();
  return obj;
}

template <class T>
py::array copy_as(const py::array& a) {
  return py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(a);
}

/// Reads `obj` (a NumPy array, a PyTorch CPU tensor, anything with __array__ or the buffer
/// protocol) as an N x d matrix; 1-D means N x 1. In place for float32/float64 C- or
/// Fortran-contiguous data, else one copy (to float64 for other real dtypes).
matrix_arg as_matrix(py::object obj, const std::string& what) {
  if (obj.is_none()) type_error(what + ": got None, expected an array");
  obj = host_object(std::move(obj), what);
  py::array a = py::array::ensure(obj);
  if (!a) {
    PyErr_Clear();
    type_error(what + ": expected an array (NumPy, a PyTorch CPU tensor, or anything with __array__), got " +
               std::string(py::str(py::type::handle_of(obj).attr("__name__"))));
  }
  const char kind = a.dtype().kind();
  if (kind == 'O' || kind == 'V')
    type_error(what + ": expected an array of numbers (NumPy, a PyTorch CPU tensor, or anything with __array__), got " +
               std::string(py::str(py::type::handle_of(obj).attr("__name__"))));
  if (kind != 'f' && kind != 'i' && kind != 'u' && kind != 'b')
    type_error(what + ": dtype " + std::string(py::str(a.dtype())) + " is not supported (need real numbers)");
  if (a.ndim() != 1 && a.ndim() != 2)
    value_error(what + ": expected a 1-D or 2-D array (N samples x d units), got " + std::to_string(a.ndim()) +
                "-D with shape " + std::string(py::str(py::tuple(a.attr("shape")))));

  matrix_arg m;
  m.rows = static_cast<Eigen::Index>(a.shape(0));
  m.cols = a.ndim() == 2 ? static_cast<Eigen::Index>(a.shape(1)) : 1;
  const bool f64 = py::isinstance<py::array_t<double>>(a), f32 = py::isinstance<py::array_t<float>>(a);
  const bool c_order = (a.flags() & py::array::c_style) != 0, f_order = (a.flags() & py::array::f_style) != 0;
  if ((f64 || f32) && (c_order || f_order)) {
    m.array = a;
    m.is_float32 = f32;
    m.row_major = a.ndim() == 1 || c_order;
  } else {
    m.array = f32 ? copy_as<float>(a) : copy_as<double>(a);
    m.is_float32 = f32;
    m.row_major = true;
    m.copied = true;
  }
  return m;
}

/// The one copy that gives `m` the element type and order of the other argument.
matrix_arg converted(matrix_arg m, bool to_float32, bool row_major) {
  const bool order_ok = m.row_major == row_major || m.either_order();
  if (m.is_float32 == to_float32 && order_ok) return m;
  py::array flat = m.array.attr("reshape")(py::make_tuple(m.rows, m.cols), py::arg("order") = m.row_major ? "C" : "F");
  py::object dt = to_float32 ? py::dtype::of<float>() : py::dtype::of<double>();
  m.array = flat.attr("astype")(dt, py::arg("order") = row_major ? "C" : "F");
  m.is_float32 = to_float32;
  m.row_major = row_major;
  m.copied = true;
  return m;
}

template <class T, int Order>
using map_of = Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Order>>;

/// Calls fn with m as an Eigen::Map of its own element type and order.
template <class Fn>
decltype(auto) with_map(const matrix_arg& m, Fn&& fn) {
  const void* p = m.array.data();
  if (m.is_float32) {
    if (m.row_major) return fn(map_of<float, Eigen::RowMajor>(static_cast<const float*>(p), m.rows, m.cols));
    return fn(map_of<float, Eigen::ColMajor>(static_cast<const float*>(p), m.rows, m.cols));
  }
  if (m.row_major) return fn(map_of<double, Eigen::RowMajor>(static_cast<const double*>(p), m.rows, m.cols));
  return fn(map_of<double, Eigen::ColMajor>(static_cast<const double*>(p), m.rows, m.cols));
}

/// Both arguments of a sample-pair estimator as Maps of one type (keeps the instantiations at
/// four): float32 only if both are, the order of x. A mismatched argument (float32 next to
/// float64, or the other order) is copied once; float32 -> float64 is exact.
template <class Fn>
decltype(auto) with_maps(matrix_arg x, matrix_arg y, Fn&& fn) {
  const bool f32 = x.is_float32 && y.is_float32;
  const bool row = x.either_order() ? y.row_major || y.either_order() : x.row_major;
  x = converted(std::move(x), f32, row);
  y = converted(std::move(y), f32, row);
  // Both now share type and order: dispatch on x and reinterpret y alike.
  return with_map(x, [&](const auto& mx) {
    using M = std::remove_cvref_t<decltype(mx)>;
    const M my(static_cast<const typename M::Scalar*>(y.array.data()), y.rows, y.cols);
    return fn(mx, my);
  });
}

// ---- keyword arguments -----------------------------------------------------------------------

bool is_int(const py::handle& h) { return !PyBool_Check(h.ptr()) && PyIndex_Check(h.ptr()); }
bool is_real(const py::handle& h) { return !PyBool_Check(h.ptr()) && (PyFloat_Check(h.ptr()) || is_int(h) ||
                                                                      PyObject_HasAttrString(h.ptr(), "__float__")); }

bool is_numpy_bool(const py::handle& h) {
  const py::handle t = py::type::handle_of(h);
  return py::hasattr(t, "__module__") && py::str(t.attr("__module__")).cast<std::string>() == "numpy" &&
         py::str(t.attr("__name__")).cast<std::string>().rfind("bool", 0) == 0;
}

double to_double(const py::handle& h, const std::string& who) {
  if (!is_real(h)) type_error(who + " takes a real number, got " + std::string(py::str(py::type::handle_of(h).attr("__name__"))));
  const double v = PyFloat_AsDouble(h.ptr());
  if (v == -1.0 && PyErr_Occurred()) throw py::error_already_set();
  return v;
}

std::string shortest(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

/// A keyword's value as the registry's text: flags "true"/"false", numbers as written in full
/// (shortest round-trip for reals), choices as given. Types are checked here, values by the
/// registry's parser.
std::string option_text(const registry::option_info& o, const py::handle& v, const std::string& who) {
  const std::string name = who + ": " + python_name(o.name);
  switch (o.kind) {
    case value_kind::flag:
      if (PyBool_Check(v.ptr()) || is_numpy_bool(v)) return truthy(v) ? "true" : "false";
      if (is_int(v)) return std::string(py::str(py::int_(py::reinterpret_borrow<py::object>(v))));  // 0/1: the parser
      type_error(name + " takes True or False");
    case value_kind::integer:
      if (!is_int(v)) type_error(name + " takes an integer, got " + std::string(py::str(py::type::handle_of(v).attr("__name__"))));
      return std::string(py::str(py::int_(py::reinterpret_borrow<py::object>(v))));
    case value_kind::real: return shortest(to_double(v, name));
    case value_kind::choice: {
      if (!py::isinstance<py::str>(v)) {
        std::string list;
        for (const auto& c : o.choices) list += (list.empty() ? "" : ", ") + ("'" + c + "'");
        type_error(name + " takes one of " + list);
      }
      return v.cast<std::string>();
    }
  }
  return {};
}

/// Friendly Python spellings of registry options, offered only by estimators that take the
/// option: (alias, option, inverted).
struct alias {
  const char* name;
  const char* option;
  bool inverted;
};
constexpr alias aliases[] = {{"leave_one_out", "no-loo", true}, {"float32", "float", false}};

const char* noise_keywords[] = {"noise_var", "noise_std", "drop_probability"};

/// The data arguments of each input shape.
std::vector<std::string> data_names(input_shape s) {
  return s == input_shape::noise_model ? std::vector<std::string>{"f"} : std::vector<std::string>{"x", "y"};
}

/// Binds positional and keyword arguments: the data arrays, the noise, and the estimator's
/// options as registry text values. Unknown keywords are a TypeError naming them.
struct bound_call {
  std::vector<py::object> data;
  std::optional<gaussian_dropout> noise;
  registry::values values;
};

gaussian_dropout parse_noise(const std::vector<std::pair<std::string, double>>& given, const std::string& who) {
  if (given.size() != 1)
    value_error(who + ": give exactly one of noise_var, noise_std and drop_probability" +
                (given.empty() ? std::string(" (none given)") : " (got " + given[0].first + " and " + given[1].first + ")"));
  const auto& [k, v] = given[0];
  try {
    if (k == "noise_var") return gaussian_dropout(noise_variance{v});
    if (k == "noise_std") return gaussian_dropout(noise_std{v});
    return gaussian_dropout(drop_probability{v});
  } catch (const infoplane::invalid_argument& e) {
    value_error(who + ": " + k + ": " + e.what());
  }
}

/// Every keyword the function takes, for the TypeError of an unknown one.
std::string keywords(const registry::estimator_entry& e) {
  std::string out;
  for (const auto& n : data_names(e.shape)) out += (out.empty() ? "" : ", ") + n;
  if (e.shape == input_shape::noise_model) out += ", noise_var, noise_std, drop_probability";
  for (const auto& o : e.options) out += ", " + python_name(o.name);
  for (const auto& a : aliases)
    if (e.takes(a.option)) out += std::string(", ") + a.name;
  return out;
}

bound_call bind_call(const registry::estimator_entry& e, const py::args& args, const py::kwargs& kwargs) {
  const std::string who = python_name(e.name) + "()";
  const auto names = data_names(e.shape);
  if (args.size() > names.size())
    type_error(who + " takes " + std::to_string(names.size()) + " positional argument" +
               (names.size() > 1 ? "s" : "") + " but " + std::to_string(args.size()) + " were given");
  bound_call b;
  b.data.resize(names.size());
  for (std::size_t i = 0; i < args.size(); ++i) b.data[i] = py::reinterpret_borrow<py::object>(args[i]);

  std::vector<std::pair<std::string, double>> noise;
  std::map<std::string, std::string> keyword_of;  // option -> the keyword that gave it
  for (const auto& [key, value] : kwargs) {
    const std::string k = key.cast<std::string>();
    if (const auto at = std::find(names.begin(), names.end(), k); at != names.end()) {
      auto& slot = b.data[std::size_t(at - names.begin())];
      if (slot) type_error(who + " got multiple values for argument '" + k + "'");
      slot = py::reinterpret_borrow<py::object>(value);
      continue;
    }
    if (e.shape == input_shape::noise_model &&
        std::find(std::begin(noise_keywords), std::end(noise_keywords), k) != std::end(noise_keywords)) {
      if (!value.is_none()) noise.emplace_back(k, to_double(value, who + ": " + k));
      continue;
    }
    const alias* al = nullptr;
    for (const auto& a : aliases)
      if (k == a.name && e.takes(a.option)) al = &a;
    const registry::option_info* info = nullptr;
    for (const auto& o : e.options)
      if (al ? o.name == al->option : python_name(o.name) == k) info = &o;
    if (!info) type_error(who + " got an unexpected keyword argument '" + k + "' (it takes " + keywords(e) + ")");
    if (const auto [it, fresh] = keyword_of.emplace(info->name, k); !fresh)
      type_error(who + " got both " + it->second + " and " + k + ", which set the same option");
    if (value.is_none()) continue;  // None: the default
    std::string text = option_text(*info, value, who);
    if (al && al->inverted) text = text == "true" ? "false" : text == "false" ? "true" : text;
    b.values[info->name] = text;
  }
  for (std::size_t i = 0; i < names.size(); ++i)
    if (!b.data[i]) type_error(who + " missing required argument '" + names[i] + "'");
  if (e.shape == input_shape::noise_model) b.noise = parse_noise(noise, who);
  return b;
}

template <class E>
const registry::estimator_entry& entry_of() {
  const auto* e = registry::find(E::name);
  return *e;
}

template <class E>
typename registry::registration<E>::options_type checked_options(const registry::estimator_entry& e,
                                                                 const registry::values& v) {
  try {
    return registry::parse_options<E>(v);
  } catch (const infoplane::invalid_argument& err) {
    value_error(python_name(e.name) + "(): " + pythonize(err.what(), e));
  }
}

/// The estimation, timed, without the GIL. Library errors keep their messages.
template <class Fn>
py_result timed_run(const registry::estimator_entry& e, Fn&& fn) {
  py_result out{std::string(e.name), {}, 0};
  py::gil_scoped_release release;
  const auto t0 = std::chrono::steady_clock::now();
  out.r = fn();
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

template <class E>
py_result call_estimator(const py::args& args, const py::kwargs& kwargs) {
  using R = registry::registration<E>;
  const auto& e = entry_of<E>();
  auto b = bind_call(e, args, kwargs);
  const auto options = checked_options<E>(e, b.values);
  if constexpr (R::shape == input_shape::noise_model) {
    const matrix_arg f = as_matrix(b.data[0], python_name(e.name) + "(): f");
    const gaussian_dropout noise = *b.noise;
    return with_map(f, [&](const auto& mf) {
      return timed_run(e, [&] { return registry::run<E>(options, noisy_representation{mf, noise}); });
    });
  } else {
    const std::string who = python_name(e.name) + "(): ";
    matrix_arg x = as_matrix(b.data[0], who + "x"), y = as_matrix(b.data[1], who + "y");
    if (x.rows != y.rows)
      value_error(who + "mismatched lengths: x has " + std::to_string(x.rows) + " rows but y has " +
                  std::to_string(y.rows));
    return with_maps(std::move(x), std::move(y), [&](const auto& mx, const auto& my) {
      return timed_run(e, [&] { return registry::run<E>(options, paired_samples{mx, my}); });
    });
  }
}

// ---- docstrings ------------------------------------------------------------------------------

std::string python_default(const registry::option_info& o) {
  switch (o.kind) {
    case value_kind::flag: return o.default_text.empty() ? "False" : "True";
    case value_kind::choice: return "'" + o.default_text + "'";
    default: return o.default_text.empty() ? "None" : o.default_text;
  }
}

std::string type_name(const registry::option_info& o) {
  switch (o.kind) {
    case value_kind::flag: return "bool";
    case value_kind::integer: return "int";
    case value_kind::real: return "float";
    case value_kind::choice: {
      std::string s = "{";
      for (std::size_t i = 0; i < o.choices.size(); ++i) s += (i ? ", " : "") + ("'" + o.choices[i] + "'");
      return s + "}";
    }
  }
  return "";
}

/// The signature line (parsed by inspect.signature through __text_signature__) and a NumPy-style
/// docstring: every option with its help and default, the units and what the result holds.
std::string docstring(const registry::estimator_entry& e) {
  const std::string fn = python_name(e.name);
  const bool noise = e.shape == input_shape::noise_model;
  std::string sig = fn + (noise ? "(f, *, noise_var=None, noise_std=None, drop_probability=None" : "(x, y, *");
  for (const auto& o : e.options) sig += ", " + python_name(o.name) + "=" + python_default(o);
  for (const auto& a : aliases)
    if (e.takes(a.option)) {
      const auto& o = *std::find_if(e.options.begin(), e.options.end(), [&](const auto& x) { return x.name == a.option; });
      sig += std::string(", ") + a.name + "=" + ((o.default_text.empty() != a.inverted) ? "False" : "True");
    }
  sig += ")\n--\n\n";

  std::string d = sig;
  d += noise ? "I(X;Z) of a dropout layer, in nats: " : "I(X;Y) from paired samples, in nats: ";
  d += std::string(e.summary) + ".\n\nReports: " + std::string(e.reports) + ". Validated against: " +
       std::string(e.validated_against) + ".";
  if (e.trainable) d += "\nTrained: fitted on a seeded split of the data, estimated on the held-out part (holdout).";
  d += "\nThe same estimator as `infoplane " + std::string(noise ? "dropout" : "estimate") + " --estimator " +
       std::string(e.name) + "`, with the same options and defaults.\n\nParameters\n----------\n";
  const std::string arrays =
      "float32 or float64, C or Fortran order: read in place, without a copy; other real dtypes, "
      "non-contiguous views and PyTorch CPU tensors are accepted (one copy where needed)";
  if (noise) {
    d += "f : array, N x d\n    noise-free representations f(x_i) of the dropout layer (1-D: N x 1); " + arrays +
         ".\nnoise_var, noise_std, drop_probability : float\n    the noise model, exactly one: Z = f(X) * eps, "
         "eps ~ N(1, s^2) per unit, with the variance s^2, the standard deviation s, or a drop probability p "
         "(s^2 = p / (1 - p)).\n";
  } else {
    d += "x, y : array, N x dx and N x dy\n    paired samples, one row each (1-D: N x 1; integer labels of any width "
         "are converted to float64); " + arrays + ".\n";
  }
  for (const auto& o : e.options) {
    d += python_name(o.name) + " : " + type_name(o) + ", default " + python_default(o) + "\n    " +
         pythonize(o.help, e) + ".\n";
  }
  for (const auto& a : aliases)
    if (e.takes(a.option))
      d += std::string(a.name) + " : bool\n    the same as " + (a.inverted ? "not " : "") + python_name(a.option) + ".\n";
  d += "\nReturns\n-------\nResult\n"
       "    value : the estimate in nats (" + std::string(e.reports) + ").\n"
       "    lower, upper : a bracket of the value where the estimator gives one (dropout_mc: the plug-in "
       "estimate, biased low, and the leave-one-out estimate, biased high), else None.\n"
       "    std_error : Monte Carlo or statistical standard error where known, else None.\n"
       "    ceiling : the hard maximum where there is one (log N, log K components, log batch), else None.\n"
       "    kind : 'point_estimate', 'upper_bound' or 'lower_bound' (of the true MI).\n"
       "    status : 'ok', 'saturated' (within 1% of the ceiling), 'not_converged', 'numerical_issue' or "
       "'insufficient_samples'.\n"
       "    n_samples, n_draws, seconds (of the estimation); to_dict() gives the keys of the command line's "
       "JSON.\n\nRaises\n------\nValueError\n    bad values: NaN or Inf in the data, wrong ndim, mismatched "
       "lengths, an out-of-range option";
  if (noise) d += ", no noise or two noise keywords, non-positive noise";
  d += ".\nTypeError\n    an unknown keyword, a wrong type, a CUDA tensor (call .cpu()).\n";
  return d;
}

template <class E>
void def_estimator(py::module_& m) {
  const auto& e = entry_of<E>();
  m.def(python_name(e.name).c_str(), &call_estimator<E>, docstring(e).c_str());
}

py::list estimator_list(bool details) {
  py::list out;
  for (const auto& e : registry::estimators()) {
    if (!details) {
      out.append(py::str(std::string(e.name)));
      continue;
    }
    py::list options;
    for (const auto& o : e.options) {
      py::dict od;
      od["name"] = python_name(o.name);
      od["option"] = o.name;
      od["kind"] = std::string(to_string(o.kind));
      od["default"] = o.default_text;
      od["help"] = o.help;
      if (!o.choices.empty()) od["choices"] = o.choices;
      options.append(od);
    }
    py::dict d;
    d["name"] = std::string(e.name);
    d["function"] = python_name(e.name);
    d["kind"] = std::string(to_string(e.kind));
    d["input"] = std::string(to_string(e.shape));
    d["trainable"] = e.trainable;
    d["summary"] = std::string(e.summary);
    d["reports"] = std::string(e.reports);
    d["options"] = options;
    out.append(d);
  }
  return out;
}

// For the tests: how an argument is read (address of the buffer the estimator sees).
py::dict view_info(py::object obj) {
  const matrix_arg m = as_matrix(std::move(obj), "array");
  py::dict d;
  d["address"] = reinterpret_cast<std::uintptr_t>(m.array.data());
  d["dtype"] = m.is_float32 ? "float32" : "float64";
  d["order"] = m.row_major ? "C" : "F";
  d["shape"] = py::make_tuple(m.rows, m.cols);
  d["copied"] = m.copied;
  return d;
}


// ---- the information plane -------------------------------------------------------------------

#ifdef INFOPLANE_PYTHON_PLANE
/// Integer labels of any width (a NumPy array, a tensor, a list), N or N x 1, as int64.
py::array_t<std::int64_t> labels_arg(py::object obj, const std::string& what) {
  if (obj.is_none()) type_error(what + ": got None, expected integer labels");
  obj = host_object(std::move(obj), what);
  py::array a = py::array::ensure(obj);
  if (!a) {
    PyErr_Clear();
    type_error(what + ": expected an array of integer labels");
  }
  const char kind = a.dtype().kind();
  if (kind != 'i' && kind != 'u' && kind != 'b')
    type_error(what + ": labels must be integers, got dtype " + std::string(py::str(a.dtype())));
  if (!(a.ndim() == 1 || (a.ndim() == 2 && a.shape(1) == 1)))
    value_error(what + ": expected N labels (1-D, or N x 1), got shape " + std::string(py::str(py::tuple(a.attr("shape")))));
  return py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(a);
}

py::object result_or_none(std::string_view estimator, const std::optional<estimate_result>& r, double seconds = 0) {
  return r ? py::cast(py_result{std::string(estimator), *r, seconds}) : py::object(py::none());
}

/// One point as a dict: the library's ip_point, with a Result for every estimate.
py::dict point_dict(const ip_point& p, bool held_out) {
  auto secs = [&](const char* part) {
    const auto it = p.seconds.find(part);
    return it == p.seconds.end() ? 0.0 : it->second;
  };
  auto num = [](double v) { return py::float_(v); };  // inf and nan as Python floats
  py::dict d;
  d["epoch"] = p.epoch;
  d["split"] = p.split;
  d["held_out"] = held_out;
  d["n"] = p.n;
  d["d"] = p.d;
  d["m"] = p.m;
  d["classes"] = p.classes;
  d["h_y"] = p.h_y;
  d["i_xz"] = result_or_none(dropout_mixture::name, p.i_xz, secs("i_xz"));
  d["i_xz_gauss_bound"] = result_or_none(dropout_gaussian_bound::name, p.i_xz_gauss_bound, secs("gauss_bound"));
  d["i_xz_pairwise_kl"] = result_or_none(dropout_pairwise_kl::name, p.i_xz_pairwise_kl, secs("pairwise"));
  d["i_xz_pairwise_bd"] = result_or_none(dropout_pairwise_bd::name, p.i_xz_pairwise_bd, secs("pairwise"));
  d["i_zy_mixture"] = result_or_none(dropout_mixture::name, p.i_zy_mixture);
  d["i_zy_edge"] = result_or_none(edge::name, p.i_zy_edge, secs("edge"));
  d["i_zy_ksg"] = result_or_none(ksg::name, p.i_zy_ksg, secs("ksg"));
  d["i_zy_binning"] = result_or_none(binning::name, p.i_zy_binning, secs("binning"));
  d["i_zy_ce_bound"] = result_or_none("ce-bound", p.i_zy_ce_bound);
  d["i_zy_lower"] = p.i_zy_lower ? py::object(py::float_(*p.i_zy_lower)) : py::object(py::none());
  d["i_zy_upper"] = p.i_zy_upper ? py::object(py::float_(*p.i_zy_upper)) : py::object(py::none());
  d["i_xz_given_y"] = num(p.i_xz_given_y);
  d["i_xz_given_y_std_error"] = num(p.i_xz_given_y_std_error);
  py::list bins;
  for (const auto& b : p.binning) {
    py::dict bd;
    bd["bins"] = b.bins ? py::object(py::int_(*b.bins)) : py::object(py::none());
    bd["bin_size"] = b.bin_size ? py::object(py::float_(*b.bin_size)) : py::object(py::none());
    bd["i_xt"] = result_or_none(binning::name, b.i_xt);
    bd["i_ty"] = result_or_none(binning::name, b.i_ty);
    bins.append(bd);
  }
  d["binning"] = bins;
  d["seconds"] = p.seconds;
  d["total_seconds"] = p.total_seconds;
  return d;
}

std::optional<gaussian_dropout> noise_from(const py::object& var, const py::object& sd, const py::object& p,
                                           const std::string& who) {
  std::vector<std::pair<std::string, double>> given;
  for (const auto& [k, v] : {std::pair{"noise_var", var}, {"noise_std", sd}, {"drop_probability", p}})
    if (!v.is_none()) given.emplace_back(k, to_double(v, who + ": " + k));
  return parse_noise(given, who);
}

py::dict information_plane(py::object f, py::object labels, py::object noise_var, py::object noise_std,
                           py::object drop_probability, std::size_t noise_draws, std::uint64_t seed,
                           std::uint64_t epoch, std::string split, bool held_out, unsigned threads,
                           std::optional<std::size_t> components, bool gaussian_bound, bool pairwise_bounds,
                           std::vector<std::string> label_estimators, std::optional<double> cross_entropy,
                           std::optional<double> class_entropy, std::vector<std::size_t> bins,
                           std::vector<double> bin_sizes, std::optional<std::size_t> pair_samples,
                           double violation_sigmas, std::optional<double> label_prior_weight) {
  const std::string who = "information_plane()";
  const gaussian_dropout noise = *noise_from(noise_var, noise_std, drop_probability, who);
  information_plane_options o;
  o.noise_draws = noise_draws;
  o.seed = seed;
  o.epoch = epoch;
  o.split = std::move(split);
  o.held_out = held_out;
  o.threads = threads;
  o.components = components;
  o.gaussian_bound = gaussian_bound;
  o.pairwise_bounds = pairwise_bounds;
  o.label_estimators = std::set<std::string>(label_estimators.begin(), label_estimators.end());
  o.cross_entropy = cross_entropy;
  o.class_entropy = class_entropy;
  o.bins = std::move(bins);
  o.bin_sizes = std::move(bin_sizes);
  o.pair_samples = pair_samples;
  o.violation_sigmas = violation_sigmas;
  o.label_prior_weight = label_prior_weight;
  const matrix_arg m = as_matrix(std::move(f), who + ": f");
  const auto y = labels_arg(std::move(labels), who + ": labels");
  const std::span<const std::int64_t> ys(y.data(), static_cast<std::size_t>(y.size()));
  ip_point p = with_map(m, [&](const auto& mf) {
    py::gil_scoped_release release;
    return information_plane_point(mf, ys, noise, o);
  });
  return point_dict(p, held_out);
}
#endif

#ifdef INFOPLANE_PYTHON_PLANE_DIR
/// `infoplane ip` on a folder: its files (CSV, JSON, PNG) in `out`, and what it computed.
py::object information_plane_dir(std::string path, py::object noise_var, py::object noise_std,
                                 py::object drop_probability, std::size_t m_train, std::size_t m_test,
                                 std::vector<std::string> label_estimators, std::vector<std::size_t> bins,
                                 std::vector<double> bin_sizes, std::vector<std::string> bounds, std::string plot_zy,
                                 std::vector<std::uint64_t> epochs, std::size_t every, std::optional<std::string> out,
                                 std::uint64_t seed, unsigned threads, bool quiet) {
  ip::ip_options o;
  o.dir = std::move(path);
  auto opt = [&](const py::object& v, const char* k) {
    return v.is_none() ? std::nullopt : std::optional<double>(to_double(v, std::string("information_plane_dir(): ") + k));
  };
  o.noise_var = opt(noise_var, "noise_var");
  o.noise_std = opt(noise_std, "noise_std");
  o.drop_probability = opt(drop_probability, "drop_probability");
  o.m_train = m_train;
  o.m_test = m_test;
  o.label_estimators = std::move(label_estimators);
  o.bins = std::move(bins);
  o.bin_sizes = std::move(bin_sizes);
  o.bounds = std::move(bounds);
  o.plot_zy = std::move(plot_zy);
  o.epochs = std::move(epochs);
  o.every = every;
  o.out = out.value_or("");
  o.seed = seed;
  o.threads = threads;
  o.quiet = quiet;
  std::ostringstream summary;
  {
    py::gil_scoped_release release;
    std::ostringstream silent;
    ip::run_ip(o, quiet ? static_cast<std::ostream&>(silent) : std::cerr, summary);
  }
  const auto s = cli::json::parse(summary.str());
  auto d = py::reinterpret_borrow<py::dict>(json_to_python(s));
  const auto json_path = s.at("json").get<std::string>();
  std::ifstream in(json_path);
  if (!in) throw infoplane::file_error(json_path + ": cannot read what `infoplane ip` wrote");
  const auto j = cli::json::parse(in);
  d["points"] = json_to_python(j.at("points"));
  d["failed"] = json_to_python(j.at("failed"));
  return d;
}
#endif
}  // namespace

PYBIND11_MODULE(infoplane, m) {
  py::options docs;
  docs.disable_function_signatures();  // each docstring starts with its own signature
  m.doc() =
      "infoplane: mutual information (nats) for information-plane analysis of dropout networks.\n\n"
      "One function per registered estimator (estimators() lists them): noise-model estimators take the "
      "noise-free representations f and one of noise_var, noise_std, drop_probability; sample-pair "
      "estimators take x and y. Keyword arguments are the estimator's options, as on the command line "
      "with '-' written '_'. Each returns a Result (value, lower, upper, std_error, ceiling, kind, status).";
  m.attr("__version__") = INFOPLANE_VERSION_STRING;
  m.def("kernel_instruction_set", [] { return std::string(kernel_instruction_set()); },
        "kernel_instruction_set()\n--\n\nThe SIMD instruction set the mixture kernels were compiled for.");

  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const infoplane::file_error& e) {
      PyErr_SetString(PyExc_OSError, e.what());
    } catch (const infoplane::invalid_argument& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    } catch (const infoplane::logic_error& e) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
    }
  });

  py::class_<py_result>(m, "Result", "One estimate (nats): what the command line prints as JSON.")
      .def_property_readonly("estimator", [](const py_result& p) { return p.estimator; })
      .def_property_readonly("value", [](const py_result& p) { return p.r.value; }, "the estimate (nats)")
      .def_property_readonly("std_error", [](const py_result& p) { return optional_float(p.r.std_error); })
      .def_property_readonly("lower", [](const py_result& p) { return optional_float(p.r.lower); })
      .def_property_readonly("upper", [](const py_result& p) { return optional_float(p.r.upper); })
      .def_property_readonly("ceiling", [](const py_result& p) { return optional_float(p.r.ceiling); })
      .def_property_readonly("kind", [](const py_result& p) { return std::string(to_string(p.r.kind)); })
      .def_property_readonly("status", [](const py_result& p) { return std::string(to_string(p.r.status)); })
      .def_property_readonly("target", [](const py_result& p) { return target_of(p.r); },
                             "what the value refers to ('dataset', 'population'), where the library says")
      .def_property_readonly(
          "population",
          [](const py_result& p) -> py::object {
            if (!p.r.population) return py::none();
            const auto& b = *p.r.population;
            py::dict d;
            d["lower"] = b.lower;
            d["upper"] = b.upper;
            d["lower_std_error"] = b.lower_std_error;
            d["upper_std_error"] = b.upper_std_error;
            d["upper_source"] = b.upper_source;
            return d;
          },
          "the population bracket (X continuous, the points a sample of it): dict of lower, upper, "
          "lower_std_error, upper_std_error, upper_source ('leave-one-out', 'gaussian', 'none'); None where not given")
      .def(
          "interval",
          [](const py_result& p, const std::string& target, double confidence) {
            if (target != "dataset" && target != "population")
              throw infoplane::invalid_argument("interval: target must be 'dataset' or 'population', got '" + target + "'");
            const auto ci = interval_of(p.r, target == "dataset" ? estimate_target::dataset : estimate_target::population,
                                        confidence);
            return py::make_tuple(ci.lower, ci.upper);
          },
          py::arg("target"), py::arg("confidence") = 0.95,
          "(lower, upper) at this confidence: 'dataset' is value -/+ z std_error, 'population' is "
          "[population lower - z SE, population upper + z SE]")
      .def_property_readonly("n_samples", [](const py_result& p) { return p.r.n_samples; })
      .def_property_readonly("n_draws", [](const py_result& p) { return p.r.n_draws; })
      .def_property_readonly("seconds", [](const py_result& p) { return p.seconds; })
      .def_property_readonly("warnings", [](const py_result& p) { return p.r.warnings; },
                             "suspicious inputs and clamped values, one sentence each (empty: none)")
      .def("ok", [](const py_result& p) { return p.r.ok(); }, "status == 'ok'")
      .def("to_dict", &to_dict,
           "The command line's JSON keys (estimator, value, std_error, lower, upper, ceiling, kind, n_samples, "
           "seconds, status, warnings); None where a key does not apply or a number is not finite.")
      .def("__float__", [](const py_result& p) { return p.r.value; })
      .def("__repr__", [](const py_result& p) {
        auto num = [](const std::optional<double>& v) { return v ? shortest(*v) : std::string("None"); };
        return "Result(estimator='" + p.estimator + "', value=" + shortest(p.r.value) + ", lower=" + num(p.r.lower) +
               ", upper=" + num(p.r.upper) + ", std_error=" + num(p.r.std_error) + ", ceiling=" + num(p.r.ceiling) +
               ", kind='" + std::string(to_string(p.r.kind)) + "', status='" + std::string(to_string(p.r.status)) +
               "', n_samples=" + std::to_string(p.r.n_samples) + ")";
      });

  [&]<class... E>(std::tuple<E...>*) { (def_estimator<E>(m), ...); }(static_cast<registry::all_estimators*>(nullptr));

  m.def("estimators", &estimator_list, py::arg("details") = false,
        "estimators(details=False)\n--\n\nThe registered estimators' names, as `infoplane --list-estimators` prints "
        "them ('-' where the function has '_'); details=True: dicts with function, kind, input, trainable, "
        "summary, reports and options (name, option, kind, default, help).");
  m.def("_view", &view_info, "For the tests: how an array argument is read (buffer address, dtype, order, copied).");


#ifdef INFOPLANE_PYTHON_PLANE
  m.def("information_plane", &information_plane, py::arg("f"), py::arg("labels"), py::kw_only(),
        py::arg("noise_var") = py::none(), py::arg("noise_std") = py::none(),
        py::arg("drop_probability") = py::none(), py::arg("noise_draws") = 1, py::arg("seed") = 0,
        py::arg("epoch") = 0, py::arg("split") = "train", py::arg("held_out") = false, py::arg("threads") = 0,
        py::arg("components") = py::none(), py::arg("gaussian_bound") = true, py::arg("pairwise_bounds") = false,
        py::arg("label_estimators") = std::vector<std::string>{"mixture"}, py::arg("cross_entropy") = py::none(),
        py::arg("class_entropy") = py::none(), py::arg("bins") = std::vector<std::size_t>{},
        py::arg("bin_sizes") = std::vector<double>{}, py::arg("pair_samples") = py::none(),
        py::arg("violation_sigmas") = 3.0, py::arg("label_prior_weight") = py::none(),
        "information_plane(f, labels, *, noise_var=None, noise_std=None, drop_probability=None, noise_draws=1, "
        "seed=0, epoch=0, split='train', held_out=False, threads=0, components=None, gaussian_bound=True, "
        "pairwise_bounds=False, label_estimators=['mixture'], cross_entropy=None, class_entropy=None, bins=[], "
        "bin_sizes=[], pair_samples=None, violation_sigmas=3.0, label_prior_weight=None)\n--\n\n"
        "One point of the information plane (nats) for one split at one epoch, by the library's "
        "information_plane_point: I(X;Z) by dropout_mc with its [plug-in, leave-one-out] bracket and the "
        "Gaussian (and pairwise) bounds; I(Z;Y) by the mixture with the labels and by label_estimators "
        "('mixture', 'edge', 'ksg', 'binning') over noisy draws; H(Y) - cross_entropy as a lower bound; the "
        "binning plane for bins / bin_sizes.\n\nf: N x d noise-free representations (read in place as for "
        "dropout_mc); labels: N integers of any width; exactly one of noise_var, noise_std, drop_probability. "
        "(epoch, split, seed) fix every draw. held_out=True (a test split) also reports the population bracket "
        "i_zy_lower, i_zy_upper.\n\nReturns a dict: epoch, split, held_out, n, d, m, classes, h_y, i_xz, "
        "i_xz_gauss_bound, i_xz_pairwise_kl, i_xz_pairwise_bd, i_zy_mixture, i_zy_edge, i_zy_ksg, i_zy_binning, "
        "i_zy_ce_bound (each a Result or None), i_zy_lower, i_zy_upper, i_xz_given_y (+ _std_error), binning "
        "(dicts with bins, bin_size, i_xt, i_ty), seconds (per part), total_seconds. A Result whose status is "
        "'bound_violated' exceeds a data-processing bound beyond its errors.");
#endif
#ifdef INFOPLANE_PYTHON_PLANE_DIR
  m.def("information_plane_dir", &information_plane_dir, py::arg("path"), py::kw_only(),
        py::arg("noise_var") = py::none(), py::arg("noise_std") = py::none(),
        py::arg("drop_probability") = py::none(), py::arg("m_train") = 1, py::arg("m_test") = 6,
        py::arg("label_estimators") = std::vector<std::string>{"mixture", "ksg"},
        py::arg("bins") = std::vector<std::size_t>{}, py::arg("bin_sizes") = std::vector<double>{},
        py::arg("bounds") = std::vector<std::string>{"gauss"}, py::arg("plot_zy") = "",
        py::arg("epochs") = std::vector<std::uint64_t>{}, py::arg("every") = 0, py::arg("out") = py::none(),
        py::arg("seed") = 0, py::arg("threads") = 0, py::arg("quiet") = true,
        "information_plane_dir(path, *, noise_var=None, noise_std=None, drop_probability=None, m_train=1, "
        "m_test=6, label_estimators=['mixture', 'ksg'], bins=[], bin_sizes=[], bounds=['gauss'], plot_zy='', "
        "epochs=[], every=0, out=None, seed=0, threads=0, quiet=True)\n--\n\n"
        "`infoplane ip` on a folder in the seed layout (no_noise_{train,test}_representations_{epoch}.npy, "
        "{train,test}_labels.npy, optional cross_entropy.csv): one information-plane point per (epoch, split), "
        "written to out (default path/ip) as CSV, JSON and PNG. Returns the summary (out, csv, json, png, "
        "points, failed, seconds) with the points and failures as the JSON holds them. Unreadable folders or "
        "files raise OSError, bad options ValueError.");
#endif
#ifdef INFOPLANE_PYTHON_VALIDATION
  m.def(
      "toy_truth",
      [](py::object noise_var, py::object noise_std, py::object drop_probability) {
        std::vector<std::pair<std::string, double>> given;
        for (const auto& [k, v] : {std::pair{"noise_var", noise_var}, {"noise_std", noise_std},
                                   {"drop_probability", drop_probability}})
          if (!v.is_none()) given.emplace_back(k, to_double(v, std::string("toy_truth(): ") + k));
        const auto t = validation::toy_truth(parse_noise(given, "toy_truth()"));
        py::dict d;
        d["mi"] = t.mi;
        d["h_z"] = t.h_z;
        d["h_z_given_x"] = t.h_z_given_x;
        return d;
      },
      py::kw_only(), py::arg("noise_var") = py::none(), py::arg("noise_std") = py::none(),
      py::arg("drop_probability") = py::none(),
      "toy_truth(*, noise_var=None, noise_std=None, drop_probability=None)\n--\n\nThe toy problem's exact I(X;Z) "
      "per unit by quadrature (X ~ N(0, 1), f = 2x + 0.5, Z = f * eps, eps ~ N(1, s^2)): a dict with mi, h_z and "
      "h_z_given_x, in nats.");
  m.def(
      "toy_representation",
      [](std::size_t n, std::size_t d, std::uint64_t seed) {
        const Eigen::MatrixXd f = make_toy_representation(n, d, seed);
        py::array_t<double, py::array::f_style> out({f.rows(), f.cols()});
        std::copy(f.data(), f.data() + f.size(), out.mutable_data());
        return out;
      },
      py::arg("n"), py::arg("d"), py::arg("seed") = 0,
      "toy_representation(n, d, seed=0)\n--\n\nThe toy problem's noise-free representations f = 2x + 0.5 (n x d, "
      "float64), the same as `infoplane toy` draws for that seed.");
#endif
}
