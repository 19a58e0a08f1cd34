//! Minimal raw clients of the three emulated sites, written from the protocol notes, for the
//! emulator's network and hostile-host tests: one call, a folder listing read into entries,
//! a download link. They use the premium demo accounts.
#![allow(dead_code)]

use haul::emulator::EmulatorHandle;
use haul::emulator::keep2share::PREMIUM_ACCESS_TOKEN;
use haul::emulator::xfilesharing::PREMIUM_KEY;
use haul::emulator::yetishare::{PREMIUM_KEY1, PREMIUM_KEY2};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Site {
    YetiShare,
    Keep2Share,
    XFileSharing,
}

pub const SITES: [Site; 3] = [Site::YetiShare, Site::Keep2Share, Site::XFileSharing];

/// A file or folder as a listing names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    pub name: String,
    pub is_folder: bool,
}

pub struct Client {
    pub site: Site,
    pub http: reqwest::Client,
    api: String,
    /// YetiShare's `access_token` and `account_id`.
    session: Option<(String, String)>,
}

impl Client {
    /// Signs in to `site`'s premium demo account.
    pub async fn new(handle: &EmulatorHandle, site: Site) -> Client {
        let origin = handle.base_url();
        let api = match site {
            Site::YetiShare => format!("{origin}/yetishare/api/v2"),
            Site::Keep2Share => format!("{origin}/keep2share/api/v2"),
            Site::XFileSharing => format!("{origin}/xfilesharing/api"),
        };
        let mut client = Client {
            site,
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("http client"),
            api,
            session: None,
        };
        if site == Site::YetiShare {
            let reply: Value = client
                .call(
                    "authorize",
                    &[("key1", PREMIUM_KEY1), ("key2", PREMIUM_KEY2)],
                )
                .await
                .json()
                .await
                .expect("authorize answers JSON");
            let data = &reply["data"];
            client.session = Some((
                data["access_token"].as_str().expect("token").to_string(),
                data["account_id"].as_str().expect("account id").to_string(),
            ));
        }
        client
    }

    /// One API call with the account's credentials; the raw answer.
    pub async fn call(&self, route: &str, params: &[(&str, &str)]) -> reqwest::Response {
        let url = format!("{}/{route}", self.api);
        let request = match self.site {
            Site::YetiShare => {
                let mut form: Vec<(&str, &str)> = params.to_vec();
                if let Some((token, account)) = &self.session {
                    form.push(("access_token", token));
                    form.push(("account_id", account));
                }
                self.http.post(url).form(&form)
            }
            Site::Keep2Share => {
                let mut body = serde_json::Map::new();
                body.insert("access_token".into(), json!(PREMIUM_ACCESS_TOKEN));
                for (name, value) in params {
                    let value = if *name == "ids" {
                        json!([value])
                    } else {
                        json!(value)
                    };
                    body.insert(name.to_string(), value);
                }
                self.http.post(url).json(&body)
            }
            Site::XFileSharing => {
                let mut query: Vec<(&str, &str)> = vec![("key", PREMIUM_KEY)];
                query.extend_from_slice(params);
                self.http.get(url).query(&query)
            }
        };
        request.send().await.expect("request")
    }

    async fn json(&self, route: &str, params: &[(&str, &str)]) -> Value {
        self.call(route, params)
            .await
            .json()
            .await
            .unwrap_or_else(|error| panic!("{route} answers JSON: {error}"))
    }

    /// The listing call of a folder (`None`: the root).
    pub async fn list(&self, folder: Option<&str>) -> reqwest::Response {
        match self.site {
            Site::YetiShare => {
                self.call(
                    "folder/listing",
                    &[("parent_folder_id", folder.unwrap_or(""))],
                )
                .await
            }
            Site::Keep2Share => {
                self.call("getFilesList", &[("parent", folder.unwrap_or("/"))])
                    .await
            }
            Site::XFileSharing => {
                self.call("folder/list", &[("fld_id", folder.unwrap_or("0"))])
                    .await
            }
        }
    }

    /// The entries of a folder (`None`: the root).
    pub async fn entries(&self, folder: Option<&str>) -> Vec<Entry> {
        let reply: Value = self
            .list(folder)
            .await
            .json()
            .await
            .expect("listing is JSON");
        self.entries_of(&reply)
    }

    /// Reads a listing reply into entries (XFileSharing's Latin-1 names decoded).
    pub fn entries_of(&self, reply: &Value) -> Vec<Entry> {
        let read = |items: &Value, id: &str, name: &str, is_folder: Option<bool>| -> Vec<Entry> {
            items
                .as_array()
                .unwrap_or_else(|| panic!("a list of entries in {reply}"))
                .iter()
                .map(|item| Entry {
                    id: text(&item[id]),
                    name: item[name].as_str().expect("a name").to_string(),
                    is_folder: is_folder.unwrap_or_else(|| item["is_folder"] == json!(true)),
                })
                .collect()
        };
        match self.site {
            Site::YetiShare => {
                let mut entries = read(&reply["data"]["files"], "id", "filename", Some(false));
                entries.extend(read(
                    &reply["data"]["folders"],
                    "id",
                    "folderName",
                    Some(true),
                ));
                entries
            }
            Site::Keep2Share => read(&reply["files"], "id", "name", None),
            Site::XFileSharing => {
                let mut entries = read(&reply["result"]["files"], "file_code", "name", Some(false));
                entries.extend(read(
                    &reply["result"]["folders"],
                    "fld_id",
                    "name",
                    Some(true),
                ));
                for entry in &mut entries {
                    entry.name = from_latin1(&entry.name);
                }
                entries
            }
        }
    }

    /// The info call for one file.
    pub async fn file_info(&self, id: &str) -> Value {
        match self.site {
            Site::YetiShare => self.json("file/info", &[("file_id", id)]).await,
            Site::Keep2Share => self.json("getFilesInfo", &[("ids", id)]).await,
            Site::XFileSharing => self.json("file/info", &[("file_code", id)]).await,
        }
    }

    /// The name a file-info reply gives (decoded on XFileSharing).
    pub fn info_name(&self, reply: &Value) -> String {
        match self.site {
            Site::YetiShare => text(&reply["data"]["filename"]),
            Site::Keep2Share => text(&reply["files"][0]["name"]),
            Site::XFileSharing => from_latin1(&text(&reply["result"][0]["name"])),
        }
    }

    /// The call that hands out a file's download link.
    pub async fn link_reply(&self, id: &str) -> Value {
        match self.site {
            Site::YetiShare => self.json("file/download", &[("file_id", id)]).await,
            Site::Keep2Share => self.json("getUrl", &[("file_id", id)]).await,
            Site::XFileSharing => self.json("file/direct_link", &[("file_code", id)]).await,
        }
    }

    /// The link in a [`Client::link_reply`].
    pub fn link_of(&self, reply: &Value) -> String {
        let link = match self.site {
            Site::YetiShare => &reply["data"]["download_url"],
            Site::Keep2Share => &reply["url"],
            Site::XFileSharing => &reply["result"]["url"],
        };
        link.as_str()
            .unwrap_or_else(|| panic!("a link in {reply}"))
            .to_string()
    }

    pub async fn download_url(&self, id: &str) -> String {
        let reply = self.link_reply(id).await;
        self.link_of(&reply)
    }

    /// The first file of the root folder (the demo tree's `readme.txt`).
    pub async fn root_file(&self) -> Entry {
        self.entries(None)
            .await
            .into_iter()
            .find(|entry| !entry.is_folder)
            .expect("a file at the root")
    }

    /// A folder of the root by name.
    pub async fn root_folder(&self, name: &str) -> Entry {
        self.entries(None)
            .await
            .into_iter()
            .find(|entry| entry.is_folder && entry.name == name)
            .unwrap_or_else(|| panic!("no folder {name} at the root"))
    }
}

/// An id or a name, whether sent as a string or a number.
pub fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// XFileSharing sends one char per UTF-8 byte.
pub fn from_latin1(sent: &str) -> String {
    let bytes: Vec<u8> = sent
        .chars()
        .map(|c| u8::try_from(u32::from(c)).expect("a Latin-1 char"))
        .collect();
    String::from_utf8(bytes).expect("UTF-8 underneath")
}

/// An emulator with the demo accounts, and its data dir.
pub async fn emulator() -> (EmulatorHandle, tempfile::TempDir) {
    let data = tempfile::TempDir::new().expect("temp dir");
    let config = haul::emulator::EmulatorConfig {
        data_dir: data.path().to_path_buf(),
        listen: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        seed_demo: true,
        faults: haul::emulator::Faults::default(),
    };
    let handle = haul::emulator::start(config)
        .await
        .expect("emulator starts");
    (handle, data)
}

/// `POST /__emulator/faults` over the wire, as a test harness outside the process would.
pub async fn set_faults(handle: &EmulatorHandle, faults: Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/__emulator/faults", handle.base_url()))
        .json(&faults)
        .send()
        .await
        .expect("faults request");
    assert!(response.status().is_success(), "{faults} was refused");
}

/// `GET /__emulator/stats`.
pub async fn stats(handle: &EmulatorHandle) -> Value {
    reqwest::get(format!("{}/__emulator/stats", handle.base_url()))
        .await
        .expect("stats request")
        .json()
        .await
        .expect("stats JSON")
}
