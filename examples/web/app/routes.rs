//! The handlers: one per page and form.

use super::pages::{self, AccountView, EnrollmentView};
use super::security;
use super::state::{AppState, MAX_CODE_ATTEMPTS, SignedIn, Stage, WebSession};
use super::{claims, devices};
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::PrivateCookieJar;
use axum_extra::extract::cookie::{CookieJar, Key};
use cognito_mfa::backend::AuthTokens;
use cognito_mfa::sign_in::SignInStep;
use cognito_mfa::{Error, MfaEnrollment, Password, PendingEnrollment, admin};
use serde::Deserialize;

/// One request's browser session, taken out of the store and put back at
/// the end (with a new id after a sign-in or sign-out).
struct Visit {
    id: String,
    session: WebSession,
    /// A new id to send in a cookie: a first visit, an expired session, or
    /// a rotation.
    send_cookie: bool,
    /// The session was created by this request (nothing the browser sent
    /// names it): a form posted with it is stale.
    fresh: bool,
}

impl Visit {
    fn load(state: &AppState, jar: &CookieJar) -> Result<Self, Box<Response>> {
        if let Some(cookie) = jar.get(state.policy().session_name())
            && let Some(session) = state.take(cookie.value())
        {
            return Ok(Self {
                id: cookie.value().to_owned(),
                session,
                send_cookie: false,
                fresh: false,
            });
        }
        let (Some(id), Some(session)) = (security::random_token(), WebSession::new()) else {
            return Err(Box::new(failure(
                "No randomness available for a session id.",
            )));
        };
        Ok(Self {
            id,
            session,
            send_cookie: true,
            fresh: true,
        })
    }

    /// A new session id and CSRF token for the same session: after the
    /// privilege changes (a sign-in), so an id planted or seen before is
    /// worth nothing.
    fn rotate(&mut self) -> Result<(), Box<Response>> {
        let (Some(id), Some(csrf)) = (security::random_token(), security::random_token()) else {
            return Err(Box::new(failure(
                "No randomness available for a session id.",
            )));
        };
        self.id = id;
        self.session.csrf = csrf;
        self.send_cookie = true;
        Ok(())
    }

    /// Whether a posted form belongs to this session.
    fn csrf_ok(&self, sent: &str) -> bool {
        !self.fresh && security::csrf_matches(&self.session.csrf, sent)
    }

    /// Puts the session back and answers with `response`.
    fn finish(self, state: &AppState, jar: CookieJar, response: Response) -> Response {
        let jar = if self.send_cookie {
            jar.add(state.policy().session_cookie(self.id.clone()))
        } else {
            jar
        };
        state.put(self.id, self.session);
        (jar, response).into_response()
    }

    /// A posted form that fails the CSRF check: a stale page (the session
    /// expired) goes back to sign in; anything else is refused.
    fn refuse_form(mut self, state: &AppState, jar: CookieJar) -> Response {
        if self.fresh {
            self.session.flash = Some("Your session expired. Please sign in again.".to_owned());
            return self.finish(state, jar, Redirect::to("/").into_response());
        }
        let response = (
            StatusCode::FORBIDDEN,
            pages::failure("This form is out of date or came from another site. Reload the page."),
        )
            .into_response();
        self.finish(state, jar, response)
    }

    fn take_flash(&mut self) -> Option<String> {
        self.session.flash.take()
    }
}

fn failure(message: &str) -> Response {
    (StatusCode::INTERNAL_SERVER_ERROR, pages::failure(message)).into_response()
}

fn redirect(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// What to tell a person about an error, in their terms. Never a secret:
/// the crate's errors hold none.
fn describe(error: &Error) -> String {
    match error {
        Error::WrongCredentials | Error::UserNotFound => {
            "Incorrect user name or password.".to_owned()
        }
        Error::CodeMismatch => {
            "That code is not right. Check the code in your authenticator app and try again."
                .to_owned()
        }
        Error::CodeAlreadyUsed => {
            "That code was already used. Wait for the next code in your app.".to_owned()
        }
        Error::SessionExpired => {
            "Your sign-in took too long and expired. Please sign in again.".to_owned()
        }
        Error::Throttled(_) => "Too many attempts. Wait a while and try again.".to_owned(),
        Error::InvalidInput(_) => "Type the 6 digits your authenticator app shows.".to_owned(),
        Error::UserDisabled => "This account is disabled.".to_owned(),
        other => {
            tracing::warn!(error = %other, "sign-in step failed");
            "Something went wrong. Please try again.".to_owned()
        }
    }
}

#[derive(Deserialize)]
pub struct SignInForm {
    csrf: String,
    username: String,
    password: String,
}

#[derive(Deserialize)]
pub struct CodeForm {
    csrf: String,
    code: String,
    remember: Option<String>,
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

#[derive(Deserialize)]
pub struct ForgetForm {
    csrf: String,
    device_key: String,
}

pub async fn style() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        pages::STYLE,
    )
        .into_response()
}

pub async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, pages::not_found()).into_response()
}

/// The sign-in page. Coming back here abandons a pending sign-in.
pub async fn home(State(state): State<AppState>, jar: CookieJar) -> Response {
    let mut visit = match Visit::load(&state, &jar) {
        Ok(v) => v,
        Err(response) => return *response,
    };
    if matches!(visit.session.stage, Stage::SignedIn(_)) {
        return visit.finish(&state, jar, redirect("/signed-in"));
    }
    visit.session.stage = Stage::Anonymous;
    let notice = visit.take_flash();
    let page = pages::sign_in(&visit.session.csrf, notice.as_deref(), None, "");
    visit.finish(&state, jar, page.into_response())
}

pub async fn sign_in(
    State(state): State<AppState>,
    jar: CookieJar,
    device_jar: PrivateCookieJar<Key>,
    Form(form): Form<SignInForm>,
) -> Response {
    let mut visit = match Visit::load(&state, &jar) {
        Ok(v) => v,
        Err(response) => return *response,
    };
    if !visit.csrf_ok(&form.csrf) {
        return visit.refuse_form(&state, jar);
    }
    let password = Password::new(form.password);
    let (device_jar, result) = devices::sign_in(
        state.sign_in(),
        form.username.trim(),
        &password,
        device_jar,
        state.policy(),
    )
    .await;
    drop(password);
    match result {
        Ok(step) => advance(&state, visit, jar, device_jar, step, &form.username, None).await,
        Err(e) => {
            visit.session.stage = Stage::Anonymous;
            let page = pages::sign_in(
                &visit.session.csrf,
                None,
                Some(&describe(&e)),
                &form.username,
            );
            let response = (device_jar, page).into_response();
            visit.finish(&state, jar, response)
        }
    }
}

/// Where a sign-in goes after a step: signed in, a code to ask for, an
/// authenticator to set up, or a challenge this example doesn't handle.
/// `remember`: the name to remember this browser under, if the person
/// asked. The device jar's changes (a dropped device cookie) go with every
/// answer.
async fn advance(
    state: &AppState,
    visit: Visit,
    jar: CookieJar,
    device_jar: PrivateCookieJar<Key>,
    step: SignInStep,
    username: &str,
    remember: Option<String>,
) -> Response {
    match step {
        SignInStep::Done(tokens) => {
            signed_in(state, visit, jar, device_jar, tokens, username, remember).await
        }
        other => {
            let response = challenge_step(state, visit, jar, other).await;
            (device_jar, response).into_response()
        }
    }
}

/// A step that is not the end: the code page, the setup page, or back to
/// sign in.
async fn challenge_step(
    state: &AppState,
    mut visit: Visit,
    jar: CookieJar,
    step: SignInStep,
) -> Response {
    match step {
        SignInStep::TotpRequired(challenge) => {
            visit.session.stage = Stage::Code {
                challenge: Box::new(challenge),
                attempts: 0,
            };
            visit.finish(state, jar, redirect("/code"))
        }
        SignInStep::MfaSetupRequired(challenge) => {
            let enrollment = MfaEnrollment::new(state.issuer()).device_name("Authenticator app");
            match challenge.start_totp(state.sign_in(), enrollment).await {
                Ok(setup) => {
                    visit.session.stage = Stage::Setup {
                        setup: Box::new(setup),
                        attempts: 0,
                    };
                    visit.finish(state, jar, redirect("/setup"))
                }
                Err(e) => back_to_sign_in(state, visit, jar, &describe(&e)),
            }
        }
        other => {
            let name = other.challenge_name().unwrap_or("?").to_owned();
            back_to_sign_in(
                state,
                visit,
                jar,
                &format!(
                    "This example answers authenticator-app codes only; the pool asked for {name}."
                ),
            )
        }
    }
}

fn back_to_sign_in(state: &AppState, mut visit: Visit, jar: CookieJar, message: &str) -> Response {
    visit.session.stage = Stage::Anonymous;
    visit.session.flash = Some(message.to_owned());
    visit.finish(state, jar, redirect("/"))
}

async fn signed_in(
    state: &AppState,
    mut visit: Visit,
    jar: CookieJar,
    device_jar: PrivateCookieJar<Key>,
    tokens: AuthTokens,
    username: &str,
    remember: Option<String>,
) -> Response {
    // The ID token is verified once, here, before anything trusts it: a
    // sign-in whose token does not verify against the pool's keys is not a
    // sign-in (a misconfigured pool or client id, or a forged answer).
    let verified = match &tokens.id_token {
        Some(id_token) => state.verifier().verify_id_token(id_token).await,
        None => Err(cognito_mfa::verify::TokenError::MissingClaim { claim: "id token" }),
    };
    let claims = match verified {
        Ok(claims) => claims,
        Err(e) => {
            tracing::warn!(error = e.kind(), "the ID token did not verify");
            return back_to_sign_in(
                state,
                visit,
                jar,
                &format!(
                    "The sign-in's ID token did not verify ({}); sign in again.",
                    e.kind()
                ),
            );
        }
    };
    let (device_jar, notice) = devices::after_sign_in(state, &tokens, remember, device_jar).await;
    if let Err(response) = visit.rotate() {
        return *response;
    }
    visit.session.stage = Stage::SignedIn(Box::new(SignedIn {
        username: username.to_owned(),
        tokens,
        enrolling: None,
        claims,
    }));
    visit.session.flash = notice.map(str::to_owned);
    let response = (device_jar, redirect("/signed-in")).into_response();
    visit.finish(state, jar, response)
}

pub async fn code_page(State(state): State<AppState>, jar: CookieJar) -> Response {
    let visit = match Visit::load(&state, &jar) {
        Ok(v) => v,
        Err(response) => return *response,
    };
    let page = match &visit.session.stage {
        Stage::Code { challenge, .. } => pages::code(
            &visit.session.csrf,
            None,
            challenge.username(),
            challenge.friendly_device_name(),
        ),
        _ => return visit.finish(&state, jar, redirect("/")),
    };
    visit.finish(&state, jar, page.into_response())
}

pub async fn code(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    device_jar: PrivateCookieJar<Key>,
    Form(form): Form<CodeForm>,
) -> Response {
    let mut visit = match Visit::load(&state, &jar) {
        Ok(v) => v,
        Err(response) => return *response,
    };
    if !visit.csrf_ok(&form.csrf) {
        return visit.refuse_form(&state, jar);
    }
    let Stage::Code {
        challenge,
        attempts,
    } = std::mem::replace(&mut visit.session.stage, Stage::Anonymous)
    else {
        return visit.finish(&state, jar, redirect("/"));
    };
    let attempts = attempts + 1;
    let username = challenge.username().to_owned();
    let remember = form.remember.is_some().then(|| {
        devices::device_name(
            headers
                .get(header::USER_AGENT)
                .and_then(|ua| ua.to_str().ok()),
        )
    });
    match challenge.answer(state.sign_in(), &form.code).await {
        Ok(step) => advance(&state, visit, jar, device_jar, step, &username, remember).await,
        Err(rejected) => match rejected.into_parts() {
            (e, Some(same)) if attempts < MAX_CODE_ATTEMPTS => {
                let page = pages::code(
                    &visit.session.csrf,
                    Some(&describe(&e)),
                    same.username(),
                    same.friendly_device_name(),
                );
                visit.session.stage = Stage::Code {
                    challenge: Box::new(same),
                    attempts,
                };
                visit.finish(&state, jar, page.into_response())
            }
            (_, Some(_)) => back_to_sign_in(
                &state,
                visit,
                jar,
                "Too many wrong codes. Please sign in again.",
            ),
            (e, None) => back_to_sign_in(&state, visit, jar, &describe(&e)),
        },
    }
}

fn setup_view(
    setup: &cognito_mfa::sign_in::PendingMfaSetup,
) -> Result<(String, String, String), Error> {
    let enrollment = setup.enrollment();
    Ok((
        enrollment.qr_svg()?,
        enrollment.uri().to_owned(),
        enrollment.setup_key().to_owned(),
    ))
}

fn render_setup(visit: &Visit, error: Option<&str>) -> Option<Response> {
    let Stage::Setup { setup, .. } = &visit.session.stage else {
        return None;
    };
    Some(match setup_view(setup) {
        Ok((qr_svg, uri, setup_key)) => pages::setup(
            &visit.session.csrf,
            error,
            setup.username(),
            &EnrollmentView {
                qr_svg: &qr_svg,
                uri: &uri,
                setup_key: &setup_key,
            },
        )
        .into_response(),
        Err(e) => failure(&describe(&e)),
    })
}

pub async fn setup_page(State(state): State<AppState>, jar: CookieJar) -> Response {
    let visit = match Visit::load(&state, &jar) {
        Ok(v) => v,
        Err(response) => return *response,
    };
    let response = render_setup(&visit, None).unwrap_or_else(|| redirect("/"));
    visit.finish(&state, jar, response)
}

pub async fn setup(
    State(state): State<AppState>,
    jar: CookieJar,
    device_jar: PrivateCookieJar<Key>,
    Form(form): Form<CodeForm>,
) -> Response {
    let mut visit = match Visit::load(&state, &jar) {
        Ok(v) => v,
        Err(response) => return *response,
    };
    if !visit.csrf_ok(&form.csrf) {
        return visit.refuse_form(&state, jar);
    }
    let Stage::Setup { setup, attempts } =
        std::mem::replace(&mut visit.session.stage, Stage::Anonymous)
    else {
        return visit.finish(&state, jar, redirect("/"));
    };
    let attempts = attempts + 1;
    let username = setup.username().to_owned();
    match setup.verify(state.sign_in(), &form.code).await {
        Ok(step) => advance(&state, visit, jar, device_jar, step, &username, None).await,
        Err(rejected) => match rejected.into_parts() {
            (e, Some(same)) if attempts < MAX_CODE_ATTEMPTS => {
                visit.session.stage = Stage::Setup {
                    setup: Box::new(same),
                    attempts,
                };
                let response =
                    render_setup(&visit, Some(&describe(&e))).unwrap_or_else(|| redirect("/"));
                visit.finish(&state, jar, response)
            }
            (_, Some(_)) => back_to_sign_in(
                &state,
                visit,
                jar,
                "Too many wrong codes. Please sign in again.",
            ),
            (e, None) => back_to_sign_in(&state, visit, jar, &describe(&e)),
        },
    }
}

/// "on" or "off", from GetUser with the person's access token.
async fn mfa_status(state: &AppState, tokens: &AuthTokens) -> (String, bool) {
    match admin::mfa_status(state.sign_in().backend(), &tokens.access_token).await {
        Ok(settings) if settings.totp_enabled() => {
            let preferred = if settings.totp_preferred() {
                " (preferred)"
            } else {
                ""
            };
            (format!("on: authenticator app{preferred}"), true)
        }
        Ok(_) => ("off".to_owned(), false),
        Err(e) => (format!("unknown ({})", describe(&e)), false),
    }
}

pub async fn signed_in_page(State(state): State<AppState>, jar: CookieJar) -> Response {
    let mut visit = match Visit::load(&state, &jar) {
        Ok(v) => v,
        Err(response) => return *response,
    };
    let Stage::SignedIn(signed) = &visit.session.stage else {
        return visit.finish(&state, jar, redirect("/"));
    };
    let (mfa, _) = mfa_status(&state, &signed.tokens).await;
    let claims = claims::section(signed);
    let username = signed.username.clone();
    let notice = visit.take_flash();
    let page = pages::signed_in(
        &visit.session.csrf,
        notice.as_deref(),
        &username,
        &mfa,
        &claims,
    );
    visit.finish(&state, jar, page.into_response())
}

fn enrollment_parts(pending: &PendingEnrollment) -> Result<(String, String, String), Error> {
    Ok((
        pending.qr_svg()?,
        pending.uri().to_owned(),
        pending.setup_key().to_owned(),
    ))
}

async fn render_account(
    state: &AppState,
    visit: &mut Visit,
    device_jar: &PrivateCookieJar<Key>,
    error: Option<&str>,
) -> Response {
    let notice = visit.take_flash();
    let Stage::SignedIn(signed) = &visit.session.stage else {
        return redirect("/");
    };
    let (mfa, totp_on) = mfa_status(state, &signed.tokens).await;
    let devices_section = devices::section(
        state,
        &signed.tokens,
        &visit.session.csrf,
        device_jar,
        state.policy(),
    )
    .await;
    let parts = match &signed.enrolling {
        Some((pending, _)) => match enrollment_parts(pending) {
            Ok(parts) => Some(parts),
            Err(e) => return failure(&describe(&e)),
        },
        None => None,
    };
    let enrolling = parts
        .as_ref()
        .map(|(qr_svg, uri, setup_key)| EnrollmentView {
            qr_svg,
            uri,
            setup_key,
        });
    pages::account(&AccountView {
        csrf: &visit.session.csrf,
        notice: notice.as_deref(),
        error,
        username: &signed.username,
        mfa: &mfa,
        totp_on,
        enrolling,
        devices_section: &devices_section,
    })
    .into_response()
}

pub async fn account_page(
    State(state): State<AppState>,
    jar: CookieJar,
    device_jar: PrivateCookieJar<Key>,
) -> Response {
    let mut visit = match Visit::load(&state, &jar) {
        Ok(v) => v,
        Err(response) => return *response,
    };
    let response = render_account(&state, &mut visit, &device_jar, None).await;
    visit.finish(&state, jar, response)
}

/// The signed-in session of a posted account form, or the response that
/// ends the request.
fn signed_in_form(
    state: &AppState,
    jar: CookieJar,
    csrf: &str,
) -> Result<(Visit, CookieJar), Box<Response>> {
    let visit = Visit::load(state, &jar)?;
    if !visit.csrf_ok(csrf) {
        return Err(Box::new(visit.refuse_form(state, jar)));
    }
    if !matches!(visit.session.stage, Stage::SignedIn(_)) {
        return Err(Box::new(visit.finish(state, jar, redirect("/"))));
    }
    Ok((visit, jar))
}

fn signed_mut(visit: &mut Visit) -> Option<&mut SignedIn> {
    match &mut visit.session.stage {
        Stage::SignedIn(signed) => Some(signed),
        _ => None,
    }
}

pub async fn totp_start(
    State(state): State<AppState>,
    jar: CookieJar,
    Form(form): Form<CsrfForm>,
) -> Response {
    let (mut visit, jar) = match signed_in_form(&state, jar, &form.csrf) {
        Ok(v) => v,
        Err(response) => return *response,
    };
    let Some(signed) = signed_mut(&mut visit) else {
        return visit.finish(&state, jar, redirect("/"));
    };
    let started = MfaEnrollment::new(state.issuer())
        .account_name(signed.username.clone())
        .device_name("Authenticator app")
        .start_with_access_token(
            state.sign_in().backend(),
            signed.tokens.access_token.clone(),
        )
        .await;
    match started {
        Ok(pending) => signed.enrolling = Some((Box::new(pending), 0)),
        Err(e) => visit.session.flash = Some(describe(&e)),
    }
    visit.finish(&state, jar, redirect("/account"))
}

pub async fn totp_verify(
    State(state): State<AppState>,
    jar: CookieJar,
    device_jar: PrivateCookieJar<Key>,
    Form(form): Form<CodeForm>,
) -> Response {
    let (mut visit, jar) = match signed_in_form(&state, jar, &form.csrf) {
        Ok(v) => v,
        Err(response) => return *response,
    };
    let Some(signed) = signed_mut(&mut visit) else {
        return visit.finish(&state, jar, redirect("/"));
    };
    let Some((pending, attempts)) = signed.enrolling.take() else {
        return visit.finish(&state, jar, redirect("/account"));
    };
    let attempts = attempts + 1;
    let error = match pending.verify(state.sign_in().backend(), &form.code).await {
        Ok(_) => {
            visit.session.flash =
                Some("Two-step verification is on with your new authenticator app.".to_owned());
            return visit.finish(&state, jar, redirect("/account"));
        }
        Err(rejected) => match rejected.into_parts() {
            (e, Some(same)) if attempts < MAX_CODE_ATTEMPTS => {
                signed.enrolling = Some((Box::new(same), attempts));
                describe(&e)
            }
            (_, Some(_)) => "Too many wrong codes. Start the setup again.".to_owned(),
            (e, None) => describe(&e),
        },
    };
    let response = render_account(&state, &mut visit, &device_jar, Some(&error)).await;
    visit.finish(&state, jar, response)
}

pub async fn totp_cancel(
    State(state): State<AppState>,
    jar: CookieJar,
    Form(form): Form<CsrfForm>,
) -> Response {
    let (mut visit, jar) = match signed_in_form(&state, jar, &form.csrf) {
        Ok(v) => v,
        Err(response) => return *response,
    };
    if let Some(signed) = signed_mut(&mut visit) {
        signed.enrolling = None;
    }
    visit.finish(&state, jar, redirect("/account"))
}

pub async fn forget_device(
    State(state): State<AppState>,
    jar: CookieJar,
    device_jar: PrivateCookieJar<Key>,
    Form(form): Form<ForgetForm>,
) -> Response {
    let (mut visit, jar) = match signed_in_form(&state, jar, &form.csrf) {
        Ok(v) => v,
        Err(response) => return *response,
    };
    let Some(signed) = signed_mut(&mut visit) else {
        return visit.finish(&state, jar, redirect("/"));
    };
    let (device_jar, notice) = devices::forget(
        &state,
        &signed.tokens,
        &form.device_key,
        device_jar,
        state.policy(),
    )
    .await;
    visit.session.flash = Some(notice.to_owned());
    let response = (device_jar, redirect("/account")).into_response();
    visit.finish(&state, jar, response)
}

pub async fn sign_out(
    State(state): State<AppState>,
    jar: CookieJar,
    Form(form): Form<CsrfForm>,
) -> Response {
    let mut visit = match Visit::load(&state, &jar) {
        Ok(v) => v,
        Err(response) => return *response,
    };
    if !visit.csrf_ok(&form.csrf) {
        return visit.refuse_form(&state, jar);
    }
    // The old session (and its tokens) is dropped: a new anonymous one
    // under a new id carries the notice.
    let Some(mut fresh) = WebSession::new() else {
        return failure("No randomness available for a session id.");
    };
    fresh.flash = Some("You are signed out.".to_owned());
    visit.session = fresh;
    if let Err(response) = visit.rotate() {
        return *response;
    }
    visit.finish(&state, jar, redirect("/"))
}
