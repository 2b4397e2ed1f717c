//! The cap on open connections: each accepted connection takes a slot, given back when it
//! closes. Past the cap for all clients, or past the share one address may hold, a connection
//! is answered 503 at once and closed, instead of waiting in the listen backlog where health
//! checks would wait behind it. Input: each new TCP connection. Output: a slot kept in the
//! connection's data, or the refusal. Touches nothing else.

use std::any::Any;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Shutdown};
use std::os::fd::AsFd;
use std::sync::{Arc, Mutex};

use actix_web::dev::Extensions;
use actix_web::rt::net::TcpStream;

use super::error::TOO_MANY_CONNECTIONS;

/// Connections open at once, for all clients together, unless `zhili serve --max-connections`
/// says otherwise (lowered to fit the open-files limit).
pub const MAX_CONNECTIONS: usize = 1000;
/// File descriptors kept free of connections for the index, the log and the blocking pool.
const RESERVED_FILES: usize = 128;

/// The open connections, in all and by client address.
pub(crate) struct Slots {
    total: usize,
    per_peer: usize,
    open: Mutex<Open>,
}

#[derive(Default)]
struct Open {
    all: usize,
    by_peer: HashMap<IpAddr, usize>,
}

/// One connection's slot; dropped (given back) with the connection.
struct Slot {
    slots: Arc<Slots>,
    peer: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.slots.lock();
        open.all = open.all.saturating_sub(1);
        if let Some(count) = open.by_peer.get_mut(&self.peer) {
            *count -= 1;
            if *count == 0 {
                open.by_peer.remove(&self.peer);
            }
        }
    }
}

impl Slots {
    /// At most `total` connections (and no more than the open-files limit allows), at most
    /// half of them from one address, so that one client cannot lock the others out.
    pub(crate) fn new(total: usize) -> Arc<Slots> {
        let fits = open_files_limit().map_or(total, |limit| limit.saturating_sub(RESERVED_FILES));
        let total = total.min(fits).max(2);
        Arc::new(Slots {
            total,
            per_peer: total / 2,
            open: Mutex::default(),
        })
    }

    pub(crate) fn total(&self) -> usize {
        self.total
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Open> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn take(self: &Arc<Slots>, peer: IpAddr) -> Option<Slot> {
        let mut open = self.lock();
        let mine = open.by_peer.get(&peer).copied().unwrap_or(0);
        if open.all >= self.total || mine >= self.per_peer {
            return None;
        }
        open.all += 1;
        *open.by_peer.entry(peer).or_default() += 1;
        Some(Slot {
            slots: Arc::clone(self),
            peer,
        })
    }

    /// Called by the HTTP server for each new connection, before anything is read from it.
    pub(crate) fn on_connect(self: &Arc<Slots>, connection: &dyn Any, data: &mut Extensions) {
        let Some(stream) = connection.downcast_ref::<TcpStream>() else {
            return;
        };
        let peer = stream
            .peer_addr()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip());
        match self.take(peer) {
            Some(slot) => {
                data.insert(slot);
            }
            None => refuse(stream),
        }
    }
}

/// Answers 503 and shuts the connection both ways: the server then reads its end and drops it
/// at once. What the client sent already is read first, so that closing does not reset the
/// connection before the client has read the answer. Through a duplicate of the socket (the
/// same connection), written at once: tokio's own `try_write` waits for a readiness event that
/// a connection just accepted has not had yet.
fn refuse(stream: &TcpStream) {
    let Ok(fd) = stream.as_fd().try_clone_to_owned() else {
        return;
    };
    let mut socket = std::net::TcpStream::from(fd);
    let mut sent = [0u8; 4096];
    let _ = socket.set_nonblocking(true);
    let _ = socket.read(&mut sent);
    let _ = socket.write(TOO_MANY_CONNECTIONS);
    let _ = socket.shutdown(Shutdown::Write);
    let _ = socket.read(&mut sent);
    let _ = socket.shutdown(Shutdown::Read);
}

/// The soft limit on open files of this process (Linux), if it can be read.
fn open_files_limit() -> Option<usize> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_capped_in_all_and_per_address_and_given_back() {
        let slots = Slots::new(4);
        let (a, b) = (IpAddr::from([10, 0, 0, 1]), IpAddr::from([10, 0, 0, 2]));
        let a1 = slots.take(a).unwrap();
        let _a2 = slots.take(a).unwrap();
        assert!(slots.take(a).is_none(), "half of the slots per address");
        let _b1 = slots.take(b).unwrap();
        let _b2 = slots.take(b).unwrap();
        assert!(
            slots.take(IpAddr::from([10, 0, 0, 3])).is_none(),
            "all taken"
        );
        drop(a1);
        assert!(
            slots.take(a).is_some(),
            "given back when the connection closes"
        );
        assert!(open_files_limit().is_some_and(|n| n > 0));
    }
}
