// train_ip: trains a Gaussian- or information-dropout network on Fashion-MNIST with LibTorch
// and, every K epochs, puts the dropout layer's noise-free representations through the
// library's information_plane (plane_recorder.cpp), writing the files of `infoplane ip`, a
// training log and, on request, the representations in the seed layout.
//
//   train_ip --arch fc|lenet --dropout gaussian|information [--noise-var V | --drop-probability P]
//            [--beta B] [--alpha-max A] [--prior fixed|trainable] [--epochs E] [--every K]
//            [--train N] [--test N] [--m-train 1] [--m-test 6] [--out DIR] [--seed S]
//            [--data DIR] [--threads T] [--save-representations] [--paper] [--quiet]
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "infoplane/inputs/noise.hpp"
#include "infoplane/io/idx.hpp"
#include "plane_recorder.hpp"

namespace {

using torch::Tensor;
namespace F = torch::nn::functional;

struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// ---------------------------------------------------------------------------------------------
// Dropout layers

/// Gaussian dropout: z = f * eps, eps ~ N(1, s^2) per unit, s^2 from the library's noise type
/// (given directly, or p / (1 - p) from a drop probability).
struct gaussian_dropout_layerImpl : torch::nn::Module {
  explicit gaussian_dropout_layerImpl(const infoplane::gaussian_dropout& noise) : sd(noise.std()) {}
  Tensor forward(const Tensor& f, bool noisy) { return noisy ? f * (1.0 + sd * torch::randn_like(f)) : f; }
  double sd;
};
TORCH_MODULE(gaussian_dropout_layer);

/// Information dropout (Achille & Soatto 2018) for softplus units: z = f * exp(alpha * e),
/// e ~ N(0, 1), alpha(h) = alpha_min + alpha_max * sigmoid(Linear(h)) from the layer's input
/// h, and a log-normal prior N(mu1, sigma1^2) on log z (fixed or trained).
struct information_dropout_layerImpl : torch::nn::Module {
  information_dropout_layerImpl(std::int64_t in, std::int64_t out, double alpha_max_, bool trainable_prior)
      : alpha_max(alpha_max_), lin(register_module("alpha", torch::nn::Linear(in, out))) {
    mu1 = torch::zeros({1});
    log_sigma1 = torch::zeros({1});
    if (trainable_prior) {
      mu1 = register_parameter("prior_mu", mu1);
      log_sigma1 = register_parameter("prior_log_sigma", log_sigma1);
    } else {
      mu1 = register_buffer("prior_mu", mu1);
      log_sigma1 = register_buffer("prior_log_sigma", log_sigma1);
    }
  }
  Tensor alpha(const Tensor& h) { return alpha_min + alpha_max * torch::sigmoid(lin(h)); }
  /// Per sample, summed over units: KL(N(log f, alpha^2) || N(mu1, sigma1^2)), which is also
  /// KL(p(z|x) || prior on z) (the KL is invariant under the bijection log).
  Tensor kl(const Tensor& log_f, const Tensor& a) const {
    const Tensor var1 = torch::exp(2.0 * log_sigma1);
    return (log_sigma1 - torch::log(a) + (a * a + (log_f - mu1).pow(2)) / (2.0 * var1) - 0.5).sum(1);
  }
  Tensor noise(const Tensor& f, const Tensor& a) { return f * torch::exp(a * torch::randn_like(f)); }

  static constexpr double alpha_min = 0.001;
  double alpha_max;
  torch::nn::Linear lin;
  Tensor mu1, log_sigma1;
};
TORCH_MODULE(information_dropout_layer);

// log softplus(x), finite where softplus underflows in float (there it is x itself).
Tensor log_softplus(const Tensor& x) { return torch::where(x < -20.0, x, torch::log(F::softplus(x))); }

// ---------------------------------------------------------------------------------------------
// Networks

struct pass {
  Tensor logits, f, alpha, kl;  // alpha and kl: information dropout only
};

/// FC 784-512-128-32-10 or LeNet (conv 6@5x5, pool 2, conv 16@5x5, pool 2, fc 120, fc 84, fc 10),
/// softplus throughout, the dropout layer on the 32 (FC) or 84 (LeNet) units.
struct netImpl : torch::nn::Module {
  netImpl(bool lenet_, std::optional<infoplane::gaussian_dropout> gauss, double alpha_max, bool trainable_prior)
      : lenet(lenet_) {
    const std::int64_t h_in = lenet ? 120 : 128, d = lenet ? 84 : 32;
    if (lenet) {
      conv1 = register_module("conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(1, 6, 5)));
      conv2 = register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(6, 16, 5)));
      fc1 = register_module("fc1", torch::nn::Linear(16 * 4 * 4, 120));
    } else {
      fc1 = register_module("fc1", torch::nn::Linear(784, 512));
      fc2 = register_module("fc2", torch::nn::Linear(512, 128));
    }
    layer = register_module("layer", torch::nn::Linear(h_in, d));
    head = register_module("head", torch::nn::Linear(d, 10));
    if (gauss) gd = register_module("dropout", gaussian_dropout_layer(*gauss));
    else id = register_module("dropout", information_dropout_layer(h_in, d, alpha_max, trainable_prior));
  }

  pass forward(const Tensor& x, bool noisy) {
    Tensor h;
    if (lenet) {
      h = F::max_pool2d(F::softplus(conv1(x.view({-1, 1, 28, 28}))), F::MaxPool2dFuncOptions(2));
      h = F::max_pool2d(F::softplus(conv2(h)), F::MaxPool2dFuncOptions(2));
      h = F::softplus(fc1(h.flatten(1)));
    } else {
      h = F::softplus(fc2(F::softplus(fc1(x))));
    }
    const Tensor pre = layer(h);
    pass p;
    p.f = F::softplus(pre);
    Tensor z;
    if (gd) {
      z = gd(p.f, noisy);
    } else {
      p.alpha = id->alpha(h);
      p.kl = id->kl(log_softplus(pre), p.alpha);
      z = noisy ? id->noise(p.f, p.alpha) : p.f;
    }
    p.logits = head(z);
    return p;
  }

  bool lenet;
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::Linear fc1{nullptr}, fc2{nullptr}, layer{nullptr}, head{nullptr};
  gaussian_dropout_layer gd{nullptr};
  information_dropout_layer id{nullptr};
};
TORCH_MODULE(net);

// ---------------------------------------------------------------------------------------------
// Data

struct split_data {
  Tensor x, y;  // N x 784 float in [0, 1], N int64
  std::vector<std::int64_t> labels;
};

std::string idx_file(const std::string& dir, const std::string& stem) {
  for (const std::string& name : {stem, stem + ".gz"})
    if (std::filesystem::exists(dir + "/" + name)) return dir + "/" + name;
  throw usage_error("--data: " + dir + " has neither " + stem + " nor " + stem + ".gz (an MNIST-format folder)");
}

split_data load_split(const std::string& dir, const std::string& prefix, std::size_t n) {
  const auto images = infoplane::io::read_idx(idx_file(dir, prefix + "-images-idx3-ubyte"));
  const auto labels = infoplane::io::read_idx(idx_file(dir, prefix + "-labels-idx1-ubyte"));
  const auto rows = static_cast<std::size_t>(images.values.rows());
  if (images.values.cols() != 784 || labels.values.cols() != 1 || labels.values.rows() != images.values.rows())
    throw usage_error("--data: " + dir + ": " + prefix + " files are not 28 x 28 images with one label each");
  if (n > rows)
    throw usage_error("--" + std::string(prefix == "train" ? "train" : "test") + ": " + std::to_string(n) +
                      " images asked for, the file has " + std::to_string(rows));
  split_data s;
  s.x = torch::empty({std::int64_t(n), 784});
  s.y = torch::empty({std::int64_t(n)}, torch::kInt64);
  auto xa = s.x.accessor<float, 2>();
  auto ya = s.y.accessor<std::int64_t, 1>();
  for (std::size_t i = 0; i < n; ++i) {
    for (Eigen::Index k = 0; k < 784; ++k) xa[std::int64_t(i)][k] = float(images.values(Eigen::Index(i), k) / 255.0);
    ya[std::int64_t(i)] = std::int64_t(labels.values(Eigen::Index(i), 0));
    s.labels.push_back(ya[std::int64_t(i)]);
  }
  return s;
}

Eigen::MatrixXd to_eigen(const Tensor& t) {
  const Tensor c = t.to(torch::kDouble).contiguous();
  using row_major = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  return Eigen::Map<const row_major>(c.data_ptr<double>(), c.size(0), c.size(1));
}

// ---------------------------------------------------------------------------------------------
// Options

struct options {
  bool lenet = false, information = false, trainable_prior = false;
  std::optional<double> noise_var, drop_probability;
  double beta = 0.01, alpha_max = 0.7;
  std::size_t epochs = 20, every = 2, n_train = 10000, n_test = 2000, m_train = 1, m_test = 6;
  std::string out = "out/train_ip", data = "/usr/share/datasets/fashion-mnist";
  std::uint64_t seed = 0;
  unsigned threads = 0;
  bool save = false, quiet = false, self_test = false;
};

template <class T>
T number(const std::string& flag, const std::string& text) {
  try {
    std::size_t used = 0;
    T v{};
    if constexpr (std::is_floating_point_v<T>) v = static_cast<T>(std::stod(text, &used));
    else {
      if (!text.empty() && text[0] == '-') throw std::invalid_argument("negative");
      v = static_cast<T>(std::stoull(text, &used));
    }
    if (used != text.size()) throw std::invalid_argument("trailing");
    if constexpr (std::is_floating_point_v<T>)
      if (!std::isfinite(v)) throw std::invalid_argument("not finite");
    return v;
  } catch (const std::exception&) {
    throw usage_error(flag + ": '" + text + "' is not a valid " +
                      (std::is_floating_point_v<T> ? "finite number" : "non-negative integer"));
  }
}

options parse(int argc, char** argv) {
  options o;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (const auto& a : args)
    if (a == "--paper") o.n_train = 60000, o.n_test = 10000, o.epochs = 200, o.every = 2;  // the seed's settings
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw usage_error(a + ": needs a value");
      return args[++i];
    };
    if (a == "--paper") continue;
    else if (a == "--arch") {
      const auto& v = value();
      if (v != "fc" && v != "lenet") throw usage_error("--arch: '" + v + "' is neither fc nor lenet");
      o.lenet = v == "lenet";
    } else if (a == "--dropout") {
      const auto& v = value();
      if (v != "gaussian" && v != "information") throw usage_error("--dropout: '" + v + "' is neither gaussian nor information");
      o.information = v == "information";
    } else if (a == "--prior") {
      const auto& v = value();
      if (v != "fixed" && v != "trainable") throw usage_error("--prior: '" + v + "' is neither fixed nor trainable");
      o.trainable_prior = v == "trainable";
    } else if (a == "--noise-var") o.noise_var = number<double>(a, value());
    else if (a == "--drop-probability") o.drop_probability = number<double>(a, value());
    else if (a == "--beta") o.beta = number<double>(a, value());
    else if (a == "--alpha-max") o.alpha_max = number<double>(a, value());
    else if (a == "--epochs") o.epochs = number<std::size_t>(a, value());
    else if (a == "--every") o.every = number<std::size_t>(a, value());
    else if (a == "--train") o.n_train = number<std::size_t>(a, value());
    else if (a == "--test") o.n_test = number<std::size_t>(a, value());
    else if (a == "--m-train") o.m_train = number<std::size_t>(a, value());
    else if (a == "--m-test") o.m_test = number<std::size_t>(a, value());
    else if (a == "--seed") o.seed = number<std::uint64_t>(a, value());
    else if (a == "--threads") o.threads = number<unsigned>(a, value());
    else if (a == "--out") o.out = value();
    else if (a == "--data") o.data = value();
    else if (a == "--save-representations") o.save = true;
    else if (a == "--quiet") o.quiet = true;
    else if (a == "--self-test-layers") o.self_test = true;
    else throw usage_error("unknown flag '" + a + "' (see the header of examples/torch/train_ip.cpp)");
  }
  if (o.noise_var && o.drop_probability) throw usage_error("give only one of --noise-var and --drop-probability");
  if (o.information && (o.noise_var || o.drop_probability))
    throw usage_error("--noise-var / --drop-probability: information dropout learns its noise (use --alpha-max)");
  if (o.epochs < 1) throw usage_error("--epochs: must be >= 1");
  if (o.every < 1) throw usage_error("--every: must be >= 1");
  if (o.n_train < 2 || o.n_test < 2) throw usage_error("--train and --test: at least 2 images each");
  if (o.m_train < 1 || o.m_test < 1) throw usage_error("--m-train and --m-test must be >= 1");
  if (!(o.beta >= 0)) throw usage_error("--beta: must be >= 0");
  if (!(o.alpha_max > 0)) throw usage_error("--alpha-max: must be > 0");
  if (!o.information && !o.noise_var && !o.drop_probability) o.noise_var = 0.25;
  return o;
}

std::optional<infoplane::gaussian_dropout> gaussian_noise(const options& o) {
  if (o.information) return std::nullopt;
  try {
    return o.noise_var ? infoplane::gaussian_dropout(infoplane::noise_variance(*o.noise_var))
                       : infoplane::gaussian_dropout(infoplane::drop_probability(*o.drop_probability));
  } catch (const std::exception& e) {
    throw usage_error(std::string(o.noise_var ? "--noise-var: " : "--drop-probability: ") + e.what());
  }
}

// ---------------------------------------------------------------------------------------------
// The layers' own numbers, for tests/torch_layers.py (which computes the truths itself).

int self_test_layers(const options& o) {
  torch::manual_seed(o.seed);
  const auto g = gaussian_noise(o);
  if (!g) throw usage_error("--self-test-layers: takes the Gaussian layer's flags (--noise-var or --drop-probability)");
  const double var = g->variance();
  gaussian_dropout_layer gd{*g};
  const Tensor f = torch::full({400000, 2}, 1.5);
  const Tensor eps = gd(f, true) / f;
  std::printf("{\"gaussian\": {\"variance_asked\": %.17g, \"mean\": %.17g, \"variance\": %.17g, \"n\": %lld, "
              "\"noise_free_equal\": %s},\n",
              var, eps.mean().item<double>(), eps.var().item<double>(), static_cast<long long>(eps.numel()),
              torch::equal(gd(f, false), f) ? "true" : "false");
  // Information dropout: KL of fixed (f, alpha) against a prior (mu1, sigma1), and its noise.
  information_dropout_layer id(3, 4, 0.7, true);
  torch::NoGradGuard no_grad;
  id->mu1.fill_(0.3);
  id->log_sigma1.fill_(std::log(0.8));
  const Tensor log_f = torch::tensor({{-1.0, 0.0, 0.5, 2.0}, {0.2, -0.4, 1.1, -2.5}}, torch::kFloat64);
  const Tensor a = torch::tensor({{0.05, 0.3, 0.7, 0.001}, {0.5, 0.2, 0.1, 0.65}}, torch::kFloat64);
  const Tensor kl = id->kl(log_f, a.to(torch::kFloat32)).to(torch::kFloat64);
  const Tensor fz = torch::full({400000, 2}, 2.0), az = torch::full({400000, 2}, 0.4);
  const Tensor lz = torch::log(id->noise(fz, az) / fz);
  std::printf(" \"information\": {\"mu1\": 0.3, \"sigma1\": 0.8, \"log_f\": [[-1, 0, 0.5, 2], [0.2, -0.4, 1.1, -2.5]], "
              "\"alpha\": [[0.05, 0.3, 0.7, 0.001], [0.5, 0.2, 0.1, 0.65]], \"kl\": [%.9g, %.9g], "
              "\"noise_alpha\": 0.4, \"log_noise_mean\": %.17g, \"log_noise_variance\": %.17g, \"n\": %lld}}\n",
              kl[0].item<double>(), kl[1].item<double>(), lz.mean().item<double>(), lz.var().item<double>(),
              static_cast<long long>(lz.numel()));
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Training

struct evaluation {
  double ce = 0, acc = 0, kl = 0;
  Tensor f, alpha;
};

/// Noisy predictions (MC dropout, one draw) for CE and accuracy; noise-free f (and alpha).
evaluation evaluate(net& model, const split_data& s) {
  torch::NoGradGuard no_grad;
  evaluation e;
  std::vector<Tensor> fs, as;
  const std::int64_t n = s.x.size(0), b = 1000;
  for (std::int64_t i = 0; i < n; i += b) {
    const Tensor x = s.x.slice(0, i, std::min(n, i + b)), y = s.y.slice(0, i, std::min(n, i + b));
    const pass p = model->forward(x, true);
    e.ce += F::cross_entropy(p.logits, y, F::CrossEntropyFuncOptions().reduction(torch::kSum)).item<double>();
    e.acc += p.logits.argmax(1).eq(y).sum().item<double>();
    fs.push_back(p.f);
    if (p.alpha.defined()) {
      as.push_back(p.alpha);
      e.kl += p.kl.sum().item<double>();
    }
  }
  e.ce /= double(n), e.acc /= double(n), e.kl /= double(n);
  e.f = torch::cat(fs);
  if (!as.empty()) e.alpha = torch::cat(as);
  return e;
}

std::string eta(double s) {
  char buf[32];
  if (s < 90) std::snprintf(buf, sizeof buf, "%.0f s", s);
  else std::snprintf(buf, sizeof buf, "%.1f min", s / 60);
  return buf;
}

int train(const options& o) {
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  if (o.threads) torch::set_num_threads(int(o.threads));
  torch::manual_seed(o.seed);
  const auto noise = gaussian_noise(o);
  const split_data train = load_split(o.data, "train", o.n_train), test = load_split(o.data, "t10k", o.n_test);
  net model(o.lenet, noise, o.alpha_max, o.trainable_prior);
  const double lr0 = 0.1;
  torch::optim::SGD opt(model->parameters(), torch::optim::SGDOptions(lr0).momentum(0.9).weight_decay(1e-3));

  infoplane::examples::plane_settings ps;
  ps.out = o.out;
  if (noise) ps.noise_var = noise->variance();
  ps.m_train = o.m_train, ps.m_test = o.m_test, ps.seed = o.seed, ps.threads = o.threads;
  ps.save_representations = o.save;
  infoplane::examples::plane_recorder recorder(ps);
  std::filesystem::create_directories(o.out);
  std::ofstream log(o.out + "/training_log.csv");
  log << "epoch,lr,loss,train_acc,test_acc,train_ce,test_ce,kl,train_kl_bound,test_kl_bound,seconds_training,"
         "seconds_estimating\n";
  std::ofstream kl_csv;
  if (o.information) {
    kl_csv.open(o.out + "/i_xz_information_dropout.csv");
    kl_csv << "epoch,split,i_xz_kl_bound,i_xz,i_xz_lower,i_xz_upper,i_xz_std_error,i_xz_gauss_bound,i_xz_ceiling\n";
  }
  auto num = [](double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.9g", v);
    return std::string(b);
  };

  // One IP point per split: epoch 0 (untrained), every K-th epoch and the last.
  double est_total = 0;
  auto estimate = [&](std::size_t epoch, const evaluation& tr, const evaluation& te) {
    const auto t = clock::now();
    std::string line;
    for (const auto& [name, ev, data] : {std::tuple{"train", &tr, &train}, std::tuple{"test", &te, &test}}) {
      const Eigen::MatrixXd f = to_eigen(ev->f);
      std::optional<Eigen::MatrixXd> alpha;
      if (ev->alpha.defined()) alpha = to_eigen(ev->alpha);
      const auto s = recorder.add(epoch, name, f, data->labels, alpha ? &*alpha : nullptr, ev->ce);
      if (o.information)
        kl_csv << epoch << "," << name << "," << num(ev->kl) << "," << num(s.i_xz) << "," << num(s.i_xz_lower) << ","
               << num(s.i_xz_upper) << "," << num(s.i_xz_std_error) << "," << num(s.gauss_bound) << ","
               << num(s.i_xz_ceiling) << "\n" << std::flush;
      char b[160];
      std::snprintf(b, sizeof b, "  %s I(X;Z) %.2f [%.2f, %.2f] (log N %.2f), I(Z;Y) >= %.2f", name, s.i_xz, s.i_xz_lower,
                    s.i_xz_upper, s.i_xz_ceiling, s.i_zy_ce_bound);
      line += b;
    }
    recorder.write();
    const double sec = std::chrono::duration<double>(clock::now() - t).count();
    est_total += sec;
    return std::pair{sec, line};
  };
  {
    const auto [sec, line] = estimate(0, evaluate(model, train), evaluate(model, test));
    if (!o.quiet) std::cerr << "epoch 0/" << o.epochs << " (untrained)" << line << "  " << eta(sec) << "\n";
  }
  double train_total = 0;
  const std::int64_t n = train.x.size(0), batch = 256;
  for (std::size_t epoch = 1; epoch <= o.epochs; ++epoch) {
    const auto t = clock::now();
    const double lr = 0.5 * lr0 * (1.0 + std::cos(M_PI * double(epoch - 1) / double(o.epochs)));  // cosine annealing
    for (auto& g : opt.param_groups()) static_cast<torch::optim::SGDOptions&>(g.options()).lr(lr);
    model->train();
    const Tensor perm = torch::randperm(n, torch::kInt64);
    double loss_sum = 0, kl_sum = 0;
    for (std::int64_t i = 0; i < n; i += batch) {
      const Tensor idx = perm.slice(0, i, std::min(n, i + batch));
      const Tensor x = train.x.index_select(0, idx), y = train.y.index_select(0, idx);
      const pass p = model->forward(x, true);
      Tensor loss = F::cross_entropy(p.logits, y);
      if (p.kl.defined()) {
        const Tensor kl = p.kl.mean();  // KL / N: the dataset's mean of the per-sample KL
        loss = loss + o.beta * kl;
        kl_sum += kl.item<double>() * double(idx.size(0));
      }
      opt.zero_grad();
      loss.backward();
      opt.step();
      loss_sum += loss.item<double>() * double(idx.size(0));
    }
    model->eval();
    const double sec_train = std::chrono::duration<double>(clock::now() - t).count();
    train_total += sec_train;
    const bool ip_epoch = epoch % o.every == 0 || epoch == o.epochs;
    const evaluation tr = evaluate(model, train), te = evaluate(model, test);
    double sec_est = 0;
    std::string line;
    if (ip_epoch) std::tie(sec_est, line) = estimate(epoch, tr, te);
    const double loss = loss_sum / double(n), kl = kl_sum / double(n);
    log << epoch << "," << num(lr) << "," << num(loss) << "," << num(tr.acc) << "," << num(te.acc) << "," << num(tr.ce)
        << "," << num(te.ce) << "," << num(kl) << "," << (o.information ? num(tr.kl) : "") << ","
        << (o.information ? num(te.kl) : "") << "," << num(sec_train) << "," << num(sec_est) << "\n" << std::flush;
    if (!o.quiet) {
      const double per_epoch = train_total / double(epoch);
      const double left = per_epoch * double(o.epochs - epoch) +
                          est_total / double(1 + epoch / o.every) * double((o.epochs - epoch) / o.every);
      char b[200];
      std::snprintf(b, sizeof b, "epoch %zu/%zu loss %.4f acc %.3f/%.3f (train/test) CE %.3f/%.3f  %.1f s + %.1f s", epoch,
                    o.epochs, loss, tr.acc, te.acc, tr.ce, te.ce, sec_train, sec_est);
      std::cerr << b << (ip_epoch ? "\n" + line.substr(1) : std::string()) << "  ETA " << eta(left) << "\n";
    }
  }
  const std::string png = recorder.write();
  const double total = std::chrono::duration<double>(clock::now() - t0).count();
  std::cout << "{\"out\": \"" << o.out << "\", \"png\": " << (png.empty() ? "null" : "\"" + png + "\"")
            << ", \"seconds\": " << num(total) << ", \"seconds_training\": " << num(train_total)
            << ", \"seconds_estimating\": " << num(est_total) << "}\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const options o = parse(argc, argv);
    return o.self_test ? self_test_layers(o) : train(o);
  } catch (const usage_error& e) {
    std::cerr << "train_ip: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "train_ip: " << e.what() << "\n";
    return 1;
  }
}
