//! One HTTP and one TLS stack are built: the SDK's default `rustls`
//! feature would add hyper 0.14 and rustls 0.21 on ring beside hyper 1 and
//! rustls 0.23 on aws-lc, twice the code to build, audit and patch. Asked
//! of `cargo tree` (offline, from Cargo.lock), with every feature and the
//! dev-dependencies.

use std::collections::BTreeSet;
use std::process::Command;

/// Every `name vX.Y.Z` cargo would build for this package.
fn packages() -> BTreeSet<String> {
    let out = Command::new(env!("CARGO"))
        .args([
            "tree",
            "--offline",
            "--locked",
            "--all-features",
            "-e",
            "normal,dev,build",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim_end_matches(" (*)").to_owned())
        .collect()
}

fn versions(packages: &BTreeSet<String>, name: &str) -> Vec<String> {
    packages
        .iter()
        .filter_map(|p| p.strip_prefix(&format!("{name} v")))
        .map(|v| v.split(' ').next().unwrap_or(v).to_owned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

#[test]
fn one_http_and_tls_stack_is_built() {
    let packages = packages();
    let hyper = versions(&packages, "hyper");
    let rustls = versions(&packages, "rustls");
    assert_eq!(hyper.len(), 1, "hyper: {hyper:?}");
    assert_eq!(rustls.len(), 1, "rustls: {rustls:?}");
    assert!(hyper[0].starts_with("1."), "{hyper:?}");
    assert!(rustls[0].starts_with("0.23."), "{rustls:?}");
    assert!(versions(&packages, "hyper-rustls").len() == 1);
    assert!(
        versions(&packages, "ring").is_empty(),
        "aws-lc is the one provider"
    );
    assert!(!versions(&packages, "aws-lc-rs").is_empty());
}
