//! Running the example binaries (`cognito-idp`, `quickstart`) from the tests.
//!
//! `cargo test` builds the examples next to the test binaries, in `target/debug/examples/`;
//! `cargo test --test NAME` alone does not, hence the hint when one is missing.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The example binary `name`: `target/debug/examples/NAME`, found from this test binary's own
/// path (`target/debug/deps/TEST-HASH`). Panics with a hint when it has not been built, or was
/// built before its source (`examples/NAME.rs`, or any file in `examples/NAME/`) last changed.
pub fn example_binary(name: &str) -> PathBuf {
    let test_binary = std::env::current_exe().expect("the test binary's path");
    let profile_dir = test_binary
        .parent()
        .and_then(Path::parent)
        .expect("the test binary sits in target/<profile>/deps/");
    let path = profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.exists(),
        "the example binary {} is missing. `cargo test` builds the examples, but \
         `cargo test --test NAME` alone does not: run `cargo build --examples` first \
         (with the same features and profile)",
        path.display()
    );
    // A single-file example, or one in a folder of its own: every file of it counts.
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let single = examples.join(format!("{name}.rs"));
    let sources: Vec<PathBuf> = if single.exists() {
        vec![single]
    } else {
        std::fs::read_dir(examples.join(name))
            .map(|dir| dir.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default()
    };
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let newest = sources
        .iter()
        .filter_map(|p| modified(p).map(|at| (at, p)))
        .max();
    if let (Some(built), Some((edited, source))) = (modified(&path), newest) {
        assert!(
            built >= edited,
            "the example binary {} is older than {}: run `cargo build --examples` (or plain \
             `cargo test`, which builds them) first",
            path.display(),
            source.display()
        );
    }
    path
}

/// What a run of a binary left behind.
#[derive(Debug)]
pub struct Run {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The exit code (panics when the process was killed by a signal).
    pub fn code(&self) -> i32 {
        self.status
            .code()
            .unwrap_or_else(|| panic!("killed by a signal: {self:#?}"))
    }

    /// Asserts exit 0 and returns stdout as JSON.
    pub fn json(&self) -> serde_json::Value {
        assert_eq!(self.code(), 0, "expected success: {self:#?}");
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:#?}"))
    }

    /// The lines of stderr.
    pub fn stderr_lines(&self) -> Vec<&str> {
        self.stderr.lines().collect()
    }
}

/// The `cognito-idp` example, pointed at `endpoint` with a clean AWS environment: region
/// us-east-1, dummy credentials, no profile, no shared config files, no instance metadata.
/// Nothing from the test's own environment leaks in (`RUST_LOG`, `COGNITO_CLIENT_SECRET`, ...).
pub struct CognitoIdp {
    endpoint: String,
}

impl CognitoIdp {
    pub fn new(endpoint: impl Into<String>) -> Self {
        Self {
            endpoint: endpoint.into(),
        }
    }

    /// The command, ready to take arguments.
    pub fn command(&self) -> Command {
        let mut command = Command::new(example_binary("cognito-idp"));
        command
            .env_clear()
            .env("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", &self.endpoint)
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_CONFIG_FILE", "/nonexistent/aws/config")
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                "/nonexistent/aws/credentials",
            )
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .stdin(Stdio::null());
        command
    }

    /// Runs with `args` and no stdin.
    pub fn run(&self, args: &[&str]) -> Run {
        run(self.command().args(args))
    }

    /// Runs with `args`, asserts success, and returns stdout as JSON.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        self.run(args).json()
    }

    /// Runs with `args`, writing `stdin` to it.
    pub fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Run {
        let mut child = self
            .command()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn cognito-idp");
        child
            .stdin
            .take()
            .expect("piped stdin")
            .write_all(stdin.as_bytes())
            .expect("write stdin");
        let output = child.wait_with_output().expect("wait for cognito-idp");
        Run {
            status: output.status,
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// Runs `command` to the end.
pub fn run(command: &mut Command) -> Run {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    Run {
        status: output.status,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `http://127.0.0.1:PORT` of a port nothing listens on (bound, then released).
pub fn closed_port_endpoint() -> String {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a free port");
    let port = listener.local_addr().expect("local address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

/// How long an interactive run may take before the watchdog kills it, so that a run waiting
/// for input the test does not send fails the test instead of hanging it.
pub const INTERACTIVE_TIMEOUT: Duration = Duration::from_secs(120);

/// A `cognito-idp` run that is talked to line by line: answers go to its stdin while its stdout
/// is read, for the interactive commands. A watchdog kills it after [`INTERACTIVE_TIMEOUT`].
pub struct Interactive {
    child: Arc<Mutex<Child>>,
    done: Arc<AtomicBool>,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    stderr: ChildStderr,
}

impl Interactive {
    /// Starts `cognito-idp` with `args`, stdin, stdout and stderr piped.
    pub fn spawn(cli: &CognitoIdp, args: &[&str]) -> Self {
        let mut child = cli
            .command()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn cognito-idp");
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let stderr = child.stderr.take().expect("piped stderr");
        let child = Arc::new(Mutex::new(child));
        let done = Arc::new(AtomicBool::new(false));
        let (watched, finished) = (Arc::clone(&child), Arc::clone(&done));
        std::thread::spawn(move || {
            let deadline = Instant::now() + INTERACTIVE_TIMEOUT;
            while Instant::now() < deadline {
                if finished.load(Ordering::SeqCst) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            if !finished.load(Ordering::SeqCst) {
                let _ = watched.lock().expect("child lock").kill();
            }
        });
        Self {
            child,
            done,
            stdin,
            stdout,
            stderr,
        }
    }

    /// Writes one line to its stdin.
    pub fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin still open");
        writeln!(stdin, "{line}").expect("write to cognito-idp's stdin");
        stdin.flush().expect("flush cognito-idp's stdin");
    }

    /// Reads stdout up to and including the first line that contains `needle`; returns that
    /// line. Panics, with what it read and stderr, if stdout ends first.
    pub fn read_until(&mut self, needle: &str) -> String {
        let mut seen = String::new();
        loop {
            let mut line = String::new();
            let n = self
                .stdout
                .read_line(&mut line)
                .expect("read cognito-idp's stdout");
            if n == 0 {
                drop(self.stdin.take());
                let mut stderr = String::new();
                let _ = self.stderr.read_to_string(&mut stderr);
                panic!(
                    "stdout ended before {needle:?} (killed after {INTERACTIVE_TIMEOUT:?} if it \
                     waited for input); stdout:\n{seen}\nstderr:\n{stderr}"
                );
            }
            if line.contains(needle) {
                return line.trim_end().to_owned();
            }
            seen.push_str(&line);
        }
    }

    /// Closes stdin and waits for the end; the run holds the stdout not read yet.
    pub fn finish(mut self) -> Run {
        drop(self.stdin.take());
        let mut stdout = String::new();
        self.stdout
            .read_to_string(&mut stdout)
            .expect("read cognito-idp's stdout");
        let mut stderr = String::new();
        self.stderr
            .read_to_string(&mut stderr)
            .expect("read cognito-idp's stderr");
        let status = self
            .child
            .lock()
            .expect("child lock")
            .wait()
            .expect("wait for cognito-idp");
        self.done.store(true, Ordering::SeqCst);
        Run {
            status,
            stdout,
            stderr,
        }
    }
}

impl Drop for Interactive {
    fn drop(&mut self) {
        // A test that panicked midway: end the run rather than leave it waiting on stdin.
        if !self.done.swap(true, Ordering::SeqCst)
            && let Ok(mut child) = self.child.lock()
        {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A fresh, empty directory for a test's files: `target/tmp/NAME-PID` (CARGO_TARGET_TMPDIR),
/// emptied first if a run with the same process id left it behind.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}
