//! Crawl stage, robots.txt: fetched once per origin and obeyed (texting_robots parses it).
//!
//! Input: a URL. Output: allowed or not, and the site's Crawl-delay. RFC 9309 rules for a
//! robots.txt that cannot be had: 4xx means everything is allowed, 5xx means nothing is.
//! A transport failure (DNS, refused address, timeout) is the page's failure too.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use texting_robots::Robot;
use url::Url;

use super::fetch::{Fetcher, Validators};

/// The product token matched against `User-agent:` lines.
pub(crate) const AGENT: &str = "zhili";

/// What one origin's robots.txt says.
#[derive(Debug)]
pub(crate) enum Rules {
    AllowAll,
    DisallowAll(String),
    Parsed(Box<Robot>),
}

impl Rules {
    pub(crate) fn check(&self, url: &Url) -> Result<(), String> {
        match self {
            Rules::AllowAll => Ok(()),
            Rules::DisallowAll(why) => Err(why.clone()),
            Rules::Parsed(robot) if robot.allowed(url.as_str()) => Ok(()),
            Rules::Parsed(_) => Err("disallowed by robots.txt".to_string()),
        }
    }

    /// The Crawl-delay the site asks for, if any (at most a minute).
    pub(crate) fn delay(&self) -> Option<Duration> {
        match self {
            Rules::Parsed(robot) => robot
                .delay
                .filter(|secs| secs.is_finite() && *secs > 0.0)
                .map(|secs| Duration::from_secs_f32(secs.min(60.0))),
            _ => None,
        }
    }
}

/// robots.txt per origin (`scheme://host:port`), fetched on first use.
#[derive(Default)]
pub(crate) struct RobotsCache {
    by_origin: Mutex<HashMap<String, Arc<Rules>>>,
}

impl RobotsCache {
    /// The rules for `url`'s origin; `Err` when robots.txt could not be fetched at all.
    pub(crate) fn rules(&self, fetcher: &Fetcher, url: &Url) -> Result<Arc<Rules>, String> {
        let origin = url.origin().ascii_serialization();
        if let Some(rules) = self.lock().get(&origin) {
            return Ok(rules.clone());
        }
        let rules = Arc::new(fetch_rules(fetcher, url)?);
        self.lock().insert(origin, rules.clone());
        Ok(rules)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Rules>>> {
        self.by_origin
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn fetch_rules(fetcher: &Fetcher, url: &Url) -> Result<Rules, String> {
    let robots_url = url
        .join("/robots.txt")
        .map_err(|err| format!("no robots.txt URL: {err}"))?;
    let fetched = fetcher
        .get(&robots_url, &Validators::default())
        .map_err(|reason| format!("{reason} (while fetching robots.txt)"))?;
    Ok(match fetched.status {
        200..=299 => match Robot::new(AGENT, &fetched.body) {
            Ok(robot) => Rules::Parsed(Box::new(robot)),
            Err(_) => Rules::AllowAll,
        },
        400..=499 => Rules::AllowAll,
        status => Rules::DisallowAll(format!(
            "robots.txt answered HTTP {status}; not crawling the site"
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsed_rules_disallow_a_path() {
        let robot = Robot::new(
            AGENT,
            b"User-agent: *\nDisallow: /private/\nCrawl-delay: 2\n",
        )
        .unwrap();
        let rules = Rules::Parsed(Box::new(robot));
        let ok = Url::parse("http://a.example/art/1.html").unwrap();
        let no = Url::parse("http://a.example/private/x.html").unwrap();
        assert!(rules.check(&ok).is_ok());
        assert_eq!(rules.check(&no).unwrap_err(), "disallowed by robots.txt");
        assert_eq!(rules.delay(), Some(Duration::from_secs(2)));
    }
}
