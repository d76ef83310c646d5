//! `cargo run --example web` as the README says: offline, it prints the URL and the seeded
//! credentials, serves the sign-in page there, and stops when told to.

use crate::common::cli::example_binary;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Kills the example when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// GET `path` over plain HTTP/1.1; the whole answer as text.
fn get(host_port: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(host_port).expect("connect to the example");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host_port}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read the answer");
    answer
}

#[test]
fn the_web_example_runs_offline_and_prints_where_and_who() {
    let mut child = Command::new(example_binary("web"))
        .args(["--port", "0"])
        .env_remove("RUST_LOG")
        .env_remove("WEB_COOKIE_KEY")
        .env_remove("COGNITO_CLIENT_SECRET")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the web example");
    let stdout = child.stdout.take().unwrap();
    let running = Running(child);

    // Lines until the URL, read on a thread so a silent example fails the test, not hangs it.
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            let done = line.starts_with("open");
            if lines.send(line).is_err() || done {
                return;
            }
        }
    });
    let mut printed = Vec::new();
    loop {
        let line = received
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no URL printed within 60 s; printed: {printed:#?}"));
        let done = line.starts_with("open");
        printed.push(line);
        if done {
            break;
        }
    }
    let value = |label: &str| {
        printed
            .iter()
            .find_map(|l| l.strip_prefix(label))
            .map(|rest| {
                rest.split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_owned()
            })
            .unwrap_or_else(|| panic!("no {label:?} line in {printed:#?}"))
    };
    assert!(value("backend").starts_with("in-memory"), "{printed:#?}");
    assert_eq!(value("user"), "alice");
    let password = value("password");
    assert!(password.len() >= 8, "{printed:#?}");
    let url = value("open");
    let host_port = url
        .strip_prefix("http://127.0.0.1:")
        .map(|rest| format!("127.0.0.1:{}", rest.trim_end_matches('/')))
        .unwrap_or_else(|| panic!("a URL on 127.0.0.1: {url}"));

    // It serves the sign-in page there.
    let page = get(&host_port, "/");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(page.contains("<h1>Sign in</h1>"), "{page}");
    assert!(page.contains("id=\"username\""), "{page}");
    drop(running);
}
