//! Uploads: `getUploadFormData` names an upload node and the fields to send; the file goes to
//! that node in one streamed multipart POST that is never replayed.

use reqwest::multipart::Form;
use serde_json::{Value, json};

use super::errors::{self, ApiError};
use super::transport::Transport;
use super::types::{UploadForm, UploadReply, folder_param, form_text, read};
use crate::http;
use crate::provider::{ErrorKind, FolderId, ProgressFn, ProviderError, Result, UploadBody};

/// Send `body` as `name` into `parent`; returns the new file's id.
pub(super) async fn upload(
    api: &Transport,
    parent: &FolderId,
    name: &str,
    body: UploadBody,
    progress: ProgressFn,
) -> Result<String> {
    let reply = api
        .call(
            "getUploadFormData",
            json!({"parent_id": folder_param(parent)}),
        )
        .await?;
    let form: UploadForm = read(reply, "getUploadFormData")?;
    let action = form
        .form_action
        .as_deref()
        .ok_or_else(|| ProviderError::fatal("the host named no upload server"))?;
    let action = api.resolve(action)?;
    let node = action.host_str().unwrap_or("the upload server").to_string();
    let file_field = form.file_field.unwrap_or_else(|| "file".to_string());

    let mut multipart = Form::new();
    for (key, value) in &form.form_data {
        multipart = multipart.text(key.clone(), form_text(value));
    }
    let len = body.len;
    let stream = body.counting(progress).stream;
    let file = http::multipart::file_part(stream, len, name)?;
    multipart = multipart.part(file_field, file);

    // From here on the body is being spent: every failure means starting over.
    let restart = |e: ProviderError| {
        let mut e = e.context(format!("uploading {name} to {node}"));
        if e.kind == ErrorKind::Transient {
            e.message
                .push_str(" (the upload must restart from the beginning)");
        }
        e
    };
    let request = api.upload_client.post(action).multipart(multipart);
    let resp = api
        .upload_client
        .send(request)
        .await
        .map_err(|e| restart(e.into()))?;
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = http::read_reply(resp)
        .await
        .map_err(|e| restart(e.into()))?;
    let reply = match serde_json::from_slice::<Value>(&bytes) {
        Ok(reply @ Value::Object(_)) => reply,
        _ if status.is_redirection() => {
            return Err(restart(ProviderError::transient(format!(
                "{node} redirected the upload instead of answering"
            ))));
        }
        _ if status.is_success() => {
            return Err(restart(ProviderError::fatal(format!(
                "the reply is not JSON: {}",
                http::body_excerpt(&bytes)
            ))));
        }
        _ => {
            return Err(restart(
                http::HttpError::status(status, &headers, &node).into(),
            ));
        }
    };
    let fields: UploadReply = read(reply.clone(), "the upload").map_err(restart)?;
    let node_status = fields.status_code.or(fields.code);
    let succeeded = status.is_success()
        && fields.status.as_deref() != Some("error")
        && node_status.is_none_or(|c| (200..300).contains(&c));
    match fields.user_file_id {
        Some(id) if succeeded => Ok(id),
        None if succeeded => Err(restart(ProviderError::fatal(
            "the upload server answered without the new file's id",
        ))),
        _ => {
            let error = ApiError::parse(status.as_u16(), &reply, http::retry_after(&headers), &[]);
            Err(restart(errors::plain_error("upload", &error)))
        }
    }
}
