//! Live Sphinx: the seeds and 75 local regulations (the first 25 files of three provinces in
//! ../shared's laws tree) ingested; `zhili export --format sphinxql --shards 2` split by index
//! name into two real-time shard `searchd` processes (deploy/sphinx/shard0.conf and shard1.conf,
//! rewritten for a temp dir and free loopback ports); then queried with the `mysql` client
//! through the distributed router (router.conf). Totals and the matching documents agree with
//! `zhili search` for queries whose words jieba keeps whole, and so do region, measure and year
//! filters. Needs `searchd` and `mysql` (scripts/install-sphinx.sh): skipped without them,
//! failing under CI=true. Every wait is bounded; the whole test takes a few seconds.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use zhili::index::tokenizer;
use zhili::render::export::{measure_number, sql_string};

use crate::common;
use crate::common::workspace::Workspace;

/// Ports in the shipped configs: the shards' API ports, their SphinxQL ports, the router's.
const SHIPPED_PORTS: [u16; 5] = [9312, 9313, 9307, 9308, 9306];
/// Where the shipped configs keep their data.
const SHIPPED_DIR: &str = "/var/lib/zhili-sphinx";
const PROVINCES: [&str; 3] = ["浙江", "河南", "山东"];
const FILES_PER_PROVINCE: usize = 25;

/// Both tools are on PATH; otherwise prints that the test is skipped (fails under CI=true).
fn tools_present() -> bool {
    let missing: Vec<&str> = ["searchd", "mysql"]
        .into_iter()
        .filter(|tool| {
            let probe = Command::new(tool).arg("--help").output();
            probe.is_err()
        })
        .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI=true but {missing:?} absent: .ci/run installs them with scripts/install-sphinx.sh"
    );
    eprintln!(
        "skipped: {} not installed (run scripts/install-sphinx.sh)",
        missing.join(" and ")
    );
    false
}

/// The seeds plus the first files of three provinces' local regulations, ingested.
fn ingested_corpus(laws: &Path) -> Workspace {
    let ws = Workspace::new();
    for entry in fs::read_dir(common::corpus()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        ws.write(&name, &fs::read(&path).unwrap());
    }
    for province in PROVINCES {
        let dir = laws.join("地方性法规").join(province);
        let mut files: Vec<PathBuf> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for path in files.iter().take(FILES_PER_PROVINCE) {
            let name = path.file_name().unwrap().to_str().unwrap();
            ws.write(&format!("{province}/{name}"), &fs::read(path).unwrap());
        }
    }
    ws.json(&["ingest", "--json"]);
    ws
}

/// `n` loopback ports nothing listens on, all different.
fn free_ports(n: usize) -> Vec<u16> {
    let listeners: Vec<TcpListener> = (0..n)
        .map(|_| TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    listeners
        .iter()
        .map(|l| l.local_addr().unwrap().port())
        .collect()
}

/// A shipped config with its data under `dir` and each shipped port replaced.
fn rewritten(name: &str, dir: &Path, ports: &[u16]) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("deploy/sphinx/{name}.conf"));
    let mut config = fs::read_to_string(path).unwrap();
    config = config.replace(SHIPPED_DIR, dir.to_str().unwrap());
    for (old, new) in SHIPPED_PORTS.iter().zip(ports) {
        config = config.replace(&format!("127.0.0.1:{old}"), &format!("127.0.0.1:{new}"));
    }
    for old in SHIPPED_PORTS {
        assert!(
            !config.contains(&format!(":{old}")),
            "{name}: port {old} left"
        );
    }
    config
}

/// A `searchd --nodetach` on a rewritten shipped config, killed when dropped.
struct Searchd {
    child: Child,
    data: PathBuf,
}

impl Searchd {
    /// Starts `name` (shard0, shard1, router) and waits until `port` accepts connections.
    fn start(dir: &Path, name: &str, ports: &[u16], port: u16) -> Searchd {
        let data = dir.join(name);
        fs::create_dir_all(&data).unwrap();
        let config = dir.join(format!("{name}.conf"));
        fs::write(&config, rewritten(name, dir, ports)).unwrap();
        let console = fs::File::create(data.join("console.log")).unwrap();
        let child = Command::new("searchd")
            .arg("--config")
            .arg(&config)
            .arg("--nodetach")
            .stdout(console.try_clone().unwrap())
            .stderr(console)
            .spawn()
            .expect("searchd starts");
        let mut searchd = Searchd { child, data };
        searchd.wait_listening(port);
        searchd
    }

    fn wait_listening(&mut self, port: u16) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let address = ([127, 0, 0, 1], port).into();
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("searchd exited with {status}: {}", self.log());
            }
            if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("searchd did not listen on {port} in time: {}", self.log());
    }

    fn log(&self) -> String {
        ["console.log", "searchd.log"]
            .iter()
            .map(|f| fs::read_to_string(self.data.join(f)).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for Searchd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `statements` with the mysql client on a SphinxQL port; tab-separated rows, no header.
fn mysql(port: u16, statements: &str) -> String {
    let mut child = Command::new("mysql")
        .args(["--no-defaults", "--batch", "--skip-column-names"])
        .args([
            "--connect-timeout=5",
            "-h",
            "127.0.0.1",
            "-P",
            &port.to_string(),
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mysql starts");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(statements.as_bytes()).unwrap();
    drop(stdin);
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stderr.is_empty(),
        "mysql on {port}: {stderr}\n{}",
        &statements[..statements.len().min(300)]
    );
    String::from_utf8(output.stdout).unwrap()
}

/// One search: a query and filters, put to zhili and to Sphinx.
struct Case {
    query: &'static str,
    region: Option<&'static str>,
    measures: &'static [&'static str],
    years: (Option<u32>, Option<u32>),
}

const fn query(query: &'static str) -> Case {
    Case {
        query,
        region: None,
        measures: &[],
        years: (None, None),
    }
}

impl Case {
    fn zhili_args(&self) -> Vec<String> {
        let mut args: Vec<String> = ["search", self.query, "--json", "--limit", "100"]
            .map(String::from)
            .into();
        if let Some(region) = self.region {
            args.extend(["--region".into(), region.into()]);
        }
        for measure in self.measures {
            args.extend(["--measure".into(), measure.to_string()]);
        }
        if let Some(from) = self.years.0 {
            args.extend(["--year-from".into(), from.to_string()]);
        }
        if let Some(to) = self.years.1 {
            args.extend(["--year-to".into(), to.to_string()]);
        }
        args
    }

    /// The SphinxQL conditions: the query's words as zhili cuts a query (jieba default mode),
    /// region levels, measure numbers (any of them), and years (0, unknown, never in a range).
    fn sphinx_conditions(&self) -> Vec<String> {
        let mut conditions = Vec::new();
        let words: Vec<String> = tokenizer::words(self.query, false)
            .into_iter()
            .map(|w| w.text)
            .collect();
        if !words.is_empty() {
            conditions.push(format!("MATCH({})", sql_string(&words.join(" "))));
        }
        let levels = self.region.into_iter().flat_map(|r| r.split('/'));
        for (column, level) in ["province", "city", "county"].into_iter().zip(levels) {
            conditions.push(format!("{column} = {}", sql_string(level)));
        }
        if !self.measures.is_empty() {
            let numbers: Vec<String> = self
                .measures
                .iter()
                .map(|m| measure_number(m).unwrap().to_string())
                .collect();
            conditions.push(format!("measures IN ({})", numbers.join(",")));
        }
        if self.years != (None, None) {
            conditions.push(format!("year >= {}", self.years.0.unwrap_or(1)));
        }
        if let Some(to) = self.years.1 {
            conditions.push(format!("year <= {to}"));
        }
        conditions
    }
}

/// Total and ids of the matching documents.
#[derive(Debug, PartialEq, Eq)]
struct Hits {
    total: u64,
    ids: BTreeSet<String>,
}

fn zhili_hits(ws: &Workspace, case: &Case) -> Hits {
    let args = case.zhili_args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let body = ws.json(&args);
    // The documents holding every word (`complete`, first): Sphinx matches all words, while
    // zhili fills a short page with documents that hold most of them (`relaxed`).
    let complete = body["complete"].as_u64().unwrap();
    let ids = body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .take(complete as usize);
    Hits {
        total: complete,
        ids: ids.map(|h| h["id"].as_str().unwrap().to_string()).collect(),
    }
}

fn sphinx_hits(port: u16, case: &Case) -> Hits {
    let conditions = case.sphinx_conditions();
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", conditions.join(" AND "))
    };
    let sql = format!(
        "SELECT zhili_id FROM cases{filter} LIMIT 1000 OPTION max_matches=1000;\nSHOW META;\n"
    );
    let mut hits = Hits {
        total: u64::MAX,
        ids: BTreeSet::new(),
    };
    for row in mysql(port, &sql).lines() {
        match row.split('\t').collect::<Vec<_>>()[..] {
            [id] => {
                hits.ids.insert(id.to_string());
            }
            ["total_found", n] => hits.total = n.parse().unwrap(),
            _ => {}
        }
    }
    hits
}

/// Searches whose words jieba keeps whole (where zhili's bigram fallback adds nothing), alone
/// and AND-ed, and filters on every attribute.
const CASES: [Case; 16] = [
    query("网格"),
    query("物业"),
    query("志愿者"),
    query("巡逻"),
    query("消防"),
    query("电梯"),
    query("公安机关 消防"),
    query("网格 巡逻"),
    query("平安 志愿者"),
    Case {
        region: Some("浙江省"),
        ..query("")
    },
    Case {
        region: Some("山东省/临沂市"),
        ..query("公安机关")
    },
    Case {
        measures: &["grid", "video"],
        ..query("")
    },
    Case {
        measures: &["grid"],
        ..query("物业")
    },
    Case {
        years: (Some(2018), Some(2020)),
        ..query("")
    },
    Case {
        years: (Some(2019), None),
        region: Some("河南省"),
        ..query("消防")
    },
    Case {
        years: (None, Some(2019)),
        measures: &["leadership", "video"],
        ..query("")
    },
];

/// Loads the export's statements for each shard through that shard's SphinxQL port.
fn ship(export: &str, shard_ports: &[u16]) {
    let mut shipped = 0;
    for (shard, port) in shard_ports.iter().enumerate() {
        let prefix = format!("INSERT INTO cases_{shard} (");
        let statements: Vec<&str> = export.lines().filter(|l| l.starts_with(&prefix)).collect();
        assert!(!statements.is_empty(), "no statement for cases_{shard}");
        shipped += statements.len();
        mysql(*port, &(statements.join("\n") + "\n"));
    }
    assert_eq!(shipped, export.lines().count(), "a statement for no shard");
}

#[test]
fn sphinx_distributed_index_over_two_shards_agrees_with_zhili_search() {
    let started = Instant::now();
    if !tools_present() {
        return;
    }
    let Some(laws) = common::shared("data/lawrefbook-laws/files") else {
        return;
    };
    let ws = ingested_corpus(&laws);
    let output = ws.run(&["export", "--format", "sphinxql", "--shards", "2"]);
    assert!(output.status.success(), "{output:?}");
    let export = String::from_utf8(output.stdout).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let ports = free_ports(SHIPPED_PORTS.len());
    let _shards = [
        Searchd::start(dir.path(), "shard0", &ports, ports[2]),
        Searchd::start(dir.path(), "shard1", &ports, ports[3]),
    ];
    let _router = Searchd::start(dir.path(), "router", &ports, ports[4]);
    ship(&export, &ports[2..4]);

    let all = zhili_hits(&ws, &query(""));
    assert!(all.total > 100, "{} documents", all.total);
    assert_eq!(sphinx_hits(ports[4], &query("")).total, all.total);
    for case in &CASES {
        let (zhili, sphinx) = (zhili_hits(&ws, case), sphinx_hits(ports[4], case));
        let what = format!("{:?} {:?}", case.zhili_args(), case.sphinx_conditions());
        assert!(
            zhili.total > 0 && zhili.total <= 100,
            "{what}: {}",
            zhili.total
        );
        assert_eq!(sphinx, zhili, "{what}");
    }
    let elapsed = started.elapsed();
    eprintln!("sphinx live test: {elapsed:?}");
}

/// The names a shipped shard config declares: `rt_field` and `rt_attr_*` values.
fn declared_columns(config: &str) -> BTreeSet<String> {
    config
        .lines()
        .filter_map(|l| l.trim().split_once('='))
        .filter(|(key, _)| key.trim() == "rt_field" || key.trim().starts_with("rt_attr_"))
        .map(|(_, name)| name.trim().to_string())
        .collect()
}

#[test]
fn sphinx_configs_declare_every_exported_column_and_both_shards() {
    let dir = Path::new("/tmp/unused");
    let ports = [1, 2, 3, 4, 5].map(|p| 10_000 + p);
    let exported: BTreeSet<String> = zhili::render::export::SPHINX_COLUMNS
        .split(", ")
        .filter(|c| *c != "id")
        .map(String::from)
        .collect();
    for shard in 0..2 {
        let config = rewritten(&format!("shard{shard}"), dir, &ports);
        assert_eq!(declared_columns(&config), exported, "shard{shard}");
        assert!(config.contains(&format!("index cases_{shard}\n")));
        assert!(config.contains("type = rt") && config.contains("U+4E00..U+9FFF"));
        assert!(config.contains("rt_attr_multi = measures"));
        assert!(config.contains("rt_attr_uint = year"));
    }
    let router = rewritten("router", dir, &ports);
    assert!(router.contains("type = distributed"));
    assert!(router.contains("agent = 127.0.0.1:10001:cases_0"));
    assert!(router.contains("agent = 127.0.0.1:10002:cases_1"));
}
