//! The binary's memory allocator (a module of main.rs, not of the library):
//! a bump arena in the zero-initialized data of the process, in front of the
//! system allocator.
//!
//! A probe lives about a millisecond and allocates a few dozen kilobytes. musl's
//! allocator spent about a third of its instructions on that, and a pair of
//! mmap and munmap calls on each buffer. Here an allocation moves one offset
//! forward; freeing the most recent allocation moves it back, and any other
//! free is left for the end of the process. The arena's pages cost nothing
//! until touched. When it is full (a long `--wait`, a probe of many targets),
//! allocations go to the system allocator, so memory stays bounded: at most
//! the arena's size (256 KiB) more than the system allocator alone.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The arena's size. One probe used 3 KiB for tcp://, 32 KiB for http://
/// (ureq's 16 KiB input buffer and 8 KiB output buffer among them) and 85 KiB
/// for https:// (measured at exit). A long `--wait` fills it within a
/// few dozen attempts; after that, memory grows as it would without the arena.
const SIZE: usize = 256 << 10;

/// The arena: the allocator, with its bytes and the offset of the first free one.
pub struct Arena {
    bytes: UnsafeCell<[u8; SIZE]>,
    next: AtomicUsize,
}

// SAFETY: the bytes are handed out in disjoint ranges, each claimed by one
// compare-and-swap of `next`, so no two threads ever share a range.
unsafe impl Sync for Arena {}

impl Arena {
    /// An empty arena (in .bss: no page of it is touched until used).
    pub const fn new() -> Self {
        Self {
            bytes: UnsafeCell::new([0; SIZE]),
            next: AtomicUsize::new(0),
        }
    }

    fn start(&self) -> usize {
        self.bytes.get() as usize
    }

    /// Whether `ptr` was handed out by the arena.
    fn owns(&self, ptr: *mut u8) -> bool {
        let at = ptr as usize;
        at >= self.start() && at < self.start() + SIZE
    }

    /// Claims `layout` from the arena: the offset of its first byte, or None
    /// when the arena cannot hold it.
    fn claim(&self, layout: Layout) -> Option<usize> {
        let start = self.start();
        let mut next = self.next.load(Ordering::Relaxed);
        loop {
            // The alignment is a power of two: round up with a mask.
            let mask = layout.align() - 1;
            let at = ((start + next).checked_add(mask)? & !mask) - start;
            let end = at.checked_add(layout.size()).filter(|&end| end <= SIZE)?;
            match self
                .next
                .compare_exchange_weak(next, end, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return Some(at),
                Err(current) => next = current,
            }
        }
    }
}

// Each method is one function, called from everywhere, rather than inlined
// into thousands of places that allocate or drop (+47 KB when inlined).
//
// SAFETY: every pointer handed out is either from `System` (and goes back to
// it) or a range of the arena claimed for this allocation alone, aligned as
// asked and `layout.size()` bytes long.
unsafe impl GlobalAlloc for Arena {
    #[inline(never)]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match self.claim(layout) {
            // SAFETY: `at + layout.size() <= SIZE`: inside the array.
            Some(at) => unsafe { self.bytes.get().cast::<u8>().add(at) },
            // SAFETY: the caller's contract, passed on.
            None => unsafe { System.alloc(layout) },
        }
    }

    #[inline(never)]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // Memory freed back to the arena has been written to, so it is
        // zeroed again here (fresh arena pages are zero already, but which
        // are fresh is not tracked).
        match self.claim(layout) {
            Some(at) => {
                // SAFETY: inside the array, as in `alloc`; the range is ours.
                unsafe {
                    let ptr = self.bytes.get().cast::<u8>().add(at);
                    ptr.write_bytes(0, layout.size());
                    ptr
                }
            }
            // SAFETY: the caller's contract, passed on.
            None => unsafe { System.alloc_zeroed(layout) },
        }
    }

    #[inline(never)]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if self.owns(ptr) {
            // The most recent allocation gives its bytes back; any other
            // stays claimed until the process ends.
            let at = ptr as usize - self.start();
            let _ = self.next.compare_exchange(
                at + layout.size(),
                at,
                Ordering::Relaxed,
                Ordering::Relaxed,
            );
        } else {
            // SAFETY: not the arena's, so it came from `System`.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    #[inline(never)]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if self.owns(ptr) {
            // The most recent allocation grows or shrinks where it is.
            let at = ptr as usize - self.start();
            let grown = at.checked_add(new_size).filter(|&end| end <= SIZE);
            if grown.is_some_and(|end| {
                let last = at + layout.size();
                let swap =
                    self.next
                        .compare_exchange(last, end, Ordering::Relaxed, Ordering::Relaxed);
                swap.is_ok()
            }) {
                return ptr;
            }
            // Any other fits where it is when it shrinks (its tail stays
            // claimed); it moves only to grow.
            if new_size <= layout.size() {
                return ptr;
            }
            // SAFETY: `layout.align()` is valid and the caller guarantees
            // `new_size`, rounded up to it, does not overflow isize.
            let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
            // SAFETY: the caller's contract for the new layout.
            let new = unsafe { self.alloc(new_layout) };
            if !new.is_null() {
                // SAFETY: both ranges are at least min(old, new) bytes long
                // and distinct allocations.
                unsafe {
                    std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
            }
            new
        } else {
            // SAFETY: not the arena's, so it came from `System`.
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap()
    }

    #[test]
    fn hands_out_aligned_disjoint_ranges_and_takes_back_the_last() {
        static ARENA: Arena = Arena::new();
        // SAFETY: each pointer is used within its layout and freed once.
        unsafe {
            let a = ARENA.alloc(layout(3, 1));
            let b = ARENA.alloc(layout(16, 16));
            assert!(ARENA.owns(a) && ARENA.owns(b));
            assert_eq!(b as usize % 16, 0);
            assert!(b as usize >= a as usize + 3);
            b.write_bytes(0xAB, 16);
            ARENA.dealloc(b, layout(16, 16));
            // The last allocation's bytes come back, and zeroed when asked.
            let c = ARENA.alloc_zeroed(layout(16, 16));
            assert_eq!(c, b);
            assert_eq!(std::slice::from_raw_parts(c, 16), &[0; 16]);
            // Freeing one that is not the last gives nothing back.
            ARENA.dealloc(a, layout(3, 1));
            let d = ARENA.alloc(layout(1, 1));
            assert_eq!(d as usize, c as usize + 16);
        }
    }

    #[test]
    fn realloc_grows_the_last_in_place_moves_any_other_and_shrinks_any_in_place() {
        static ARENA: Arena = Arena::new();
        // SAFETY: as above; each realloc passes the layout the pointer has.
        unsafe {
            let a = ARENA.alloc(layout(4, 1));
            a.copy_from(b"abcd".as_ptr(), 4);
            let grown = ARENA.realloc(a, layout(4, 1), 4096);
            assert_eq!(grown, a, "the last allocation grows where it is");
            let b = ARENA.alloc(layout(8, 8));
            let moved = ARENA.realloc(grown, layout(4096, 1), 8192);
            assert_ne!(moved, grown, "not the last: it moves");
            assert!(moved as usize > b as usize);
            assert_eq!(std::slice::from_raw_parts(moved, 4), b"abcd");
            let c = ARENA.alloc(layout(8, 8));
            let shrunk = ARENA.realloc(moved, layout(8192, 1), 4);
            assert_eq!(shrunk, moved, "not the last, but smaller: it stays");
            assert_eq!(std::slice::from_raw_parts(shrunk, 4), b"abcd");
            assert!(c as usize > shrunk as usize);
        }
    }

    #[test]
    fn goes_to_the_system_allocator_when_full() {
        static ARENA: Arena = Arena::new();
        // SAFETY: as above.
        unsafe {
            let all = ARENA.alloc(layout(SIZE - 8, 8));
            assert!(ARENA.owns(all));
            let outside = ARENA.alloc(layout(64, 8));
            assert!(!outside.is_null() && !ARENA.owns(outside));
            outside.write_bytes(1, 64);
            // Growing an arena allocation past the end moves it out, whole.
            all.write_bytes(7, 16);
            let moved = ARENA.realloc(all, layout(SIZE - 8, 8), SIZE + 1);
            assert!(!moved.is_null() && !ARENA.owns(moved));
            assert_eq!(std::slice::from_raw_parts(moved, 16), &[7; 16]);
            ARENA.dealloc(moved, layout(SIZE + 1, 8));
            ARENA.dealloc(outside, layout(64, 8));
            // The arena's bytes came back when the last allocation left it.
            assert!(ARENA.owns(ARENA.alloc(layout(SIZE / 2, 8))));
        }
    }

    #[test]
    fn threads_get_disjoint_ranges() {
        static ARENA: Arena = Arena::new();
        let ranges: Vec<(usize, usize)> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..4)
                .map(|_| {
                    scope.spawn(|| {
                        (0..500)
                            // SAFETY: the memory is never used or freed.
                            .map(|i| {
                                (
                                    unsafe { ARENA.alloc(layout(8 + i % 24, 8)) } as usize,
                                    8 + i % 24,
                                )
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().unwrap())
                .collect()
        });
        let mut sorted = ranges.clone();
        sorted.sort();
        for pair in sorted.windows(2) {
            assert!(
                pair[0].0 + pair[0].1 <= pair[1].0,
                "overlapping ranges: {pair:?}"
            );
        }
        assert_eq!(sorted.len(), 2000);
    }
}
