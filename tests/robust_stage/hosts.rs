//! The `Host` check against DNS rebinding, on the real server: the bound address, localhost,
//! 127.0.0.1, [::1] and `--allowed-host` names are answered; any other name gets a JSON 403 in
//! Chinese; a request without a `Host` (HTTP/1.0) is answered.

use std::time::Duration;

use super::Site;
use crate::common::server::{Response, Server, parse, send};

fn with_host(server: &Server, host: Option<&str>) -> Response {
    let request = match host {
        Some(host) => {
            format!("GET /api/search?q=x HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
        }
        None => "GET /api/search?q=x HTTP/1.0\r\n\r\n".to_string(),
    };
    let raw = send(server.port, request.as_bytes(), Duration::from_secs(30)).unwrap();
    parse(&raw).0.into_iter().next().expect("an answer")
}

#[test]
fn only_requests_naming_an_allowed_host_are_answered() {
    let site = Site::with_fixture_corpus();
    let log = site.dir.path().join("serve.log");
    let mut server = Server::start_with(
        &site.index(),
        &site.corpus(),
        log,
        &["--allowed-host", "Zhili.Example.ORG"],
    );
    let port = server.port;
    let allowed = [
        format!("127.0.0.1:{port}"),
        "127.0.0.1".into(),
        format!("localhost:{port}"),
        "LocalHost".into(),
        format!("[::1]:{port}"),
        format!("zhili.example.org:{port}"),
        "zhili.example.org.".into(),
    ];
    for host in &allowed {
        let response = with_host(&server, Some(host));
        assert_eq!(response.status, 200, "{host}: {}", response.text());
    }
    assert_eq!(
        with_host(&server, None).status,
        200,
        "HTTP/1.0 without Host"
    );
    let refused = [
        "evil.example".to_string(),
        format!("evil.example:{port}"),
        "127.0.0.1.evil.example".into(),
        "localhost.evil.example".into(),
        "zhili.example.org.evil".into(),
        "[::2]".into(),
        String::new(),
    ];
    for host in &refused {
        let response = with_host(&server, Some(host));
        assert_eq!(response.status, 403, "{host:?}: {}", response.text());
        let error = response.json()["error"].as_str().unwrap().to_string();
        assert!(
            error.contains("不接受主机名") && error.contains("--allowed-host"),
            "{error}"
        );
    }
    eprintln!(
        "hosts: {} allowed Host headers answered 200, {} foreign ones refused with 403",
        allowed.len() + 1,
        refused.len()
    );
    server.assert_healthy(Duration::from_secs(2));
}
