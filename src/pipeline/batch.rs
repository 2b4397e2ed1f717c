//! Files processed in parallel batches bounded by the bytes their results hold, not only by
//! their count: once what a batch holds reaches the budget, its threads take no more files
//! and the files left wait for the next batch. Each result is handed on as soon as its batch
//! is done, in the files' order; the budget is exceeded by at most one file per thread.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

/// How much one batch may take on.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub files: usize,
    pub bytes: u64,
}

impl Default for Limits {
    /// 256 files or 256 MB of documents, whichever comes first.
    fn default() -> Limits {
        Limits {
            files: 256,
            bytes: 256 * 1024 * 1024,
        }
    }
}

/// Runs `work` on every item in parallel batches within `limits` (`weight` says how many bytes
/// a result holds) and hands each item and its result to `consume`.
pub fn run<T: Sync, R: Send, E>(
    items: &[T],
    limits: Limits,
    work: impl Fn(&T) -> R + Sync,
    weight: impl Fn(&R) -> u64 + Sync,
    mut consume: impl FnMut(&T, R) -> Result<(), E>,
) -> Result<(), E> {
    let mut queue: VecDeque<&T> = items.iter().collect();
    while !queue.is_empty() {
        let take = limits.files.max(1).min(queue.len());
        let batch: Vec<&T> = queue.drain(..take).collect();
        let held = AtomicU64::new(0);
        let results: Vec<Option<R>> = batch
            .par_iter()
            .map(|item| {
                if held.load(Ordering::Relaxed) >= limits.bytes {
                    return None;
                }
                let result = work(item);
                held.fetch_add(weight(&result), Ordering::Relaxed);
                Some(result)
            })
            .collect();
        let mut deferred = Vec::new();
        for (item, result) in batch.into_iter().zip(results) {
            match result {
                Some(result) => consume(item, result)?,
                None => deferred.push(item),
            }
        }
        for item in deferred.into_iter().rev() {
            queue.push_front(item);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn every_item_is_handed_on_once_and_a_batch_holds_no_more_than_its_budget() {
        let items: Vec<u64> = (0..100).collect();
        let limits = Limits {
            files: 32,
            bytes: 10,
        };
        let in_batch = Mutex::new(0u64);
        let mut most = 0u64;
        let mut seen = Vec::new();
        run(
            &items,
            limits,
            |&i| {
                *in_batch.lock().unwrap() += 3;
                i
            },
            |_| 3,
            |&item, result| {
                assert_eq!(item, result);
                let mut held = in_batch.lock().unwrap();
                most = most.max(*held);
                *held = held.saturating_sub(3);
                seen.push(item);
                Ok::<(), ()>(())
            },
        )
        .unwrap();
        seen.sort_unstable();
        assert_eq!(seen, items);
        let threads = rayon::current_num_threads() as u64;
        assert!(most <= 10 + 3 * threads, "a batch held {most} bytes");
    }
}
