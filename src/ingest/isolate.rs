//! Keeping one record's failure that record's alone.
//!
//! [`contained`] turns a panic while reading a record into a skipped record that names it.
//! [`isolated`] also runs the work on a page thread, with a large stack and a deadline:
//! extracting a web page walks its tree recursively and may take long on hostile input, and
//! neither may stop the import. Each reading thread keeps one page thread for all its pages (a
//! thread per page cost a quarter of HTML extraction's time); a page that misses the deadline
//! is skipped, its page thread is left to finish on its own, its result thrown away, and the
//! next page gets a new page thread.

use std::any::Any;
use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc;
use std::time::Duration;

use crate::ingest::{Reject, SkipKind};

/// Stack of a page thread (address space; only the pages used are memory).
const STACK_BYTES: usize = 256 << 20;

/// Runs `work`, turning a panic into a rejected record.
pub(crate) fn contained<T>(work: impl FnOnce() -> Result<T, Reject>) -> Result<T, Reject> {
    catch_unwind(AssertUnwindSafe(work)).unwrap_or_else(|panic| Err(failed(&*panic)))
}

type Job = Box<dyn FnOnce() + Send>;

/// A page thread: it runs the jobs sent to it, one after the other, until its sender is gone.
struct PageThread {
    jobs: mpsc::Sender<Job>,
}

impl PageThread {
    fn start() -> Option<PageThread> {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("dateline-page".into())
            .stack_size(STACK_BYTES)
            .spawn(move || {
                for job in queue {
                    job();
                }
            })
            .ok()?;
        Some(PageThread { jobs })
    }
}

thread_local! {
    /// The page thread of the calling (reading) thread, once it has had a page.
    static PAGE_THREAD: RefCell<Option<PageThread>> = const { RefCell::new(None) };
}

/// Runs `work` on the calling thread's page thread, turning a panic or a run past `limit`
/// into a rejected record.
pub(crate) fn isolated<T: Send + 'static>(
    limit: Duration,
    work: impl FnOnce() -> Result<T, Reject> + Send + 'static,
) -> Result<T, Reject> {
    let (sender, receiver) = mpsc::sync_channel(1);
    let job: Job = Box::new(move || {
        sender.send(contained(work)).ok();
    });
    let sent = PAGE_THREAD.with_borrow_mut(|slot| {
        if slot.is_none() {
            *slot = PageThread::start();
        }
        slot.as_ref()
            .is_some_and(|thread| thread.jobs.send(job).is_ok())
    });
    if !sent {
        PAGE_THREAD.with_borrow_mut(|slot| *slot = None);
        return Err(Reject::new(
            SkipKind::Failed,
            "no thread could be started to read this record: the machine is out of threads",
        ));
    }
    let answer = receiver.recv_timeout(limit);
    if answer.is_err() {
        // That page thread is busy for who knows how long: the next page gets a new one.
        PAGE_THREAD.with_borrow_mut(|slot| *slot = None);
    }
    match answer {
        Ok(result) => result,
        Err(mpsc::RecvTimeoutError::Timeout) => Err(Reject::new(
            SkipKind::TooSlow,
            format!(
                "reading this page took longer than {} s: skipped (raise the limit with `--page-seconds`)",
                limit.as_secs_f64()
            ),
        )),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(Reject::new(
            SkipKind::Failed,
            "the thread reading this record stopped without an answer",
        )),
    }
}

/// The message a panic was raised with.
pub(crate) fn panic_message(panic: &(dyn Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_string())
}

fn failed(panic: &(dyn Any + Send)) -> Reject {
    let message = panic_message(panic);
    Reject::new(
        SkipKind::Failed,
        format!("Dateline failed on this record ({message}): skipped; please report it"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_a_rejected_record() {
        let reject = contained::<()>(|| panic!("boom at byte 7")).unwrap_err();
        assert_eq!(reject.kind, SkipKind::Failed);
        assert!(
            reject.reason.contains("boom at byte 7"),
            "{}",
            reject.reason
        );
        let reject =
            isolated::<()>(Duration::from_secs(5), || panic!("{}", "formatted")).unwrap_err();
        assert!(reject.reason.contains("formatted"));
    }

    #[test]
    fn deep_recursion_fits_the_stack_and_slow_work_is_cut_off() {
        fn depth(n: u64) -> u64 {
            if n == 0 {
                0
            } else {
                1 + std::hint::black_box(depth(n - 1))
            }
        }
        // About 100 bytes a frame in debug builds: far past a default 2 MiB thread stack.
        assert_eq!(
            isolated(Duration::from_secs(30), || Ok(depth(200_000))).unwrap(),
            200_000
        );
        let reject = isolated(Duration::from_millis(50), || {
            std::thread::sleep(Duration::from_secs(2));
            Ok(())
        })
        .unwrap_err();
        assert_eq!(reject.kind, SkipKind::TooSlow);
        assert!(
            reject.reason.contains("longer than 0.05 s"),
            "{}",
            reject.reason
        );
    }

    /// The thread id the work ran on.
    fn tid() -> Result<String, Reject> {
        let link = std::fs::read_link("/proc/thread-self").unwrap();
        Ok(link.file_name().unwrap().to_string_lossy().into_owned())
    }

    #[test]
    fn pages_share_a_page_thread_until_one_is_too_slow() {
        let limit = Duration::from_secs(30);
        let first = isolated(limit, tid).unwrap();
        assert_ne!(first, tid().unwrap(), "the work ran on the caller's thread");
        assert_eq!(isolated(limit, tid).unwrap(), first);
        let _ = isolated::<()>(limit, || panic!("contained"));
        assert_eq!(
            isolated(limit, tid).unwrap(),
            first,
            "a panic cost the thread"
        );
        let slow = isolated(Duration::from_millis(20), || {
            std::thread::sleep(Duration::from_millis(500));
            tid()
        });
        assert_eq!(slow.unwrap_err().kind, SkipKind::TooSlow);
        let next = isolated(limit, tid).unwrap();
        assert_ne!(
            next, first,
            "the next page waited for the slow one's thread"
        );
        assert_eq!(isolated(limit, tid).unwrap(), next);
    }
}
