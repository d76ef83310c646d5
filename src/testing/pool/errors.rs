//! What Cognito sends back: exception codes and messages.

use crate::error::ServiceError;

const NOT_AUTHORIZED: &str = "NotAuthorizedException";
const INVALID_PARAMETER: &str = "InvalidParameterException";
const RESOURCE_NOT_FOUND: &str = "ResourceNotFoundException";

pub(super) fn not_authorized(message: impl Into<String>) -> ServiceError {
    ServiceError::new(NOT_AUTHORIZED, message)
}

pub(super) fn invalid_parameter(message: impl Into<String>) -> ServiceError {
    ServiceError::new(INVALID_PARAMETER, message)
}

pub(super) fn missing_parameter(name: &str) -> ServiceError {
    invalid_parameter(format!("Missing required parameter {name}"))
}

pub(super) fn session_spent() -> ServiceError {
    not_authorized("Invalid session for the user.")
}

pub(super) fn session_expired() -> ServiceError {
    not_authorized("Invalid session for the user, session is expired.")
}

pub(super) fn wrong_password() -> ServiceError {
    not_authorized("Incorrect username or password.")
}

/// During a lockout after repeated wrong passwords, whatever the password.
pub(super) fn password_attempts_exceeded() -> ServiceError {
    not_authorized("Password attempts exceeded")
}

/// A TIMESTAMP (PASSWORD_VERIFIER) that does not parse: Cognito's words.
pub(super) fn timestamp_format() -> ServiceError {
    invalid_parameter("TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english.")
}

/// What the pool answers when its own machinery fails (the operating
/// system's random number generator, say): never expected.
pub(super) fn internal_error() -> ServiceError {
    ServiceError::new("InternalErrorException", "Internal server error.")
}

pub(super) fn user_disabled() -> ServiceError {
    not_authorized("User is disabled.")
}

pub(super) fn user_not_found() -> ServiceError {
    // Cognito sends this only while the pool's PreventUserExistenceErrors is
    // off; with it on (the console's default for new clients) an unknown user
    // looks like a wrong password. The in-memory pool models it off, so tests
    // can tell the two apart.
    ServiceError::new("UserNotFoundException", "User does not exist.")
}

pub(super) fn invalid_access_token() -> ServiceError {
    not_authorized("Invalid Access Token")
}

pub(super) fn totp_not_on_pool() -> ServiceError {
    ServiceError::new(
        "SoftwareTokenMFANotFoundException",
        "Software Token MFA has not been enabled by the userPool.",
    )
}

pub(super) fn totp_not_verified() -> ServiceError {
    invalid_parameter("User has not verified software token mfa")
}

pub(super) fn pool_not_found(id: &str) -> ServiceError {
    ServiceError::new(
        RESOURCE_NOT_FOUND,
        format!("User pool {id} does not exist."),
    )
}

pub(super) fn client_not_found(id: &str) -> ServiceError {
    ServiceError::new(
        RESOURCE_NOT_FOUND,
        format!("User pool client {id} does not exist."),
    )
}

/// ExpiredCodeException, for a TOTP code already accepted once.
pub(super) fn code_reused() -> ServiceError {
    ServiceError::new(
        "ExpiredCodeException",
        "Your software token has already been used once.",
    )
}

/// A DEVICE_KEY the user has no device for (never confirmed here, or
/// forgotten): Cognito's words, on every call that presents it.
pub(super) fn device_not_found() -> ServiceError {
    ServiceError::new(RESOURCE_NOT_FOUND, "Device does not exist.")
}
