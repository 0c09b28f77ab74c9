#pragma once

namespace cityops {

/**
 * Keeps freed memory in the process for reuse instead of handing it back to the kernel at once.
 *
 * Syncing moves data in large pieces: a snapshot page is a ~15 MB body, decoded into ~20 MB of
 * structures, written and freed while the next one arrives (the platform builds its pages the
 * same way). With glibc's defaults every freed block over the mmap threshold goes back to the
 * kernel and the heap top is trimmed, so each page's memory is faulted in afresh, page by page,
 * which costs more than decoding it on a virtual machine (docs/performance.md, "Snapshot").
 * Raises the mmap threshold to 32 MB (glibc's maximum) and the trim threshold to 512 MB: peak
 * memory is unchanged, a process keeps up to that much freed memory for its next pages.
 *
 * Call once at start-up, before any threads (the console, the CLI and the platform do). A no-op
 * with other C libraries.
 */
void keepFreedMemoryForReuse();

} // namespace cityops
