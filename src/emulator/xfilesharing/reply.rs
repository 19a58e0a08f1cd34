//! The XFS envelope: every application answer is HTTP 200 JSON with `status`, `msg`, `result`
//! and `server_time`; errors carry no `result`. Unknown paths get the web server's HTML 404.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::accounts::StatusStyle;

/// What an endpoint answers.
pub(super) type Outcome = Result<Answer, Failure>;

pub(super) enum Answer {
    /// `{"status":200,"msg":"OK","result":...}`.
    Result(Value),
    /// `{"status":200,"msg":"OK"}`, as `file/set_folder` answers.
    Done,
    /// `upload/server`: `sess_id` beside `result`, in the sample's key order.
    UploadServer { sess_id: String, url: String },
}

/// An application error: its `status` and `msg`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Failure {
    pub(super) status: u16,
    pub(super) msg: &'static str,
}

pub(super) const INVALID_KEY: Failure = Failure {
    status: 400,
    msg: "Invalid key",
};
pub(super) const NO_FILE: Failure = Failure {
    status: 404,
    msg: "no file",
};
pub(super) const NO_NAME: Failure = Failure {
    status: 400,
    msg: "No name",
};
pub(super) const NO_URL: Failure = Failure {
    status: 400,
    msg: "No url",
};
pub(super) const NOT_ENABLED: Failure = Failure {
    status: 403,
    msg: "Not enabled",
};
pub(super) const FOLDER_NOT_YOURS: Failure = Failure {
    status: 403,
    msg: "Folder not exist or not yours",
};
pub(super) const NO_SUCH_FOLDER: Failure = Failure {
    status: 403,
    msg: "Your account don't have such folder",
};

/// `YYYY-MM-DD HH:MM:SS` in the server's local time.
pub(super) fn now() -> String {
    chrono::Local::now().format("%Y-%m-%d %H:%M:%S").to_string()
}

pub(super) fn render(outcome: Outcome, style: StatusStyle) -> Response {
    let status = |code: u16| match style {
        StatusStyle::Number => json!(code),
        StatusStyle::Text => json!(code.to_string()),
    };
    let mut body = Map::new();
    match outcome {
        Ok(Answer::Result(result)) => {
            body.insert("status".into(), status(200));
            body.insert("msg".into(), json!("OK"));
            body.insert("result".into(), result);
        }
        Ok(Answer::Done) => {
            body.insert("status".into(), status(200));
            body.insert("msg".into(), json!("OK"));
        }
        Ok(Answer::UploadServer { sess_id, url }) => {
            body.insert("status".into(), status(200));
            body.insert("sess_id".into(), json!(sess_id));
            body.insert("result".into(), json!(url));
            body.insert("msg".into(), json!("OK"));
        }
        Err(failure) => {
            body.insert("status".into(), status(failure.status));
            body.insert("msg".into(), json!(failure.msg));
        }
    }
    body.insert("server_time".into(), json!(now()));
    Json(Value::Object(body)).into_response()
}

/// The web server's page for a path it does not serve (an unknown API endpoint included).
pub(super) fn not_found_page() -> Response {
    html(
        StatusCode::NOT_FOUND,
        "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n\
         <title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n\
         <p>The requested URL was not found on this server.</p>\n</body></html>\n"
            .to_string(),
    )
}

pub(super) fn html(status: StatusCode, page: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=UTF-8")],
        page,
    )
        .into_response()
}

/// Text for an HTML page: `&`, `<`, `>` and `"` escaped.
pub(super) fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
