//! What the site's paths mean: the API endpoints, and the upload server, download server and
//! file pages beside them. One parser serves both the dispatch and the stats' route names.

/// Every API endpoint. No delete and no folder move: the standard API has neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Endpoint {
    AccountInfo,
    AccountStats,
    UploadServer,
    UploadUrl,
    FileDirectLink,
    FileInfo,
    FileList,
    FileRename,
    FileClone,
    FileSetFolder,
    FilesDeleted,
    FilesDmca,
    FilesCheck,
    FolderList,
    FolderCreate,
    FolderRename,
}

impl Endpoint {
    const ALL: [Endpoint; 16] = [
        Endpoint::AccountInfo,
        Endpoint::AccountStats,
        Endpoint::UploadServer,
        Endpoint::UploadUrl,
        Endpoint::FileDirectLink,
        Endpoint::FileInfo,
        Endpoint::FileList,
        Endpoint::FileRename,
        Endpoint::FileClone,
        Endpoint::FileSetFolder,
        Endpoint::FilesDeleted,
        Endpoint::FilesDmca,
        Endpoint::FilesCheck,
        Endpoint::FolderList,
        Endpoint::FolderCreate,
        Endpoint::FolderRename,
    ];

    /// `<group>/<action>` after the API root; matched exactly (case and slashes).
    pub(super) fn path(self) -> &'static str {
        match self {
            Endpoint::AccountInfo => "account/info",
            Endpoint::AccountStats => "account/stats",
            Endpoint::UploadServer => "upload/server",
            Endpoint::UploadUrl => "upload/url",
            Endpoint::FileDirectLink => "file/direct_link",
            Endpoint::FileInfo => "file/info",
            Endpoint::FileList => "file/list",
            Endpoint::FileRename => "file/rename",
            Endpoint::FileClone => "file/clone",
            Endpoint::FileSetFolder => "file/set_folder",
            Endpoint::FilesDeleted => "files/deleted",
            Endpoint::FilesDmca => "files/dmca",
            Endpoint::FilesCheck => "files/check",
            Endpoint::FolderList => "folder/list",
            Endpoint::FolderCreate => "folder/create",
            Endpoint::FolderRename => "folder/rename",
        }
    }

    pub(super) fn parse(path: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|endpoint| endpoint.path() == path)
    }
}

/// A path under the site root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum SitePath<'a> {
    /// `api/<group>/<action>`; `None` for an endpoint the API does not have.
    Api(Option<Endpoint>),
    /// `s<N>/cgi-bin/upload.cgi`
    UploadCgi,
    /// `s<N>/cgi-bin/dl.cgi/<token>/<name>`
    DlCgi {
        token: &'a str,
    },
    /// `<file_code>` or `<file_code>/<name>.html`
    FilePage {
        code: &'a str,
    },
    Unknown,
}

impl<'a> SitePath<'a> {
    /// Reads the path after `/xfilesharing/`.
    pub(super) fn parse(rest: &'a str) -> Self {
        if let Some(endpoint) = rest.strip_prefix("api/") {
            return SitePath::Api(Endpoint::parse(endpoint));
        }
        let segments: Vec<&str> = rest.split('/').collect();
        match segments.as_slice() {
            ["api"] => SitePath::Api(None),
            [_, "cgi-bin", "upload.cgi"] => SitePath::UploadCgi,
            [_, "cgi-bin", "dl.cgi", token, name, ..] if !token.is_empty() && !name.is_empty() => {
                SitePath::DlCgi { token }
            }
            [code] | [code, _] if !code.is_empty() => SitePath::FilePage { code },
            _ => SitePath::Unknown,
        }
    }

    /// The name counted in the stats, after `xfilesharing/`.
    pub(super) fn stats_name(&self) -> &'static str {
        match self {
            SitePath::Api(Some(endpoint)) => endpoint.path(),
            SitePath::UploadCgi => "upload.cgi",
            SitePath::DlCgi { .. } => "dl.cgi",
            SitePath::FilePage { .. } => "file_page",
            SitePath::Api(None) | SitePath::Unknown => "unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_exactly() {
        assert_eq!(
            SitePath::parse("api/file/list"),
            SitePath::Api(Some(Endpoint::FileList))
        );
        assert_eq!(SitePath::parse("api/file/deleted"), SitePath::Api(None));
        assert_eq!(SitePath::parse("api/File/List"), SitePath::Api(None));
        assert_eq!(SitePath::parse("api/file/list/"), SitePath::Api(None));
        assert_eq!(SitePath::parse("api"), SitePath::Api(None));
        assert_eq!(
            SitePath::parse("s3/cgi-bin/upload.cgi"),
            SitePath::UploadCgi
        );
        assert_eq!(
            SitePath::parse("s1/cgi-bin/dl.cgi/tok/a%2Fb.txt"),
            SitePath::DlCgi { token: "tok" }
        );
        assert_eq!(SitePath::parse("s1/cgi-bin/dl.cgi/tok"), SitePath::Unknown);
        assert_eq!(
            SitePath::parse("abc123def456/name.html"),
            SitePath::FilePage {
                code: "abc123def456"
            }
        );
        assert_eq!(SitePath::parse(""), SitePath::Unknown);
        assert_eq!(SitePath::parse("a/b/c"), SitePath::Unknown);
    }
}
