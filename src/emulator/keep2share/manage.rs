//! `createFolder`, `updateFile`, `updateFiles` and `deleteFiles`.

use serde_json::json;

use super::Site;
use super::auth::account;
use super::db::{Access, Db, Node};
use super::render::now_secs;
use super::reply::{self, Failure, Outcome, file_not_found, folder_full};
use super::request::Params;

const MAX_NAME_CHARS: usize = 255;

/// Problems with a new name, in the host's validation wording.
pub(super) fn name_errors(name: &str, min_chars: usize) -> Vec<String> {
    let chars = name.chars().count();
    let mut errors = Vec::new();
    if chars < min_chars.max(1) {
        errors.push(format!(
            "Name is too short (minimum is {} characters).",
            min_chars.max(1)
        ));
    }
    if chars > MAX_NAME_CHARS {
        errors.push(format!(
            "Name is too long (maximum is {MAX_NAME_CHARS} characters)."
        ));
    }
    if name.contains('/') || name.chars().any(char::is_control) {
        errors.push("Name contains invalid characters.".to_string());
    }
    errors
}

pub(super) const ACCESS_NOT_IN_LIST: &str = "Access is not in the list.";
pub(super) const NO_DESTINATION: &str = "Destination directory was not found";

/// 200, or the doc's 201/202 when the setting asks for them.
pub(super) fn success_code(site: &Site, documented: u16) -> u16 {
    if site.settings().documented_success_codes {
        documented
    } else {
        200
    }
}

pub(super) fn create_folder(site: &Site, params: &Params) -> Outcome {
    let account = account(site, params)?;
    let name = params.required("name")?.trim().to_string();
    let parent = params.string("parent")?.unwrap_or_else(|| "/".to_string());
    let access = params
        .string("access")?
        .unwrap_or_else(|| "public".to_string());
    let is_public = params.bool("is_public")?.unwrap_or(false);
    let mut errors = name_errors(&name, 1);
    let access = Access::parse(&access);
    if access.is_none() {
        errors.push(ACCESS_NOT_IN_LIST.to_string());
    }
    let id = site.change(|db| {
        let parent = db.parent_of(account.id, &parent);
        if parent.is_none() {
            errors.push(NO_DESTINATION.to_string());
        }
        let (Some(parent), Some(access), true) = (parent, access, errors.is_empty()) else {
            return Err(Failure::new(406, 60, "Error create folder").with_errors(json!(errors)));
        };
        if !db.has_room(account.id, parent.as_deref(), 1) {
            return Err(folder_full());
        }
        let id = db.new_id();
        let seq = db.next_seq();
        db.nodes.insert(
            id.clone(),
            Node {
                id: id.clone(),
                account_id: account.id,
                parent,
                name,
                access,
                is_public,
                created: now_secs(),
                seq,
                content: None,
            },
        );
        Ok(id)
    })?;
    reply::ok_with(success_code(site, 201), json!({ "id": id }))
}

/// The `new_*` fields of `updateFile` and `updateFiles`; absent or `null` leaves a value.
struct Changes {
    name: Option<String>,
    parent: Option<String>,
    access: Option<String>,
    is_public: Option<bool>,
}

impl Changes {
    fn read(params: &Params) -> Result<Self, Failure> {
        Ok(Self {
            name: params
                .string("new_name")?
                .map(|name| name.trim().to_string()),
            parent: params.string("new_parent")?,
            access: params.string("new_access")?,
            is_public: params.bool("new_is_public")?,
        })
    }
}

enum Refusal {
    NotFound,
    FolderFull,
    Invalid(Vec<String>),
}

impl Refusal {
    fn failure(self) -> Failure {
        match self {
            Refusal::NotFound => file_not_found(),
            Refusal::FolderFull => folder_full(),
            Refusal::Invalid(errors) => {
                Failure::new(406, 63, "Error update file").with_errors(json!(errors))
            }
        }
    }

    /// The per-file `errors` of `updateFiles`.
    fn reasons(self) -> Vec<String> {
        match self {
            Refusal::NotFound => vec!["File not found".to_string()],
            Refusal::FolderFull => vec!["Limit files in specified folder reached".to_string()],
            Refusal::Invalid(errors) => errors,
        }
    }
}

/// Checks every change first, then makes them all (or none).
fn apply(db: &mut Db, account_id: u64, id: &str, changes: &Changes) -> Result<(), Refusal> {
    let node = db.owned(account_id, id).ok_or(Refusal::NotFound)?;
    let mut errors = Vec::new();
    if let Some(name) = &changes.name {
        errors.extend(name_errors(name, 1));
    }
    let access = changes.access.as_deref().map(Access::parse);
    if access == Some(None) {
        errors.push(ACCESS_NOT_IN_LIST.to_string());
    }
    let parent = match changes.parent.as_deref() {
        None => None,
        Some(value) => match db.parent_of(account_id, value) {
            None => {
                errors.push(NO_DESTINATION.to_string());
                None
            }
            Some(Some(target)) if node.is_folder() && db.is_within(&target, id) => {
                errors.push("Folder can't be moved into itself or its subfolder.".to_string());
                None
            }
            Some(target) => Some(target),
        },
    };
    if !errors.is_empty() {
        return Err(Refusal::Invalid(errors));
    }
    if let Some(target) = &parent
        && *target != node.parent
        && !db.has_room(account_id, target.as_deref(), 1)
    {
        return Err(Refusal::FolderFull);
    }
    let Some(node) = db.nodes.get_mut(id) else {
        return Err(Refusal::NotFound);
    };
    if let Some(name) = &changes.name {
        node.name = name.clone();
    }
    if let Some(Some(access)) = access {
        node.access = access;
    }
    if let Some(parent) = parent {
        node.parent = parent;
    }
    if let Some(is_public) = changes.is_public {
        node.is_public = is_public;
    }
    Ok(())
}

pub(super) fn update_file(site: &Site, params: &Params) -> Outcome {
    let account = account(site, params)?;
    let id = params.required("id")?;
    let changes = Changes::read(params)?;
    site.change(|db| apply(db, account.id, &id, &changes).map_err(Refusal::failure))?;
    reply::ok_with(success_code(site, 202), json!({}))
}

/// Always 200; each file says how it went.
pub(super) fn update_files(site: &Site, params: &Params) -> Outcome {
    let account = account(site, params)?;
    let ids = params.required_list("ids")?;
    let changes = Changes::read(params)?;
    let files = site.change(|db| {
        let files: Vec<_> = ids
            .iter()
            .map(|id| {
                let errors = match apply(db, account.id, id, &changes) {
                    Ok(()) => Vec::new(),
                    Err(refusal) => refusal.reasons(),
                };
                let status = if errors.is_empty() {
                    "success"
                } else {
                    "error"
                };
                json!({ "id": id, "status": status, "errors": errors })
            })
            .collect();
        Ok::<_, Failure>(files)
    })?;
    reply::ok(json!({ "files": files }))
}

/// Deletes files and folders (with what they hold); `deleted` counts the ids that went.
pub(super) async fn delete_files(site: &Site, params: &Params) -> Outcome {
    let account = account(site, params)?;
    let ids = params.required_list("ids")?;
    let (deleted, blobs) = site.change(|db| {
        let mut deleted = 0u64;
        let mut blobs = Vec::new();
        for id in &ids {
            if db.owned(account.id, id).is_some() {
                blobs.extend(db.remove_tree(id));
                deleted += 1;
            }
        }
        Ok::<_, Failure>((deleted, blobs))
    })?;
    site.remove_blobs(&blobs).await;
    reply::ok(json!({ "deleted": deleted }))
}
