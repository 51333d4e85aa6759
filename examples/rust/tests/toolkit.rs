//! Toolkit layers, callbacks, schedules, weights and model files through the safe wrapper.
use libnn::{Activation, Callback, Layer, Loss, Metric, Model, Optimizer, Schedule, Status};
use std::sync::{Arc, Mutex};

fn data(n: usize) -> (Vec<f32>, Vec<f32>) {
    let mut s = 777u32;
    let mut rnd = move || {
        s = s.wrapping_mul(1664525).wrapping_add(1013904223);
        (s >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0
    };
    let x: Vec<f32> = (0..n * 3).map(|_| rnd()).collect();
    let y = x.chunks(3).map(|r| r[0] - 2.0 * r[1] + r[2] * r[0]).collect();
    (x, y)
}

fn tmp(name: &str) -> String {
    let d = std::env::temp_dir().join(format!("libnn-rust-{}-{}", std::process::id(), name));
    d.to_string_lossy().into_owned()
}

#[test]
fn toolkit_layers_and_regularizers() {
    let (x, y) = data(128);
    let mut m = Model::new(3).unwrap();
    m.set_seed(5).unwrap();
    m.add(Layer::gaussian_noise(0.05).unwrap()).unwrap();
    m.add(Layer::dense(16, Activation::Linear).unwrap().kernel_regularizer(0.0, 1e-3).unwrap()
        .bias_regularizer(1e-4, 0.0).unwrap()).unwrap();
    m.add(Layer::batch_norm().unwrap().momentum(0.9).unwrap().epsilon(1e-3).unwrap()).unwrap();
    m.add(Layer::activation(Activation::Relu).unwrap()).unwrap();
    m.add(Layer::gaussian_dropout(0.1).unwrap()).unwrap();
    m.add(Layer::layer_norm().unwrap()).unwrap();
    m.add(Layer::dense(1, Activation::Linear).unwrap()).unwrap();
    m.compile(Optimizer::adam(1e-2).unwrap(), Loss::Mse).unwrap();
    // dense 3*16+16, batch norm 4*16, layer norm 2*16, dense 16+1
    assert_eq!(m.param_count(), 64 + 64 + 32 + 17);
    let h = m.fit(&x, &y, 10, 32).unwrap();
    assert!(h.get("loss").unwrap()[9] < h.get("loss").unwrap()[0]);
    assert!(Layer::gaussian_dropout(1.0).is_err());
    assert!(Layer::gaussian_noise(-1.0).is_err());
}

#[test]
fn weights_round_trip_and_save_load() {
    let (x, y) = data(64);
    let mk = |seed| {
        let mut m = Model::new(3).unwrap();
        m.set_seed(seed).unwrap();
        m.add(Layer::dense(8, Activation::Tanh).unwrap()).unwrap();
        m.add(Layer::batch_norm().unwrap()).unwrap();
        m.add(Layer::dense(1, Activation::Linear).unwrap()).unwrap();
        m.compile(Optimizer::adam(1e-2).unwrap(), Loss::Mse).unwrap();
        m.add_metric(Metric::Mae).unwrap();
        m
    };
    let (mut a, mut b) = (mk(1), mk(2));
    a.fit(&x, &y, 3, 16).unwrap();
    let w = a.get_weights().unwrap();
    assert_eq!(w.len(), a.param_count());
    b.set_weights(&w).unwrap();
    assert_eq!(a.predict(&x).unwrap(), b.predict(&x).unwrap());
    assert_eq!(b.set_weights(&w[1..]).unwrap_err().status, Status::Shape);

    let path = tmp("model.nn");
    a.save(&path).unwrap();
    let mut c = Model::load(&path).unwrap();
    assert_eq!(c.input_dim(), 3);
    assert_eq!(c.predict(&x).unwrap(), a.predict(&x).unwrap());
    // training resumes exactly: the same further fit on both gives the same weights
    a.fit(&x, &y, 2, 16).unwrap();
    c.fit(&x, &y, 2, 16).unwrap();
    assert_eq!(a.get_weights().unwrap(), c.get_weights().unwrap());
    std::fs::remove_file(&path).unwrap();
    assert_eq!(Model::load(&path).err().unwrap().status, Status::Io);
    std::fs::write(&path, b"not a model").unwrap();
    assert_eq!(Model::load(&path).err().unwrap().status, Status::Format);
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn reduce_lr_scheduler_and_schedules() {
    let (x, y) = data(64);
    let mut m = Model::new(3).unwrap();
    m.set_seed(3).unwrap();
    m.add(Layer::dense(1, Activation::Linear).unwrap()).unwrap();
    m.compile(Optimizer::sgd(0.1, 0.0, false).unwrap(), Loss::Mse).unwrap();
    m.add_callback(Callback::reduce_lr_on_plateau("loss", 0.5, 0, 0.0).unwrap().mode("max").unwrap()).unwrap();
    let h = m.fit(&x, &y, 4, 64).unwrap();
    let lr = h.get("learning_rate").unwrap();
    assert_eq!(lr[0], 0.1);
    assert!(lr[3] < lr[0]); // a falling loss never "improves" in mode max
    m.clear_callbacks().unwrap();

    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = seen.clone();
    m.lr_scheduler(move |epoch, lr| {
        s2.lock().unwrap().push(lr);
        0.01 / (epoch as f32 + 1.0)
    }).unwrap();
    let h = m.fit(&x, &y, 3, 64).unwrap();
    assert_eq!(h.get("learning_rate").unwrap(), &[0.01, 0.005, 0.01 / 3.0][..]);
    assert_eq!(seen.lock().unwrap().len(), 3);

    let s = Schedule::exponential_decay(0.1, 10, 0.5, true).unwrap();
    assert_eq!(s.value(9), 0.1);
    assert_eq!(s.value(10), 0.05);
    let p = Schedule::piecewise_constant(&[5], &[1.0, 0.5]).unwrap();
    assert_eq!((p.value(5), p.value(6)), (1.0, 0.5));
    assert!(Schedule::piecewise_constant(&[5], &[1.0]).is_err());
    assert!((Schedule::cosine_decay(1.0, 10, 0.0).unwrap().value(5) - 0.5).abs() < 1e-6);
    assert!((Schedule::inverse_time_decay(1.0, 1, 1.0, false).unwrap().value(1) - 0.5).abs() < 1e-6);

    let mut m = Model::new(3).unwrap();
    m.add(Layer::dense(1, Activation::Linear).unwrap()).unwrap();
    let opt = Optimizer::sgd(0.1, 0.0, false).unwrap()
        .schedule(Schedule::exponential_decay(0.1, 1, 0.5, false).unwrap().per_epoch(true).unwrap()).unwrap();
    m.compile(opt, Loss::Mse).unwrap();
    let h = m.fit(&x, &y, 3, 16).unwrap();
    let lr = h.get("learning_rate").unwrap();
    assert!(lr[2] < lr[0], "{:?}", lr);
}

#[test]
fn checkpoint_csv_logger_terminate_on_nan() {
    let (x, y) = data(64);
    let (ck, log) = (tmp("best.nn"), tmp("log.csv"));
    let mut m = Model::new(3).unwrap();
    m.set_seed(9).unwrap();
    m.add(Layer::dense(4, Activation::Relu).unwrap()).unwrap();
    m.add(Layer::dense(1, Activation::Linear).unwrap()).unwrap();
    m.compile(Optimizer::adam(1e-2).unwrap(), Loss::Mse).unwrap();
    m.set_validation_split(0.25).unwrap();
    m.add_callback(Callback::model_checkpoint(&ck, "val_loss", true).unwrap()).unwrap();
    m.add_callback(Callback::csv_logger(&log).unwrap()).unwrap();
    m.fit(&x, &y, 3, 16).unwrap();
    assert_eq!(Model::load(&ck).unwrap().input_dim(), 3);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.starts_with("epoch,"));
    assert_eq!(text.lines().count(), 4);
    std::fs::remove_file(&ck).unwrap();
    std::fs::remove_file(&log).unwrap();

    let big: Vec<f32> = x.iter().map(|v| v * 1e3).collect();
    let mut m = Model::new(3).unwrap();
    m.add(Layer::dense(1, Activation::Linear).unwrap()).unwrap();
    m.compile(Optimizer::sgd(1e30, 0.0, false).unwrap(), Loss::Mse).unwrap();
    m.add_callback(Callback::terminate_on_nan().unwrap()).unwrap();
    assert_eq!(m.fit(&big, &y, 50, 16).unwrap_err().status, Status::NonFinite);
    assert!(m.history().epochs() < 50);
}
