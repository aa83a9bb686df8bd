// Running evaluation on a thread with a large stack, so deep recursion ends in an error, not a crash.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Asks the session to end with a status (`exit(code)`); passes through `try`/`catch`.
public struct ExitRequest: Error {
    public var code: Int32
    public init(code: Int32) { self.code = code }
}

private final class StackJob {
    let body: () -> Void
    init(_ body: @escaping () -> Void) { self.body = body }
}

extension Interpreter {
    /// Stack size of the evaluation thread.
    public static let evaluationStackSize = 1 << 30

    /// Runs `body` on a thread with a 1 GiB stack and waits for it, setting `stackLimit` so the
    /// evaluator reports "stack overflow" with ample headroom left. Falls back to the calling thread
    /// (with a conservative limit) if the thread cannot be made.
    public func runOnLargeStack<T>(_ body: @escaping () -> T) -> T {
        var result: T?
        let job = StackJob { [unowned self] in
            let top = Interpreter.stackAddress()
            self.stackLimit = top &- UInt(Interpreter.evaluationStackSize) &+ (64 << 20)
            result = body()
        }
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, Interpreter.evaluationStackSize)
        let context = Unmanaged.passRetained(job).toOpaque()
        #if canImport(Glibc)
        var thread = pthread_t()
        #else
        var thread: pthread_t?
        #endif
        let rc = pthread_create(&thread, &attributes, { raw in
            guard let raw else { return nil }
            let job = Unmanaged<StackJob>.fromOpaque(raw).takeRetainedValue()
            job.body()
            return nil
        }, context)
        if rc != 0 {
            Unmanaged<StackJob>.fromOpaque(context).release()
            stackLimit = Interpreter.stackAddress() &- (4 << 20)
            return body()
        }
        #if canImport(Glibc)
        pthread_join(thread, nil)
        #else
        if let thread { pthread_join(thread, nil) }
        #endif
        if let result { return result }
        return body()
    }
}
