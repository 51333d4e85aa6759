// libnn from C++: the plain C API with std::unique_ptr owning every handle.
// Handles handed to the model are released from their unique_ptr first (the model owns
// them from then on, even when the call fails), so nothing is freed twice or leaked.
// Build: make (-> build/examples/cpp_raii); run: build/examples/cpp_raii
#include "nn.h"

#include <cmath>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

struct ModelDeleter {
    void operator()(nn_model *m) const { nn_model_free(m); }
};
struct LayerDeleter {
    void operator()(nn_layer *l) const { nn_layer_free(l); }
};
struct OptimizerDeleter {
    void operator()(nn_optimizer *o) const { nn_optimizer_free(o); }
};
struct CallbackDeleter {
    void operator()(nn_callback *c) const { nn_callback_free(c); }
};
using Model = std::unique_ptr<nn_model, ModelDeleter>;
using Layer = std::unique_ptr<nn_layer, LayerDeleter>;
using Optimizer = std::unique_ptr<nn_optimizer, OptimizerDeleter>;
using Callback = std::unique_ptr<nn_callback, CallbackDeleter>;

struct Error : std::runtime_error {
    nn_status status;
    Error(nn_status s, const std::string &msg)
        : std::runtime_error(std::string(nn_status_string(s)) + ": " + msg), status(s) {}
};

// Throw on a non-OK status with the model's message.
void check(nn_status s, const nn_model *m)
{
    if (s != NN_OK) throw Error(s, m ? nn_model_error(m) : nn_last_error());
}

// Constructors return NULL on failure; the reason is in nn_last_error().
template <class Ptr> Ptr made(typename Ptr::pointer p, const char *what)
{
    if (!p) throw Error(NN_ERR_INVALID_ARG, std::string(what) + ": " + nn_last_error());
    return Ptr(p);
}

void add(const Model &m, Layer l) { check(nn_model_add(m.get(), l.release()), m.get()); }

} // namespace

int main()
{
    try {
        // y = sin(x0) + x1^2 on [-2, 2]^2
        const size_t n = 1000, in = 2;
        std::vector<float> x(n * in), y(n);
        unsigned s = 7;
        for (size_t i = 0; i < n * in; i++) {
            s = s * 1103515245u + 12345u;
            x[i] = static_cast<float>((s >> 8) & 0xFFFF) / 65535.0f * 4.0f - 2.0f;
        }
        for (size_t i = 0; i < n; i++) y[i] = std::sin(x[i * in]) + x[i * in + 1] * x[i * in + 1];

        Model m(nn_model_create(in));
        if (!m) throw Error(NN_ERR_NOMEM, nn_last_error());
        check(nn_model_set_seed(m.get(), 42), m.get());
        add(m, made<Layer>(nn_dense(64, NN_RELU), "dense"));
        add(m, made<Layer>(nn_dense(32, NN_RELU), "dense"));
        add(m, made<Layer>(nn_dense(1, NN_LINEAR), "dense"));
        Optimizer opt = made<Optimizer>(nn_adam(3e-3f), "adam");
        check(nn_model_compile(m.get(), opt.release(), NN_LOSS_MSE), m.get());
        check(nn_model_add_metric(m.get(), NN_METRIC_MAE), m.get());
        check(nn_model_set_validation_split(m.get(), 0.2f), m.get());
        Callback es = made<Callback>(nn_early_stopping("val_loss", 0.0f, 15, 1), "early_stopping");
        check(nn_model_add_callback(m.get(), es.release()), m.get());

        size_t need = 0;
        check(nn_model_summary(m.get(), nullptr, 0, &need), m.get());
        std::string summary(need, '\0');
        check(nn_model_summary(m.get(), &summary[0], need, &need), m.get());
        std::printf("%s", summary.c_str());

        check(nn_model_fit(m.get(), x.data(), y.data(), n, 200, 32), m.get());
        const size_t epochs = nn_model_history_len(m.get());
        std::printf("trained %zu epochs: val_loss %.4f -> %.4f\n", epochs,
                    static_cast<double>(nn_model_history(m.get(), "val_loss", 0)),
                    static_cast<double>(nn_model_history(m.get(), "val_loss", epochs - 1)));

        float loss = 0.0f;
        check(nn_model_evaluate(m.get(), x.data() + 800 * in, y.data() + 800, 200, &loss), m.get());
        std::printf("validation rows: mse %.4f, mae %.4f\n", static_cast<double>(loss),
                    static_cast<double>(nn_model_evaluated_metric(m.get(), "mae")));

        // Errors surface as exceptions carrying the library's message.
        std::vector<float> bad(x.begin(), x.begin() + 4 * in);
        bad[3] = NAN;
        std::vector<float> out(4);
        try {
            check(nn_model_fit(m.get(), bad.data(), y.data(), 4, 1, 4), m.get());
            std::printf("expected an error\n");
            return 1;
        } catch (const Error &e) {
            std::printf("caught: %s\n", e.what());
        }
        check(nn_model_predict(m.get(), x.data(), 4, out.data()), m.get());
        for (size_t i = 0; i < 4; i++)
            std::printf("x=(%+.2f, %+.2f)  y=%+.3f  predicted %+.3f\n", static_cast<double>(x[i * in]),
                        static_cast<double>(x[i * in + 1]), static_cast<double>(y[i]), static_cast<double>(out[i]));
        return loss < 0.05f ? 0 : 1;
    } catch (const std::exception &e) {
        std::fprintf(stderr, "cpp_raii: %s\n", e.what());
        return 1;
    }
}
