use libnn::{Activation, Callback, Initializer, Layer, Loss, Metric, Model, Optimizer, Status};
use std::sync::{Arc, Mutex};

fn data(n: usize) -> (Vec<f32>, Vec<f32>) {
    let mut s = 12345u32;
    let mut rnd = move || {
        s = s.wrapping_mul(1664525).wrapping_add(1013904223);
        (s >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0
    };
    let x: Vec<f32> = (0..n * 3).map(|_| rnd()).collect();
    let y = x.chunks(3).map(|r| 2.0 * r[0] - r[1] + 0.5 * r[2]).collect();
    (x, y)
}

fn model(seed: u64) -> Model {
    let mut m = Model::new(3).unwrap();
    m.set_seed(seed).unwrap();
    m.add(Layer::dense(16, Activation::Relu).unwrap().kernel_initializer(Initializer::HeUniform).unwrap()).unwrap();
    m.add(Layer::dropout(0.1).unwrap()).unwrap();
    m.add(Layer::dense(1, Activation::Linear).unwrap()).unwrap();
    m.compile(Optimizer::adam(1e-2).unwrap(), Loss::Mse).unwrap();
    m.add_metric(Metric::Mae).unwrap();
    m
}

#[test]
fn fit_evaluate_predict() {
    let (x, y) = data(200);
    let mut m = model(1);
    m.set_validation_split(0.2).unwrap();
    let h = m.fit(&x, &y, 40, 16).unwrap();
    assert_eq!(h.keys, ["loss", "mae", "val_loss", "val_mae", "learning_rate"]);
    assert_eq!(h.epochs(), 40);
    let vl = h.get("val_loss").unwrap();
    assert!(vl[39] < vl[0] / 5.0, "{:?}", vl);
    let loss = m.evaluate(&x, &y).unwrap();
    assert!(loss < 0.05, "{}", loss);
    assert!(m.evaluated_metric("mae").unwrap() < 0.2);
    assert!(m.evaluated_metric("nope").is_none());
    let p = m.predict(&x[..6]).unwrap();
    assert_eq!(p.len(), 2);
    assert_eq!(m.param_count(), 3 * 16 + 16 + 16 + 1);
    assert!(m.summary().unwrap().contains("Total params: 81"));
}

#[test]
fn same_seed_same_bits() {
    let (x, y) = data(64);
    let (mut a, mut b) = (model(9), model(9));
    assert_eq!(a.fit(&x, &y, 3, 8).unwrap(), b.fit(&x, &y, 3, 8).unwrap());
}

#[test]
fn errors_carry_status_and_message() {
    let (mut x, y) = data(20);
    let mut m = model(1);
    let e = m.fit(&x[..59], &y, 1, 4).unwrap_err();
    assert_eq!(e.status, Status::Shape);
    x[4 * 3 + 1] = f32::NAN;
    let e = m.fit(&x, &y, 1, 4).unwrap_err();
    assert_eq!(e.status, Status::NonFinite);
    assert!(e.message.contains("x[4][1]"), "{}", e.message);
    assert!(e.to_string().contains("non-finite"), "{}", e);
    let e = Layer::dropout(1.5).err().unwrap();
    assert_eq!(e.status, Status::InvalidArg);
    assert!(e.message.starts_with("Dropout"), "{}", e.message);
    let mut raw = Model::new(2).unwrap();
    raw.add(Layer::dense(1, Activation::Linear).unwrap()).unwrap();
    let e = raw.fit(&[1.0, 2.0], &[1.0], 1, 1).unwrap_err();
    assert_eq!(e.status, Status::State);
}

#[test]
fn callbacks_stop_training() {
    let (x, y) = data(64);
    let mut m = model(2);
    m.set_validation_split(0.25).unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = seen.clone();
    m.on_epoch_end(move |epoch, logs| {
        s2.lock().unwrap().push(logs["val_loss"]);
        epoch == 2
    })
    .unwrap();
    let h = m.fit(&x, &y, 10, 16).unwrap();
    assert_eq!(h.epochs(), 3);
    assert_eq!(*seen.lock().unwrap(), h.get("val_loss").unwrap());

    let mut m = model(2);
    m.set_validation_split(0.2).unwrap();
    m.add_callback(Callback::early_stopping("val_loss", 1.0, 2, true).unwrap()).unwrap();
    assert!(m.fit(&x, &y, 500, 16).unwrap().epochs() < 500);
}

#[test]
fn model_is_send() {
    fn assert_send<T: Send>() {}
    assert_send::<Model>();
    let (x, y) = data(32);
    let mut m = model(3);
    let h = std::thread::spawn(move || m.fit(&x, &y, 2, 8).unwrap()).join().unwrap();
    assert_eq!(h.epochs(), 2);
}

#[test]
fn unused_handles_are_freed_and_plot_works() {
    let _l = Layer::dense(3, Activation::Tanh).unwrap();
    let _o = Optimizer::sgd(0.1, 0.9, true).unwrap().clipnorm(1.0).unwrap();
    let _c = Callback::early_stopping("loss", 0.0, 1, false).unwrap();
    let (x, y) = data(32);
    let mut m = model(4);
    m.fit(&x, &y, 3, 8).unwrap();
    let dir = std::env::temp_dir().join(format!("libnn-rust-{}.svg", std::process::id()));
    m.plot_history(dir.to_str().unwrap(), false).unwrap();
    assert!(std::fs::read_to_string(&dir).unwrap().contains("<svg"));
    std::fs::remove_file(&dir).unwrap();
    assert_eq!(m.plot_history("/nonexistent/dir/x.svg", false).unwrap_err().status, Status::Io);
}

// An imbalanced threshold target: up-weighting the positive rows (per row or per class) must
// move the decision boundary towards more positive predictions; all-ones weights change nothing.
#[test]
fn sample_and_class_weights() {
    let mut s = 777u32;
    let mut rnd = move || {
        s = s.wrapping_mul(1664525).wrapping_add(1013904223);
        (s >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0
    };
    let x: Vec<f32> = (0..240).map(|_| rnd()).collect();
    let y: Vec<f32> = x.chunks(2).map(|r| if r[0] + r[1] > 0.8 { 1.0 } else { 0.0 }).collect();
    let build = || {
        let mut m = Model::new(2).unwrap();
        m.set_seed(3).unwrap();
        m.add(Layer::dense(1, Activation::Sigmoid).unwrap()).unwrap();
        m.compile(Optimizer::adam(0.05).unwrap(), Loss::BinaryCrossentropy).unwrap();
        m
    };
    let positives = |m: &mut Model| m.predict(&x).unwrap().iter().filter(|&&p| p >= 0.5).count();
    let mut plain = build();
    plain.fit(&x, &y, 20, 32).unwrap();
    let base = positives(&mut plain);

    let mut ones = build();
    ones.fit_weighted(&x, &y, &vec![1.0; y.len()], 20, 32).unwrap();
    assert_eq!(positives(&mut ones), base);

    let mut heavy = build();
    let w: Vec<f32> = y.iter().map(|&t| if t > 0.5 { 10.0 } else { 1.0 }).collect();
    heavy.add_weighted_metric(Metric::Accuracy).unwrap();
    let h = heavy.fit_weighted(&x, &y, &w, 20, 32).unwrap();
    assert!(h.keys.iter().any(|k| k == "accuracy"), "{:?}", h.keys);
    assert!(positives(&mut heavy) > base);

    let mut by_class = build();
    by_class.set_class_weights(Some(&[1.0, 10.0])).unwrap();
    by_class.fit(&x, &y, 20, 32).unwrap();
    assert!(positives(&mut by_class) > base);
    // class and sample weights together are refused, as in Keras
    let e = by_class.fit_weighted(&x, &y, &w, 1, 32).unwrap_err();
    assert_eq!(e.status, Status::InvalidArg);
    by_class.set_class_weights(None).unwrap();
    by_class.fit_weighted(&x, &y, &w, 1, 32).unwrap();

    assert_eq!(build().fit_weighted(&x, &y, &w[..3], 1, 32).unwrap_err().status, Status::Shape);
}

#[test]
fn column_names_are_saved() {
    let mut m = model(2);
    assert_eq!(m.feature_names(), None);
    m.set_feature_names(Some(&["a", "b", "c"])).unwrap();
    m.set_output_names(Some(&["y"])).unwrap();
    assert_eq!(m.set_feature_names(Some(&["a", "b"])).unwrap_err().status, Status::Shape);
    assert_eq!(m.set_feature_names(Some(&["a", "", "c"])).unwrap_err().status, Status::InvalidArg);
    let path = std::env::temp_dir().join(format!("libnn-names-{}.nn", std::process::id()));
    let p = path.to_str().unwrap();
    m.save(p).unwrap();
    let back = Model::load(p).unwrap();
    std::fs::remove_file(&path).ok();
    assert_eq!(back.feature_names(), Some(vec!["a".to_string(), "b".to_string(), "c".to_string()]));
    assert_eq!(back.output_names(), Some(vec!["y".to_string()]));
    m.set_feature_names(None).unwrap();
    assert_eq!(m.feature_names(), None);
}
