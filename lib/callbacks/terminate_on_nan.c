/* TerminateOnNaN (Keras): stop training at the first batch whose loss is NaN
   or Inf. fit handles the batch itself (see handles_nonfinite); this hook
   only reports it and requests the stop. */
#include "callbacks/callback.h"
#include "core/model.h"
#include <math.h>

static int tnan_batch_end(nn_callback *cb, nn_model *m, int batch, float loss)
{
    (void)cb;
    if (isfinite(loss)) return 0;
    if (m->verbose) nni_log(m, "Batch %d: Invalid loss, terminating training\n", batch);
    return 1;
}

static const nni_cb_ops tnan_ops = {
    "TerminateOnNaN", NULL, NULL, NULL, tnan_batch_end, NULL, NULL, NULL, NULL, 1,
};

nn_callback *nn_terminate_on_nan(void) { return nni_callback_new(&tnan_ops); }
