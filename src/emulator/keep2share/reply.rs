//! The Keep2Share envelope. Success: `{"status":"success","code":200,...}`; error:
//! `{"message":...,"status":"error","code":<http>,"errorCode":<int>,"errors":[...]}`. The HTTP
//! status always equals the body's `code`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

/// A success body: `status` and `code` first, then the method's keys.
pub(super) struct Success(Map<String, Value>);

/// An error reply, with the host's code and message.
#[derive(Debug)]
pub(super) struct Failure {
    code: u16,
    error_code: Option<i64>,
    message: String,
    errors: Option<Value>,
}

pub(super) type Outcome = Result<Success, Failure>;

/// HTTP 200 with the keys of `fields` (an object) after `status` and `code`.
pub(super) fn ok(fields: Value) -> Outcome {
    ok_with(200, fields)
}

pub(super) fn ok_with(code: u16, fields: Value) -> Outcome {
    let mut map = Map::new();
    map.insert("status".into(), json!("success"));
    map.insert("code".into(), json!(code));
    if let Value::Object(fields) = fields {
        map.extend(fields);
    }
    Ok(Success(map))
}

impl Failure {
    pub(super) fn new(code: u16, error_code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            error_code: Some(error_code),
            message: message.into(),
            errors: None,
        }
    }

    /// An error the host sends without an `errorCode` ("Id not found", unknown methods).
    pub(super) fn bare(code: u16, message: impl Into<String>) -> Self {
        Self {
            code,
            error_code: None,
            message: message.into(),
            errors: None,
        }
    }

    pub(super) fn with_errors(mut self, errors: Value) -> Self {
        self.errors = Some(errors);
        self
    }

    /// 406 with sub-errors `[{"code":..,"message":..}]` (errorCode 21 or 42).
    pub(super) fn unavailable(error_code: i64, message: &str, sub_code: i64) -> Self {
        Self::new(406, error_code, message)
            .with_errors(json!([{ "code": sub_code, "message": sub_message(sub_code) }]))
    }
}

/// The messages of the sub-codes in `errors[].code`.
fn sub_message(sub_code: i64) -> &'static str {
    match sub_code {
        1 => "Download count files exceed",
        2 => "Traffic limit exceed",
        3 => "Free user can't download large files. Upgrade to PREMIUM and forget about limits.",
        4 => "You no can access to this file",
        5 => "Please wait to download this file",
        6 => "Free account does not allow to download more than one file at the same time",
        7 => "This download available only for premium users",
        8 => "This is private file",
        _ => "This download available only for store subscribers",
    }
}

pub(super) fn invalid_params() -> Failure {
    Failure::new(400, 2, "Invalid request params")
}

pub(super) fn unauthorized() -> Failure {
    Failure::new(403, 10, "You are not authorized for this action")
}

pub(super) fn file_not_found() -> Failure {
    Failure::new(406, 20, "File not found")
}

pub(super) fn folder_full() -> Failure {
    Failure::new(406, 61, "Limit files in specified folder reached")
}

pub(super) fn disk_quota_exceeded() -> Failure {
    Failure::new(406, 64, "Disk quota exceeded")
}

pub(super) fn render(outcome: Outcome) -> Response {
    match outcome {
        Ok(Success(map)) => {
            let code = map
                .get("code")
                .and_then(Value::as_u64)
                .and_then(|code| u16::try_from(code).ok())
                .unwrap_or(200);
            json_response(code, Value::Object(map))
        }
        Err(failure) => failure.into_response(),
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let mut map = Map::new();
        map.insert("message".into(), json!(self.message));
        map.insert("status".into(), json!("error"));
        map.insert("code".into(), json!(self.code));
        if let Some(error_code) = self.error_code {
            map.insert("errorCode".into(), json!(error_code));
        }
        if let Some(errors) = self.errors {
            map.insert("errors".into(), errors);
        }
        json_response(self.code, Value::Object(map))
    }
}

fn json_response(code: u16, body: Value) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(body)).into_response()
}
