// Native convolution kernels for delta-sparsity's wasm backend, computed by oneDNN (the library PyTorch's CPU
// convolutions use). NHWC float32 tensors are read and written in place through pointers into the caller's
// typed arrays (views into the wasm heap): no copies of activations. Filters are reordered into the layout the
// chosen oneDNN implementation prefers (they are small). Primitives are cached by geometry, and oneDNN's OpenMP
// runtime runs them on DELTA_THREADS threads (default: all cores).
//
// Geometry (Int32Array of GEOMETRY_LENGTH values), as tfjs computes it ('same'/'valid' resolved to pads):
//   B, H, W, CI, OH, OW, CO, KH, KW, SH, SW, DH, DW, PT, PL, PB, PR, G
// where DH/DW are tfjs dilations (1 = none) and G the number of groups (1: Conv2D; C: depthwise with CO = C*M).
// tfjs filters are [KH, KW, CI, CO] (conv) and [KH, KW, C, M] (depthwise).
#include <node_api.h>
#include <omp.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "dnnl.hpp"

namespace {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using dt = dnnl::memory::data_type;

constexpr size_t GEOMETRY_LENGTH = 18;

struct Geometry {
  int64_t B, H, W, CI, OH, OW, CO, KH, KW, SH, SW, DH, DW, PT, PL, PB, PR, G;
  std::string key() const {
    const int64_t v[] = {B, H, W, CI, OH, OW, CO, KH, KW, SH, SW, DH, DW, PT, PL, PB, PR, G};
    std::string k;
    for (int64_t x : v) k += std::to_string(x) + ",";
    return k;
  }
  memory::desc src() const { return memory::desc({B, CI, H, W}, dt::f32, tag::nhwc); }
  memory::desc dst() const { return memory::desc({B, CO, OH, OW}, dt::f32, tag::nhwc); }
  // The tfjs filter layout, described by strides over oneDNN's logical (g,) o, i, kh, kw order.
  memory::desc userWeights() const {
    if (G == 1) return memory::desc({CO, CI, KH, KW}, dt::f32, memory::dims{1, CO, KW * CI * CO, CI * CO});
    const int64_t og = CO / G, ig = CI / G;
    return memory::desc({G, og, ig, KH, KW}, dt::f32, memory::dims{og, 1, G * og, KW * CI * og, CI * og});
  }
  memory::desc anyWeights() const {
    if (G == 1) return memory::desc({CO, CI, KH, KW}, dt::f32, tag::any);
    return memory::desc({G, CO / G, CI / G, KH, KW}, dt::f32, tag::any);
  }
  memory::dims strides() const { return {SH, SW}; }
  memory::dims dilates() const { return {DH - 1, DW - 1}; }
  memory::dims padL() const { return {PT, PL}; }
  memory::dims padR() const { return {PB, PR}; }
};

dnnl::engine& cpuEngine() {
  static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::stream& cpuStream() {
  static dnnl::stream stream(cpuEngine());
  return stream;
}

dnnl::convolution_forward::primitive_desc forwardDesc(const Geometry& g, bool bias, const dnnl::primitive_attr& attr) {
  const memory::desc biasDesc = bias ? memory::desc({g.CO}, dt::f32, tag::a) : memory::desc();
  dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, g.src(),
                                    g.anyWeights(), biasDesc, g.dst(), g.strides(), g.dilates(), g.padL(), g.padR());
  return dnnl::convolution_forward::primitive_desc(d, attr, cpuEngine());
}

// Filters in the primitive's layout, and the reorder between it and the tfjs layout (absent when they match).
struct WeightsBridge {
  memory::desc user;
  memory::desc prim;
  bool same = true;
  memory buffer;
  void init(const Geometry& g, const memory::desc& primDesc) {
    user = g.userWeights();
    prim = primDesc;
    same = user == prim;
    if (!same) buffer = memory(prim, cpuEngine());
  }
  // Memory holding `data` (tfjs layout) in the primitive's layout.
  memory toPrim(float* data) {
    memory userMem(user, cpuEngine(), data);
    if (same) return userMem;
    dnnl::reorder(userMem, buffer).execute(cpuStream(), userMem, buffer);
    return buffer;
  }
  memory primTarget(float* data) { return same ? memory(user, cpuEngine(), data) : buffer; }
  void fromPrim(float* data) {
    if (same) return;
    memory userMem(user, cpuEngine(), data);
    dnnl::reorder(buffer, userMem).execute(cpuStream(), buffer, userMem);
  }
};

struct ForwardEntry {
  dnnl::convolution_forward prim;
  WeightsBridge weights;
  std::string impl;
};
struct BackwardDataEntry {
  dnnl::convolution_backward_data prim;
  WeightsBridge weights;
  std::string impl;
};
struct BackwardWeightsEntry {
  dnnl::convolution_backward_weights prim;
  WeightsBridge weights;
  std::string impl;
};

std::unordered_map<std::string, std::unique_ptr<ForwardEntry>> forwardCache;
std::unordered_map<std::string, std::unique_ptr<BackwardDataEntry>> backwardDataCache;
std::unordered_map<std::string, std::unique_ptr<BackwardWeightsEntry>> backwardWeightsCache;

// Post-op codes shared with the TypeScript side (nativeConvKernels.ts).
enum Activation { LINEAR = 0, RELU = 1, RELU6 = 2, ELU = 3, SIGMOID = 4, LEAKYRELU = 5 };

dnnl::primitive_attr activationAttr(int activation, float alpha) {
  dnnl::primitive_attr attr;
  if (activation == LINEAR) return attr;
  dnnl::post_ops ops;
  switch (activation) {
    case RELU: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f); break;
    case RELU6: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_clip, 0.f, 6.f); break;
    case ELU: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_elu, 1.f, 0.f); break;
    case SIGMOID: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_logistic, 0.f, 0.f); break;
    case LEAKYRELU: ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, alpha, 0.f); break;
    default: throw std::runtime_error("unknown activation code " + std::to_string(activation));
  }
  attr.set_post_ops(ops);
  return attr;
}

ForwardEntry& forwardEntry(const Geometry& g, bool bias, int activation, float alpha) {
  const std::string key = g.key() + (bias ? "b" : "n") + std::to_string(activation) + ":" + std::to_string(alpha);
  auto found = forwardCache.find(key);
  if (found != forwardCache.end()) return *found->second;
  auto pd = forwardDesc(g, bias, activationAttr(activation, alpha));
  std::unique_ptr<ForwardEntry> entry(new ForwardEntry{dnnl::convolution_forward(pd), {}, pd.impl_info_str()});
  entry->weights.init(g, pd.weights_desc());
  return *(forwardCache[key] = std::move(entry));
}

BackwardDataEntry& backwardDataEntry(const Geometry& g) {
  const std::string key = g.key();
  auto found = backwardDataCache.find(key);
  if (found != backwardDataCache.end()) return *found->second;
  auto hint = forwardDesc(g, false, dnnl::primitive_attr());
  dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct, g.src(), g.anyWeights(), g.dst(),
                                          g.strides(), g.dilates(), g.padL(), g.padR());
  dnnl::convolution_backward_data::primitive_desc pd(d, cpuEngine(), hint);
  std::unique_ptr<BackwardDataEntry> entry(
      new BackwardDataEntry{dnnl::convolution_backward_data(pd), {}, pd.impl_info_str()});
  entry->weights.init(g, pd.weights_desc());
  return *(backwardDataCache[key] = std::move(entry));
}

BackwardWeightsEntry& backwardWeightsEntry(const Geometry& g) {
  const std::string key = g.key();
  auto found = backwardWeightsCache.find(key);
  if (found != backwardWeightsCache.end()) return *found->second;
  auto hint = forwardDesc(g, false, dnnl::primitive_attr());
  dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct, g.src(), g.anyWeights(), g.dst(),
                                             g.strides(), g.dilates(), g.padL(), g.padR());
  dnnl::convolution_backward_weights::primitive_desc pd(d, cpuEngine(), hint);
  std::unique_ptr<BackwardWeightsEntry> entry(
      new BackwardWeightsEntry{dnnl::convolution_backward_weights(pd), {}, pd.impl_info_str()});
  entry->weights.init(g, pd.diff_weights_desc());
  return *(backwardWeightsCache[key] = std::move(entry));
}

// ---- N-API glue -------------------------------------------------------------------------------------------

struct ArgError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void check(napi_env env, napi_status status, const char* what) {
  if (status != napi_ok) throw ArgError(std::string("N-API call failed: ") + what);
}

// The data pointer of a typed array argument (in place: for a view into the wasm heap, a pointer into it).
template <typename T>
T* typedArray(napi_env env, napi_value value, napi_typedarray_type expected, size_t expectedLength, const char* name) {
  bool isTyped = false;
  check(env, napi_is_typedarray(env, value, &isTyped), "napi_is_typedarray");
  if (!isTyped) throw ArgError(std::string(name) + ": expected a typed array");
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  check(env, napi_get_typedarray_info(env, value, &type, &length, &data, nullptr, nullptr), "napi_get_typedarray_info");
  if (type != expected) throw ArgError(std::string(name) + ": wrong typed array type");
  if (expectedLength != SIZE_MAX && length != expectedLength) {
    throw ArgError(std::string(name) + ": expected " + std::to_string(expectedLength) + " elements, got " +
                   std::to_string(length));
  }
  return static_cast<T*>(data);
}

Geometry readGeometry(napi_env env, napi_value value) {
  const int32_t* v = typedArray<int32_t>(env, value, napi_int32_array, GEOMETRY_LENGTH, "geometry");
  Geometry g{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15], v[16], v[17]};
  const int64_t positive[] = {g.B, g.H, g.W, g.CI, g.OH, g.OW, g.CO, g.KH, g.KW, g.SH, g.SW, g.DH, g.DW, g.G};
  for (int64_t x : positive) {
    if (x < 1) throw ArgError("geometry: sizes, strides, dilations and groups must be >= 1");
  }
  if (g.CI % g.G != 0 || g.CO % g.G != 0) throw ArgError("geometry: channels must be divisible by groups");
  return g;
}

std::vector<napi_value> args(napi_env env, napi_callback_info info, size_t count) {
  std::vector<napi_value> argv(count);
  size_t argc = count;
  check(env, napi_get_cb_info(env, info, &argc, argv.data(), nullptr, nullptr), "napi_get_cb_info");
  if (argc != count) throw ArgError("expected " + std::to_string(count) + " arguments");
  return argv;
}

napi_value undefinedValue(napi_env env) {
  napi_value result;
  napi_get_undefined(env, &result);
  return result;
}

template <typename F>
napi_value guarded(napi_env env, F body) {
  try {
    return body();
  } catch (const dnnl::error& e) {
    napi_throw_error(env, nullptr, (std::string("oneDNN: ") + e.what()).c_str());
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, e.what());
  }
  return nullptr;
}

size_t sizeOf(std::initializer_list<int64_t> dims) {
  size_t n = 1;
  for (int64_t d : dims) n *= static_cast<size_t>(d);
  return n;
}

// convForward(geometry, x, filter, bias | null, y, activation, alpha): y = act(conv(x, filter) + bias).
napi_value ConvForward(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() {
    auto a = args(env, info, 7);
    const Geometry g = readGeometry(env, a[0]);
    float* x = typedArray<float>(env, a[1], napi_float32_array, sizeOf({g.B, g.H, g.W, g.CI}), "x");
    float* w = typedArray<float>(env, a[2], napi_float32_array, sizeOf({g.KH, g.KW, g.CI / g.G, g.CO}), "filter");
    napi_valuetype biasType;
    check(env, napi_typeof(env, a[3], &biasType), "napi_typeof");
    float* bias = biasType == napi_null ? nullptr : typedArray<float>(env, a[3], napi_float32_array, g.CO, "bias");
    float* y = typedArray<float>(env, a[4], napi_float32_array, sizeOf({g.B, g.OH, g.OW, g.CO}), "y");
    int32_t activation = 0;
    double alpha = 0;
    check(env, napi_get_value_int32(env, a[5], &activation), "activation");
    check(env, napi_get_value_double(env, a[6], &alpha), "alpha");
    ForwardEntry& e = forwardEntry(g, bias != nullptr, activation, static_cast<float>(alpha));
    std::unordered_map<int, memory> io{{DNNL_ARG_SRC, memory(g.src(), cpuEngine(), x)},
                                       {DNNL_ARG_WEIGHTS, e.weights.toPrim(w)},
                                       {DNNL_ARG_DST, memory(g.dst(), cpuEngine(), y)}};
    if (bias != nullptr) io[DNNL_ARG_BIAS] = memory(memory::desc({g.CO}, dt::f32, tag::a), cpuEngine(), bias);
    e.prim.execute(cpuStream(), io);
    cpuStream().wait();
    return undefinedValue(env);
  });
}

// convBackwardData(geometry, dy, filter, dx): dx = the input gradient (overwritten).
napi_value ConvBackwardData(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() {
    auto a = args(env, info, 4);
    const Geometry g = readGeometry(env, a[0]);
    float* dy = typedArray<float>(env, a[1], napi_float32_array, sizeOf({g.B, g.OH, g.OW, g.CO}), "dy");
    float* w = typedArray<float>(env, a[2], napi_float32_array, sizeOf({g.KH, g.KW, g.CI / g.G, g.CO}), "filter");
    float* dx = typedArray<float>(env, a[3], napi_float32_array, sizeOf({g.B, g.H, g.W, g.CI}), "dx");
    BackwardDataEntry& e = backwardDataEntry(g);
    e.prim.execute(cpuStream(), {{DNNL_ARG_DIFF_DST, memory(g.dst(), cpuEngine(), dy)},
                                 {DNNL_ARG_WEIGHTS, e.weights.toPrim(w)},
                                 {DNNL_ARG_DIFF_SRC, memory(g.src(), cpuEngine(), dx)}});
    cpuStream().wait();
    return undefinedValue(env);
  });
}

// convBackwardWeights(geometry, x, dy, dw): dw = the filter gradient in the tfjs layout (overwritten).
napi_value ConvBackwardWeights(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() {
    auto a = args(env, info, 4);
    const Geometry g = readGeometry(env, a[0]);
    float* x = typedArray<float>(env, a[1], napi_float32_array, sizeOf({g.B, g.H, g.W, g.CI}), "x");
    float* dy = typedArray<float>(env, a[2], napi_float32_array, sizeOf({g.B, g.OH, g.OW, g.CO}), "dy");
    float* dw = typedArray<float>(env, a[3], napi_float32_array, sizeOf({g.KH, g.KW, g.CI / g.G, g.CO}), "dw");
    BackwardWeightsEntry& e = backwardWeightsEntry(g);
    e.prim.execute(cpuStream(), {{DNNL_ARG_SRC, memory(g.src(), cpuEngine(), x)},
                                 {DNNL_ARG_DIFF_DST, memory(g.dst(), cpuEngine(), dy)},
                                 {DNNL_ARG_DIFF_WEIGHTS, e.weights.primTarget(dw)}});
    e.weights.fromPrim(dw);
    cpuStream().wait();
    return undefinedValue(env);
  });
}

// implementations(geometry): the oneDNN implementation names of forward, backward-data and backward-weights.
napi_value Implementations(napi_env env, napi_callback_info info) {
  return guarded(env, [&]() {
    auto a = args(env, info, 1);
    const Geometry g = readGeometry(env, a[0]);
    const std::string text = forwardEntry(g, false, LINEAR, 0.f).impl + " / " + backwardDataEntry(g).impl + " / " +
                             backwardWeightsEntry(g).impl;
    napi_value result;
    check(env, napi_create_string_utf8(env, text.c_str(), text.size(), &result), "napi_create_string_utf8");
    return result;
  });
}

napi_value Threads(napi_env env, napi_callback_info) {
  napi_value result;
  napi_create_int32(env, omp_get_max_threads(), &result);
  return result;
}

napi_value Version(napi_env env, napi_callback_info) {
  const dnnl_version_t* v = dnnl_version();
  const std::string text = std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
  napi_value result;
  napi_create_string_utf8(env, text.c_str(), text.size(), &result);
  return result;
}

napi_value Init(napi_env env, napi_value exports) {
  // DELTA_THREADS: threads of oneDNN's OpenMP pool; unset or invalid keeps OpenMP's default (all cores, or
  // OMP_NUM_THREADS). All kernels run on Node's main thread, whose OpenMP setting this is.
  const char* threads = std::getenv("DELTA_THREADS");
  if (threads != nullptr) {
    const int n = std::atoi(threads);
    if (n >= 1) omp_set_num_threads(n);
  }
  const napi_property_descriptor props[] = {
      {"convForward", nullptr, ConvForward, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"convBackwardData", nullptr, ConvBackwardData, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"convBackwardWeights", nullptr, ConvBackwardWeights, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"implementations", nullptr, Implementations, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"threads", nullptr, Threads, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
      {"version", nullptr, Version, nullptr, nullptr, nullptr, napi_default_jsproperty, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
