//! Every 400 and 404 path, nothing a client sends gives a 500, the XSS document comes back
//! escaped, and the page is served with its security headers.

use super::enc;

const XSS: &str = "0000000000000007";

#[actix_web::test]
async fn bad_parameters_are_400_with_a_message_naming_them() {
    let app = server_app!();
    let long_query = format!("/api/search?q={}", enc(&"治".repeat(501)));
    let cases = [
        ("/api/search?page=0", "page"),
        ("/api/search?page=abc", "page"),
        ("/api/search?page=-2", "page"),
        ("/api/search?page=100000", "page"),
        ("/api/search?per_page=0", "per_page"),
        ("/api/search?per_page=101", "per_page"),
        ("/api/search?sort=newest", "sort"),
        ("/api/search?year_from=last", "year_from"),
        ("/api/search?year_to=20222", "year_to"),
        ("/api/search?year_from=2023&year_to=2020", "year_from"),
        ("/api/search?measure=nonsense", "measure"),
        ("/api/search?measure=video&measure=%3Cscript%3E", "measure"),
        (long_query.as_str(), "q"),
        ("/api/compare?ids=a000000000000001", "ids"),
        ("/api/compare", "ids"),
        ("/api/compare?ids=1,2,3,4,5,6,7", "ids"),
        ("/api/compare?ids=a000000000000001,a000000000000001", "ids"),
        ("/api/docs/a000000000000001/similar?limit=0", "limit"),
        ("/api/docs/a000000000000001/similar?limit=many", "limit"),
        ("/api/export?format=xlsx", "format"),
        ("/api/export?format=csv&per_page=500", "per_page"),
    ];
    for (uri, name) in cases {
        let reply = get!(app, uri);
        assert_eq!(reply.status, 400, "{uri}: {}", reply.text());
        assert!(reply.header("content-type").starts_with("application/json"));
        let message = reply.error();
        assert!(message.contains(name), "{uri}: {message}");
    }
}

#[actix_web::test]
async fn badly_encoded_parameters_are_400() {
    let app = server_app!();
    for uri in [
        "/api/search?q=%E8%A7",
        "/api/search?q=%zz",
        "/api/search?region=%FF%FE",
    ] {
        let reply = get!(app, uri);
        assert_eq!(reply.status, 400, "{uri}");
        assert!(!reply.error().is_empty());
    }
}

#[actix_web::test]
async fn unknown_ids_and_paths_are_404_json() {
    let app = server_app!();
    for uri in [
        "/api/docs/ffffffffffffffff",
        "/api/docs/ffffffffffffffff/similar",
        "/api/docs/%3Cscript%3E",
        "/api/docs/..%2F..%2Fetc%2Fpasswd",
        "/api/compare?ids=a000000000000001,ffffffffffffffff",
        "/api/compare?ids=a000000000000001,..%2Fx",
        "/api/nothing-here",
        "/no/such/page",
    ] {
        let reply = get!(app, uri);
        assert_eq!(reply.status, 404, "{uri}: {}", reply.text());
        assert!(!reply.error().is_empty(), "{uri}");
    }
}

#[actix_web::test]
async fn nothing_a_client_sends_gives_a_500() {
    let app = server_app!();
    let queries = [
        "q=%22",
        "q=%22%22",
        "q=(",
        "q=)",
        "q=AND",
        "q=OR+NOT",
        "q=*",
        "q=%3F",
        "q=a:b",
        "q=title:",
        "q=%5B1+TO+",
        "q=~",
        "q=%5C",
        "q=-",
        "q=%2B%2B",
        "q=%00",
        "q=%E2%80%8B",
        "q=%F0%9F%98%80",
        "q=%3Cscript%3E",
        "q=+++",
        "q=%E6%B2%BB%E7%90%86%22%E5%88%9B%E6%96%B0",
        "region=%2F",
        "region=%2F%2F",
        "region=%E4%B8%8D%E5%AD%98%E5%9C%A8%E7%9C%81",
        "page=18446744073709551616",
        "per_page=-1",
        "year_from=-2000",
        "year_from=2147483648",
        "sort=",
        "measure=",
        "&&&",
        "=",
        "q",
        "q=%",
        "page=1e3",
    ];
    for query in queries {
        for path in ["/api/search", "/api/export"] {
            let uri = format!("{path}?{query}");
            let reply = get!(app, &uri);
            assert!(
                [200, 400, 404].contains(&reply.status),
                "{uri} gave {}",
                reply.status
            );
        }
    }
}

#[actix_web::test]
async fn script_and_onerror_come_back_escaped_in_snippets() {
    let app = server_app!();
    for q in ["网络安全", "视频监控", "网警巡查", "script", "img"] {
        let body = get!(app, &format!("/api/search?q={}", enc(q))).json();
        for hit in body["hits"].as_array().unwrap() {
            let mut html = vec![hit["snippet"].as_str().unwrap().to_string()];
            for passage in hit["passages"].as_array().unwrap() {
                html.push(passage["text"].as_str().unwrap().to_string());
            }
            for fragment in html {
                let stripped = fragment.replace("<mark>", "").replace("</mark>", "");
                assert!(
                    !stripped.contains('<') && !stripped.contains('>'),
                    "{q}: raw tag in {fragment}"
                );
            }
        }
    }
    let body = get!(app, &format!("/api/search?q={}", enc("网络安全"))).json();
    let hit = body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == XSS)
        .expect("the XSS document is found");
    let snippet = hit["snippet"].as_str().unwrap();
    assert!(
        snippet.contains("&lt;img") || snippet.contains("&lt;script"),
        "{snippet}"
    );
    // Titles and document bodies are plain text in JSON; the page inserts them as text.
    assert!(hit["title"].as_str().unwrap().contains("<script>"));
}

#[actix_web::test]
async fn page_and_assets_are_served_with_security_headers() {
    let app = server_app!();
    let page = get!(app, "/");
    assert_eq!(page.status, 200);
    assert!(page.header("content-type").starts_with("text/html"));
    let csp = page.header("content-security-policy");
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(page.header("x-content-type-options"), "nosniff");
    let html = page.text();
    assert!(html.contains("<script src=\"/app.js\""));
    assert_eq!(html.matches("<script").count(), 1, "no inline script");
    assert!(html.contains("lang=\"zh-CN\""));
    for (path, kind) in [("/app.js", "text/javascript"), ("/style.css", "text/css")] {
        let asset = get!(app, path);
        assert_eq!(asset.status, 200);
        assert!(asset.header("content-type").starts_with(kind), "{path}");
        assert_eq!(asset.header("x-content-type-options"), "nosniff");
    }
    let js = get!(app, "/app.js").text();
    assert!(
        !js.contains("innerHTML"),
        "the page never parses document text as HTML"
    );
    let api = get!(app, "/api/health");
    assert_eq!(api.header("x-content-type-options"), "nosniff");
}
