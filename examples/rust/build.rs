// Link the static libnn.a built by the top-level Makefile (../../build, or $NN_LIB_DIR),
// so tests and binaries run without LD_LIBRARY_PATH.
use std::env;
use std::path::PathBuf;

fn main() {
    let dir = match env::var("NN_LIB_DIR") {
        Ok(d) => PathBuf::from(d),
        Err(_) => PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap()).join("../../build"),
    };
    let dir = dir.canonicalize().unwrap_or(dir);
    if !dir.join("libnn.a").exists() {
        println!("cargo:warning=libnn.a not found in {} (run `make lib` at the repository root)", dir.display());
    }
    println!("cargo:rustc-link-search=native={}", dir.display());
    println!("cargo:rustc-link-lib=static=nn");
    println!("cargo:rustc-link-lib=m");
    println!("cargo:rerun-if-env-changed=NN_LIB_DIR");
    println!("cargo:rerun-if-changed={}", dir.join("libnn.a").display());
}
