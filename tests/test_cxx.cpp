// The public header used from C++: extern "C" linkage, RAII ownership with
// std::unique_ptr and nn_model_free as the deleter, and a full train cycle.
#include "harness.h"
#include "nn.h"
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

namespace {

struct model_deleter {
    void operator()(nn_model *m) const { nn_model_free(m); }
};
typedef std::unique_ptr<nn_model, model_deleter> model_ptr;
typedef std::unique_ptr<nn_model, void (*)(nn_model *)> model_fn_ptr;

int epochs_seen = 0;
int cxx_on_epoch_end(nn_model *, int epoch, void *user)
{
    *static_cast<int *>(user) = epoch + 1;
    return 0;
}

} // namespace

TEST(cxx_unique_ptr_and_training)
{
    model_ptr m(nn_model_create(2));
    CHECK(m.get() != nullptr);
    CHECK_EQ(nn_model_set_seed(m.get(), 42), NN_OK);
    CHECK_EQ(nn_model_add(m.get(), nn_dense(8, NN_TANH)), NN_OK);
    CHECK_EQ(nn_model_add(m.get(), nn_dense(1, NN_SIGMOID)), NN_OK);
    CHECK_EQ(nn_model_compile(m.get(), nn_adam(0.05f), NN_LOSS_BINARY_CROSSENTROPY), NN_OK);
    CHECK_EQ(nn_model_add_metric(m.get(), NN_METRIC_ACCURACY), NN_OK);
    CHECK_EQ(nn_model_add_callback(m.get(), nn_callback_custom(nullptr, cxx_on_epoch_end, nullptr, &epochs_seen)), NN_OK);
    const std::vector<float> x = { 0, 0, 0, 1, 1, 0, 1, 1 }, y = { 0, 1, 1, 0 };
    CHECK_EQ(nn_model_fit(m.get(), x.data(), y.data(), 4, 300, 4), NN_OK);
    CHECK_EQ(epochs_seen, 300);
    std::vector<float> out(4);
    CHECK_EQ(nn_model_predict(m.get(), x.data(), 4, out.data()), NN_OK);
    for (size_t i = 0; i < 4; i++) CHECK((out[i] > 0.5f) == (y[i] > 0.5f));
    CHECK(std::isnan(nn_model_history(m.get(), "val_loss", 0)));
    CHECK_EQ(nn_model_history_len(m.get()), 300u);

    // move semantics: ownership transfers, the old pointer is empty
    model_ptr moved(std::move(m));
    CHECK(m.get() == nullptr);
    CHECK_EQ(nn_model_param_count(moved.get()), 33u);

    // a plain function pointer as the deleter, and a NULL handle is fine
    model_fn_ptr other(nn_model_create(3), nn_model_free);
    CHECK_EQ(nn_model_input_dim(other.get()), 3u);
    model_fn_ptr empty(nullptr, nn_model_free);
    CHECK(std::strcmp(nn_status_string(NN_ERR_STATE), "invalid state for this call") == 0);
    CHECK(nn_model_create(0) == nullptr);
    CHECK(std::strstr(nn_last_error(), "input_dim") != nullptr);
}
