//! A global allocator that, when a block is freed, looks in it for canary
//! secrets, and records each block freed with one still in it.
//!
//! Only the thread that called [`start`] is watched, so the other tests of
//! the binary, running at the same time, neither add hits nor hide them.
//! `realloc` is the trait's default (allocate, copy, free the old block), so
//! every reallocation moves and its old block is scanned: what a real
//! allocator does whenever it cannot grow or shrink in place. Every block
//! is handed out zeroed, so a hit is a copy made in that block's own life,
//! not a stale one from memory used before.

use std::alloc::{GlobalAlloc, Layout, System};
use std::backtrace::Backtrace;
use std::cell::{Cell, RefCell};

/// [`System`], scanning each block it frees on a watched thread.
pub struct ScanningAllocator;

// SAFETY: every allocation is System's; `dealloc` reads the block it is
// given (live until System frees it right after) before handing it back
// unchanged, and its bookkeeping allocates only while `BUSY` is set, when
// no scan runs, so it never recurses.
unsafe impl GlobalAlloc for ScanningAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // Zeroed, so a scan finds only what was written into the block in
        // its own life, never what an earlier owner of the memory left.
        // SAFETY: the caller's contract for `alloc` is passed on as it is.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        scan_freed(ptr, layout.size());
        // SAFETY: `ptr` was allocated by System with `layout` (see `alloc`).
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// A block freed with a canary in it.
#[derive(Debug)]
pub struct Hit {
    /// Which canary.
    pub canary: String,
    /// The freed block's size.
    pub block_size: usize,
    /// Where it was freed (the first few hits only).
    pub backtrace: Option<String>,
}

/// A canary: every window of `width` bytes of its value, sorted, so a
/// partial copy (the first half of a string that grew) is found too.
struct Canary {
    label: String,
    width: usize,
    windows: Vec<Vec<u8>>,
}

impl Canary {
    fn new(label: &str, value: &[u8], width: usize) -> Self {
        let width = width.min(value.len()).max(1);
        let mut windows: Vec<Vec<u8>> = value.windows(width).map(<[u8]>::to_vec).collect();
        windows.sort();
        windows.dedup();
        Self {
            label: label.to_owned(),
            width,
            windows,
        }
    }

    fn found_in(&self, block: &[u8]) -> bool {
        block.len() >= self.width
            && block.windows(self.width).any(|w| {
                self.windows
                    .binary_search_by(|probe| probe.as_slice().cmp(w))
                    .is_ok()
            })
    }
}

#[derive(Default)]
struct Watch {
    canaries: Vec<Canary>,
    hits: Vec<Hit>,
    paused: u32,
}

/// Backtraces are taken for this many hits; the rest are counted.
const BACKTRACES: usize = 12;

thread_local! {
    /// Set while this thread's bookkeeping runs: frees made then are the
    /// scanner's own and are not scanned.
    static BUSY: Cell<bool> = const { Cell::new(false) };
    static WATCH: RefCell<Option<Watch>> = const { RefCell::new(None) };
}

/// Sets `BUSY` for its lifetime; `None` if it was set already (a free made
/// by the scanner itself) or the thread is being torn down.
struct Busy;

impl Busy {
    fn enter() -> Option<Self> {
        match BUSY.try_with(|b| b.replace(true)) {
            Ok(false) => Some(Self),
            _ => None,
        }
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        let _ = BUSY.try_with(|b| b.set(false));
    }
}

fn scan_freed(ptr: *const u8, size: usize) {
    let Some(_busy) = Busy::enter() else {
        return;
    };
    let _ = WATCH.try_with(|cell| {
        let Ok(mut watch) = cell.try_borrow_mut() else {
            return;
        };
        let Some(watch) = watch.as_mut() else {
            return;
        };
        if watch.paused > 0 || watch.canaries.is_empty() {
            return;
        }
        let block: Vec<u8> = (0..size)
            // SAFETY: the block is `size` bytes the allocator handed out and
            // not yet returned, so each address is readable. Bytes never
            // written are uninitialised to the compiler; a volatile read
            // keeps it from reasoning about them, and a garbage byte can
            // only add a false hit, never hide a true one.
            .map(|i| unsafe { ptr.add(i).read_volatile() })
            .collect();
        let found: Vec<String> = watch
            .canaries
            .iter()
            .filter(|c| c.found_in(&block))
            .map(|c| c.label.clone())
            .collect();
        for canary in found {
            let backtrace =
                (watch.hits.len() < BACKTRACES).then(|| Backtrace::force_capture().to_string());
            watch.hits.push(Hit {
                canary,
                block_size: size,
                backtrace,
            });
        }
    });
}

/// Runs `f` on this thread's watch with `BUSY` set, so what `f` allocates
/// and frees is not scanned.
fn with_watch<R>(f: impl FnOnce(&mut Option<Watch>) -> R) -> R {
    let busy = Busy::enter();
    assert!(busy.is_some(), "the scanner is not re-entrant");
    WATCH.with(|cell| f(&mut cell.borrow_mut()))
}

/// Starts watching this thread, with no canaries yet.
pub fn start() {
    with_watch(|w| *w = Some(Watch::default()));
}

/// Adds a canary: a block is a hit when it holds any `width` consecutive
/// bytes of `value`.
pub fn canary(label: &str, value: &[u8], width: usize) {
    with_watch(|w| {
        w.as_mut()
            .expect("start() first")
            .canaries
            .push(Canary::new(label, value, width));
    });
}

/// Adds a secret text as canaries in the shapes code copies it in: its
/// UTF-8 bytes (windows of 10 characters, or all of a shorter one) and
/// `char`s (UTF-32, as a `Vec<char>` holds them; windows of 4).
pub fn secret_text(label: &str, value: &str) {
    canary(label, value.as_bytes(), 10);
    let utf32: Vec<u8> = value
        .chars()
        .flat_map(|c| u32::from(c).to_ne_bytes())
        .collect();
    canary(&format!("{label} (as chars)"), &utf32, 16);
}

/// Whether `label` is a canary already.
pub fn has_canary(label: &str) -> bool {
    with_watch(|w| {
        w.as_ref()
            .is_some_and(|w| w.canaries.iter().any(|c| c.label == label))
    })
}

/// Runs `f` without scanning: for the in-memory pool's own work, which is
/// test code that keeps its copies as it likes.
pub fn paused<R>(f: impl FnOnce() -> R) -> R {
    struct Resume;
    impl Drop for Resume {
        fn drop(&mut self) {
            with_watch(|w| {
                if let Some(w) = w.as_mut() {
                    w.paused -= 1;
                }
            });
        }
    }
    with_watch(|w| {
        if let Some(w) = w.as_mut() {
            w.paused += 1;
        }
    });
    let _resume = Resume;
    f()
}

/// Stops watching this thread and returns what was found.
pub fn finish() -> Vec<Hit> {
    with_watch(|w| w.take().map(|w| w.hits).unwrap_or_default())
}
