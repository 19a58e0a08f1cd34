//! `link-to-*` and `redirect-to-*`: download links and downloads that lead to other schemes
//! and to another host, on all three sites.

use reqwest::StatusCode;
use reqwest::header::LOCATION;

use super::clients::{Client, SITES, stats};
use super::{emulator, only};

const TARGETS: [(&str, &str); 3] = [
    ("file", "file:///etc/passwd"),
    ("ftp", "ftp://"),
    ("javascript", "javascript:"),
];

#[tokio::test]
async fn links_in_api_replies_point_to_other_schemes() {
    let (handle, _data) = emulator().await;
    for site in SITES {
        let client = Client::new(&handle, site).await;
        only(&handle, None).await;
        let file = client.root_file().await;
        for (target, prefix) in TARGETS {
            let case = format!("link-to-{target}");
            only(&handle, Some(&case)).await;
            let link = client.link_of(&client.link_reply(&file.id).await);
            assert!(link.starts_with(prefix), "{site:?} {case}: {link}");
        }
    }
}

#[tokio::test]
async fn links_to_another_host_land_there() {
    let (handle, _data) = emulator().await;
    for site in SITES {
        let client = Client::new(&handle, site).await;
        only(&handle, None).await;
        let file = client.root_file().await;
        only(&handle, Some("link-to-other-host")).await;
        let link = client.link_of(&client.link_reply(&file.id).await);
        let host = url::Url::parse(&link).expect("a URL");
        assert_eq!(host.host_str(), Some("localhost"), "{site:?}: {link}");
        let page = reqwest::get(&link).await.expect("the other host answers");
        assert!(page.text().await.expect("text").contains("another host"));
    }
    assert_eq!(stats(&handle).await["hostile_elsewhere"], 3);
}

#[tokio::test]
async fn downloads_redirect_to_other_schemes_and_hosts() {
    let (handle, _data) = emulator().await;
    for site in SITES {
        let client = Client::new(&handle, site).await;
        only(&handle, None).await;
        let file = client.root_file().await;
        let url = client.download_url(&file.id).await;
        let other_host = ("other-host", "http://localhost:");
        for (target, prefix) in TARGETS.into_iter().chain([other_host]) {
            let case = format!("redirect-to-{target}");
            only(&handle, Some(&case)).await;
            let response = client.http.get(&url).send().await.expect("download");
            assert_eq!(response.status(), StatusCode::FOUND, "{site:?} {case}");
            let location = response.headers()[LOCATION].to_str().expect("ASCII");
            assert!(location.starts_with(prefix), "{site:?} {case}: {location}");
        }
        // A client that follows redirects ends up with the other host's page.
        let followed = reqwest::get(&url).await.expect("followed");
        assert_eq!(followed.url().host_str(), Some("localhost"), "{site:?}");
        assert!(
            followed
                .text()
                .await
                .expect("text")
                .contains("another host")
        );
    }
}
