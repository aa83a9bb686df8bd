// Runs the driver on a thread with a large stack, so deep (but bounded) recursion never overflows.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs `body` on a new thread with a 1 GiB stack and waits for its result.
///
/// The stack is only reserved address space; pages are touched as recursion goes deeper. The
/// evaluator's depth counter trips long before this is exhausted. SIGINT is blocked on the calling
/// thread and unblocked on the new one, so Ctrl-C interrupts the worker's blocking reads.
func runOnLargeStack(bytes: Int = 1 << 30, _ body: @escaping () -> Int32) -> Int32 {
    final class Job {
        let body: () -> Int32
        var result: Int32 = 0
        init(_ body: @escaping () -> Int32) { self.body = body }
    }
    let job = Job(body)
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setstacksize(&attributes, bytes)

    Signals.setInterruptBlocked(true)
    let context = Unmanaged.passRetained(job).toOpaque()
    #if canImport(Glibc)
    var thread = pthread_t()
    #else
    var thread: pthread_t?
    #endif
    let created = pthread_create(&thread, &attributes, { raw in
        Signals.setInterruptBlocked(false)
        Signals.becomeInterruptReceiver()
        guard let raw else { return nil }
        let job = Unmanaged<Job>.fromOpaque(raw).takeUnretainedValue()
        job.result = job.body()
        return nil
    }, context)
    guard created == 0 else {
        // No thread (address space exhausted?): run here with the default stack instead.
        Unmanaged<Job>.fromOpaque(context).release()
        Signals.setInterruptBlocked(false)
        Signals.becomeInterruptReceiver()
        return body()
    }
    #if canImport(Glibc)
    pthread_join(thread, nil)
    #else
    if let thread { pthread_join(thread, nil) }
    #endif
    let result = job.result
    Unmanaged<Job>.fromOpaque(context).release()
    return result
}
