//! The real `zhili serve` for the stages that test it over TCP (`server_stage`, `robust_stage`):
//! started on a free loopback port, waited for until `/api/health` answers, killed when dropped;
//! and a raw HTTP/1.1 client that sends any bytes at all and parses every response that comes
//! back (several when pipelined).

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A running `zhili serve`, killed when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
    log: PathBuf,
}

impl Server {
    /// Starts `zhili serve` over `index` (ingesting `corpus` first when it is empty) and waits
    /// until it answers.
    pub fn start(index: &Path, corpus: &Path, log: PathBuf) -> Server {
        Server::start_with(index, corpus, log, &[])
    }

    /// [`Server::start`] with more `zhili serve` arguments.
    pub fn start_with(index: &Path, corpus: &Path, log: PathBuf, args: &[&str]) -> Server {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_zhili"))
            .arg("serve")
            .args(args)
            .arg("--addr")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--index")
            .arg(index)
            .arg("--corpus")
            .arg(corpus)
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("zhili serve starts");
        let mut server = Server { child, port, log };
        server.wait_ready();
        server
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(180);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("zhili serve exited with {status}: {}", self.log_text());
            }
            if matches!(self.try_get("/api/health"), Ok(r) if r.status == 200) {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        panic!("zhili serve did not answer in time: {}", self.log_text());
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn try_get(&self, target: &str) -> std::io::Result<Response> {
        let raw = send(self.port, &get(target), Duration::from_secs(60))?;
        parse(&raw)
            .0
            .into_iter()
            .next()
            .ok_or_else(|| std::io::Error::other(format!("no response to {target}")))
    }

    /// `GET target`, which must be answered.
    pub fn get(&self, target: &str) -> Response {
        self.try_get(target)
            .unwrap_or_else(|err| panic!("GET {}: {err}", &target[..target.len().min(200)]))
    }

    /// `GET target`, which must be answered 200 with JSON.
    pub fn json(&self, target: &str) -> Value {
        let response = self.get(target);
        assert_eq!(response.status, 200, "{target}: {}", response.text());
        response.json()
    }

    /// The server answers `/api/health` with 200 within `within`.
    pub fn assert_healthy(&mut self, within: Duration) {
        assert!(self.running(), "the server died: {}", self.log_text());
        let started = Instant::now();
        let health = self.json("/api/health");
        assert_eq!(health["status"], "ok");
        assert!(
            started.elapsed() < within,
            "health took {:?}",
            started.elapsed()
        );
    }

    /// The URL of `path` on this server (for a browser).
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Ctrl-C: the server stops by itself and exits 0.
    pub fn interrupt_and_expect_clean_exit(mut self) {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-INT", &pid]).status().unwrap();
        assert!(sent.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "exit after Ctrl-C: {status}");
                return;
            }
            assert!(Instant::now() < deadline, "still running after Ctrl-C");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// A loopback port nothing listens on (free when asked).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `GET target` that closes the connection after the answer.
pub fn get(target: &str) -> Vec<u8> {
    format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").into_bytes()
}

/// Sends `bytes` on a fresh connection and reads until the server closes it. A write the server
/// refuses half-way (it closed on an oversized head) is not an error; a read that times out is.
pub fn send(port: u16, bytes: &[u8], timeout: Duration) -> std::io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let _ = stream.write_all(bytes);
    let mut raw = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return Ok(raw),
            Ok(n) => raw.extend_from_slice(&buf[..n]),
            Err(err) if err.kind() == ErrorKind::ConnectionReset => return Ok(raw),
            Err(err) => return Err(err),
        }
    }
}

/// One HTTP response.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|err| panic!("not JSON ({err}): {}\n{}", self.head, self.text()))
    }
}

/// Every complete response in `raw`, and whether bytes that are not a response were left over.
pub fn parse(mut raw: &[u8]) -> (Vec<Response>, bool) {
    let mut out = Vec::new();
    while !raw.is_empty() {
        let Some(end) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
            return (out, true);
        };
        let head = String::from_utf8_lossy(&raw[..end]).into_owned();
        let mut rest = &raw[end + 4..];
        let status: u16 = match head.strip_prefix("HTTP/1.") {
            Some(line) => line.get(2..5).and_then(|s| s.parse().ok()).unwrap_or(0),
            None => return (out, true),
        };
        let mut response = Response {
            status,
            head,
            body: Vec::new(),
        };
        let length = response
            .header("content-length")
            .and_then(|v| v.parse().ok());
        let chunked = response
            .header("transfer-encoding")
            .is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
        if chunked {
            let (body, used) = dechunk(rest);
            response.body = body;
            rest = &rest[used..];
        } else if let Some(n) = length {
            let n = usize::min(n, rest.len());
            response.body = rest[..n].to_vec();
            rest = &rest[n..];
        } else if !matches!(status, 100..=199 | 204 | 304) {
            response.body = rest.to_vec();
            rest = &[];
        }
        out.push(response);
        raw = rest;
    }
    (out, false)
}

/// The body of a chunked message and how many bytes it took.
fn dechunk(raw: &[u8]) -> (Vec<u8>, usize) {
    let mut body = Vec::new();
    let mut at = 0;
    while let Some(eol) = raw[at..].windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&raw[at..at + eol]).into_owned();
        let size =
            usize::from_str_radix(size_text.split(';').next().unwrap().trim(), 16).unwrap_or(0);
        at += eol + 2;
        if size == 0 {
            return (body, (at + 2).min(raw.len()));
        }
        let end = (at + size).min(raw.len());
        body.extend_from_slice(&raw[at..end]);
        at = (end + 2).min(raw.len());
    }
    (body, raw.len())
}

/// Percent-encodes every byte outside the unreserved set.
pub fn enc(value: &str) -> String {
    enc_bytes(value.as_bytes())
}

pub fn enc_bytes(bytes: &[u8]) -> String {
    let mut out = String::new();
    for &byte in bytes {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
