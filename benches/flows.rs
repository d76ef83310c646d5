//! Whole flows on the in-memory pool: the library's own cost with no network.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]
#![allow(unsafe_code)] // a counting global allocator
//!
//! `cargo bench --bench flows`
//!
//! - `flows/sign_in_totp`: password → `TotpRequired` → answer, through
//!   [`SignIn`]; `flows/sign_in_totp_backend_only` makes the same two calls
//!   straight on the pool, so the difference is the library's overhead over
//!   the in-memory Cognito.
//! - `flows/enrollment`: `start_with_access_token` → `verify` (which sets
//!   the MFA preference too), with an account name given, so no GetUser.
//! - `concurrent/sign_ins/N`: N sign-ins in flight at once on one pool (a
//!   multi-thread runtime, one task each, joined with a `JoinSet`). Each task
//!   yields between its password step and its answer, so all N challenges
//!   are pending together, as when people type their codes.
//!
//! A code is single-use, so the pool's `ManualClock` moves to the next step
//! before each use of a user's code; moving it and computing the code the
//! phone shows are left out of the timing (`iter_custom`).
//!
//! Before the benchmarks, a plain check measures what one pending
//! [`TotpChallenge`] keeps in memory (with a counting allocator) and asserts
//! it is under 2 KiB.

use cognito_mfa::backend::Api;
use cognito_mfa::backend::{
    AuthFlow, ChallengeName, CognitoBackend, InitiateAuthRequest, Parameters, PoolMfaConfig,
    PoolMfaMode, RespondToAuthChallengeRequest,
};
use cognito_mfa::sign_in::{SavedChallenge, SignIn, SignInStep, TotpChallenge};
use cognito_mfa::testing::{Authenticator, ClientOptions, InMemoryPool, ManualClock};
use cognito_mfa::{AccessToken, MfaEnrollment, Password};
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::runtime::{Builder, Runtime};
use tokio::task::JoinSet;

// ---------------------------------------------------------------------------
// A counting allocator: net bytes requested while `COUNTING` is on. Off, it
// costs one relaxed load per call, so it does not slow the benchmarks.

struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static NET_BYTES: AtomicIsize = AtomicIsize::new(0);

fn count(delta: isize) {
    if COUNTING.load(Ordering::Relaxed) {
        NET_BYTES.fetch_add(delta, Ordering::Relaxed);
    }
}

fn size(n: usize) -> isize {
    isize::try_from(n).unwrap_or(isize::MAX)
}

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract is the system allocator's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            count(size(layout.size()));
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as above.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            count(size(layout.size()));
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) };
        count(-size(layout.size()));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as above.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            count(size(new_size) - size(layout.size()));
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Net bytes requested from the allocator while `f` runs.
fn net_bytes_during<R>(f: impl FnOnce() -> R) -> (R, isize) {
    NET_BYTES.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    let r = f();
    COUNTING.store(false, Ordering::SeqCst);
    (r, NET_BYTES.load(Ordering::SeqCst))
}

// ---------------------------------------------------------------------------
// Fixtures.

const PASSWORD: &str = "Correct-Horse-1!";
const ISSUER: &str = "Example App";
const DEVICE: &str = "Alice's phone";

/// The next TOTP step.
const NEXT_STEP: Duration = Duration::from_secs(30);
/// Far enough for every token and Session the pool issued before to have
/// expired (refresh tokens live 30 days), so the pool's maps are swept and
/// don't grow over a long run.
const PAST_EVERYTHING: Duration = Duration::from_secs(31 * 24 * 3600);
/// [`next_step`] jumps [`PAST_EVERYTHING`] once this many sign-ins have been
/// made since the last jump: rarely enough that the clock stays far from
/// `ManualClock`'s limit (the year 2554) however many iterations criterion
/// runs, often enough that the pool keeps at most about this many refresh
/// tokens.
const SWEEP_EVERY: u64 = 10_000;
static SINCE_SWEEP: AtomicU64 = AtomicU64::new(0);

/// Moves the pool's clock to the next TOTP step before `sign_ins` more
/// sign-ins, or past every token's lifetime when due.
fn next_step(clock: &ManualClock, sign_ins: u64) {
    let since = SINCE_SWEEP.fetch_add(sign_ins, Ordering::Relaxed) + sign_ins;
    if since >= SWEEP_EVERY {
        SINCE_SWEEP.store(0, Ordering::Relaxed);
        clock.advance(PAST_EVERYTHING);
    } else {
        clock.advance(NEXT_STEP);
    }
}

struct User {
    name: String,
    password: Password,
    app: Authenticator,
}

struct Fixture {
    clock: ManualClock,
    pool: InMemoryPool,
    client_id: String,
    sign_in: SignIn,
    users: Vec<User>,
}

/// A pool with MFA OPTIONAL and TOTP on, one admin app client, and
/// `n_users` users with TOTP enrolled and preferred (through the library).
async fn fixture(n_users: usize) -> Fixture {
    let clock = ManualClock::starting_now();
    let pool = InMemoryPool::with_clock(clock.clone());
    // The flows, not the pool's RSA signing (about 0.3 ms a token), as
    // measured before the pool issued JWTs.
    pool.set_signed_tokens(false);
    pool.set_mfa_config(PoolMfaConfig::new(PoolMfaMode::Optional, true));
    let client = pool.create_client(ClientOptions::new()).expect("client");
    let sign_in = SignIn::admin(pool.clone(), pool.pool_id(), &client.client_id)
        .build()
        .expect("sign-in");
    let mut users = Vec::with_capacity(n_users);
    for i in 0..n_users {
        let name = format!("user{i:05}");
        pool.create_user(&name, PASSWORD).expect("user");
        let password = Password::new(PASSWORD);
        let tokens = sign_in
            .password(&name, &password)
            .await
            .expect("password")
            .into_tokens()
            .expect("no MFA yet");
        let app = enroll(&pool, &clock, &name, tokens.access_token).await;
        users.push(User {
            name,
            password,
            app,
        });
    }
    // The verifying codes spent the current step.
    clock.advance(NEXT_STEP);
    Fixture {
        clock,
        pool,
        client_id: client.client_id,
        sign_in,
        users,
    }
}

/// Enrolls `name`'s authenticator (TOTP enabled and preferred) and returns it.
async fn enroll(
    pool: &InMemoryPool,
    clock: &ManualClock,
    name: &str,
    token: AccessToken,
) -> Authenticator {
    let pending = MfaEnrollment::new(ISSUER)
        .account_name(format!("{name}@example.com"))
        .device_name(DEVICE)
        .start_with_access_token(pool, token)
        .await
        .expect("associate");
    let app = Authenticator::new(pending.secret()).expect("secret");
    let code = app.code_for_clock(clock);
    pending
        .verify(pool, code.expose_secret())
        .await
        .expect("verify");
    app
}

/// The whole MFA sign-in through the library.
async fn mfa_sign_in(sign_in: &SignIn, user: &User, code: &str) {
    let step = sign_in
        .password(&user.name, &user.password)
        .await
        .expect("password");
    let SignInStep::TotpRequired(challenge) = step else {
        panic!(
            "expected SOFTWARE_TOKEN_MFA, got {:?}",
            step.challenge_name()
        );
    };
    let done = challenge.answer(sign_in, code).await.expect("answer");
    assert!(matches!(done, SignInStep::Done(_)));
    black_box(done);
}

/// The same two calls straight on the pool, without the library.
async fn backend_sign_in(f: &Fixture, user: &User, code: &str) {
    let started = f
        .pool
        .initiate_auth(InitiateAuthRequest::new(
            Api::admin(f.pool.pool_id().to_owned()),
            f.client_id.clone(),
            AuthFlow::AdminUserPassword,
            Parameters::new()
                .with("USERNAME", user.name.as_str())
                .with("PASSWORD", PASSWORD),
        ))
        .await
        .expect("initiate");
    assert_eq!(started.challenge, Some(ChallengeName::SoftwareTokenMfa));
    let done = f
        .pool
        .respond_to_auth_challenge(RespondToAuthChallengeRequest::new(
            Api::admin(f.pool.pool_id().to_owned()),
            f.client_id.clone(),
            ChallengeName::SoftwareTokenMfa,
            Some(started.session.expect("session")),
            Parameters::new()
                .with("USERNAME", user.name.as_str())
                .with("SOFTWARE_TOKEN_MFA_CODE", code),
        ))
        .await
        .expect("respond");
    assert!(done.tokens.is_some());
    black_box(done);
}

fn current_thread() -> Runtime {
    Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn multi_thread() -> Runtime {
    Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

// ---------------------------------------------------------------------------
// Memory per pending challenge (a plain check, not timed).

const PENDING: usize = 10_000;
const MAX_PER_CHALLENGE: usize = 2048;

/// Bytes one challenge keeps: its own size plus the heap its drop frees.
fn retained_per_challenge(challenges: Vec<TotpChallenge>) -> usize {
    let n = challenges.len();
    let buffer = challenges.capacity() * std::mem::size_of::<TotpChallenge>();
    let ((), net) = net_bytes_during(move || drop(challenges));
    let freed = usize::try_from(-net).expect("dropping frees memory");
    let heap = freed.saturating_sub(buffer);
    std::mem::size_of::<TotpChallenge>() + heap.div_ceil(n)
}

/// A challenge as Cognito would send it, rebuilt from a saved one: a
/// Session of `session_len` characters, a UUID user name, and
/// USER_ID_FOR_SRP and FRIENDLY_DEVICE_NAME parameters.
fn cognito_shaped(sign_in: &SignIn, session_len: usize) -> (TotpChallenge, usize) {
    let now = SystemTime::now();
    let expires = now
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
        + 180;
    let user = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
    let json = serde_json::json!({
        "v": 1,
        "challenge": "SOFTWARE_TOKEN_MFA",
        "session": "A".repeat(session_len),
        "username": user,
        "client_id": sign_in.client_id(),
        "user_pool_id": sign_in.user_pool_id(),
        "expires_at": expires,
        "parameters": { "USER_ID_FOR_SRP": user, "FRIENDLY_DEVICE_NAME": DEVICE },
    })
    .to_string();
    let saved: SavedChallenge = serde_json::from_str(&json).expect("saved challenge");
    match sign_in.resume(saved).expect("resume") {
        SignInStep::TotpRequired(c) => (c, json.len()),
        other => panic!(
            "expected a TOTP challenge, got {:?}",
            other.challenge_name()
        ),
    }
}

fn check_memory_per_challenge() {
    let rt = current_thread();
    let f = rt.block_on(fixture(1));
    let user = &f.users[0];

    // 10,000 challenges issued by the in-memory pool (128-character Sessions).
    let mut issued = Vec::with_capacity(PENDING);
    for _ in 0..PENDING {
        match rt
            .block_on(f.sign_in.password(&user.name, &user.password))
            .expect("password")
        {
            SignInStep::TotpRequired(c) => issued.push(c),
            other => panic!(
                "expected a TOTP challenge, got {:?}",
                other.challenge_name()
            ),
        }
    }
    // One of them saved, for the Session's length and the JSON's.
    let saved = issued.pop().expect("one").into_saved();
    let session_len = saved.session().expose_secret().len();
    let saved_json_len = serde_json::to_string(&saved).expect("json").len();
    let per_pool = retained_per_challenge(issued);

    // Cognito-shaped ones: a ~1 KiB Session (typical), and 2048 (the maximum).
    let shaped = |len: usize| {
        let mut v = Vec::with_capacity(PENDING);
        let mut json_len = 0;
        for _ in 0..PENDING {
            let (c, j) = cognito_shaped(&f.sign_in, len);
            json_len = j;
            v.push(c);
        }
        (retained_per_challenge(v), json_len)
    };
    let (per_1k, json_1k) = shaped(1024);
    let (per_2k, json_2k) = shaped(2048);

    eprintln!(
        "memory per pending TotpChallenge (size_of {} B + heap), {PENDING} held:\n  \
         in-memory pool ({session_len}-char Session): {per_pool} B (SavedChallenge JSON {saved_json_len} B)\n  \
         Cognito-shaped, 1024-char Session: {per_1k} B (JSON {json_1k} B)\n  \
         Cognito-shaped, 2048-char Session (Cognito's maximum): {per_2k} B (JSON {json_2k} B)",
        std::mem::size_of::<TotpChallenge>(),
    );
    assert!(
        per_pool < MAX_PER_CHALLENGE,
        "a pending challenge keeps {per_pool} B, over {MAX_PER_CHALLENGE}"
    );
    assert!(
        per_1k < MAX_PER_CHALLENGE,
        "a Cognito-shaped pending challenge keeps {per_1k} B, over {MAX_PER_CHALLENGE}"
    );
}

// ---------------------------------------------------------------------------
// The library's overhead over the pool, paired (a plain measurement: the
// criterion figures of the two flows, taken minutes apart on a shared
// machine, differ by more than the overhead itself).

const PAIRED_ROUNDS: usize = 20;
const PAIRED_BATCH: u32 = 1_000;

fn paired_overhead() {
    let rt = current_thread();
    let f = rt.block_on(fixture(1));
    let user = &f.users[0];
    let (mut library, mut backend) = (Vec::new(), Vec::new());
    rt.block_on(async {
        for round in 0..=PAIRED_ROUNDS {
            for is_library in [round % 2 == 0, round % 2 != 0] {
                let mut total = Duration::ZERO;
                for _ in 0..PAIRED_BATCH {
                    next_step(&f.clock, 1);
                    let code = user.app.code_for_clock(&f.clock);
                    let start = Instant::now();
                    if is_library {
                        mfa_sign_in(&f.sign_in, user, code.expose_secret()).await;
                    } else {
                        backend_sign_in(&f, user, code.expose_secret()).await;
                    }
                    total += start.elapsed();
                }
                // Round 0 warms up.
                if round > 0 {
                    let per = total.as_secs_f64() * 1e6 / f64::from(PAIRED_BATCH);
                    if is_library {
                        library.push(per);
                    } else {
                        backend.push(per);
                    }
                }
            }
        }
    });
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let mut diffs: Vec<f64> = library.iter().zip(&backend).map(|(l, b)| l - b).collect();
    eprintln!(
        "sign-in on the in-memory pool, {PAIRED_ROUNDS} paired rounds of {PAIRED_BATCH}: \
         library {:.2} µs, backend calls only {:.2} µs, library overhead {:.2} µs (medians)",
        median(&mut library),
        median(&mut backend),
        median(&mut diffs),
    );
}

// ---------------------------------------------------------------------------
// Benchmarks.

fn bench_flows(c: &mut Criterion) {
    let rt = current_thread();
    let mut g = c.benchmark_group("flows");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));

    let f = rt.block_on(fixture(1));
    g.bench_function("sign_in_totp", |b| {
        b.to_async(&rt).iter_custom(|iters| {
            let f = &f;
            async move {
                let user = &f.users[0];
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    next_step(&f.clock, 1);
                    let code = user.app.code_for_clock(&f.clock);
                    let start = Instant::now();
                    mfa_sign_in(&f.sign_in, user, code.expose_secret()).await;
                    total += start.elapsed();
                }
                total
            }
        })
    });
    g.bench_function("sign_in_totp_backend_only", |b| {
        b.to_async(&rt).iter_custom(|iters| {
            let f = &f;
            async move {
                let user = &f.users[0];
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    next_step(&f.clock, 1);
                    let code = user.app.code_for_clock(&f.clock);
                    let start = Instant::now();
                    backend_sign_in(f, user, code.expose_secret()).await;
                    total += start.elapsed();
                }
                total
            }
        })
    });

    // Enrollment: one user enrolls again and again with one access token,
    // renewed (untimed) before the pool's one-hour lifetime runs out.
    let e = rt.block_on(fixture(0));
    e.pool.create_user("enrollee", PASSWORD).expect("user");
    let password = Password::new(PASSWORD);
    let first = rt
        .block_on(e.sign_in.password("enrollee", &password))
        .expect("password")
        .into_tokens()
        .expect("tokens");
    let state = std::cell::RefCell::new((first.access_token, None::<Authenticator>, 0u32));
    g.bench_function("enrollment", |b| {
        b.to_async(&rt).iter_custom(|iters| {
            let (e, state, password) = (&e, &state, &password);
            async move {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    e.clock.advance(NEXT_STEP);
                    let (token, app, uses) = {
                        let mut s = state.borrow_mut();
                        s.2 += 1;
                        (s.0.clone(), s.1.clone(), s.2)
                    };
                    let token = if uses % 100 == 0 {
                        // Untimed: a fresh access token through an MFA sign-in.
                        let app = app.expect("enrolled");
                        let step = e
                            .sign_in
                            .password("enrollee", password)
                            .await
                            .expect("password");
                        let SignInStep::TotpRequired(ch) = step else {
                            panic!("expected SOFTWARE_TOKEN_MFA");
                        };
                        let code = app.code_for_clock(&e.clock);
                        let tokens = ch
                            .answer(&e.sign_in, code.expose_secret())
                            .await
                            .expect("answer")
                            .into_tokens()
                            .expect("tokens");
                        e.clock.advance(NEXT_STEP);
                        state.borrow_mut().0 = tokens.access_token.clone();
                        tokens.access_token
                    } else {
                        token
                    };
                    let start = Instant::now();
                    let pending = MfaEnrollment::new(ISSUER)
                        .account_name("enrollee@example.com")
                        .device_name(DEVICE)
                        .start_with_access_token(&e.pool, token)
                        .await
                        .expect("associate");
                    total += start.elapsed();
                    // The phone scans the secret and shows a code (untimed).
                    let app = Authenticator::new(pending.secret()).expect("secret");
                    let code = app.code_for_clock(&e.clock);
                    let start = Instant::now();
                    let enrolled = pending
                        .verify(&e.pool, code.expose_secret())
                        .await
                        .expect("verify");
                    total += start.elapsed();
                    assert!(enrolled.totp_preferred());
                    state.borrow_mut().1 = Some(app);
                }
                total
            }
        })
    });
    g.finish();
}

const IN_FLIGHT: [usize; 3] = [1, 100, 10_000];

fn bench_concurrent(c: &mut Criterion) {
    let rt = multi_thread();
    let max = IN_FLIGHT.iter().copied().max().unwrap_or(1);
    let setup = Instant::now();
    let f = Arc::new(rt.block_on(fixture(max)));
    eprintln!(
        "concurrent: {max} users enrolled in {:.2} s",
        setup.elapsed().as_secs_f64()
    );
    let mut g = c.benchmark_group("concurrent/sign_ins");
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for n in IN_FLIGHT {
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            b.to_async(&rt).iter_custom(|iters| {
                let f = Arc::clone(&f);
                async move {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        next_step(&f.clock, n as u64);
                        let codes: Arc<Vec<String>> = Arc::new(
                            f.users[..n]
                                .iter()
                                .map(|u| u.app.code_for_clock(&f.clock).expose_secret().to_owned())
                                .collect(),
                        );
                        let start = Instant::now();
                        let mut set = JoinSet::new();
                        for i in 0..n {
                            let (f, codes) = (Arc::clone(&f), Arc::clone(&codes));
                            set.spawn(async move {
                                let user = &f.users[i];
                                let step = f
                                    .sign_in
                                    .password(&user.name, &user.password)
                                    .await
                                    .expect("password");
                                let SignInStep::TotpRequired(challenge) = step else {
                                    panic!("expected SOFTWARE_TOKEN_MFA");
                                };
                                // The person reads the code: let the others run.
                                tokio::task::yield_now().await;
                                let done = challenge
                                    .answer(&f.sign_in, &codes[i])
                                    .await
                                    .expect("answer");
                                assert!(matches!(done, SignInStep::Done(_)));
                            });
                        }
                        while let Some(joined) = set.join_next().await {
                            joined.expect("sign-in task");
                        }
                        total += start.elapsed();
                    }
                    total
                }
            })
        });
    }
    g.finish();
}

fn main() {
    check_memory_per_challenge();
    paired_overhead();
    let mut c = Criterion::default()
        .nresamples(10_000)
        .configure_from_args();
    bench_flows(&mut c);
    bench_concurrent(&mut c);
    c.final_summary();
}
