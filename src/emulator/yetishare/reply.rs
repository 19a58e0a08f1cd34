//! The YetiShare envelope: HTTP 200 with `_status` and `_datetime` for every application
//! answer; 404 only for unknown routes; 405 for verbs other than GET and POST.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

/// What an action answers: its keys (`response`, `data`, ...) or an error message.
pub(super) type Outcome = Result<Map<String, Value>, String>;

/// `Y-m-d H:i:s` in the server's local time.
pub(super) fn now() -> String {
    chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

/// An action's keys, in order, ready to be an [`Outcome`].
pub(super) fn keys(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => Map::from_iter([("data".to_string(), other)]),
    }
}

pub(super) fn render(outcome: Outcome) -> Response {
    match outcome {
        Ok(keys) => stamped(keys, "success", StatusCode::OK),
        Err(message) => stamped(
            Map::from_iter([("response".to_string(), Value::String(message))]),
            "error",
            StatusCode::OK,
        ),
    }
}

/// An action the endpoint does not have: `{"0":"No method found within endpoint (file): xyz",...}`.
pub(super) fn no_method(endpoint: &str, action: &str) -> Response {
    let message = format!("No method found within endpoint ({endpoint}): {action}");
    stamped(
        Map::from_iter([("0".to_string(), Value::String(message))]),
        "error",
        StatusCode::NOT_FOUND,
    )
}

/// An unknown endpoint: the bare JSON string `"No endpoint found for: xyz"`.
pub(super) fn no_endpoint(endpoint: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        Json(json!(format!("No endpoint found for: {endpoint}"))),
    )
        .into_response()
}

/// A verb other than GET or POST.
pub(super) fn invalid_method() -> Response {
    stamped(
        Map::from_iter([("0".to_string(), json!("Invalid Method"))]),
        "error",
        StatusCode::METHOD_NOT_ALLOWED,
    )
}

fn stamped(mut keys: Map<String, Value>, status: &str, code: StatusCode) -> Response {
    keys.insert("_status".to_string(), json!(status));
    keys.insert("_datetime".to_string(), json!(now()));
    (code, Json(Value::Object(keys))).into_response()
}
